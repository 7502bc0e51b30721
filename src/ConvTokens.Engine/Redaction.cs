using System;
using System.Buffers;
using System.Buffers.Text;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Keeps credentials out of text that came from elsewhere (a server may echo the request in its
    /// error, its reason phrase or a Location): each occurrence of a secret is replaced by
    /// <see cref="Marker"/>, the rest of the text stays. A secret is recognised in every form a request
    /// or a server could give it: raw, JSON-escaped (\u002B, either hex case), URL-encoded (either hex
    /// case), base64 and base64url (at any byte alignment), and cut short at the start or the end of
    /// the text (a server that clipped its echo). Redact before clipping, so no clip leaves a part behind.
    /// </summary>
    public sealed class Redactor
    {
        public const string Marker = "[credential withheld]";

        /// <summary>Encoded forms shorter than this are not looked for (they would match ordinary text).</summary>
        private const int MinimumEncodedLength = 8;

        /// <summary>A secret cut by the end (or start) of the text is recognised from this many characters on.</summary>
        private const int MinimumPartialLength = 6;

        private readonly SecretBytes?[] _secrets;

        public Redactor(params SecretBytes?[] secrets)
        {
            _secrets = secrets ?? Array.Empty<SecretBytes?>();
        }

        /// <summary><paramref name="text"/> with every form of every secret replaced by <see cref="Marker"/>.</summary>
        public string? Redact(string? text)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            var bytes = Encoding.UTF8.GetBytes(text);
            bool[]? hidden = null;
            foreach (var secret in _secrets)
            {
                if (secret is null || secret.IsDisposed || secret.Length == 0) { continue; }
                foreach (var form in Forms(secret.Span))
                {
                    try
                    {
                        Mark(bytes, form, ref hidden);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(form.Bytes);
                    }
                }
            }
            if (hidden is null) { return HideEscapedWords(text); }
            var result = new StringBuilder(text.Length);
            var start = 0;
            for (var i = 0; i <= bytes.Length; i++)
            {
                if (i < bytes.Length && !hidden[i]) { continue; }
                if (i > start) { result.Append(Encoding.UTF8.GetString(bytes, start, i - start)); }
                if (i < bytes.Length)
                {
                    result.Append(Marker);
                    while (i + 1 < bytes.Length && hidden[i + 1]) { i++; }
                }
                start = i + 1;
            }
            CryptographicOperations.ZeroMemory(bytes);
            return HideEscapedWords(result.ToString());
        }

        /// <summary>
        /// The last resort for mixed escapes no single form matches (a URL with some characters escaped and
        /// others not): a word (a run without spaces) that holds a secret once its %XX and \uXXXX escapes are
        /// undone is withheld whole.
        /// </summary>
        private string HideEscapedWords(string text)
        {
            if (text.IndexOf('%') < 0 && text.IndexOf('\\') < 0) { return text; }
            var words = text.Split(' ');
            var changed = false;
            for (var i = 0; i < words.Length; i++)
            {
                var word = words[i];
                if (word.IndexOf('%') < 0 && word.IndexOf('\\') < 0) { continue; }
                var decoded = Encoding.UTF8.GetBytes(Unescape(word));
                foreach (var secret in _secrets)
                {
                    if (secret is null || secret.IsDisposed || secret.Length == 0) { continue; }
                    if (decoded.AsSpan().IndexOf(secret.Span) >= 0)
                    {
                        words[i] = Marker;
                        changed = true;
                        break;
                    }
                }
                CryptographicOperations.ZeroMemory(decoded);
            }
            return changed ? string.Join(" ", words) : text;
        }

        private static string Unescape(string word)
        {
            var json = System.Text.RegularExpressions.Regex.Replace(word, @"\\u([0-9A-Fa-f]{4})",
                match => ((char)Convert.ToInt32(match.Groups[1].Value, 16)).ToString());
            try
            {
                return Uri.UnescapeDataString(json);
            }
            catch (UriFormatException)
            {
                return json;
            }
        }

        private static void Mark(byte[] text, Form found, ref bool[]? hidden)
        {
            var form = found.Bytes;
            if (form.Length == 0 || (!found.Raw && form.Length < MinimumEncodedLength)) { return; }
            var span = text.AsSpan();
            for (var from = 0; from <= text.Length - form.Length;)
            {
                var at = span.Slice(from).IndexOf(form);
                if (at < 0) { break; }
                // Base64 characters next to a match that still carry some of the secret's bits go too.
                var start = Math.Max(0, from + at - found.Before);
                var end = Math.Min(text.Length, from + at + form.Length + found.After);
                Hide(ref hidden, text.Length, start, end - start);
                from += at + 1;
            }
            // A secret cut by a clip: the text ends with its first characters, or starts with its last ones.
            var longest = Math.Min(form.Length - 1, text.Length);
            for (var length = longest; length >= MinimumPartialLength; length--)
            {
                if (span.Slice(text.Length - length).SequenceEqual(form.AsSpan(0, length)))
                {
                    Hide(ref hidden, text.Length, text.Length - length, length);
                    break;
                }
            }
            for (var length = longest; length >= MinimumPartialLength; length--)
            {
                if (span.Slice(0, length).SequenceEqual(form.AsSpan(form.Length - length)))
                {
                    Hide(ref hidden, text.Length, 0, length);
                    break;
                }
            }
        }

        private static void Hide(ref bool[]? hidden, int size, int start, int length)
        {
            hidden ??= new bool[size];
            for (var i = start; i < start + length; i++) { hidden[i] = true; }
        }

        private readonly struct Form
        {
            public Form(byte[] bytes, bool raw, int before = 0, int after = 0)
            {
                Bytes = bytes;
                Raw = raw;
                Before = before;
                After = after;
            }

            public byte[] Bytes { get; }
            public bool Raw { get; }
            /// <summary>How many characters before a match also encode part of the secret.</summary>
            public int Before { get; }
            /// <summary>How many characters after a match also encode part of the secret.</summary>
            public int After { get; }
        }

        /// <summary>The secret's forms as UTF-8 bytes; the caller zeroes each after use.</summary>
        private static IEnumerable<Form> Forms(ReadOnlySpan<byte> secret)
        {
            var forms = new List<Form> { new Form(secret.ToArray(), raw: true) };
            var full = new byte[(secret.Length + 2) / 3 * 4];
            Base64.EncodeToUtf8(secret, full, out _, out var written);
            var unpadded = full.AsSpan(0, written).TrimEnd((byte)'=').ToArray();
            var unpaddedUrl = (byte[])unpadded.Clone();
            for (var i = 0; i < unpaddedUrl.Length; i++)
            {
                unpaddedUrl[i] = unpaddedUrl[i] switch { (byte)'+' => (byte)'-', (byte)'/' => (byte)'_', var b => b };
            }
            // The whole value encoded alone: its last characters and padding depend on nothing else.
            forms.Add(new Form(full, raw: false));
            forms.Add(new Form(unpadded, raw: false));
            forms.Add(new Form(unpaddedUrl, raw: false));
            var json = JsonEscaped(secret);
            forms.Add(new Form(json, raw: false));
            forms.Add(new Form(LowerHexEscapes(json, (byte)'\\', 2), raw: false));
            var url = UrlEncoded(secret);
            forms.Add(new Form(url, raw: false));
            forms.Add(new Form(LowerHexEscapes(url, (byte)'%', 1), raw: false));
            for (var offset = 0; offset < 3; offset++)
            {
                var base64 = Base64Core(secret, offset, out var before, out var after);
                if (base64.Length == 0) { continue; }
                var url64 = (byte[])base64.Clone();
                for (var i = 0; i < url64.Length; i++)
                {
                    url64[i] = url64[i] switch { (byte)'+' => (byte)'-', (byte)'/' => (byte)'_', var b => b };
                }
                forms.Add(new Form(base64, raw: false, before, after));
                forms.Add(new Form(url64, raw: false, before, after));
            }
            return forms;
        }

        /// <summary>As Utf8JsonWriter writes the secret inside a JSON string (the request body's form).</summary>
        private static byte[] JsonEscaped(ReadOnlySpan<byte> secret)
        {
            var buffer = new ArrayBufferWriter<byte>(secret.Length * 6 + 2);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStringValue(secret);
            }
            var quoted = buffer.WrittenSpan;
            var inner = quoted.Slice(1, quoted.Length - 2).ToArray();
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer.WrittenMemory).Span);
            return inner;
        }

        /// <summary>The same escapes with lower-case hex digits (\u002b, %2b): other writers choose that case.</summary>
        private static byte[] LowerHexEscapes(byte[] form, byte escape, int skip)
        {
            var lower = (byte[])form.Clone();
            for (var i = 0; i < lower.Length; i++)
            {
                if (lower[i] != escape) { continue; }
                var digits = escape == (byte)'%' ? 2 : 4;
                if (escape == (byte)'\\' && (i + 1 >= lower.Length || lower[i + 1] != (byte)'u')) { continue; }
                for (var d = i + skip; d < Math.Min(lower.Length, i + skip + digits); d++)
                {
                    if (lower[d] is >= (byte)'A' and <= (byte)'F') { lower[d] = (byte)(lower[d] + 32); }
                }
            }
            return lower;
        }

        /// <summary>Percent-encoding of every byte outside the unreserved set (RFC 3986), upper-case hex.</summary>
        private static byte[] UrlEncoded(ReadOnlySpan<byte> secret)
        {
            const string hex = "0123456789ABCDEF";
            var output = new List<byte>(secret.Length * 3);
            foreach (var b in secret)
            {
                if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                    or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
                {
                    output.Add(b);
                }
                else
                {
                    output.Add((byte)'%');
                    output.Add((byte)hex[b >> 4]);
                    output.Add((byte)hex[b & 15]);
                }
            }
            var result = output.ToArray();
            // List<byte> cannot be cleared in place beyond its count; overwrite what it held.
            for (var i = 0; i < output.Count; i++) { output[i] = 0; }
            return result;
        }

        /// <summary>
        /// The base64 characters that depend on the secret's bytes alone when it follows
        /// <paramref name="offset"/> other bytes inside a longer encoded value: whole groups only.
        /// </summary>
        private static byte[] Base64Core(ReadOnlySpan<byte> secret, int offset, out int before, out int after)
        {
            var lead = (3 - offset) % 3;
            before = after = 0;
            if (secret.Length - lead < 3) { return Array.Empty<byte>(); }
            var body = secret.Slice(lead);
            var whole = body.Length / 3 * 3;
            // 1 or 2 bytes share a group with other bytes: their bits lie in the group's last 2 or 3
            // characters (before the core), or its first 2 or 3 (after it).
            before = lead == 0 ? 0 : lead + 1;
            var rest = body.Length - whole;
            after = rest == 0 ? 0 : rest + 1;
            var encoded = new byte[whole / 3 * 4];
            Base64.EncodeToUtf8(body.Slice(0, whole), encoded, out _, out _);
            return encoded;
        }
    }
}
