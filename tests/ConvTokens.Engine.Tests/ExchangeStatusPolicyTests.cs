using System;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using ConvTokens.Engine.Exchange;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>The status policy (failed, retried, may be spent), the redirect and retry-wait rules and the message texts, without a connection.</summary>
    public class ExchangeStatusPolicyTests
    {
        private static readonly Uri Endpoint = new Uri("https://api.example.com/v2/token");

        [Theory]
        [InlineData(ExchangeFailure.None, false, false)]
        [InlineData(ExchangeFailure.Rejected, false, false)]
        [InlineData(ExchangeFailure.RateLimited, true, false)]
        [InlineData(ExchangeFailure.ServiceUnavailable, true, false)]
        [InlineData(ExchangeFailure.ConnectionFailed, true, false)]
        [InlineData(ExchangeFailure.ServerError, false, true)]
        [InlineData(ExchangeFailure.OutcomeUnknown, false, true)]
        [InlineData(ExchangeFailure.ResponseInvalid, false, true)]
        [InlineData(ExchangeFailure.RedirectRefused, false, false)]
        [InlineData(ExchangeFailure.TlsFailed, false, false)]
        [InlineData(ExchangeFailure.Cancelled, false, false)]
        public void Each_failure_is_retried_or_may_have_spent_the_token_never_both(ExchangeFailure failure, bool retries, bool mayBeSpent)
        {
            Assert.Equal(retries, ExchangePolicy.Retries(failure));
            Assert.Equal(mayBeSpent, ExchangePolicy.MayBeSpent(failure));
        }

        [Fact]
        public void Every_failure_kind_has_its_row_above() =>
            Assert.Equal(11, Enum.GetValues<ExchangeFailure>().Length);

        [Theory]
        [InlineData(200, ExchangeFailure.None)]
        [InlineData(201, ExchangeFailure.None)]
        [InlineData(299, ExchangeFailure.None)]
        [InlineData(400, ExchangeFailure.Rejected)]
        [InlineData(401, ExchangeFailure.Rejected)]
        [InlineData(404, ExchangeFailure.Rejected)]
        [InlineData(408, ExchangeFailure.Rejected)]
        [InlineData(304, ExchangeFailure.Rejected)]
        [InlineData(429, ExchangeFailure.RateLimited)]
        [InlineData(500, ExchangeFailure.ServerError)]
        [InlineData(502, ExchangeFailure.ServerError)]
        [InlineData(503, ExchangeFailure.ServiceUnavailable)]
        [InlineData(504, ExchangeFailure.ServerError)]
        public void A_status_whose_body_was_read_means(int status, ExchangeFailure failure)
        {
            Assert.Equal(failure, ExchangePolicy.ForStatus(status, BodyState.Read));
            Assert.Equal(status is 429 or 503, ExchangePolicy.NotTaken(status));
        }

        [Theory]
        [InlineData(null, 2, 60, 2)]
        [InlineData(null, 120, 60, 60)]
        [InlineData(30, 1, 60, 30)]
        [InlineData(0, 8, 60, 0)]
        [InlineData(60, 1, 60, 60)]
        [InlineData(61, 1, 60, null)]
        public void The_wait_is_what_the_server_asked_else_the_capped_backoff_and_a_longer_ask_ends_the_retries(int? asked, int backoff, int maximum, int? wait)
        {
            Assert.Equal(wait is int w ? TimeSpan.FromSeconds(w) : null,
                ExchangePolicy.RetryWait(asked is int a ? TimeSpan.FromSeconds(a) : null, TimeSpan.FromSeconds(backoff), TimeSpan.FromSeconds(maximum)));
        }

        [Theory]
        [InlineData(307, "https://api.example.com/v3/token", 0, RedirectVerdict.Follow)]
        [InlineData(308, "https://API.EXAMPLE.COM:443/token", 2, RedirectVerdict.Follow)]
        [InlineData(307, "https://api.example.com/v2/token", 3, RedirectVerdict.Loop)]
        [InlineData(301, "https://api.example.com/v3/token", 0, RedirectVerdict.Refused)]
        [InlineData(302, "https://api.example.com/v3/token", 0, RedirectVerdict.Refused)]
        [InlineData(303, "https://api.example.com/v3/token", 3, RedirectVerdict.Refused)]
        [InlineData(307, "http://api.example.com/v2/token", 0, RedirectVerdict.Refused)]
        [InlineData(307, "https://api.example.com:8443/v2/token", 0, RedirectVerdict.Refused)]
        [InlineData(308, "https://evil.example/token", 3, RedirectVerdict.Refused)]
        [InlineData(307, null, 0, RedirectVerdict.Refused)]
        public void Only_307_and_308_within_the_endpoint_s_origin_are_followed_and_at_most_three_times(int status, string? next, int redirects, RedirectVerdict verdict)
        {
            Assert.True(ExchangePolicy.IsRedirect(status));
            Assert.Equal(verdict, ExchangePolicy.Redirect(status, next is null ? null : new Uri(next), Endpoint, redirects));
        }

        [Fact]
        public void Only_redirect_statuses_are_redirects()
        {
            Assert.False(ExchangePolicy.IsRedirect(200));
            Assert.False(ExchangePolicy.IsRedirect(304));
            Assert.Throws<ArgumentOutOfRangeException>(() => ExchangePolicy.Redirect(200, Endpoint, Endpoint, 0));
        }

        public static TheoryData<Exception, bool, TransportFault?, ExchangeFailure?> TransportFailures() => new()
        {
            // Nothing of the body went out: as good as refused, however the socket failed.
            { new OperationCanceledException(), false, TransportFault.NothingSent, ExchangeFailure.ConnectionFailed },
            { new HttpRequestException(HttpRequestError.ResponseEnded, "ended"), false, TransportFault.NothingSent, ExchangeFailure.ConnectionFailed },
            { new HttpRequestException(HttpRequestError.SecureConnectionError, "untrusted"), false, TransportFault.TlsFailed, ExchangeFailure.TlsFailed },
            { new OperationCanceledException(), true, TransportFault.TimedOut, ExchangeFailure.OutcomeUnknown },
            { new TaskCanceledException(), true, TransportFault.TimedOut, ExchangeFailure.OutcomeUnknown },
            { new HttpRequestException(HttpRequestError.ConnectionError, "refused"), true, TransportFault.ConnectFailed, ExchangeFailure.ConnectionFailed },
            { new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"), true, TransportFault.ConnectFailed, ExchangeFailure.ConnectionFailed },
            { new HttpRequestException("x", new SocketException((int)SocketError.ConnectionRefused)), true, TransportFault.ConnectFailed, ExchangeFailure.ConnectionFailed },
            { new HttpRequestException("x", new SocketException((int)SocketError.ConnectionReset)), true, TransportFault.Dropped, ExchangeFailure.OutcomeUnknown },
            { new HttpRequestException(HttpRequestError.ResponseEnded, "ended"), true, TransportFault.Dropped, ExchangeFailure.OutcomeUnknown },
            { new InvalidOperationException("bug"), false, null, null },
        };

        [Theory]
        [MemberData(nameof(TransportFailures))]
        public void A_failure_to_send_is_retried_only_when_it_cannot_have_reached_the_server(Exception failure, bool sent, TransportFault? fault, ExchangeFailure? kind)
        {
            Assert.Equal(fault, ExchangePolicy.Classify(failure, sent));
            if (fault is TransportFault f) { Assert.Equal(kind, ExchangePolicy.ForTransport(f)); }
        }

        private static string AnswerMessage(GrantKind grant, Answer answer) =>
            new ExchangeMessages(new ExchangeOptions { TokenEndpoint = Endpoint, Grant = grant, MaximumResponseBytes = 1024 }).Answer(answer, Endpoint)!;

        private static Answer Read(int status, string body) =>
            TokenAnswer.Read(status, "application/json", null, Encoding.UTF8.GetBytes(body), DateTimeOffset.UnixEpoch, new ExchangeOptions(), new Redactor());

        [Fact]
        public void A_404_says_where_the_request_went_and_where_it_should_go()
        {
            Assert.Equal("POST https://api.example.com/v2/token answered 404 Not Found not_found: no such resource: nothing takes tokens at that URL. " +
                "Check -BaseUri: the request goes to {BaseUri}/token, for the production API https://api.jackpot-io.com/v2/token. " +
                "Nothing was exchanged; the initialization token was not spent and can be sent again.",
                AnswerMessage(GrantKind.JwtBearer, Read(404, "{\"error\":\"not_found\",\"error_description\":\"no such resource\"}")));
        }

        [Theory]
        [InlineData(GrantKind.JwtBearer, "the initialization token may be spent, so mint a new one rather than sending it again")]
        [InlineData(GrantKind.ClientCredentials, "a session may have been opened")]
        public void A_failure_that_may_have_reached_the_server_says_what_that_means_for_the_grant(GrantKind grant, string meaning)
        {
            Assert.Equal($"POST https://api.example.com/v2/token answered 502 with a text/html body of 2 bytes and no OAuth error; the server may have processed the request: {meaning}.",
                AnswerMessage(grant, TokenAnswer.Read(502, "text/html", null, Encoding.UTF8.GetBytes("<>"), DateTimeOffset.UnixEpoch, new ExchangeOptions(), new Redactor())));
            Assert.Equal($"POST https://api.example.com/v2/token answered 200 but the body is not valid JSON; {meaning}.", AnswerMessage(grant, Read(200, "nope")));
            Assert.Equal($"POST https://api.example.com/v2/token answered 200 with a body over 1024 bytes, which was not read; {meaning}.",
                AnswerMessage(grant, TokenAnswer.Unread(200, BodyState.TooLarge, null, DateTimeOffset.UnixEpoch)));
            Assert.Equal($"POST https://api.example.com/v2/token answered 500 but the body could not be read (reset); {meaning}.",
                AnswerMessage(grant, TokenAnswer.Unread(500, BodyState.Unreadable, null, DateTimeOffset.UnixEpoch, "reset")));
        }

        [Fact]
        public void A_429_or_503_is_named_and_says_nothing_of_spending_the_retries_do()
        {
            Assert.Equal("POST https://api.example.com/v2/token answered 429 Too Many Requests slow_down: wait.",
                AnswerMessage(GrantKind.JwtBearer, Read(429, "{\"error\":\"slow_down\",\"error_description\":\"wait\"}")));
            Assert.Equal("POST https://api.example.com/v2/token answered 503 Service Unavailable (its body, over 1024 bytes, was not read).",
                AnswerMessage(GrantKind.JwtBearer, TokenAnswer.Unread(503, BodyState.TooLarge, null, DateTimeOffset.UnixEpoch)));
            Assert.Equal("POST https://api.example.com/v2/token answered 429 but the body could not be read (reset).",
                AnswerMessage(GrantKind.JwtBearer, TokenAnswer.Unread(429, BodyState.Unreadable, null, DateTimeOffset.UnixEpoch, "reset")));
        }

        [Theory]
        [InlineData(400, "{\"error\":\"invalid_client\"}", "POST https://api.example.com/v2/token answered 400 invalid_client. Nothing was exchanged; the initialization token was not spent and can be sent again.")]
        [InlineData(401, "{\"error\":\"invalid_client\",\"error_description\":\"who\"}", "POST https://api.example.com/v2/token answered 401 invalid_client: who. Nothing was exchanged; the initialization token was not spent and can be sent again.")]
        [InlineData(403, "{\"error\":\"invalid_client\"}", "POST https://api.example.com/v2/token answered 403 invalid_client.")]
        [InlineData(400, "{\"error\":\"invalid_grant\",\"error_description\":\"already used\"}", "POST https://api.example.com/v2/token answered 400 invalid_grant: already used.")]
        public void A_rejection_quotes_the_OAuth_error(int status, string body, string message) =>
            Assert.Equal(message, AnswerMessage(GrantKind.JwtBearer, Read(status, body)));

        [Fact]
        public void A_success_has_no_message() =>
            Assert.Null(AnswerMessage(GrantKind.JwtBearer, Read(200, "{\"access_token\":\"a\"}")));

        [Fact]
        public void The_queue_and_the_client_say_the_same_when_stopped_before_sending() =>
            Assert.Equal(ExchangeMessages.StoppedBeforeSending, new ExchangeMessages(new ExchangeOptions()).Cancelled(mayBeSpent: false));
    }
}
