using System;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    public class TokenVerifierTests : IDisposable
    {
        private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        private readonly SecretBytes _secret = Reference.Secret(Reference.SampleSecret);
        private readonly TokenVerifier _verifier;

        public TokenVerifierTests() => _verifier = new TokenVerifier(_secret);

        public void Dispose()
        {
            _verifier.Dispose();
            _secret.Dispose();
        }

        private VerificationResult Verify(string token, VerificationOptions? options = null) => _verifier.Verify(token, options ?? new VerificationOptions(), Now);

        private VerificationResult VerifyPayload(string payload, VerificationOptions? options = null) =>
            Verify(Reference.Sign(Reference.Hs256Header, payload, Reference.SampleSecret), options);

        private static string Claims(string extra = "") => "{\"amount\":12.5,\"iat\":" + Now.ToUnixTimeSeconds() + ",\"notificationKey\":\"k\"" + extra + "}";

        [Fact]
        public void Accepts_a_token_it_signed_and_decodes_header_and_claims()
        {
            using var signer = new TokenSigner(_secret);
            var claims = Reference.SeedClaims();
            claims.IssuedAt = Now.ToUnixTimeSeconds();
            var result = Verify(signer.CreateToken(claims));
            Assert.True(result.IsValid, result.Message);
            Assert.Equal(TokenFailure.None, result.Failure);
            Assert.Equal("HS256", result.Header!["alg"]);
            Assert.Equal("75000", result.Claims!["cp"]);
            Assert.Equal(100m, Convert.ToDecimal(result.Claims["amount"]));
        }

        [Theory]
        [InlineData("a.b")]
        [InlineData("a.b.c.d")]
        [InlineData(".e30.AAAA")]
        [InlineData("e30.e30.QR")]
        [InlineData("bm90IGpzb24.e30.AAAA")]
        [InlineData("W10.e30.AAAA")]
        public void Refuses_malformed_tokens(string token) => Assert.Equal(TokenFailure.Malformed, Verify(token).Failure);

        [Fact]
        public void Refuses_duplicate_and_case_variant_members_and_invalid_UTF8_as_Malformed()
        {
            Assert.Equal(TokenFailure.Malformed, VerifyPayload("{\"amount\":1,\"amount\":2,\"iat\":1,\"notificationKey\":\"k\"}").Failure);
            Assert.Equal(TokenFailure.Malformed, VerifyPayload("{\"amount\":1,\"Amount\":2,\"iat\":1,\"notificationKey\":\"k\"}").Failure);
            var input = Reference.B64(System.Text.Encoding.UTF8.GetBytes(Reference.Hs256Header)) + "." + Reference.B64(new byte[] { (byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'1', (byte)'}' });
            using var mac = new System.Security.Cryptography.HMACSHA256(System.Text.Encoding.UTF8.GetBytes(Reference.SampleSecret));
            var badUtf8 = input + "." + Reference.B64(mac.ComputeHash(System.Text.Encoding.ASCII.GetBytes(input)));
            Assert.Equal(TokenFailure.Malformed, Verify(badUtf8).Failure);
        }

        [Fact]
        public void Checks_the_signature_before_reading_the_payload_and_still_shows_whose_token_it_was()
        {
            // A forged payload of 4,000 members: refused by its MAC, not read member by member.
            var members = new System.Text.StringBuilder("{\"amount\":1,\"userId\":\"u-9\"");
            for (var i = 0; i < 4000; i++) { members.Append(",\"m").Append(i).Append("\":1"); }
            members.Append('}');
            var forged = Reference.Sign(Reference.Hs256Header, members.ToString(), "not-the-apiSignature");
            var result = Verify(forged);
            Assert.Equal(TokenFailure.InvalidSignature, result.Failure);
            Assert.Equal("u-9", result.Claims!["userId"]);
        }

        [Fact]
        public void Finds_a_duplicate_member_among_many_without_regard_to_case()
        {
            var members = new System.Text.StringBuilder("{\"amount\":1,\"iat\":1800000000,\"notificationKey\":\"k\"");
            for (var i = 0; i < 500; i++) { members.Append(",\"m").Append(i).Append("\":1"); }
            Assert.True(VerifyPayload(members.ToString() + "}").IsValid);
            var result = VerifyPayload(members.ToString() + ",\"M250\":2}");
            Assert.Equal(TokenFailure.Malformed, result.Failure);
            Assert.Equal("the payload has the member 'M250' more than once.", result.Message);
        }

        [Fact]
        public void Refuses_tokens_over_the_size_limit_before_decoding() =>
            Assert.Equal(TokenFailure.TooLarge, Verify(new string('a', 70_000)).Failure);

        [Theory]
        [InlineData("{\"alg\":\"none\",\"typ\":\"JWT\"}", 256)]
        [InlineData("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", 384)]
        [InlineData("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", 512)]
        [InlineData("{\"alg\":\"RS256\"}", 256)]
        [InlineData("{\"alg\":\"hs256\"}", 256)]
        [InlineData("{\"typ\":\"JWT\"}", 256)]
        [InlineData("{\"alg\":256}", 256)]
        public void Refuses_every_alg_but_HS256(string header, int bits) =>
            Assert.Equal(TokenFailure.UnsupportedAlgorithm, Verify(Reference.Sign(header, Claims(), Reference.SampleSecret, bits)).Failure);

        [Fact]
        public void Refuses_critical_header_extensions() =>
            Assert.Equal(TokenFailure.CriticalHeader, Verify(Reference.Sign("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", Claims(), Reference.SampleSecret)).Failure);

        [Fact]
        public void Refuses_another_secret_and_a_changed_payload_as_InvalidSignature()
        {
            Assert.Equal(TokenFailure.InvalidSignature, Verify(Reference.Sign(Reference.Hs256Header, Claims(), "myApiSignature")).Failure);
            var token = Reference.Sign(Reference.Hs256Header, Claims(), Reference.SampleSecret);
            var parts = token.Split('.');
            Assert.Equal(TokenFailure.InvalidSignature, Verify(parts[0] + "." + Reference.B64(Claims(",\"x\":1")) + "." + parts[2]).Failure);
        }

        [Theory]
        [InlineData("{\"iat\":1800000000,\"notificationKey\":\"k\"}", "amount")]
        [InlineData("{\"amount\":1,\"notificationKey\":\"k\"}", "iat")]
        [InlineData("{\"amount\":1,\"iat\":1800000000}", "notificationKey")]
        public void Names_a_missing_required_claim(string payload, string claim)
        {
            var result = VerifyPayload(payload);
            Assert.Equal(TokenFailure.MissingClaim, result.Failure);
            Assert.Equal($"the required claim '{claim}' is missing.", result.Message);
        }

        [Theory]
        [InlineData(",\"cp\":75000", "cp must be a JSON string; it is a whole number.")]
        [InlineData(",\"age\":34.5", "age must be a whole JSON number; it is a fractional number.")]
        [InlineData(",\"age\":-1", "age must be zero or more; got -1.")]
        [InlineData(",\"gender\":\"m\"", "gender must be 'M' or 'F'; got 'm'.")]
        [InlineData(",\"userId\":null", "userId must be a JSON string; it is null.")]
        [InlineData(",\"forceManualConfirm\":\"true\"", "forceManualConfirm must be a JSON boolean; it is a string.")]
        [InlineData(",\"exp\":\"soon\"", "exp must be a whole JSON number; it is a string.")]
        public void Explains_a_claim_of_the_wrong_kind_or_value(string extra, string message)
        {
            var result = VerifyPayload(Claims(extra));
            Assert.Equal(TokenFailure.InvalidClaim, result.Failure);
            Assert.Equal(message, result.Message);
        }

        [Theory]
        [InlineData("\"12.5\"", "amount must be a JSON number; it is a string.")]
        [InlineData("0", "amount must be a positive number; got 0.")]
        [InlineData("1e400", "amount 1e400 is out of range for an amount of money.")]
        [InlineData("1.23456789e-25", "amount 1.23456789e-25 has more than 28 decimal places, more than an amount is read with; it would be rounded.")]
        [InlineData("1e-30", "amount 1e-30 has more than 28 decimal places, more than an amount is read with; it would be rounded.")]
        public void Explains_an_amount_that_is_not_a_positive_number(string amount, string message)
        {
            var result = VerifyPayload("{\"amount\":" + amount + ",\"iat\":1800000000,\"notificationKey\":\"k\"}");
            Assert.Equal(TokenFailure.InvalidClaim, result.Failure);
            Assert.Equal(message, result.Message);
        }

        [Fact]
        public void Accepts_what_the_API_allows_though_ConvTokens_would_not_sign_it() =>
            Assert.True(VerifyPayload("{\"amount\":1,\"iat\":0,\"notificationKey\":\" \",\"cp\":\"\",\"userId\":\"\"}").IsValid);

        [Fact]
        public void Checks_times_against_the_clock_skew_maximum_age_exp_and_nbf()
        {
            var now = Now.ToUnixTimeSeconds();
            Assert.Equal(TokenFailure.IssuedInFuture, VerifyPayload("{\"amount\":1,\"iat\":" + (now + 61) + ",\"notificationKey\":\"k\"}").Failure);
            Assert.True(VerifyPayload("{\"amount\":1,\"iat\":" + (now + 60) + ",\"notificationKey\":\"k\"}").IsValid);
            var maxAge = new VerificationOptions { MaximumAge = TimeSpan.FromMinutes(5) };
            Assert.Equal(TokenFailure.TooOld, VerifyPayload("{\"amount\":1,\"iat\":" + (now - 361) + ",\"notificationKey\":\"k\"}", maxAge).Failure);
            Assert.True(VerifyPayload("{\"amount\":1,\"iat\":" + (now - 359) + ",\"notificationKey\":\"k\"}", maxAge).IsValid);
            Assert.Equal(TokenFailure.Expired, VerifyPayload(Claims(",\"exp\":" + (now - 60))).Failure);
            Assert.Equal(TokenFailure.NotYetValid, VerifyPayload(Claims(",\"nbf\":" + (now + 61))).Failure);
            Assert.True(VerifyPayload(Claims(",\"exp\":" + long.MaxValue + ",\"nbf\":" + long.MinValue)).IsValid);
        }

        [Fact]
        public void Gives_every_failure_reason_the_contract_names()
        {
            // TokenValidationResult.Reason is this enum's names: a new member needs a test above and help.
            Assert.Equal(
                new[] { "None", "Malformed", "TooLarge", "UnsupportedAlgorithm", "CriticalHeader", "InvalidSignature", "MissingClaim", "InvalidClaim", "IssuedInFuture", "TooOld", "Expired", "NotYetValid" },
                Enum.GetNames<TokenFailure>());
        }
    }
}
