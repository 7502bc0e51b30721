using System;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ConvTokens.Engine
{
    /// <summary>
    /// The one rule for numeric claims given as text, the same on every input path and in every culture:
    /// ASCII digits, optionally '.' and more digits. PowerShell's own conversion reads "12,5" as 125 (the
    /// comma taken for a thousands separator); an amount is money, so nothing but this form is ever read.
    /// </summary>
    public static class ClaimNumbers
    {
        /// <summary>
        /// A JSON number is read by the API as an IEEE double, which keeps 15 significant decimal digits
        /// exactly; an amount with more would arrive changed.
        /// </summary>
        public const int MaxSignificantDigits = 15;

        /// <summary>Parses the strict form (surrounding white space ignored); false for anything else.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool TryParse(string text, out decimal value)
        {
            value = 0m;
            var s = text.AsSpan().Trim();
            var point = -1;
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                if (c >= '0' && c <= '9') { continue; }
                if (c == '.' && point < 0 && i > 0 && i < s.Length - 1) { point = i; continue; }
                return false;
            }
            // decimal.TryParse rounds what it cannot hold ('0.' and 29 zeros and a 1 becomes 0): such text is refused, never rounded.
            return s.Length > 0 && decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && FitsDecimal(s);
        }

        /// <summary>
        /// The decimal a [double] (or [float]) stands for: the number its shortest round-trip text names, the
        /// same text JSON.stringify would write. Throws <see cref="ClaimValidationException"/> when no decimal holds
        /// that number unchanged (more than 28 decimal places, beyond ±7.9e28, or not finite): a cast or a parse
        /// would round 1.23456789e-25 to 0.0000000000000000000000001235 and 1e-30 to 0, silently.
        /// </summary>
        public static decimal FromBinary(double value, bool single, string claim, string errorId)
        {
            Span<char> text = stackalloc char[32];
            var written = single ? ((float)value).TryFormat(text, out var length, "R", CultureInfo.InvariantCulture)
                : value.TryFormat(text, out length, "R", CultureInfo.InvariantCulture);
            var shown = written ? text.Slice(0, length).ToString() : value.ToString(CultureInfo.InvariantCulture);
            if (!double.IsFinite(value))
            {
                throw new ClaimValidationException(errorId, claim, $"{claim} must be a finite number; got {shown}.");
            }
            if (FitsDecimal(text.Slice(0, length)) && decimal.TryParse(text.Slice(0, length), NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
            {
                return exact;
            }
            if (Math.Abs(value) >= 1)
            {
                throw new ClaimValidationException(errorId, claim, $"{claim} {shown} is out of range: no amount or whole number above 7.9e28 is signed.");
            }
            var rounded = decimal.Parse(text.Slice(0, length), NumberStyles.Float, CultureInfo.InvariantCulture);
            throw new ClaimValidationException(errorId, claim,
                $"{claim} {shown} has more than {MaxDecimalPlaces} decimal places, so it cannot be signed unchanged (it would become {(rounded == 0 ? "0" : rounded.ToString(CultureInfo.InvariantCulture))}); " +
                "nothing is rounded for you. Round it first ([math]::Round), or give it as a [decimal].");
        }

        /// <summary>The most decimal places a [decimal] holds, so the most an amount may have.</summary>
        public const int MaxDecimalPlaces = 28;

        /// <summary>
        /// Whether a [decimal] holds the number written in <paramref name="number"/> (JSON number syntax, or the
        /// strict text form) exactly: at most <see cref="MaxDecimalPlaces"/> decimal places and a magnitude within
        /// decimal's 96-bit range, once trailing zeros are dropped. Text that breaks the syntax gives false.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool FitsDecimal(ReadOnlySpan<char> number)
        {
            var i = 0;
            if (i < number.Length && number[i] == '-') { i++; }
            var integerStart = i;
            while (i < number.Length && IsDigit(number[i])) { i++; }
            var integerLength = i - integerStart;
            var fractionStart = i;
            if (integerLength == 0) { return false; }
            if (i < number.Length && number[i] == '.')
            {
                fractionStart = ++i;
                while (i < number.Length && IsDigit(number[i])) { i++; }
                if (i == fractionStart) { return false; }
            }
            var fractionLength = i - fractionStart;
            long exponent = 0;
            if (i < number.Length && (number[i] == 'e' || number[i] == 'E'))
            {
                i++;
                var negative = i < number.Length && number[i] == '-';
                if (i < number.Length && (number[i] == '-' || number[i] == '+')) { i++; }
                if (i == number.Length) { return false; }
                for (; i < number.Length && IsDigit(number[i]); i++)
                {
                    // Past a few thousand the answer is decided; stop growing before it could overflow.
                    if (exponent < 100_000) { exponent = exponent * 10 + (number[i] - '0'); }
                }
                if (negative) { exponent = -exponent; }
            }
            if (i != number.Length) { return false; }
            // The digits as one sequence (integer part, then fraction): the first and last that are not zero.
            var total = integerLength + fractionLength;
            int first = -1, last = -1;
            for (var k = 0; k < total; k++)
            {
                if (DigitAt(number, k, integerStart, integerLength, fractionStart) != '0')
                {
                    if (first < 0) { first = k; }
                    last = k;
                }
            }
            if (first < 0) { return true; }
            // The value is D × 10^power, D being the digits from first to last.
            var power = exponent + (integerLength - 1 - last);
            if (power < -MaxDecimalPlaces) { return false; }
            var mantissaDigits = last - first + 1 + Math.Max(power, 0);
            if (mantissaDigits != DecimalMaxDigits.Length) { return mantissaDigits < DecimalMaxDigits.Length; }
            // 29 digits: compare with decimal.MaxValue digit by digit (the zeros of a positive power last).
            for (var k = 0; k < DecimalMaxDigits.Length; k++)
            {
                var digit = first + k <= last ? DigitAt(number, first + k, integerStart, integerLength, fractionStart) : '0';
                if (digit != DecimalMaxDigits[k]) { return digit < DecimalMaxDigits[k]; }
            }
            return true;
        }

        private const string DecimalMaxDigits = "79228162514264337593543950335";

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private static char DigitAt(ReadOnlySpan<char> number, int k, int integerStart, int integerLength, int fractionStart) =>
            k < integerLength ? number[integerStart + k] : number[fractionStart + k - integerLength];

        /// <summary>
        /// Why <paramref name="text"/> is not a <paramref name="claim"/>, and what to type instead: a
        /// sentence for an error message. <paramref name="wholeNumber"/> is for claims such as age.
        /// </summary>
        public static string DescribeRejectedText(string claim, string text, bool wholeNumber)
        {
            var form = wholeNumber ? "whole digits, e.g. 34" : "digits with an optional '.' and decimals, e.g. 12.5";
            var shown = JsonMembers.Clip(text, 64);
            var trimmed = text.Trim();
            if (wholeNumber && TryParse(trimmed, out _))
            {
                return $"{claim} '{shown}' is not a whole number; fractions are refused, not rounded. Give {form}.";
            }
            if (IsStrictForm(trimmed))
            {
                // The form is right, but no decimal holds the number unchanged.
                return $"{claim} '{shown}' has more than {MaxDecimalPlaces} decimal places or is beyond 7.9e28, so it cannot be signed unchanged; nothing is rounded for you. Round it yourself.";
            }
            if (trimmed.Length > 1 && trimmed[0] == '-' && TryParse(trimmed.Substring(1), out _))
            {
                return $"{claim} must be {(wholeNumber ? "zero or more" : "a positive number")}; got {shown}.";
            }
            if (CommaGroups(trimmed) is { } commas)
            {
                var asDecimalPoint = string.Join(".", commas);
                if (wholeNumber)
                {
                    return $"{claim} '{shown}' is not a whole number: a comma is never read as a decimal point or a thousands separator here. Give {form}.";
                }
                if (commas.Length == 2 && commas[1].Length == 3)
                {
                    var small = decimal.Parse(asDecimalPoint, CultureInfo.InvariantCulture) / 1.000000000000000000000000000m;
                    return $"{claim} '{shown}' is ambiguous: a comma is never read as a decimal point or a thousands separator here. " +
                        $"Use {asDecimalPoint} if you mean {small.ToString(CultureInfo.InvariantCulture)}, or {string.Concat(commas)} if you mean {string.Concat(commas)}.";
                }
                return commas.Length == 2
                    ? $"{claim} '{shown}' has a comma where the decimal point goes: a comma is never read as a decimal point here. Use {asDecimalPoint}."
                    : $"{claim} '{shown}' has commas: a comma is never read as a thousands separator here. Use {string.Concat(commas)}.";
            }
            if (trimmed.Length > 0 && trimmed.IndexOfAny(new[] { ' ', '\u00A0', '\u202F', '\'' }) > 0 && IsDigits(RemoveGroupSeparators(trimmed).Replace(".", string.Empty)))
            {
                return $"{claim} '{shown}' has a thousands separator (a space or an apostrophe), which is never read here. Use {RemoveGroupSeparators(trimmed)}.";
            }
            return $"{claim} '{shown}' is not a number in the accepted form. Give {form}.";
        }

        /// <summary>
        /// Whether <paramref name="text"/> is an unambiguous decimal comma, '12,5' or '0,99': digits, one comma, one or
        /// two digits (a cent amount, never a thousands group).
        /// </summary>
        public static bool IsDecimalComma(string text) => CommaGroups(text.Trim()) is { Length: 2 } groups && groups[1].Length <= 2;

        /// <summary>
        /// For <paramref name="text"/> of a file written with decimal commas (<see cref="IsDecimalComma"/>), how to
        /// convert the <paramref name="claim"/> column on the way in, as one more sentence; null for any other text.
        /// The expression rewrites exactly what <see cref="IsDecimalComma"/> takes.
        /// </summary>
        public static string? DecimalCommaColumnFix(string claim, string text) => IsDecimalComma(text)
            ? $" For a file written with decimal commas, convert the column on the way in: " +
                $"Select-Object @{{ Name = '{claim}'; Expression = {{ $_.{claim} -replace '^(\\d+),(\\d{{1,2}})$', '$1.$2' }} }}, * -ExcludeProperty {claim}"
            : null;

        /// <summary>The digit groups of text that is digits separated by commas ('1,000', '12,5'); null for any other text.</summary>
        private static string[]? CommaGroups(string trimmed)
        {
            var groups = trimmed.Split(',');
            return groups.Length > 1 && Array.TrueForAll(groups, part => part.Length > 0 && IsDigits(part)) ? groups : null;
        }

        /// <summary>Counts significant digits, for the <see cref="MaxSignificantDigits"/> rule.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int SignificantDigits(decimal value)
        {
            Span<char> text = stackalloc char[32];
            Math.Abs(value).TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
            int first = -1, last = -1;
            for (var i = 0; i < length; i++)
            {
                if (text[i] is >= '1' and <= '9')
                {
                    if (first < 0) { first = i; }
                    last = i;
                }
            }
            if (first < 0) { return 0; }
            var point = text.Slice(0, length).IndexOf('.');
            return last - first + 1 - (point > first && point < last ? 1 : 0);
        }

        /// <summary>Digits, optionally '.' and more digits: the accepted form, whatever the number's size.</summary>
        private static bool IsStrictForm(string s)
        {
            var point = s.IndexOf('.');
            return point < 0 ? IsDigits(s) : point > 0 && IsDigits(s.Substring(0, point)) && IsDigits(s.Substring(point + 1));
        }

        private static bool IsDigits(string s)
        {
            if (s.Length == 0) { return false; }
            foreach (var c in s)
            {
                if (c < '0' || c > '9') { return false; }
            }
            return true;
        }

        private static string RemoveGroupSeparators(string s) =>
            s.Replace(" ", string.Empty).Replace("\u00A0", string.Empty).Replace("\u202F", string.Empty).Replace("'", string.Empty);

    }
}
