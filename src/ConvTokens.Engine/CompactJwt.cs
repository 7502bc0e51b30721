using System;

namespace ConvTokens.Engine
{
    /// <summary>
    /// What counts as a compact JWT before anything is decoded: at most <see cref="MaximumLength"/>
    /// characters, a non-empty header and exactly three dot-separated segments. Test-Token's verifier,
    /// Get-SessionToken's input reading and the claim peek all ask here.
    /// </summary>
    public static class CompactJwt
    {
        /// <summary>The longest token taken; a longer one is refused before it is decoded.</summary>
        public const int MaximumLength = 64 * 1024;

        /// <summary>True for a token of the right size and shape (nothing is decoded or verified).</summary>
        public static bool IsCompact(string? token) =>
            token is not null && token.Length <= MaximumLength && TryFindDots(token, out _, out _);

        /// <summary>The two dots of header.payload.signature; false when the header is empty or the count is not two.</summary>
        public static bool TryFindDots(string token, out int firstDot, out int secondDot)
        {
            firstDot = token.IndexOf('.');
            secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
            return firstDot > 0 && secondDot >= 0 && token.IndexOf('.', secondDot + 1) < 0;
        }
    }
}
