using System;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ConvTokens.Engine.Exchange;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>The exchange's rules against a loopback server: retries, "may be spent", redaction, the success rule.</summary>
    public class SessionTokenClientTests
    {
        private const string ApiKey = "ak+Live/Key-0123456789";
        private const string Assertion = "eyJhbGciOiJIUzI1NiJ9.eyJhbW91bnQiOjF9.c2ln";

        private const string ClientSecret = "cs-Secret/Value=42";

        private static SessionTokenClient Client(Uri endpoint, SecretBytes apiKey, GrantKind grant = GrantKind.JwtBearer, int retries = 2, SecretBytes? clientSecret = null) =>
            new SessionTokenClient(new ExchangeOptions
            {
                TokenEndpoint = endpoint,
                Grant = grant,
                MaximumRetryCount = retries,
                RetryInterval = TimeSpan.Zero,
                Timeout = TimeSpan.FromSeconds(30),
                ConnectTimeout = TimeSpan.FromSeconds(30),
            }, apiKey, clientSecret, () => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        private static async Task<ExchangeOutcome> ExchangeAsync(LoopbackServer server, GrantKind grant = GrantKind.JwtBearer, int retries = 2)
        {
            using var apiKey = Reference.Secret(ApiKey);
            using var clientSecret = grant == GrantKind.ClientCredentials ? Reference.Secret(ClientSecret) : null;
            using var client = Client(server.TokenEndpoint, apiKey, grant, retries, clientSecret);
            var body = grant == GrantKind.JwtBearer ? client.JwtBearerBody(Assertion) : client.ClientCredentialsBody();
            return await client.ExchangeAsync(body, CancellationToken.None);
        }

        [Fact]
        public async Task Sends_the_jwt_bearer_grant_and_reads_the_session_token()
        {
            using var server = new LoopbackServer((n, body) => LoopbackServer.Token("session-1"));
            var outcome = await ExchangeAsync(server);
            Assert.True(outcome.Succeeded);
            Assert.Equal("session-1", outcome.AccessToken);
            Assert.Equal("Bearer", outcome.TokenType);
            Assert.Equal("expires_in", outcome.ExpirySource);
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero), outcome.ExpiresOn);
            Assert.False(outcome.MayBeSpent);
            Assert.Equal(1, outcome.Attempts);
            Assert.Equal("{\"grant_type\":\"urn:ietf:params:oauth:grant-type:jwt-bearer\",\"client_id\":\"ak\\u002BLive/Key-0123456789\",\"assertion\":\"" + Assertion + "\"}",
                Assert.Single(server.Bodies));
        }

        [Theory]
        [InlineData(429)]
        [InlineData(503)]
        public async Task Retries_429_and_503_which_cannot_have_spent_the_token(int status)
        {
            using var server = new LoopbackServer((n, body) => n == 1 ? LoopbackServer.Response(status, "{}") : LoopbackServer.Token("after-retry"));
            var outcome = await ExchangeAsync(server);
            Assert.True(outcome.Succeeded);
            Assert.Equal("after-retry", outcome.AccessToken);
            Assert.Equal(2, outcome.Attempts);
            Assert.Equal(2, server.Requests);
        }

        [Fact]
        public async Task Gives_up_on_503_after_the_retries_and_says_the_token_was_not_spent()
        {
            using var server = new LoopbackServer((n, body) => LoopbackServer.Response(503, "{}"));
            var outcome = await ExchangeAsync(server, retries: 2);
            Assert.Equal(ExchangeFailure.ServiceUnavailable, outcome.Failure);
            Assert.False(outcome.MayBeSpent);
            Assert.Equal(3, outcome.Attempts);
            Assert.Equal(3, server.Requests);
            Assert.EndsWith("Gave up after 3 attempts; the initialization token was not spent and can be sent again.", outcome.Message);
        }

        [Fact]
        public async Task Without_retries_gives_up_after_one_attempt_in_the_singular()
        {
            using var server = new LoopbackServer((n, body) => LoopbackServer.Response(503, "{}"));
            var outcome = await ExchangeAsync(server, retries: 0);
            Assert.Equal(ExchangeFailure.ServiceUnavailable, outcome.Failure);
            Assert.Equal(1, outcome.Attempts);
            Assert.EndsWith("Gave up after 1 attempt; the initialization token was not spent and can be sent again.", outcome.Message);
        }

        [Fact]
        public async Task A_429_over_a_mebibyte_is_still_rate_limiting_not_a_server_error()
        {
            var page = new byte[1024 * 1024 + 1];
            using var server = new LoopbackServer((n, body) => LoopbackServer.Response(429, page, "text/html"));
            var outcome = await ExchangeAsync(server, retries: 0);
            Assert.Equal(ExchangeFailure.RateLimited, outcome.Failure);
            Assert.False(outcome.MayBeSpent);
        }

        [Fact]
        public async Task Does_not_retry_a_500_and_says_the_token_may_be_spent()
        {
            using var server = new LoopbackServer((n, body) => LoopbackServer.Response(500, "{\"error\":\"server_error\"}"));
            var outcome = await ExchangeAsync(server);
            Assert.Equal(ExchangeFailure.ServerError, outcome.Failure);
            Assert.True(outcome.MayBeSpent);
            Assert.Equal(1, server.Requests);
            Assert.Equal(HttpStatusCode.InternalServerError, outcome.StatusCode);
            Assert.Contains("the initialization token may be spent, so mint a new one rather than sending it again", outcome.Message);
        }

        [Fact]
        public async Task A_connection_closed_after_the_request_went_out_is_an_unknown_outcome_and_not_retried()
        {
            using var server = new LoopbackServer((n, body) => (byte[]?)null);
            var outcome = await ExchangeAsync(server);
            Assert.Equal(ExchangeFailure.OutcomeUnknown, outcome.Failure);
            Assert.True(outcome.MayBeSpent);
            Assert.Equal(1, server.Requests);
        }

        [Fact]
        public async Task A_refused_connection_sent_nothing_and_is_retried()
        {
            using var apiKey = Reference.Secret(ApiKey);
            using var client = Client(LoopbackServer.ClosedEndpoint(), apiKey, retries: 2);
            var outcome = await client.ExchangeAsync(client.JwtBearerBody(Assertion), CancellationToken.None);
            Assert.Equal(ExchangeFailure.ConnectionFailed, outcome.Failure);
            Assert.False(outcome.MayBeSpent);
            Assert.Equal(3, outcome.Attempts);
            Assert.EndsWith("the initialization token was not spent and can be sent again.", outcome.Message);
        }

        [Fact]
        public async Task The_client_credentials_grant_is_never_reported_as_spending_a_token()
        {
            using var server = new LoopbackServer((n, body) => LoopbackServer.Response(500, "{}"));
            var outcome = await ExchangeAsync(server, GrantKind.ClientCredentials);
            Assert.Equal(ExchangeFailure.ServerError, outcome.Failure);
            Assert.False(outcome.MayBeSpent);
            Assert.Contains("a session may have been opened", outcome.Message);
            Assert.Equal("{\"grant_type\":\"client_credentials\",\"client_id\":\"ak\\u002BLive/Key-0123456789\",\"client_secret\":\"cs-Secret/Value=42\"}",
                Assert.Single(server.Bodies));
        }

        [Fact]
        public async Task An_invalid_grant_is_a_rejection_that_spent_nothing()
        {
            using var server = new LoopbackServer((n, body) => LoopbackServer.Response(400, "{\"error\":\"invalid_grant\",\"error_description\":\"already used\"}"));
            var outcome = await ExchangeAsync(server);
            Assert.Equal(ExchangeFailure.Rejected, outcome.Failure);
            Assert.Equal("invalid_grant", outcome.OAuthError);
            Assert.Equal("already used", outcome.OAuthErrorDescription);
            Assert.False(outcome.MayBeSpent);
            Assert.Equal(1, server.Requests);
        }

        [Fact]
        public async Task An_echoed_apiKey_is_withheld_in_every_field_in_every_form_the_request_used()
        {
            var urlEncoded = Uri.EscapeDataString(ApiKey);
            var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(ApiKey));
            var json = $"{{\"error\":\"bad {ApiKey}\",\"error_description\":\"got \\\\u002B {ApiKey.Replace("+", "\\u002B")} {urlEncoded} {base64}\"}}";
            using var server = new LoopbackServer((n, body) => LoopbackServer.Response(400, json));
            var outcome = await ExchangeAsync(server);
            foreach (var text in new[] { outcome.Message!, outcome.OAuthError!, outcome.OAuthErrorDescription! })
            {
                Assert.DoesNotContain("Live/Key", text);
                Assert.DoesNotContain("Live%2FKey", text);
                Assert.DoesNotContain(base64.Substring(4, 12), text);
                Assert.Contains(Redactor.Marker, text);
            }
            Assert.Equal($"bad {Redactor.Marker}", outcome.OAuthError);
        }

        [Theory]
        [InlineData("{\"token\":\"second\",\"access_token\":\"first\"}", "first")]
        [InlineData("{\"session_token\":\"st\",\"sessionToken\":\"camel\"}", "camel")]
        [InlineData("\uFEFF{\"access_token\":\"after-bom\"}", "after-bom")]
        public async Task The_success_rule_picks_the_member_by_precedence_whatever_the_order(string body, string expected)
        {
            using var server = new LoopbackServer((n, _) => LoopbackServer.Response(200, body));
            var outcome = await ExchangeAsync(server);
            Assert.True(outcome.Succeeded, outcome.Message);
            Assert.Equal(expected, outcome.AccessToken);
        }

        [Theory]
        [InlineData("{\"access_token\":\"a\",\"access_token\":\"b\"}", "holds the member access_token twice")]
        [InlineData("{\"access_token\":\"a\\r\\nb\"}", "holds characters a bearer token cannot")]
        [InlineData("{\"access_token\":\"\"}", "its access_token is empty")]
        [InlineData("{\"token_type\":\"Bearer\"}", "holds no session token")]
        [InlineData("[\"access_token\"]", "is a JSON array, not an object")]
        [InlineData("not json", "is not valid JSON")]
        public async Task A_success_answer_that_breaks_the_rule_is_refused_and_may_have_spent_the_token(string body, string problem)
        {
            using var server = new LoopbackServer((n, _) => LoopbackServer.Response(200, body));
            var outcome = await ExchangeAsync(server);
            Assert.Equal(ExchangeFailure.ResponseInvalid, outcome.Failure);
            Assert.True(outcome.MayBeSpent);
            Assert.Contains(problem, outcome.Message);
            Assert.Null(outcome.AccessToken);
        }

        [Fact]
        public async Task Invalid_UTF8_in_a_success_answer_is_refused()
        {
            var body = Encoding.ASCII.GetBytes("{\"access_token\":\"a").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.ASCII.GetBytes("\"}")).ToArray();
            using var server = new LoopbackServer((n, _) => LoopbackServer.Response(200, body));
            var outcome = await ExchangeAsync(server);
            Assert.Equal(ExchangeFailure.ResponseInvalid, outcome.Failure);
            Assert.Contains("the body is not valid UTF-8", outcome.Message);
        }

        [Fact]
        public async Task A_session_token_longer_than_a_SecureString_holds_is_that_exchange_s_error()
        {
            var token = new string('a', SecureText.MaximumLength + 1);
            using var server = new LoopbackServer((n, _) => LoopbackServer.Token(token));
            var outcome = await ExchangeAsync(server);
            Assert.Equal(ExchangeFailure.ResponseInvalid, outcome.Failure);
            Assert.Contains("65,537 characters long, more than the 65,536", outcome.Message);
        }

        [Fact]
        public async Task Cancelling_while_the_request_is_in_flight_reports_it_as_cancelled_and_maybe_spent()
        {
            var answer = new TaskCompletionSource<byte[]?>();
            var arrived = new TaskCompletionSource();
            using var server = new LoopbackServer((n, body) => { arrived.TrySetResult(); return answer.Task; });
            using var apiKey = Reference.Secret(ApiKey);
            using var client = Client(server.TokenEndpoint, apiKey);
            using var stop = new CancellationTokenSource();
            var exchange = client.ExchangeAsync(client.JwtBearerBody(Assertion), stop.Token);
            await arrived.Task;
            stop.Cancel();
            var outcome = await exchange;
            answer.TrySetResult(null);
            Assert.Equal(ExchangeFailure.Cancelled, outcome.Failure);
            Assert.True(outcome.MayBeSpent);
        }

        [Fact]
        public async Task Clears_the_request_body_once_sent()
        {
            using var server = new LoopbackServer((n, _) => LoopbackServer.Token("t"));
            using var apiKey = Reference.Secret(ApiKey);
            using var client = Client(server.TokenEndpoint, apiKey);
            var body = client.JwtBearerBody(Assertion);
            await client.ExchangeAsync(body, CancellationToken.None);
            Assert.All(body, b => Assert.Equal(0, b));
        }

        [Fact]
        public void A_client_cannot_be_built_without_the_secrets_its_requests_carry()
        {
            var jwtBearer = new ExchangeOptions { Grant = GrantKind.JwtBearer };
            var clientCredentials = new ExchangeOptions { Grant = GrantKind.ClientCredentials };
            using var apiKey = Reference.Secret(ApiKey);
            using var clientSecret = Reference.Secret(ClientSecret);
            Assert.Equal("apiKey", Assert.Throws<ArgumentNullException>(() => new SessionTokenClient(jwtBearer, null!)).ParamName);
            Assert.Equal("clientSecret", Assert.Throws<ArgumentException>(() => new SessionTokenClient(clientCredentials, apiKey)).ParamName);
            Assert.Equal("clientSecret", Assert.Throws<ArgumentException>(() => new SessionTokenClient(jwtBearer, apiKey, clientSecret)).ParamName);
            var cleared = Reference.Secret(ApiKey);
            cleared.Dispose();
            Assert.Throws<ObjectDisposedException>(() => new SessionTokenClient(jwtBearer, cleared));

            // No other way in: every constructor takes the apiKey, and the options carry no redactor to forget.
            Assert.All(typeof(SessionTokenClient).GetConstructors(), constructor =>
                Assert.Contains(constructor.GetParameters(), p => p.ParameterType == typeof(SecretBytes) && p.Name == "apiKey"));
            Assert.DoesNotContain(typeof(ExchangeOptions).GetProperties(), p => p.PropertyType == typeof(Redactor));
        }

        [Fact]
        public void The_client_builds_each_body_from_its_own_secrets_so_it_withholds_what_it_sends()
        {
            using var apiKey = Reference.Secret(ApiKey);
            using var clientSecret = Reference.Secret(ClientSecret);
            using var jwtBearer = Client(LoopbackServer.ClosedEndpoint(), apiKey);
            using var clientCredentials = Client(LoopbackServer.ClosedEndpoint(), apiKey, GrantKind.ClientCredentials, clientSecret: clientSecret);
            Assert.Equal("{\"grant_type\":\"urn:ietf:params:oauth:grant-type:jwt-bearer\",\"client_id\":\"ak\\u002BLive/Key-0123456789\",\"assertion\":\"" + Assertion + "\"}",
                Encoding.UTF8.GetString(jwtBearer.JwtBearerBody(Assertion)));
            Assert.Contains("\"client_secret\":\"cs-Secret/Value=42\"", Encoding.UTF8.GetString(clientCredentials.ClientCredentialsBody()));
            // A body of the other grant would carry a secret the client was not built with.
            Assert.Throws<InvalidOperationException>(() => jwtBearer.ClientCredentialsBody());
            Assert.Throws<InvalidOperationException>(() => clientCredentials.JwtBearerBody(Assertion));
        }

        [Fact]
        public async Task A_client_credentials_client_withholds_the_client_secret_and_the_apiKey_in_messages_and_verbose_lines()
        {
            var echo = $"{{\"error\":\"invalid_client\",\"error_description\":\"unknown {ClientSecret} for {ApiKey}\"}}";
            // The reason phrase echoes the client secret too: it reaches the verbose line.
            var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 401 Unknown {ClientSecret}\r\nContent-Type: application/json\r\nContent-Length: {echo.Length}\r\nConnection: close\r\n\r\n{echo}");
            using var server = new LoopbackServer((n, body) => answer);
            using var apiKey = Reference.Secret(ApiKey);
            using var clientSecret = Reference.Secret(ClientSecret);
            using var client = Client(server.TokenEndpoint, apiKey, GrantKind.ClientCredentials, clientSecret: clientSecret);
            var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
            client.Log += lines.Enqueue;
            var outcome = await client.ExchangeAsync(client.ClientCredentialsBody(), CancellationToken.None);
            Assert.Equal(ExchangeFailure.Rejected, outcome.Failure);
            Assert.Equal("invalid_client", outcome.OAuthError);
            Assert.Equal($"unknown {Redactor.Marker} for {Redactor.Marker}", outcome.OAuthErrorDescription);
            Assert.Equal($"POST {server.TokenEndpoint.AbsoluteUri} answered 401 invalid_client: unknown {Redactor.Marker} for {Redactor.Marker}. " +
                "Nothing was exchanged; the request can be sent again.", outcome.Message);
            Assert.Equal($"POST {server.TokenEndpoint.AbsoluteUri} -> 401 Unknown {Redactor.Marker} in ", Regex.Replace(Assert.Single(lines), @"\d+ ms \(attempt 1\)\.$", string.Empty));
        }
    }
}
