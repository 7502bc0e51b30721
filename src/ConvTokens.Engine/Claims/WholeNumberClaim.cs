using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace ConvTokens.Engine.Claims
{
    /// <summary>A whole JSON number, zero or more (an age), held as [int]: fractions are refused, never rounded.</summary>
    public sealed class WholeNumberClaim : NumberClaim
    {
        public override bool Whole => true;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override object Read(ClaimDefinition claim, object value)
        {
            var number = ReadNumber(claim, value);
            if (number != decimal.Truncate(number))
            {
                throw new ClaimValidationException(claim.InvalidErrorId, claim.Name,
                    $"{claim.Name} {number.ToString(CultureInfo.InvariantCulture)} is not a whole number; fractions are refused, not rounded. Give whole digits, e.g. 34.");
            }
            if (number < int.MinValue || number > int.MaxValue)
            {
                throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, $"{claim.Name} {number.ToString(CultureInfo.InvariantCulture)} is out of range for a whole number.");
            }
            return (int)number;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override string? Problem(ClaimDefinition claim, object value) =>
            Convert.ToInt64(value, CultureInfo.InvariantCulture) >= 0 ? null : $"{claim.Name} must be zero or more; got {TextOf(value)}.";

        public override bool Shows(string text, object value) => ClaimNumbers.TryParse(text, out var count) && count == Convert.ToInt64(value, CultureInfo.InvariantCulture);

        public override bool IsJsonValue(object value) => value is long;

        internal override void WriteJson(StringBuilder json, ClaimDefinition claim, object value) => WriteWholeNumber(json, value);

        internal override object? ReadJson(ClaimDefinition claim, in TokenJsonReader.Value member, out string? problem) => ReadWholeNumber(claim, member, out problem);
    }
}
