using System;
using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        private static readonly SearchValues<char> AlphabetChars = SearchValues.Create(Alphabet);

        /// <summary>Segments up to this many characters are decoded by the runtime's vectorised decoder on the stack.</summary>
        private const int VectorisedLimit = 2048;

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
            return TryDecode(text, output, out _) ? output : null;
        }

        /// <summary>
        /// Decodes canonical base64url (no padding, unused trailing bits zero) into <paramref name="destination"/>,
        /// which holds at least <c>text.Length * 3 / 4</c> bytes; false for anything else.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        [SkipLocalsInit] // the stack buffer below is written in full before it is read
        public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
        {
            written = 0;
            var rest = text.Length % 4;
            if (rest == 1 || destination.Length < text.Length * 3 / 4) { return false; }
            var map = DecodeMap;
            if (text.Length <= VectorisedLimit)
            {
                // Checked first, in vectorised passes: only the 64 characters (no padding, no white space, which the
                // runtime's decoder would skip), and the canonical form (the last character's unused bits zero).
                if (text.IndexOfAnyExcept(AlphabetChars) >= 0) { return false; }
                if (rest == 2 && (map[text[text.Length - 1]] & 0x0F) != 0) { return false; }
                if (rest == 3 && (map[text[text.Length - 1]] & 0x03) != 0) { return false; }
                // Then the runtime decodes it as standard base64: the two characters swapped, the padding added.
                var padded = rest == 0 ? text.Length : text.Length + 4 - rest;
                Span<byte> standard = stackalloc byte[padded];
                for (var i = text.Length; i < padded; i++) { standard[i] = (byte)'='; }
                System.Text.Encoding.ASCII.GetBytes(text, standard);
                ToStandardAlphabet(standard.Slice(0, text.Length));
                return Base64.DecodeFromUtf8(standard, destination, out _, out written) == OperationStatus.Done
                    && written == text.Length * 3 / 4;
            }
            var whole = text.Length - rest;
            var o = 0;
            for (var i = 0; i < whole; i += 4)
            {
                int a = Value(map, text[i]), b = Value(map, text[i + 1]), c = Value(map, text[i + 2]), d = Value(map, text[i + 3]);
                if ((a | b | c | d) < 0) { return false; }
                var bits = (a << 18) | (b << 12) | (c << 6) | d;
                destination[o] = (byte)(bits >> 16);
                destination[o + 1] = (byte)(bits >> 8);
                destination[o + 2] = (byte)bits;
                o += 3;
            }
            if (rest > 0)
            {
                int a = Value(map, text[whole]), b = Value(map, text[whole + 1]), c = rest == 3 ? Value(map, text[whole + 2]) : 0;
                if ((a | b | c) < 0) { return false; }
                var bits = (a << 18) | (b << 12) | (c << 6);
                // Canonical: the bits that belong to no byte are zero.
                if (rest == 2 ? (bits & 0xFFFF) != 0 : (bits & 0xFF) != 0) { return false; }
                destination[o++] = (byte)(bits >> 16);
                if (rest == 3) { destination[o++] = (byte)(bits >> 8); }
            }
            written = o;
            return true;
        }

        /// <summary>'-' to '+' and '_' to '/' in one pass, sixteen bytes at a time (the text is known to be base64url).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ToStandardAlphabet(Span<byte> ascii)
        {
            var i = 0;
            if (Vector128.IsHardwareAccelerated)
            {
                ref var start = ref MemoryMarshal.GetReference(ascii);
                for (; i + Vector128<byte>.Count <= ascii.Length; i += Vector128<byte>.Count)
                {
                    var v = Vector128.LoadUnsafe(ref start, (nuint)i);
                    v -= (Vector128.Equals(v, Vector128.Create((byte)'-')) & Vector128.Create((byte)('-' - '+')))
                        | (Vector128.Equals(v, Vector128.Create((byte)'_')) & Vector128.Create((byte)('_' - '/')));
                    v.StoreUnsafe(ref start, (nuint)i);
                }
            }
            for (; i < ascii.Length; i++)
            {
                if (ascii[i] == '-') { ascii[i] = (byte)'+'; }
                else if (ascii[i] == '_') { ascii[i] = (byte)'/'; }
            }
        }

        private static int Value(sbyte[] map, char c) => c < 128 ? map[c] : -1;

        private static sbyte[] BuildDecodeMap()
        {
            var map = new sbyte[128];
            Array.Fill(map, (sbyte)-1);
            for (var i = 0; i < Alphabet.Length; i++) { map[Alphabet[i]] = (sbyte)i; }
            return map;
        }
    }
}
