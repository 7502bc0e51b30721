using System;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    public class TokenSignerTests
    {
        [Fact]
        public void Signs_the_vendor_seed_byte_for_byte_as_Node_jsonwebtoken()
        {
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var signer = new TokenSigner(secret);
            Assert.Equal(Reference.SeedToken, signer.CreateToken(Reference.SeedClaims()));
        }

        [Theory]
        [InlineData("k")]
        [InlineData("myApiSignature")]
        [InlineData("monApiSignature")]
        [InlineData("0123456789abcdef0123456789abcdef")]
        [InlineData("a-secret-longer-than-the-sixty-four-byte-hmac-block-so-it-is-hashed-first-by-rfc-2104")]
        public void Signs_with_any_key_length_as_an_unpadded_HMAC_SHA256(string key)
        {
            using var secret = Reference.Secret(key);
            using var signer = new TokenSigner(secret);
            const string payload = "{\"amount\":1,\"iat\":1,\"notificationKey\":\"n\"}";
            Assert.Equal(Reference.Sign(Reference.Hs256Header, payload, key), signer.CreateToken(payload));
        }

        [Fact]
        public void Reuses_its_buffer_without_mixing_tokens_of_different_lengths()
        {
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var signer = new TokenSigner(secret);
            var longPayload = "{\"amount\":1,\"iat\":1,\"notificationKey\":\"" + new string('x', 5000) + "\"}";
            const string shortPayload = "{\"amount\":2,\"iat\":1,\"notificationKey\":\"y\"}";
            Assert.Equal(Reference.Sign(Reference.Hs256Header, longPayload, Reference.SampleSecret), signer.CreateToken(longPayload));
            Assert.Equal(Reference.Sign(Reference.Hs256Header, shortPayload, Reference.SampleSecret), signer.CreateToken(shortPayload));
        }

        [Fact]
        public void SecretBytes_zeroes_what_it_owns_and_never_formats_it()
        {
            var bytes = new byte[] { 1, 2, 3 };
            var secret = new SecretBytes(bytes);
            Assert.Equal("SecretBytes(redacted)", secret.ToString());
            secret.Dispose();
            Assert.All(bytes, b => Assert.Equal(0, b));
            Assert.True(secret.IsDisposed);
            Assert.Throws<ObjectDisposedException>(() => secret.Span.Length);
        }
    }
}
