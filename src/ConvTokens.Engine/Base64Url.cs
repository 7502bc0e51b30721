using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Strict base64url (RFC 4648 §5, no padding) as JWS compact serialization uses it. Decoding refuses
    /// non-canonical text (unused trailing bits set), so two different strings never verify as one token.
    /// </summary>
    public static class Base64Url
    {
        private static readonly sbyte[] DecodeMap = BuildDecodeMap();
        private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static string Encode(ReadOnlySpan<byte> data)
        {
            var encoded = new byte[EncodedLength(data.Length)];
            EncodeToUtf8(data, encoded);
            return Encoding.ASCII.GetString(encoded);
        }

        /// <summary>The length of the unpadded encoding of <paramref name="byteCount"/> bytes.</summary>
        public static int EncodedLength(int byteCount) => (byteCount * 4 + 2) / 3;

        /// <summary>Writes the (unpadded) encoding of <paramref name="data"/> as ASCII; the destination is exactly long enough.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void EncodeToUtf8(ReadOnlySpan<byte> data, Span<byte> destination)
        {
            var o = 0;
            var i = 0;
            for (; i + 2 < data.Length; i += 3)
            {
                var n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
                destination[o++] = (byte)Alphabet[(n >> 18) & 63];
                destination[o++] = (byte)Alphabet[(n >> 12) & 63];
                destination[o++] = (byte)Alphabet[(n >> 6) & 63];
                destination[o++] = (byte)Alphabet[n & 63];
            }
            var rest = data.Length - i;
            if (rest == 1)
            {
                var n = data[i] << 16;
                destination[o++] = (byte)Alphabet[(n >> 18) & 63];
                destination[o] = (byte)Alphabet[(n >> 12) & 63];
            }
            else if (rest == 2)
            {
                var n = (data[i] << 16) | (data[i + 1] << 8);
                destination[o++] = (byte)Alphabet[(n >> 18) & 63];
                destination[o++] = (byte)Alphabet[(n >> 12) & 63];
                destination[o] = (byte)Alphabet[(n >> 6) & 63];
            }
        }

        /// <summary>Returns null when <paramref name="text"/> is not canonical base64url.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static byte[]? TryDecode(ReadOnlySpan<char> text)
        {
            if (text.Length % 4 == 1) { return null; }
            var output = new byte[text.Length * 3 / 4];
            var o = 0;
            var bits = 0;
            var bitCount = 0;
            foreach (var c in text)
            {
                var value = c < 128 ? DecodeMap[c] : (sbyte)-1;
                if (value < 0) { return null; }
                bits = (bits << 6) | (byte)value;
                bitCount += 6;
                if (bitCount >= 8)
                {
                    bitCount -= 8;
                    output[o++] = (byte)(bits >> bitCount);
                    bits &= (1 << bitCount) - 1;
                }
            }
            if (bits != 0) { return null; }
            return output;
        }

        private static sbyte[] BuildDecodeMap()
        {
            var map = new sbyte[128];
            Array.Fill(map, (sbyte)-1);
            for (var i = 0; i < Alphabet.Length; i++) { map[Alphabet[i]] = (sbyte)i; }
            return map;
        }
    }
}
