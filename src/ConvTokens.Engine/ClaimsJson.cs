using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Writes claims exactly as JavaScript's JSON.stringify does (what the vendor's Node, PHP and Ruby
    /// samples sign): no white space, members in insertion order, only '"', '\' and control
    /// characters escaped, everything else literal UTF-8. System.Text.Json's encoders escape more
    /// (non-ASCII, HTML characters), which would change the token bytes.
    /// </summary>
    public static class ClaimsJson
    {
        private const int MaxDepth = 32;

        public static string Write(InitializationClaims claims, StringBuilder? buffer = null)
        {
            var sb = buffer ?? new StringBuilder(256);
            sb.Clear();
            sb.Append("{\"amount\":");
            AppendDecimal(sb, claims.Amount);
            if (claims.ZipCode is not null) { sb.Append(",\"cp\":"); AppendString(sb, claims.ZipCode); }
            if (claims.Age is int age) { sb.Append(",\"age\":").Append(age.ToString(CultureInfo.InvariantCulture)); }
            if (claims.Gender is not null) { sb.Append(",\"gender\":"); AppendString(sb, claims.Gender); }
            if (claims.UserId is not null) { sb.Append(",\"userId\":"); AppendString(sb, claims.UserId); }
            sb.Append(",\"iat\":").Append(claims.IssuedAt.ToString(CultureInfo.InvariantCulture));
            sb.Append(",\"notificationKey\":");
            AppendString(sb, claims.NotificationKey);
            if (claims.ForceManualConfirm is bool force) { sb.Append(",\"forceManualConfirm\":").Append(force ? "true" : "false"); }
            if (claims.AdditionalClaims is { } extra)
            {
                foreach (var pair in extra)
                {
                    sb.Append(',');
                    AppendString(sb, pair.Key);
                    sb.Append(':');
                    AppendValue(sb, pair.Value, 0);
                }
            }
            sb.Append('}');
            return sb.ToString();
        }

        /// <summary>Throws <see cref="ClaimValidationException"/> when a value has no JSON form.</summary>
        internal static void EnsureSerializable(string name, object? value, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new ClaimValidationException("AdditionalClaimInvalid", name, $"additional claim '{name}' is nested deeper than {MaxDepth} levels.");
            }
            switch (value)
            {
                case null: case string: case bool: case char:
                case byte: case sbyte: case short: case ushort: case int: case uint: case long: case ulong: case decimal:
                    return;
                case double d when double.IsFinite(d):
                    return;
                case float f when float.IsFinite(f):
                    return;
                case double: case float:
                    throw new ClaimValidationException("AdditionalClaimInvalid", name, $"additional claim '{name}' is not a finite number.");
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (entry.Key is not string)
                        {
                            throw new ClaimValidationException("AdditionalClaimInvalid", name, $"additional claim '{name}' has a member whose name is not a string.");
                        }
                        EnsureSerializable(name, entry.Value, depth + 1);
                    }
                    return;
                case IEnumerable list:
                    foreach (var item in list)
                    {
                        EnsureSerializable(name, item, depth + 1);
                    }
                    return;
                default:
                    throw new ClaimValidationException("AdditionalClaimInvalid", name,
                        $"additional claim '{name}' has a value of type {value.GetType().FullName}; use a string, number, boolean, null, array or hashtable.");
            }
        }

        private static void AppendValue(StringBuilder sb, object? value, int depth)
        {
            switch (value)
            {
                case null: sb.Append("null"); break;
                case string s: AppendString(sb, s); break;
                case char c: AppendString(sb, c.ToString()); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case decimal m: AppendDecimal(sb, m); break;
                case double d: AppendDouble(sb, d); break;
                case float f: AppendDouble(sb, f); break;
                case IFormattable integer when value is byte or sbyte or short or ushort or int or uint or long or ulong:
                    sb.Append(integer.ToString(null, CultureInfo.InvariantCulture));
                    break;
                case IDictionary dictionary:
                    sb.Append('{');
                    var first = true;
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (!first) { sb.Append(','); }
                        first = false;
                        AppendString(sb, (string)entry.Key);
                        sb.Append(':');
                        AppendValue(sb, entry.Value, depth + 1);
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
                        AppendValue(sb, item, depth + 1);
                    }
                    sb.Append(']');
                    break;
                default:
                    throw new ClaimValidationException("AdditionalClaimInvalid", "AdditionalClaims", $"a claim value of type {value.GetType().FullName} has no JSON form.");
            }
        }

        /// <summary>A decimal as JavaScript prints the same number: 100 not 100.0, 12.5 not 12.50.</summary>
        public static void AppendDecimal(StringBuilder sb, decimal value)
        {
            if (value == decimal.Truncate(value) && value >= long.MinValue && value <= long.MaxValue)
            {
                sb.Append(((long)value).ToString(CultureInfo.InvariantCulture));
                return;
            }
            // Dividing by 1.000…0 drops trailing zeros from the scale.
            var normalized = value / 1.0000000000000000000000000000m;
            sb.Append(normalized.ToString(CultureInfo.InvariantCulture));
        }

        private static void AppendDouble(StringBuilder sb, double value)
        {
            if (Math.Abs(value) < 1e21 && value == Math.Truncate(value))
            {
                sb.Append(value.ToString("F0", CultureInfo.InvariantCulture));
                return;
            }
            var text = value.ToString("R", CultureInfo.InvariantCulture);
            var e = text.IndexOf('E');
            if (e >= 0)
            {
                // JavaScript writes 1e+21 and 1e-7 where .NET writes 1E+21 and 1E-07.
                var mantissa = text.Substring(0, e);
                var exponent = int.Parse(text.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                text = mantissa + "e" + (exponent >= 0 ? "+" : "-") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
            }
            sb.Append(text);
        }

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
