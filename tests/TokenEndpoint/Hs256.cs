using System;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConvTokens.TokenEndpoint
{
    /// <summary>
    /// A compact JWS split into its parts. <see cref="SigningInput"/> is the ASCII text that was signed,
    /// <c>base64url(header) "." base64url(payload)</c>.
    /// </summary>
    internal sealed record CompactJws(string SigningInput, string SignatureSegment, byte[] Header, byte[] Payload, byte[] Signature);

    /// <summary>
    /// HS256 (HMAC-SHA256, RFC 7518 §3.2) for compact JWTs, written against the RFCs alone.
    /// The key is the secret's raw bytes whatever their length: HMAC (RFC 2104) pads a short key
    /// with zeros, so 14- and 15-byte secrets such as the vendor's samples work as they do in
    /// firebase/php-jwt, ruby jwt and jsonwebtoken.
    /// </summary>
    internal static class Hs256
    {
        public const int SignatureLength = 32;

        private static readonly byte[] HeaderJson = Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

        /// <summary>Signs <paramref name="payloadJson"/> under the header {"alg":"HS256","typ":"JWT"}.</summary>
        public static string Sign(byte[] key, byte[] payloadJson)
        {
            string signingInput = Base64Url.Encode(HeaderJson) + "." + Base64Url.Encode(payloadJson);
            byte[] mac = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
            return signingInput + "." + Base64Url.Encode(mac);
        }

        /// <summary>
        /// Splits a compact JWS into three strictly base64url-encoded segments. The signature must
        /// decode to exactly 32 bytes. Nothing is verified here.
        /// </summary>
        public static bool TryParse(string token, out CompactJws? jws)
        {
            jws = null;
            int first = token.IndexOf('.');
            int second = first < 0 ? -1 : token.IndexOf('.', first + 1);
            if (first <= 0 || second < 0 || token.IndexOf('.', second + 1) >= 0)
            {
                return false;
            }

            string headerSegment = token[..first];
            string payloadSegment = token[(first + 1)..second];
            string signatureSegment = token[(second + 1)..];
            if (!Base64Url.TryDecode(headerSegment, out byte[] header) ||
                !Base64Url.TryDecode(payloadSegment, out byte[] payload) ||
                !Base64Url.TryDecode(signatureSegment, out byte[] signature) ||
                signature.Length != SignatureLength)
            {
                return false;
            }

            jws = new CompactJws(token[..second], signatureSegment, header, payload, signature);
            return true;
        }

        /// <summary>Recomputes the MAC over the signing input and compares it in constant time.</summary>
        public static bool Verify(byte[] key, CompactJws jws)
        {
            byte[] expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(jws.SigningInput));
            return CryptographicOperations.FixedTimeEquals(expected, jws.Signature);
        }

        /// <summary>True when the header is a JSON object whose "alg" is exactly the string "HS256".</summary>
        public static bool HeaderIsHs256(byte[] header)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(header);
                return doc.RootElement.ValueKind == JsonValueKind.Object &&
                       doc.RootElement.TryGetProperty("alg", out JsonElement alg) &&
                       alg.ValueKind == JsonValueKind.String &&
                       alg.ValueEquals("HS256");
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }

    /// <summary>base64url without padding (RFC 4648 §5, RFC 7515 §2).</summary>
    internal static class Base64Url
    {
        public static string Encode(ReadOnlySpan<byte> data) =>
            Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>
        /// Decodes unpadded base64url and accepts only the canonical spelling, so that one value has
        /// one text: a token cannot be replayed by flipping unused low bits of its last character.
        /// </summary>
        public static bool TryDecode(string text, out byte[] bytes)
        {
            bytes = Array.Empty<byte>();
            if (text.Length % 4 == 1)
            {
                return false;
            }

            foreach (char c in text)
            {
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok)
                {
                    return false;
                }
            }

            string standard = text.Replace('-', '+').Replace('_', '/');
            standard += new string('=', (4 - (standard.Length % 4)) % 4);
            byte[] buffer = new byte[standard.Length / 4 * 3];
            if (!Convert.TryFromBase64String(standard, buffer, out int written))
            {
                return false;
            }

            byte[] decoded = buffer.AsSpan(0, written).ToArray();
            if (!string.Equals(Encode(decoded), text, StringComparison.Ordinal))
            {
                return false;
            }

            bytes = decoded;
            return true;
        }
    }
}
