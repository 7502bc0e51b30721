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

        [Theory]
        [InlineData("QUI", true)]     // "AB"
        [InlineData("QUJ", false)]    // the same bytes with a trailing bit set
        [InlineData("QUK", false)]
        [InlineData("QQ", true)]      // "A"
        [InlineData("QX", false)]
        public void Takes_only_the_canonical_last_character(string text, bool canonical) =>
            Assert.Equal(canonical, Base64Url.TryDecode(text) is not null);

        /// <summary>
        /// Short segments are checked and decoded in vectorised passes, long ones (over 2,048 characters) one
        /// character at a time: both must refuse one foreign character wherever it stands, and agree with a
        /// plain reading of the rules on everything else.
        /// </summary>
        [Fact]
        public void Refuses_a_foreign_character_at_any_position_in_short_and_long_segments()
        {
            var random = new Random(19);
            foreach (var byteCount in new[] { 1, 2, 3, 17, 48, 100, 1535, 1536, 1537, 3000 })
            {
                var data = new byte[byteCount];
                random.NextBytes(data);
                var text = Base64Url.Encode(data);
                Assert.Equal(data, Base64Url.TryDecode(text));
                foreach (var foreign in new[] { '+', '/', '=', ' ', '\n', '.', '\0', '\u00e9', '\uff21', '\u0100' })
                {
                    foreach (var position in new[] { 0, text.Length / 2, text.Length - 1, Math.Max(0, text.Length - 17), Math.Min(text.Length - 1, 16) })
                    {
                        var bad = text.Substring(0, position) + foreign + text.Substring(position + 1);
                        Assert.Null(Base64Url.TryDecode(bad));
                    }
                }
            }
        }

        [Fact]
        public void Agrees_with_the_plain_rules_on_random_text()
        {
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            var random = new Random(23);
            for (var i = 0; i < 20_000; i++)
            {
                var length = i % 50 == 0 ? random.Next(2000, 2100) : random.Next(0, 40);
                var chars = new char[length];
                for (var c = 0; c < length; c++) { chars[c] = random.Next(200) == 0 ? "+/= .\u00e9"[random.Next(6)] : alphabet[random.Next(64)]; }
                var text = new string(chars);
                Assert.Equal(Plain(text), Base64Url.TryDecode(text));
            }

            static byte[]? Plain(string text)
            {
                const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                var rest = text.Length % 4;
                if (rest == 1) { return null; }
                foreach (var c in text) { if (alphabet.IndexOf(c) < 0) { return null; } }
                if (rest > 0)
                {
                    var last = alphabet.IndexOf(text[^1]);
                    if ((rest == 2 && (last & 0x0F) != 0) || (rest == 3 && (last & 0x03) != 0)) { return null; }
                }
                var standard = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - rest) % 4);
                return Convert.FromBase64String(standard);
            }
        }
    }
}
