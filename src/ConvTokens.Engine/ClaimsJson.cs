using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ConvTokens.Engine.Claims;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Writes claims exactly as JavaScript's JSON.stringify does (what the vendor's Node, PHP and Ruby
    /// samples sign): no white space, members in insertion order (dictionaries: see <see cref="InSigningOrder"/>),
    /// only '"', '\' and control characters escaped, everything else literal UTF-8. System.Text.Json's encoders escape more
    /// (non-ASCII, HTML characters), which would change the token bytes.
    /// </summary>
    internal static class ClaimsJson
    {
        /// <summary>
        /// How many levels a token's JSON may nest, the payload object being the first: the verifier's limit
        /// (<see cref="TokenJsonReader.MaxDepth"/>), so an additional claim's value may nest one level less.
        /// </summary>
        private const int MaxDepth = TokenJsonReader.MaxDepth;

        /// <summary>The level an additional claim's value takes when it is an array or a dictionary.</summary>
        private const int ClaimValueLevel = 2;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static string Write(InitializationClaims claims, StringBuilder? buffer = null)
        {
            var sb = buffer ?? new StringBuilder(256);
            WriteTo(claims, sb);
            return sb.ToString();
        }

        /// <summary>
        /// Writes the claims' JSON into <paramref name="sb"/>, replacing what it held. Text that JSON can carry
        /// only as an escape verifiers refuse (a lone surrogate) is refused here, the one walk over every string.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void WriteTo(InitializationClaims claims, StringBuilder sb)
        {
            sb.Clear();
            sb.Append('{');
            foreach (var claim in ClaimSchema.InPayloadOrder)
            {
                var value = claims[claim];
                if (value is null) { continue; }
                if (sb.Length > 1) { sb.Append(','); }
                sb.Append(claim.JsonMemberPrefix);
                claim.Kind.WriteJson(sb, claim, value);
            }
            if (claims.AdditionalClaims is { } extra)
            {
                foreach (var pair in extra)
                {
                    if (sb.Length > 1) { sb.Append(','); }
                    if (AppendString(sb, pair.Key) is var at && at >= 0)
                    {
                        throw LoneSurrogate(ClaimErrorIds.AdditionalClaimInvalid, pair.Key, $"the additional claim name '{pair.Key}'", pair.Key, at);
                    }
                    sb.Append(':');
                    AppendValue(sb, pair.Key, pair.Value, ClaimValueLevel);
                }
            }
            sb.Append('}');
        }

        /// <summary>
        /// A dictionary's members in the order they are signed, so the same input signs the same bytes in every
        /// process: an ordered dictionary (<see cref="IOrderedDictionary"/>: [ordered], OrderedDictionary) in its
        /// own order; any other (Hashtable, Dictionary, SortedList ...) by ordinal key order, since a hashtable's
        /// order follows string hash codes, which .NET seeds anew in every process.
        /// </summary>
        public static IEnumerable InSigningOrder(IDictionary dictionary)
        {
            if (dictionary is IOrderedDictionary) { return dictionary; }
            var entries = new List<DictionaryEntry>(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary) { entries.Add(entry); }
            // A key that is not a string sorts first; the writer then refuses it.
            entries.Sort((a, b) => string.CompareOrdinal(a.Key as string, b.Key as string));
            return entries;
        }

        /// <summary>
        /// Writes one additional claim's value; the one walk over it, so this is also where a value with no
        /// JSON form, or one verifiers refuse, is refused (<see cref="ClaimValidationException"/> naming the claim).
        /// <paramref name="level"/> is the nesting level the value takes if it is an array or a dictionary.
        /// </summary>
        private static void AppendValue(StringBuilder sb, string name, object? value, int level)
        {
            if (level > MaxDepth && value is IEnumerable and not string)
            {
                throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, name,
                    $"additional claim '{name}' nests more than {MaxDepth - ClaimValueLevel + 1} levels of arrays and dictionaries. " +
                    $"A token's JSON may nest {MaxDepth} levels, the payload object being the first, and verifiers (Test-Token included) refuse a deeper one; flatten the value.");
            }
            switch (value)
            {
                case null: sb.Append("null"); break;
                case string s:
                    if (AppendString(sb, s) is var at && at >= 0) { throw LoneSurrogate(ClaimErrorIds.AdditionalClaimInvalid, name, $"additional claim '{name}'", s, at); }
                    break;
                case char c:
                    if (AppendString(sb, c.ToString()) >= 0) { throw LoneSurrogate(ClaimErrorIds.AdditionalClaimInvalid, name, $"additional claim '{name}'", c.ToString(), 0); }
                    break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case decimal m: AppendDecimal(sb, m); break;
                case double d when double.IsFinite(d): AppendDouble(sb, d); break;
                case float f when float.IsFinite(f): AppendSingle(sb, f); break;
                case double or float:
                    throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, name, $"additional claim '{name}' is not a finite number.");
                case IFormattable integer when value is byte or sbyte or short or ushort or int or uint or long or ulong:
                    sb.Append(integer.ToString(null, CultureInfo.InvariantCulture));
                    break;
                case IDictionary dictionary:
                    sb.Append('{');
                    var first = true;
                    HashSet<string>? names = null;
                    foreach (DictionaryEntry entry in InSigningOrder(dictionary))
                    {
                        if (entry.Key is not string key)
                        {
                            throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, name, $"additional claim '{name}' has a member whose name is not a string.");
                        }
                        // Verifiers refuse an object naming a member twice without regard to case (which one would count?).
                        names ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                        if (!names.Add(key))
                        {
                            names.TryGetValue(key, out var other);
                            throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, name,
                                $"additional claim '{name}' has the members '{JsonMembers.Clip(other!)}' and '{JsonMembers.Clip(key)}' in one object, names that differ only in case; " +
                                "verifiers (Test-Token included) refuse such a token as ambiguous. Keep one of them.");
                        }
                        if (!first) { sb.Append(','); }
                        first = false;
                        if (AppendString(sb, key) is var keyAt && keyAt >= 0)
                        {
                            throw LoneSurrogate(ClaimErrorIds.AdditionalClaimInvalid, name, $"a member name in additional claim '{name}'", key, keyAt);
                        }
                        sb.Append(':');
                        AppendValue(sb, name, entry.Value, level + 1);
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
                        AppendValue(sb, name, item, level + 1);
                    }
                    sb.Append(']');
                    break;
                default:
                    throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, name,
                        $"additional claim '{name}' has a value of type {value.GetType().FullName}; use a string, number, boolean, null, array or hashtable.");
            }
        }

        /// <summary>The refusal of text holding half a character, which JSON.stringify would write as a \udXXX escape no verifier takes.</summary>
        internal static ClaimValidationException LoneSurrogate(string errorId, string claim, string what, string text, int at) =>
            new ClaimValidationException(errorId, claim,
                $"{what} holds half of a character at position {at + 1} (a lone UTF-16 surrogate, U+{(int)text[at]:X4}), as text cut in the middle of an emoji does. " +
                "Verifiers, Test-Token included, refuse a token that carries one (Malformed), so it is never signed: give the whole character, or leave the half out.");

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

        /// <summary>A whole number as JSON writes it: invariant digits, no allocation.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void AppendInteger(StringBuilder sb, long value)
        {
            Span<char> text = stackalloc char[20];
            value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
            sb.Append(text.Slice(0, length));
        }

        private static void AppendDouble(StringBuilder sb, double value)
        {
            Span<char> text = stackalloc char[64];
            value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
            AppendJavaScriptNumber(sb, text.Slice(0, length));
        }

        /// <summary>
        /// A [float] as the shortest text that names it, as PowerShell shows it and as an amount reads it: 0.1, not
        /// the 0.10000000149011612 of the double it widens to.
        /// </summary>
        private static void AppendSingle(StringBuilder sb, float value)
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

        /// <summary>
        /// Writes a JSON string as JSON.stringify does. Returns -1, or the index of a lone UTF-16 surrogate, which
        /// has no JSON form verifiers accept: the caller refuses the value (what was appended is then garbage).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int AppendString(StringBuilder sb, string value)
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
                    if (c < 0x20)
                    {
                        escape = "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        if (char.IsSurrogate(c))
                        {
                            if (!char.IsHighSurrogate(c) || i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) { return i; }
                            i++;
                        }
                        continue;
                    }
                }
                sb.Append(value, start, i - start).Append(escape);
                start = i + 1;
            }
            sb.Append(value, start, value.Length - start).Append('"');
            return -1;
        }
    }
}
