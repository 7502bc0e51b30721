using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Writes claims exactly as JavaScript's JSON.stringify does (what the vendor's Node, PHP and Ruby
    /// samples sign): no white space, members in insertion order, only '"', '\' and control
    /// characters escaped, everything else literal UTF-8. System.Text.Json's encoders escape more
    /// (non-ASCII, HTML characters), which would change the token bytes.
    /// </summary>
    internal static class ClaimsJson
    {
        private const int MaxDepth = 32;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static string Write(InitializationClaims claims, StringBuilder? buffer = null)
        {
            var sb = buffer ?? new StringBuilder(256);
            WriteTo(claims, sb);
            return sb.ToString();
        }

        /// <summary>Writes the claims' JSON into <paramref name="sb"/>, replacing what it held.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void WriteTo(InitializationClaims claims, StringBuilder sb)
        {
            sb.Clear();
            sb.Append('{');
            foreach (var claim in ClaimSchema.All)
            {
                var value = claims[claim];
                if (value is null) { continue; }
                if (sb.Length > 1) { sb.Append(','); }
                sb.Append(claim.JsonMemberPrefix);
                switch (claim.Kind)
                {
                    case ClaimKind.Amount: AppendDecimal(sb, (decimal)value); break;
                    case ClaimKind.WholeNumber:
                    case ClaimKind.UnixSeconds: sb.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)); break;
                    case ClaimKind.Text: AppendString(sb, (string)value); break;
                    case ClaimKind.Boolean: sb.Append((bool)value ? "true" : "false"); break;
                }
            }
            if (claims.AdditionalClaims is { } extra)
            {
                foreach (var pair in extra)
                {
                    if (sb.Length > 1) { sb.Append(','); }
                    AppendString(sb, pair.Key);
                    sb.Append(':');
                    AppendValue(sb, pair.Key, pair.Value, 0);
                }
            }
            sb.Append('}');
        }

        /// <summary>
        /// Writes one additional claim's value; the one walk over it, so this is also where a value with no
        /// JSON form is refused (<see cref="ClaimValidationException"/> naming the claim).
        /// </summary>
        private static void AppendValue(StringBuilder sb, string name, object? value, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new ClaimValidationException("AdditionalClaimInvalid", name, $"additional claim '{name}' is nested deeper than {MaxDepth} levels.");
            }
            switch (value)
            {
                case null: sb.Append("null"); break;
                case string s: AppendString(sb, s); break;
                case char c: AppendString(sb, c.ToString()); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case decimal m: AppendDecimal(sb, m); break;
                case double d when double.IsFinite(d): AppendDouble(sb, d); break;
                case float f when float.IsFinite(f): AppendDouble(sb, f); break;
                case double or float:
                    throw new ClaimValidationException("AdditionalClaimInvalid", name, $"additional claim '{name}' is not a finite number.");
                case IFormattable integer when value is byte or sbyte or short or ushort or int or uint or long or ulong:
                    sb.Append(integer.ToString(null, CultureInfo.InvariantCulture));
                    break;
                case IDictionary dictionary:
                    sb.Append('{');
                    var first = true;
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (entry.Key is not string key)
                        {
                            throw new ClaimValidationException("AdditionalClaimInvalid", name, $"additional claim '{name}' has a member whose name is not a string.");
                        }
                        if (!first) { sb.Append(','); }
                        first = false;
                        AppendString(sb, key);
                        sb.Append(':');
                        AppendValue(sb, name, entry.Value, depth + 1);
                    }
                    sb.Append('}');
                    break;
                case IEnumerable list:
                    sb.Append('[');
                    var firstItem = true;
                    foreach (var item in list)
                    {
                        if (!firstItem) { sb.Append(','); }
                        firstItem = false;
                        AppendValue(sb, name, item, depth + 1);
                    }
                    sb.Append(']');
                    break;
                default:
                    throw new ClaimValidationException("AdditionalClaimInvalid", name,
                        $"additional claim '{name}' has a value of type {value.GetType().FullName}; use a string, number, boolean, null, array or hashtable.");
            }
        }

        /// <summary>A decimal as JavaScript's JSON.stringify prints the same number: 100 not 100.0, 12.5 not 12.50, 1e-7, 1e+21.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void AppendDecimal(StringBuilder sb, decimal value)
        {
            if (value == decimal.Truncate(value) && value > -1e15m && value < 1e15m)
            {
                sb.Append(((long)value).ToString(CultureInfo.InvariantCulture));
                return;
            }
            Span<char> text = stackalloc char[64];
            value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
            AppendJavaScriptNumber(sb, text.Slice(0, length));
        }

        private static void AppendDouble(StringBuilder sb, double value)
        {
            Span<char> text = stackalloc char[64];
            value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
            AppendJavaScriptNumber(sb, text.Slice(0, length));
        }

        /// <summary>
        /// Rewrites an invariant .NET number text ("-1.25E-07", "0.000001", "1E+21") the way JavaScript's
        /// Number::toString writes the same digits (ECMA-262 §6.1.6.1.20): plain notation for 1e-7 &lt; |x| &lt; 1e21,
        /// exponent notation "de±n" outside, no trailing zeros, "0" for zero.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void AppendJavaScriptNumber(StringBuilder sb, ReadOnlySpan<char> text)
        {
            var negative = text.Length > 0 && text[0] == '-';
            if (negative) { text = text.Slice(1); }
            var exponent = 0;
            var e = text.IndexOfAny('E', 'e');
            if (e >= 0)
            {
                exponent = int.Parse(text.Slice(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                text = text.Slice(0, e);
            }
            // The significant digits alone: the point dropped, then leading and trailing zeros.
            var point = text.IndexOf('.');
            var integerDigits = point < 0 ? text.Length : point;
            Span<char> buffer = stackalloc char[text.Length];
            var count = 0;
            foreach (var c in text) { if (c != '.') { buffer[count++] = c; } }
            ReadOnlySpan<char> digits = buffer.Slice(0, count);
            var lead = 0;
            while (lead < digits.Length && digits[lead] == '0') { lead++; }
            digits = digits.Slice(lead).TrimEnd('0');
            if (digits.Length == 0)
            {
                sb.Append('0');
                return;
            }
            // k and n as in ECMA-262: the value is digits × 10^(n - k), so n digits stand before the point.
            var k = digits.Length;
            var n = integerDigits - lead + exponent;
            if (negative) { sb.Append('-'); }
            if (k <= n && n <= 21)
            {
                sb.Append(digits).Append('0', n - k);
            }
            else if (0 < n && n <= 21)
            {
                sb.Append(digits.Slice(0, n)).Append('.').Append(digits.Slice(n));
            }
            else if (-6 < n && n <= 0)
            {
                sb.Append("0.").Append('0', -n).Append(digits);
            }
            else
            {
                sb.Append(digits[0]);
                if (k > 1) { sb.Append('.').Append(digits.Slice(1)); }
                var power = n - 1;
                sb.Append('e').Append(power >= 0 ? '+' : '-').Append(Math.Abs(power).ToString(CultureInfo.InvariantCulture));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void AppendString(StringBuilder sb, string value)
        {
            sb.Append('"');
            var start = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                string? escape = c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\b' => "\\b",
                    '\f' => "\\f",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => null,
                };
                if (escape is null)
                {
                    if (c < 0x20 || IsLoneSurrogate(value, i))
                    {
                        escape = "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        if (char.IsHighSurrogate(c)) { i++; }
                        continue;
                    }
                }
                sb.Append(value, start, i - start).Append(escape);
                start = i + 1;
            }
            sb.Append(value, start, value.Length - start).Append('"');
        }

        private static bool IsLoneSurrogate(string s, int i)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c)) { return i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]); }
            return char.IsLowSurrogate(c);
        }
    }
}
