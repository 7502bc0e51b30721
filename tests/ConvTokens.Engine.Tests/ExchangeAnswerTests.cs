using System;
using System.Linq;
using System.Net.Http.Headers;
using System.Text;
using ConvTokens.Engine.Exchange;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>The grammar of /token's answers on byte strings: no server, no connection.</summary>
    public class ExchangeAnswerTests
    {
        private const string ApiKey = "ak+Live/Key-0123456789";
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private static readonly ExchangeOptions Limits = new ExchangeOptions();

        private static Answer Read(int status, string body, string? mediaType = "application/json", string? retryAfter = null, ExchangeOptions? limits = null) =>
            Read(status, Encoding.UTF8.GetBytes(body), mediaType, retryAfter, limits);

        private static Answer Read(int status, byte[] body, string? mediaType = "application/json", string? retryAfter = null, ExchangeOptions? limits = null)
        {
            using var apiKey = Reference.Secret(ApiKey);
            return TokenAnswer.Read(status, mediaType, retryAfter is null ? null : RetryConditionHeaderValue.Parse(retryAfter), body, Now,
                limits ?? Limits, new Redactor(apiKey));
        }

        [Fact]
        public void A_success_answer_gives_the_token_its_type_and_its_expiry()
        {
            var answer = Read(200, "{\"access_token\":\"abc.def-ghi_~+/==\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            Assert.True(answer.Succeeded);
            Assert.Equal(ExchangeFailure.None, answer.Failure);
            Assert.Equal("abc.def-ghi_~+/==", answer.AccessToken);
            Assert.Equal("Bearer", answer.TokenType);
            Assert.Equal(Now, answer.IssuedOn);
            Assert.Equal(Now.AddHours(1), answer.ExpiresOn);
            Assert.Equal("expires_in", answer.ExpirySource);
            Assert.False(answer.Retries);
            Assert.False(answer.MayBeSpent);
            Assert.Null(answer.Problem);
            Assert.False(answer.HasOAuthError);
        }

        [Theory]
        [InlineData("{\"token\":\"second\",\"access_token\":\"first\"}", "first")]
        [InlineData("{\"session_token\":\"st\",\"sessionToken\":\"camel\"}", "camel")]
        [InlineData("{\"token\":\"t\",\"session_token\":\"st\"}", "st")]
        [InlineData("{\"other\":1,\"other\":2,\"token\":\"t\"}", "t")]
        [InlineData("{\"access_token\":\"a\",\"nested\":{\"access_token\":\"inner\"}}", "a")]
        public void The_success_rule_picks_the_member_by_precedence_whatever_the_order(string body, string token) =>
            Assert.Equal(token, Read(200, body).AccessToken);

        [Fact]
        public void A_leading_byte_order_mark_is_skipped()
        {
            var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.ASCII.GetBytes("{\"access_token\":\"after-bom\"}")).ToArray();
            Assert.Equal("after-bom", Read(200, body).AccessToken);
        }

        [Theory]
        [InlineData("{\"access_token\":\"a\"}", "Bearer")]
        [InlineData("{\"access_token\":\"a\",\"tokenType\":\"mac\"}", "mac")]
        [InlineData("{\"access_token\":\"a\",\"token_type\":\"DPoP\",\"tokenType\":\"mac\"}", "DPoP")]
        public void The_token_type_is_Bearer_unless_the_answer_names_another(string body, string type) =>
            Assert.Equal(type, Read(200, body).TokenType);

        [Theory]
        [InlineData("{\"access_token\":\"a\",\"expires_in\":\"120\"}", 120, "expires_in")]
        [InlineData("{\"access_token\":\"a\",\"expiresIn\":90.5}", 90.5, "expires_in")]
        [InlineData("{\"access_token\":\"a\",\"expires_in\":0}", 3600, "default")]
        [InlineData("{\"access_token\":\"a\",\"expires_in\":-5}", 3600, "default")]
        [InlineData("{\"access_token\":\"a\",\"expires_in\":315360000}", 3600, "default")]
        [InlineData("{\"access_token\":\"a\",\"expires_in\":\"soon\"}", 3600, "default")]
        [InlineData("{\"access_token\":\"a\",\"expires_in\":true}", 3600, "default")]
        public void The_expiry_is_a_plausible_expires_in_else_the_default_lifetime(string body, double seconds, string source)
        {
            var answer = Read(200, body);
            Assert.Equal(Now.AddSeconds(seconds), answer.ExpiresOn);
            Assert.Equal(source, answer.ExpirySource);
        }

        [Fact]
        public void Without_expires_in_the_expiry_is_the_token_s_own_exp_claim()
        {
            var jwt = Reference.B64("{\"alg\":\"HS256\"}") + "." + Reference.B64("{\"exp\":1800000000}") + ".c2ln";
            var answer = Read(200, $"{{\"access_token\":\"{jwt}\"}}");
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1800000000), answer.ExpiresOn);
            Assert.Equal("exp", answer.ExpirySource);
            var shorter = new ExchangeOptions { DefaultLifetime = TimeSpan.FromMinutes(5) };
            var noExp = Reference.B64("{\"alg\":\"HS256\"}") + "." + Reference.B64("{\"sub\":\"x\"}") + ".c2ln";
            Assert.Equal(Now.AddMinutes(5), Read(200, $"{{\"access_token\":\"{noExp}\"}}", limits: shorter).ExpiresOn);
        }

        [Theory]
        [InlineData("{\"access_token\":\"a\",\"access_token\":\"b\"}", "the body holds the member access_token twice, so which value counts is unclear")]
        [InlineData("{\"access_token\":\"a\",\"expires_in\":1,\"expires_in\":2}", "the body holds the member expires_in twice, so which value counts is unclear")]
        [InlineData("{\"access_token\":\"a\\r\\nb\"}", "its access_token holds characters a bearer token cannot (spaces, control characters such as CR, LF or NUL, or non-ASCII)")]
        [InlineData("{\"token\":\"a b\"}", "its token holds characters a bearer token cannot (spaces, control characters such as CR, LF or NUL, or non-ASCII)")]
        [InlineData("{\"access_token\":\"\\u00e9t\\u00e9\"}", "its access_token holds characters a bearer token cannot (spaces, control characters such as CR, LF or NUL, or non-ASCII)")]
        [InlineData("{\"access_token\":\"==\"}", "its access_token holds characters a bearer token cannot (spaces, control characters such as CR, LF or NUL, or non-ASCII)")]
        [InlineData("{\"access_token\":\"\"}", "its access_token is empty")]
        [InlineData("{\"access_token\":42}", "its access_token is a JSON number, not a string")]
        [InlineData("{\"sessionToken\":null}", "its sessionToken is a JSON null, not a string")]
        [InlineData("{\"access_token\":\"a\",\"token_type\":7}", "its token_type is not a short printable text")]
        [InlineData("{\"access_token\":\"a\",\"token_type\":\"\"}", "its token_type is not a short printable text")]
        [InlineData("{\"token_type\":\"Bearer\"}", "the body holds no session token (access_token, sessionToken, session_token or token)")]
        [InlineData("[\"access_token\"]", "the body is a JSON array, not an object")]
        [InlineData("\"access_token\"", "the body is a JSON string, not an object")]
        [InlineData("not json", "the body is not valid JSON")]
        [InlineData("", "the body is not valid JSON")]
        [InlineData("{\"access_token\":\"a\"} {}", "the body is not valid JSON")]
        public void A_success_answer_that_breaks_the_rule_is_refused_and_may_have_spent_the_token(string body, string problem)
        {
            var answer = Read(200, body);
            Assert.Equal(ExchangeFailure.ResponseInvalid, answer.Failure);
            Assert.Equal(problem, answer.Problem);
            Assert.True(answer.MayBeSpent);
            Assert.False(answer.Retries);
            Assert.Null(answer.AccessToken);
            Assert.False(answer.HasOAuthError);
        }

        [Fact]
        public void Invalid_UTF8_in_a_success_answer_is_refused()
        {
            var body = Encoding.ASCII.GetBytes("{\"access_token\":\"a").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.ASCII.GetBytes("\"}")).ToArray();
            var answer = Read(200, body);
            Assert.Equal(ExchangeFailure.ResponseInvalid, answer.Failure);
            Assert.Equal("the body is not valid UTF-8", answer.Problem);
        }

        [Fact]
        public void A_token_longer_than_the_limit_is_refused_by_its_length()
        {
            var limits = new ExchangeOptions { MaximumTokenLength = 8 };
            Assert.Equal("abcdefgh", Read(200, "{\"access_token\":\"abcdefgh\"}", limits: limits).AccessToken);
            var answer = Read(200, "{\"access_token\":\"abcdefghi\"}", limits: limits);
            Assert.Equal(ExchangeFailure.ResponseInvalid, answer.Failure);
            Assert.Equal("its access_token is 9 characters long, more than the 8 a session token may have (a SecureString's limit)", answer.Problem);
        }

        [Fact]
        public void A_rejection_carries_the_OAuth_error_and_its_description()
        {
            var answer = Read(400, "{\"error\":\"invalid_grant\",\"error_description\":\"already used\"}");
            Assert.Equal(ExchangeFailure.Rejected, answer.Failure);
            Assert.True(answer.HasOAuthError);
            Assert.Equal("invalid_grant", answer.OAuthError);
            Assert.Equal("already used", answer.OAuthErrorDescription);
            Assert.Null(answer.BodySummary);
            Assert.False(answer.Retries);
            Assert.False(answer.MayBeSpent);
            Assert.Equal("m", Read(401, "{\"error\":\"invalid_client\",\"message\":\"m\"}").OAuthErrorDescription);
            Assert.Equal("d", Read(400, "{\"error\":\"e\",\"error_description\":\"d\",\"message\":\"m\"}").OAuthErrorDescription);
        }

        [Theory]
        [InlineData(400, "{\"error\":\"x\"}", "text/plain", null, " with a text/plain body of 13 bytes and no OAuth error")]
        [InlineData(500, "<h1>oops</h1>", "text/html", null, " with a text/html body of 13 bytes and no OAuth error")]
        [InlineData(502, "", null, null, " with a no content type body of 0 bytes and no OAuth error")]
        [InlineData(400, "[\"error\"]", "application/problem+json", null, " with a application/problem+json body of 9 bytes and no OAuth error")]
        [InlineData(400, "{\"error\":17}", "application/json", null, " with a application/json body of 12 bytes and no OAuth error")]
        [InlineData(400, "{\"error_description\":\"d\"}", "application/json; charset=utf-8", "d", " with a application/json; charset=utf-8 body of 25 bytes and no OAuth error")]
        public void An_error_answer_without_an_OAuth_error_is_summed_up_by_its_type_and_size(int status, string body, string? mediaType, string? description, string summary)
        {
            var answer = Read(status, body, mediaType);
            Assert.Null(answer.OAuthError);
            Assert.Equal(description, answer.OAuthErrorDescription);
            Assert.Equal(summary, answer.BodySummary);
        }

        [Fact]
        public void An_echoed_apiKey_is_withheld_before_the_OAuth_texts_are_clipped()
        {
            var description = new string('a', 290) + ApiKey + " and more";
            var answer = Read(400, $"{{\"error\":\"bad {ApiKey}\",\"error_description\":\"{description}\"}}");
            Assert.Equal($"bad {Redactor.Marker}", answer.OAuthError);
            Assert.Equal(new string('a', 290) + Redactor.Marker.Substring(0, 10) + "…", answer.OAuthErrorDescription);
            Assert.DoesNotContain("ak+Liv", answer.OAuthErrorDescription);
        }

        [Theory]
        [InlineData(429, ExchangeFailure.RateLimited)]
        [InlineData(503, ExchangeFailure.ServiceUnavailable)]
        public void A_429_or_503_is_retried_and_spent_nothing_whatever_its_body(int status, ExchangeFailure failure)
        {
            foreach (var answer in new[]
            {
                Read(status, "{\"error\":\"slow_down\"}"),
                Read(status, "<html>busy</html>", "text/html"),
                TokenAnswer.Unread(status, BodyState.TooLarge, null, Now),
                TokenAnswer.Unread(status, BodyState.Unreadable, null, Now, "reset"),
            })
            {
                Assert.Equal(failure, answer.Failure);
                Assert.True(answer.Retries);
                Assert.False(answer.MayBeSpent);
            }
        }

        [Theory]
        [InlineData(429, "120", 120)]
        [InlineData(503, "0", 0)]
        [InlineData(503, "Thu, 01 Jan 2026 00:00:30 GMT", 30)]
        [InlineData(429, "Wed, 31 Dec 2025 23:59:00 GMT", 0)]
        public void Retry_After_in_seconds_or_as_a_date_is_the_wait_the_server_asked_for(int status, string header, double seconds) =>
            Assert.Equal(TimeSpan.FromSeconds(seconds), Read(status, "{}", retryAfter: header).RetryAfter);

        [Fact]
        public void Retry_After_counts_only_on_an_answer_that_is_retried()
        {
            Assert.Null(Read(429, "{}").RetryAfter);
            Assert.Null(Read(500, "{}", retryAfter: "5").RetryAfter);
            Assert.Null(Read(200, "{\"access_token\":\"a\"}", retryAfter: "5").RetryAfter);
            Assert.Equal(TimeSpan.FromSeconds(7), TokenAnswer.Unread(503, BodyState.TooLarge, RetryConditionHeaderValue.Parse("7"), Now).RetryAfter);
        }

        [Theory]
        [InlineData(200, BodyState.TooLarge, ExchangeFailure.ResponseInvalid)]
        [InlineData(404, BodyState.TooLarge, ExchangeFailure.ServerError)]
        [InlineData(500, BodyState.TooLarge, ExchangeFailure.ServerError)]
        [InlineData(200, BodyState.Unreadable, ExchangeFailure.OutcomeUnknown)]
        [InlineData(400, BodyState.Unreadable, ExchangeFailure.OutcomeUnknown)]
        public void A_body_not_read_after_any_other_status_may_have_spent_the_token(int status, BodyState body, ExchangeFailure failure)
        {
            var answer = TokenAnswer.Unread(status, body, null, Now, "the connection reset");
            Assert.Equal(failure, answer.Failure);
            Assert.True(answer.MayBeSpent);
            Assert.False(answer.Retries);
            Assert.Equal(body == BodyState.Unreadable ? "the body could not be read (the connection reset)" : null, answer.Problem);
        }

        [Fact]
        public void A_body_that_was_read_goes_to_Read() =>
            Assert.Throws<ArgumentOutOfRangeException>(() => TokenAnswer.Unread(200, BodyState.Read, null, Now));
    }
}
