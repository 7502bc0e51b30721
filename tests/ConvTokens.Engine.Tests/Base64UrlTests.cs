using System;
using System.Text;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    public class Base64UrlTests
    {
        [Fact]
        public void Round_trips_every_length_and_every_byte()
        {
            var random = new Random(7);
            for (var length = 0; length < 200; length++)
            {
                var data = new byte[length];
                random.NextBytes(data);
                var text = Base64Url.Encode(data);
                Assert.Equal(Reference.B64(data), text);
                Assert.Equal(Base64Url.EncodedLength(length), text.Length);
                var utf8 = new byte[text.Length];
                Base64Url.EncodeToUtf8(data, utf8);
                Assert.Equal(text, Encoding.ASCII.GetString(utf8));
                Assert.Equal(data, Base64Url.TryDecode(text));
            }
        }

        [Theory]
        [InlineData("QQ==")]   // padding
        [InlineData("QR")]     // non-zero trailing bits: not the canonical form of "A"
        [InlineData("Q")]      // no byte can be one character
        [InlineData("a+b/")]   // base64, not base64url
        [InlineData("ab c")]
        [InlineData("ab.c")]
        public void Refuses_what_is_not_canonical_base64url(string text) => Assert.Null(Base64Url.TryDecode(text));
    }
}
