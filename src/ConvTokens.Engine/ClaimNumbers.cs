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
            return s.Length > 0 && decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
        }

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
            if (trimmed.Length > 1 && trimmed[0] == '-' && TryParse(trimmed.Substring(1), out _))
            {
                return $"{claim} must be {(wholeNumber ? "zero or more" : "a positive number")}; got {shown}.";
            }
            var commas = trimmed.Split(',');
            if (commas.Length > 1 && Array.TrueForAll(commas, part => part.Length > 0 && IsDigits(part)))
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
