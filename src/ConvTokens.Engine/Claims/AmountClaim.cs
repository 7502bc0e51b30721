using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ConvTokens.Engine.Claims
{
    /// <summary>
    /// A positive amount of money: a JSON number with decimals, held as [decimal] without trailing zeros (12.50
    /// is signed as 12.5). Read exactly or refused, never rounded, on the way in and on the way back.
    /// </summary>
    public sealed class AmountClaim : NumberClaim
    {
        public override bool Whole => false;

        /// <summary>The same value without trailing zeros (the scale JSON.stringify writes): 12.50 is 12.5.</summary>
        public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override object Read(ClaimDefinition claim, object value) => Normalize(ReadNumber(claim, value));

        public override string? Problem(ClaimDefinition claim, object value) =>
            (decimal)value > 0m ? null : $"{claim.Name} must be a positive number; got {((decimal)value).ToString(CultureInfo.InvariantCulture)}.";

        /// <summary>
        /// A JSON number is read by the API as an IEEE double, which keeps <see cref="ClaimNumbers.MaxSignificantDigits"/>
        /// significant decimal digits exactly; an amount with more would arrive changed.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override string? PayloadProblem(ClaimDefinition claim, object value) =>
            ClaimNumbers.SignificantDigits((decimal)value) <= ClaimNumbers.MaxSignificantDigits ? null
                : $"{claim.Name} {((decimal)value).ToString(CultureInfo.InvariantCulture)} has more than {ClaimNumbers.MaxSignificantDigits} significant digits, " +
                    "which the API's JSON numbers cannot carry unchanged; round it yourself.";

        /// <summary>The number itself, this culture's way of writing it, or a decimal comma as Export-Csv writes it elsewhere.</summary>
        public override bool Shows(string text, object value)
        {
            var amount = (decimal)value;
            return (ClaimNumbers.TryParse(text, out var number) && number == amount)
                || text == amount.ToString(CultureInfo.CurrentCulture)
                || text == amount.ToString(CultureInfo.InvariantCulture).Replace('.', ',');
        }

        /// <summary>A file written with decimal commas fails row after row: how to convert the column once.</summary>
        public override string? ColumnFix(ClaimDefinition claim, string text) => ClaimNumbers.DecimalCommaColumnFix(claim.Name, text);

        public override bool IsJsonValue(object value) => value is long or decimal or double;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal override void WriteJson(StringBuilder json, ClaimDefinition claim, object value) => ClaimsJson.AppendDecimal(json, (decimal)value);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal override object? ReadJson(ClaimDefinition claim, in TokenJsonReader.Value member, out string? problem)
        {
            if (member.Type != JsonTokenType.Number)
            {
                problem = $"{claim.Name} must be a JSON number; it is {member.Kind}.";
                return null;
            }
            if (!member.IsDecimal)
            {
                // The rule signing follows: an amount is read exactly or not at all, never rounded.
                problem = Math.Abs(double.Parse(member.Text!, CultureInfo.InvariantCulture)) >= 1
                    ? $"{claim.Name} {JsonMembers.Clip(member.Text!)} is out of range for an amount of money."
                    : $"{claim.Name} {JsonMembers.Clip(member.Text!)} has more than {ClaimNumbers.MaxDecimalPlaces} decimal places, more than an amount is read with; it would be rounded.";
                return null;
            }
            problem = null;
            return member.Decimal;
        }
    }
}
