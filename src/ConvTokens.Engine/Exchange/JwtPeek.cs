using System;
using System.Collections.Specialized;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>Reads a JWT's payload without verifying it: only to label outputs (who, how much, when it expires).</summary>
    public static class JwtPeek
    {
        public static OrderedDictionary? ReadClaims(string token)
        {
            if (token.Length > CompactJwt.MaximumLength || !CompactJwt.TryFindDots(token, out var first, out var second)) { return null; }
            return JsonMembers.ToDictionary(Base64Url.TryDecode(token.AsSpan(first + 1, second - first - 1)));
        }
    }
}
