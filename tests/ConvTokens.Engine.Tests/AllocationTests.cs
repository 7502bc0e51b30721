using System;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>
    /// What signing and verifying one plain token allocate, in bytes (counted, never timed): the token string
    /// and the verifier's result and claim values, and nothing per claim on top. A new allocation per claim
    /// (a string, a closure, an enumerator) on either path breaks these bounds.
    /// </summary>
    public class AllocationTests
    {
        private const int Tokens = 2000;

        [Fact]
        public void Signing_a_plain_token_allocates_the_token_and_little_else()
        {
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var signer = new TokenSigner(secret);
            var claims = Reference.SeedClaims();
            claims.ForceManualConfirm = true;
            var token = Sign(signer, claims);
            var bytes = PerToken(() => Sign(signer, claims));
            // A string is its characters (2 bytes each) and 22 bytes of header on 64-bit .NET.
            var tokenString = 2 * token.Length + 22;
            Assert.InRange(bytes, tokenString, tokenString + 80);
        }

        [Fact]
        public void Verifying_a_plain_token_allocates_its_result_and_claim_values_only()
        {
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var verifier = new TokenVerifier(secret);
            var options = new VerificationOptions();
            var now = DateTimeOffset.FromUnixTimeSeconds(1700000000);
            Assert.True(verifier.Verify(Reference.SeedToken, options, now).IsValid);
            var bytes = PerToken(() => verifier.Verify(Reference.SeedToken, options, now));
            Assert.InRange(bytes, 1, 512);
        }

        [Fact]
        public void Checking_a_plain_token_allocates_neither_a_result_nor_the_decoded_payload()
        {
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var verifier = new TokenVerifier(secret);
            var options = new VerificationOptions();
            var now = DateTimeOffset.FromUnixTimeSeconds(1700000000);
            Assert.Equal(TokenFailure.None, verifier.Check(Reference.SeedToken, options, now, out _));
            var verified = PerToken(() => verifier.Verify(Reference.SeedToken, options, now));
            var checkedBytes = PerToken(() => verifier.Check(Reference.SeedToken, options, now, out _));
            // Verify's extra: the decoded payload (a byte[]: its bytes and 24 of header) and the result object.
            var payload = Reference.SeedToken.Split('.')[1].Length * 3 / 4 + 24;
            Assert.InRange(checkedBytes, 0, verified - payload);
        }

        private static string Sign(TokenSigner signer, InitializationClaims claims)
        {
            claims.Validate();
            return signer.CreateToken(claims);
        }

        private static double PerToken(Action action)
        {
            for (var i = 0; i < 200; i++) { action(); }
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Tokens; i++) { action(); }
            return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Tokens;
        }
    }
}
