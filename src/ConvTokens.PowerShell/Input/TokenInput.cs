using System;
using System.Collections;
using System.Management.Automation;
using ConvTokens.Engine;
using ConvTokens.Engine.Claims;
using ConvTokens.Engine.Exchange;

namespace ConvTokens.PowerShell.Input
{
    /// <summary>
    /// What Test-Token and Get-SessionToken accept as a token: a string, an InitializationToken, a
    /// dictionary with a Token key, or any object with a Token string. One input is one token or one
    /// problem, never one per element of what it holds.
    /// </summary>
    internal static class TokenInput
    {
        private const string BearerPrefix = "Bearer ";
        private const string SessionTokenProblem = "a SessionToken is a session token, signed by the API and not with your apiSignature; " +
            "Test-Token checks, and Get-SessionToken exchanges, initialization tokens (from New-InitializationToken).";

        /// <summary>The type names a SessionToken has after a job, a remote session or Export-Clixml when it was not rebuilt.</summary>
        private static readonly string DeserializedSessionToken = "Deserialized." + typeof(SessionToken).FullName;

        /// <summary>
        /// The compact token New-InitializationToken mints again from an input, or null when the input is not one:
        /// an InitializationToken (live or deserialized), a row or object with a Token column that holds a compact
        /// token (Export-Csv and Import-Csv, Test-Token's results), or the compact token text itself.
        /// </summary>
        public static string? ReadTokenToMintAgain(PSObject input)
        {
            var value = input.BaseObject;
            if (value is InitializationToken minted) { return minted.Token; }
            if (value is string text) { return CompactJwt.IsCompact(text) && PrefixProblem(text) is null ? text : null; }
            if (value is ValueType || value is SessionToken || input.TypeNames.Contains(DeserializedSessionToken)) { return null; }
            var token = Unwrap(value is IDictionary dictionary ? DictionaryToken(dictionary) : input.Properties["Token"]?.Value) as string;
            return token is not null && CompactJwt.IsCompact(token) ? token : null;
        }

        /// <summary>
        /// The compact token an input stands for, or null with a <paramref name="problem"/> that says why
        /// it stands for none. The text is taken as it is: see <see cref="PrefixProblem"/>.
        /// </summary>
        public static string? Read(object? item, out string? problem)
        {
            problem = null;
            var value = item is PSObject wrapped ? wrapped.BaseObject : item;
            string? text;
            switch (value)
            {
                case null:
                    problem = "the input is $null; pipe InitializationToken objects or token strings.";
                    return null;
                case string s:
                    text = s;
                    break;
                case InitializationToken minted:
                    text = minted.Token;
                    break;
                case SessionToken:
                    problem = SessionTokenProblem;
                    return null;
                case byte[] bytes:
                    problem = $"a byte[] of {bytes.Length} bytes is not a token; pass the token as text (for a file: Get-Content -Raw).";
                    return null;
                case IDictionary dictionary:
                    text = Unwrap(DictionaryToken(dictionary)) as string;
                    if (text is null)
                    {
                        problem = $"{WithArticle(value.GetType().Name)} has no Token key holding a token string.";
                        return null;
                    }
                    break;
                case PSCustomObject when item is PSObject deserialized && deserialized.TypeNames.Contains(DeserializedSessionToken):
                    // A SessionToken from a job or a file that was not rebuilt (ConvTokens was imported after it arrived).
                    problem = SessionTokenProblem;
                    return null;
                default:
                    text = Unwrap(PSObject.AsPSObject(item!).Properties["Token"]?.Value) as string;
                    if (text is null)
                    {
                        problem = $"{WithArticle(value.GetType().Name)} is neither a token string nor an object with a Token property.";
                        return null;
                    }
                    break;
            }
            return text;
        }

        /// <summary>
        /// The compact token Get-SessionToken sends for an input, with the claims that label its result
        /// (from an InitializationToken, else read from the unverified payload); null with a
        /// <paramref name="problem"/> when the input is no token or not a compact JWT.
        /// </summary>
        public static string? ReadCompact(object? item, out string? problem, out (string? NotificationKey, string? UserId, decimal? Amount) labels)
        {
            labels = default;
            var token = Read(item, out problem);
            if (token is null) { return null; }
            problem = PrefixProblem(token);
            if (problem is null && !CompactJwt.IsCompact(token)) { problem = "the token is not a compact JWT (three base64url segments separated by dots)."; }
            if (problem is not null) { return null; }
            if ((item is PSObject wrapped ? wrapped.BaseObject : item) is InitializationToken minted)
            {
                labels = (minted.NotificationKey, minted.UserId, minted.Amount);
            }
            else if (JwtPeek.ReadClaims(token) is { } claims)
            {
                labels = (claims[ClaimSchema.NotificationKey.Name] as string, claims[ClaimSchema.UserId.Name] as string, SignedAmount.From(claims[ClaimSchema.Amount.Name]));
            }
            return token;
        }

        /// <summary>
        /// Why a token text that starts with "Bearer " is refused rather than guessed at: that is an
        /// Authorization header value, most often a session token's, which neither cmdlet takes.
        /// </summary>
        public static string? PrefixProblem(string token) =>
            token.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
                ? $"the text starts with '{token.Substring(0, BearerPrefix.Length - 1)} ', the scheme of an Authorization header value; pass the compact token without it (an initialization token starts with eyJ)."
                : null;

        /// <summary>"an Int32", "a Hashtable": the type name with the article it is read with (the engine's rule, for messages here).</summary>
        public static string WithArticle(string typeName) => ClaimKind.WithArticle(typeName);

        private static object? DictionaryToken(IDictionary dictionary)
        {
            if (dictionary.Contains("Token")) { return dictionary["Token"]; }
            foreach (DictionaryEntry entry in dictionary)
            {
                if (entry.Key is string key && string.Equals(key, "Token", StringComparison.OrdinalIgnoreCase)) { return entry.Value; }
            }
            return null;
        }

        private static object? Unwrap(object? value) => value is PSObject inner ? inner.BaseObject : value;
    }

    /// <summary>
    /// A byte[] piped to Test-Token or Get-SessionToken arrives one byte at a time (the pipeline unrolls arrays);
    /// the bytes in a row are one input and one error, as the same byte[] given to -Token is.
    /// </summary>
    internal sealed class PipedBytes
    {
        private int _count;

        /// <summary>True when <paramref name="item"/> is a single byte, now counted; it is then no input of its own.</summary>
        public bool Add(object? item)
        {
            if ((item is PSObject wrapped ? wrapped.BaseObject : item) is not byte) { return false; }
            _count++;
            return true;
        }

        /// <summary>The problem of the bytes counted so far, as one input, or null when none are pending.</summary>
        public string? Take()
        {
            if (_count == 0) { return null; }
            var problem = (_count == 1 ? "a byte arrived on its own" : $"{_count} bytes arrived one at a time (PowerShell unrolls a piped byte[])") + "; bytes are not a token. " +
                "Pass the token as text (for a file: Get-Content -Raw).";
            _count = 0;
            return problem;
        }
    }
}
