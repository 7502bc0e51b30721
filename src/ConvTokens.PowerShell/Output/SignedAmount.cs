using System;
using System.Globalization;
using ConvTokens.Engine.Claims;

namespace ConvTokens.PowerShell
{
    /// <summary>
    /// The amount as a token carries it, as [decimal] on every output type: 12.50 is signed as 12.5 and
    /// 100.00 as 100, so the value a user sees, compares and exports is the value that was signed.
    /// </summary>
    internal static class SignedAmount
    {
        /// <summary>The same value without trailing zeros (the scale JSON.stringify writes): 12.50 is 12.5.</summary>
        public static decimal Normalize(decimal value) => AmountClaim.Normalize(value);

        /// <summary>
        /// A claim value from a payload or an output as [decimal]; null when there is none, or when it is no
        /// number a decimal holds exactly (a string, 1e-30, 1e300: Claims['amount'] keeps those as they are).
        /// </summary>
        public static decimal? From(object? value)
        {
            switch (value)
            {
                case decimal m: return Normalize(m);
                case long l: return l;
                case int i: return i;
                case double d when double.IsFinite(d) && Math.Abs(d) < 7.9e28
                    && decimal.TryParse(d.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
                    && (double)exact == d && (exact != 0m || d == 0d):
                    return Normalize(exact);
                default: return null;
            }
        }
    }
}
