using System;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ConvTokens.Engine.Claims
{
    /// <summary>
    /// What numeric kinds share: numbers given as numbers are taken as they are; text only in the strict form of
    /// <see cref="ClaimNumbers"/>, whatever the current culture. Nothing is ever reinterpreted or rounded.
    /// </summary>
    public abstract class NumberClaim : ClaimKind
    {
        private protected NumberClaim()
        {
        }

        /// <summary>True when the claim takes whole numbers only (no decimals in any form).</summary>
        public abstract bool Whole { get; }

        /// <summary>The number a caller's value stands for, exactly; throws <see cref="ClaimValidationException"/> naming the claim.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private protected decimal ReadNumber(ClaimDefinition claim, object value)
        {
            switch (value)
            {
                case decimal m: return m;
                case int i: return i;
                case long l: return l;
                case short or byte or sbyte or ushort or uint or ulong: return Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                // A cast would round to 15 digits and change 1234567890.1234567 silently; the shortest text
                // of the double keeps every digit, and the claim rules then refuse what the API cannot carry.
                // ClaimNumbers refuses what no decimal holds unchanged (1e-30 would be 0), never rounding it.
                case double d: return ClaimNumbers.FromBinary(d, single: false, claim.Name, claim.InvalidErrorId);
                case float f: return ClaimNumbers.FromBinary(f, single: true, claim.Name, claim.InvalidErrorId);
                case string s when ClaimNumbers.TryParse(s, out var parsed): return parsed;
                case string s: throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, ClaimNumbers.DescribeRejectedText(claim.Name, s, Whole));
            }
            throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, $"{claim.Name} must be a number; got {WithArticle(value.GetType().Name)} '{Shown(value)}'.");
        }
    }
}
