using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace ConvTokens.Engine.Claims
{
    /// <summary>
    /// A time as whole Unix seconds in a JSON number (iat), held as [long]. Read from a date, whole seconds, or
    /// text in one form: digits, or an ISO 8601 date. Also the rule for the registered exp and nbf claims.
    /// </summary>
    public sealed class UnixTimeClaim : ClaimKind
    {
        /// <summary>The last second DateTimeOffset can show (9999-12-31T23:59:59Z), so every signed time has a date.</summary>
        public const long MaxSeconds = 253402300799;

        /// <summary>The first second DateTimeOffset can show (0001-01-01T00:00:00Z).</summary>
        public const long MinSeconds = -62135596800;

        private static readonly string[] IsoDateFormats =
        {
            "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
            "yyyy-MM-ddTHH:mmK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
            "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ssK",
        };

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override object Read(ClaimDefinition claim, object value)
        {
            switch (value)
            {
                case DateTimeOffset offset: return offset.ToUnixTimeSeconds();
                case DateTime time: return new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Local) : time).ToUnixTimeSeconds();
                case int or long or uint or short: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
                case double d when d == Math.Truncate(d) && Math.Abs(d) < 9e15: return (long)d;
                case decimal m when m == decimal.Truncate(m) && Math.Abs(m) < 9e15m: return (long)m;
                // NumberStyles.None: ASCII digits only, no sign, separator or exponent.
                case string s when long.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds): return seconds;
                // Dates as text only in ISO 8601: '01/02/2025' is 1 February in Paris and 2 January in New York.
                case string s when DateTimeOffset.TryParseExact(s.Trim(), IsoDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var parsed):
                    return parsed.ToUnixTimeSeconds();
            }
            throw new ClaimValidationException(claim.InvalidErrorId, claim.Name,
                $"{claim.Name} must be a date, whole Unix seconds (1700000000) or a date in ISO 8601 form ('2025-02-01' or '2025-02-01T09:30:00+01:00'); got '{Shown(value)}'.");
        }

        /// <summary>ConvTokens signs no time before 1970 or past the year 9999, though a token may carry one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override string? SigningProblem(ClaimDefinition claim, object value) =>
            Convert.ToInt64(value, CultureInfo.InvariantCulture) is > 0 and <= MaxSeconds ? null
                : $"{claim.Name} must be a positive number of Unix seconds up to {MaxSeconds} (the year 9999); got {TextOf(value)}.";

        public override bool IsJsonValue(object value) => value is long;

        internal override void WriteJson(StringBuilder json, ClaimDefinition claim, object value) => WriteWholeNumber(json, value);

        internal override object? ReadJson(ClaimDefinition claim, in TokenJsonReader.Value member, out string? problem) => ReadWholeNumber(claim, member, out problem);

        /// <summary>The date a payload's seconds name, or null when the value is no whole seconds a date can show.</summary>
        public static DateTimeOffset? ToDate(object? value) =>
            value is long seconds && seconds is >= MinSeconds and <= MaxSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

        /// <summary>
        /// exp and nbf are registered JWT claims (RFC 7519 §4.1.4, §4.1.5) that every verifier, Test-Token
        /// included, reads as whole Unix seconds; any other value would sign a token no verifier accepts. They take
        /// the range iat takes. Null when the value of additional claim <paramref name="name"/> holds, or when the
        /// name is neither.
        /// </summary>
        public static string? RegisteredTimeProblem(string name, object? value)
        {
            if (name is not ("exp" or "nbf")) { return null; }
            decimal? seconds = value switch
            {
                byte or sbyte or short or ushort or int or uint or long or ulong => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
                decimal m => m,
                double d when double.IsFinite(d) && Math.Abs(d) < 1e28 => decimal.Parse(d.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture),
                float f when float.IsFinite(f) && Math.Abs(f) < 1e28f => decimal.Parse(f.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture),
                _ => null,
            };
            if (seconds is decimal whole && whole == decimal.Truncate(whole) && whole >= 1 && whole <= MaxSeconds) { return null; }
            var got = value switch
            {
                null => "null",
                string text => $"the text '{JsonMembers.Clip(text)}'",
                bool flag => flag ? "the boolean true" : "the boolean false",
                IFormattable number when seconds is not null || value is double or float => number.ToString(null, CultureInfo.InvariantCulture),
                _ => $"a value of type {value.GetType().FullName}",
            };
            return $"additional claim '{name}' is the JWT {(name == "exp" ? "expiry" : "not-before time")}, which every verifier (Test-Token included) reads as whole Unix seconds: " +
                $"it must be a whole number from 1 to {MaxSeconds} (the year 9999); got {got}. " +
                "Give seconds, e.g. [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds().";
        }
    }
}
