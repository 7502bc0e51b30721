using System;
using System.Collections.Specialized;
using System.Text.Json;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>Reads a JWT's payload without verifying it: only to label outputs (who, how much, when it expires).</summary>
    public static class JwtPeek
    {
        public static OrderedDictionary? ReadClaims(string token)
        {
            var first = token.IndexOf('.');
            var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
            if (first <= 0 || second < 0 || token.Length > 64 * 1024) { return null; }
            var payload = Base64Url.TryDecode(token.AsSpan(first + 1, second - first - 1));
            if (payload is null) { return null; }
            try
            {
                using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 16 });
                if (document.RootElement.ValueKind != JsonValueKind.Object) { return null; }
                var claims = new OrderedDictionary(System.StringComparer.OrdinalIgnoreCase);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (claims.Contains(property.Name)) { continue; }
                    claims.Add(property.Name, property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number when property.Value.TryGetInt64(out var whole) => whole,
                        JsonValueKind.Number when property.Value.TryGetDecimal(out var exact) => exact,
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => null,
                    });
                }
                return claims;
            }
            catch (JsonException)
            {
                return null;
            }
            catch (System.Text.DecoderFallbackException)
            {
                return null;
            }
        }
    }
}
