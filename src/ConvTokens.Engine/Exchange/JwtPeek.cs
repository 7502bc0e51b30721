using System;
using System.Collections.Specialized;

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
            return JsonMembers.ToDictionary(Base64Url.TryDecode(token.AsSpan(first + 1, second - first - 1)));
        }
    }
}
