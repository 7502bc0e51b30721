// Seeded generator of New-InitializationToken inputs for the round-trip property test: valid inputs with
// the claims Test-Token must then show (value AND type, in payload order), and inputs with one defect of a
// known class with the error id New-InitializationToken must refuse them with. Like TokenFuzzer it shares
// no code with the module: the expected claims come from the rules about_ConvTokens states ("WHAT IS
// SIGNED IS VERIFIED ALIKE"), worked out here with BigInteger arithmetic, not with the engine's writer.
// Used by tests/ConvTokens.Engine.Tests (ClaimRoundTripPropertyTests) and tests/Pester/Fuzz.Tests.ps1.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace ConvTokens.Tests.Fuzz
{
    /// <summary>One input for New-InitializationToken and what must come of it.</summary>
    public sealed class ClaimCase
    {
        internal ClaimCase(int number, OrderedDictionary row)
        {
            Number = number;
            Row = row;
        }

        /// <summary>1-based, in generation order: the "Input #N" of the cmdlet's message when piped in that order.</summary>
        public int Number { get; }

        /// <summary>Parameter name (Amount, ZipCode, ..., AdditionalClaims) to the raw value, as a piped row carries it.</summary>
        public OrderedDictionary Row { get; }

        /// <summary>Null for a valid input; else the defect's class, in words.</summary>
        public string Defect { get; internal set; }

        /// <summary>The id the input is refused with; null for a valid input.</summary>
        public string ExpectedErrorId { get; internal set; }

        /// <summary>For a valid input: the payload's claims as Test-Token's Claims must show them, in order.</summary>
        public OrderedDictionary ExpectedClaims { get; internal set; }

        public bool IsValid => ExpectedErrorId == null;

        public override string ToString() => $"case {Number}{(Defect == null ? " (valid)" : $" ({Defect}, expect {ExpectedErrorId})")}: {ClaimCaseGenerator.Describe(Row)}";
    }

    /// <summary>Random inputs, the same for the same seed. Not thread-safe.</summary>
    public sealed class ClaimCaseGenerator
    {
        public const long MaxUnixSeconds = 253402300799;
        private const int MaxLevel = 32;
        private static readonly string[] Reserved = { "amount", "cp", "age", "gender", "userId", "iat", "notificationKey", "forceManualConfirm" };
        private static readonly BigInteger DecimalMax = BigInteger.Parse("79228162514264337593543950335", CultureInfo.InvariantCulture);

        private readonly Random _random;
        private readonly long _now;
        private int _count;

        /// <param name="nowUnixSeconds">The time the tokens are verified at: iat, nbf and exp are chosen so they are valid then.</param>
        public ClaimCaseGenerator(int seed, long nowUnixSeconds)
        {
            _random = new Random(seed);
            _now = nowUnixSeconds;
        }

        /// <summary>The share of inputs that get one defect.</summary>
        public double DefectRate { get; set; } = 0.3;

        public ClaimCase Next()
        {
            var row = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            var expected = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            var (amount, amountText) = Amount();
            row["Amount"] = amount;
            expected["amount"] = ExpectNumber(amountText);
            if (Chance(0.6)) { var zip = Text(1, 8); row["ZipCode"] = zip; expected["cp"] = zip; }
            if (Chance(0.6))
            {
                var age = Chance(0.9) ? _random.Next(0, 120) : int.MaxValue;
                row["Age"] = Pick<object>(age, (long)age, age.ToString(CultureInfo.InvariantCulture), (double)age);
                expected["age"] = (long)age;
            }
            if (Chance(0.5))
            {
                var gender = Pick("M", "F", "m", "f", " f ");
                row["Gender"] = gender;
                expected["gender"] = gender.Trim().ToUpperInvariant();
            }
            if (Chance(0.8)) { var user = Text(1, 24); row["UserId"] = user; expected["userId"] = user; }
            var iat = Chance(0.1) ? 1 : _now - _random.NextInt64(0, 10L * 365 * 86400);
            row["IssuedAt"] = Pick<object>(iat, DateTimeOffset.FromUnixTimeSeconds(iat), iat.ToString(CultureInfo.InvariantCulture));
            expected["iat"] = iat;
            var key = Text(1, 36);
            if (string.IsNullOrWhiteSpace(key)) { key += "k"; }
            row["NotificationKey"] = key;
            expected["notificationKey"] = key;
            if (Chance(0.3)) { var force = Chance(0.5); row["ForceManualConfirm"] = force; expected["forceManualConfirm"] = force; }
            if (Chance(0.6))
            {
                var container = Dictionary(topLevel: true);
                var count = _random.Next(0, 6);
                var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < count; i++)
                {
                    var name = ClaimName(used);
                    container[name] = Value(2);
                }
                if (Chance(0.15)) { used.Add("exp"); container["exp"] = WholeSeconds(_now + 3600, MaxUnixSeconds); }
                if (Chance(0.15)) { used.Add("nbf"); container["nbf"] = WholeSeconds(1, iat); }
                if (Chance(0.05)) { container[ClaimName(used)] = Chain(2, MaxLevel); }
                row["AdditionalClaims"] = container;
                foreach (DictionaryEntry entry in InSigningOrder(container)) { expected[(string)entry.Key] = Expect(entry.Value); }
            }
            var result = new ClaimCase(++_count, row) { ExpectedClaims = expected };
            if (Chance(DefectRate)) { AddDefect(result); }
            return result;
        }

        #region Defects

        private void AddDefect(ClaimCase c)
        {
            var row = c.Row;
            c.ExpectedClaims = null;
            switch (_random.Next(13))
            {
                case 0:
                    var (parameter, id) = Pick(("UserId", "UserIdInvalid"), ("ZipCode", "ZipCodeInvalid"), ("NotificationKey", "NotificationKeyInvalid"));
                    row[parameter] = WithLoneSurrogate(Text(1, 12));
                    Set(c, $"a lone surrogate in {parameter}", id);
                    break;
                case 1:
                    var where = _random.Next(4);
                    var value = WithLoneSurrogate(Text(0, 12));
                    var extra = Extra(row);
                    switch (where)
                    {
                        case 0: extra[FreshName(extra)] = value; break;
                        case 1: extra[value + "x"] = 1; break;
                        case 2: extra[FreshName(extra)] = new OrderedDictionary { [value] = true }; break;
                        default: extra[FreshName(extra)] = new object[] { 1, new object[] { "a", value } }; break;
                    }
                    Set(c, "a lone surrogate in an additional claim " + (where == 1 ? "name" : where == 2 ? "key" : "string"), "AdditionalClaimInvalid");
                    break;
                case 2:
                    Extra(row)[FreshName(Extra(row))] = Chain(2, MaxLevel + 1);
                    Set(c, "an additional claim nested 32 levels (33 with the payload)", "AdditionalClaimInvalid");
                    break;
                case 3:
                    var time = Pick("exp", "nbf");
                    var bad = Pick<object>("soon", "1900000000", true, null, 1900000000.5, 1900000000.5m, 0, -5L, MaxUnixSeconds + 1, DateTime.UtcNow, 1.5f);
                    Extra(row)[time] = bad;
                    Set(c, $"{time} as {(bad == null ? "null" : bad.GetType().Name)} {Convert.ToString(bad, CultureInfo.InvariantCulture)}", "AdditionalClaimInvalid");
                    break;
                case 4:
                    if (Chance(0.5))
                    {
                        // A double no decimal holds unchanged: more than 28 decimal places.
                        var digits = _random.Next(1, 17);
                        var mantissa = _random.NextInt64(1, (long)Math.Pow(10, Math.Min(digits, 15)));
                        var tiny = double.Parse($"{mantissa}e-{_random.Next(29 + mantissa.ToString(CultureInfo.InvariantCulture).Length, 330)}", CultureInfo.InvariantCulture);
                        if (tiny == 0) { tiny = double.Epsilon; }
                        row["Amount"] = tiny;
                        Set(c, $"a [double] amount {tiny:R} below 28 decimal places", "AmountInvalid");
                    }
                    else
                    {
                        row["Amount"] = "0." + new string('0', _random.Next(28, 40)) + _random.Next(1, 10).ToString(CultureInfo.InvariantCulture);
                        Set(c, "an amount as text with more than 28 decimal places", "AmountInvalid");
                    }
                    break;
                case 5:
                    var pair = Text(1, 6).ToLowerInvariant() + "k";
                    if (Chance(0.5))
                    {
                        Extra(row)[FreshName(Extra(row))] = new OrderedDictionary { [pair] = 1, [pair.ToUpperInvariant()] = 2 };
                        Set(c, "a nested dictionary with keys that differ only in case", "AdditionalClaimInvalid");
                    }
                    else
                    {
                        var caseSensitive = new Dictionary<string, object>(StringComparer.Ordinal) { [pair] = 1, [pair.ToUpperInvariant()] = 2 };
                        row["AdditionalClaims"] = caseSensitive;
                        Set(c, "additional claims that differ only in case", "AdditionalClaimInvalid");
                    }
                    break;
                case 6:
                    Extra(row)[FreshName(Extra(row))] = Pick<object>(double.NaN, double.PositiveInfinity, float.NegativeInfinity);
                    Set(c, "a non-finite number", "AdditionalClaimInvalid");
                    break;
                case 7:
                    var reserved = Pick(Reserved);
                    Extra(row)[Chance(0.5) ? reserved : reserved.ToUpperInvariant()] = 1;
                    Set(c, $"the reserved name {reserved}", "AdditionalClaimReserved");
                    break;
                case 8:
                    row["Amount"] = Pick<object>(0, -1.5m, "-3", 0.0, 1234567890.1234567m, 12345678901234567L);
                    Set(c, $"the amount {Convert.ToString(row["Amount"], CultureInfo.InvariantCulture)}", "AmountInvalid");
                    break;
                case 9:
                    if (Chance(0.5)) { row["UserId"] = new string('u', 50_000); }
                    else { Extra(row)[FreshName(Extra(row))] = new string('€', 20_000); }
                    Set(c, "claims too large for a token", "ClaimsTooLarge");
                    break;
                case 10:
                    Extra(row)[FreshName(Extra(row))] = Pick<object>(DateTime.UtcNow, new Uri("https://example.com"), Guid.Empty);
                    Set(c, "a value with no JSON form", "AdditionalClaimInvalid");
                    break;
                case 11:
                    row.Remove("Amount");
                    Set(c, "no amount", "AmountMissing");
                    break;
                default:
                    row["Amount"] = Pick<object>(double.NaN, 1e30, float.PositiveInfinity);
                    Set(c, $"the amount {Convert.ToString(row["Amount"], CultureInfo.InvariantCulture)}", "AmountInvalid");
                    break;
            }
        }

        private static void Set(ClaimCase c, string defect, string id)
        {
            c.Defect = defect;
            c.ExpectedErrorId = id;
        }

        /// <summary>The row's additional claims, made a fresh case-insensitive ordered dictionary if it has none.</summary>
        private static IDictionary Extra(OrderedDictionary row)
        {
            if (row["AdditionalClaims"] is IDictionary existing) { return existing; }
            var created = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            row["AdditionalClaims"] = created;
            return created;
        }

        private string FreshName(IDictionary dictionary)
        {
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in dictionary.Keys) { used.Add((string)key); }
            return ClaimName(used);
        }

        /// <summary>Inserts half of a surrogate pair where it stays alone.</summary>
        private string WithLoneSurrogate(string text)
        {
            // Character boundaries: never between the two halves of a pair.
            var boundaries = new List<int>();
            for (var i = 0; i <= text.Length; i++)
            {
                if (i == 0 || i == text.Length || !char.IsLowSurrogate(text[i])) { boundaries.Add(i); }
            }
            var at = boundaries[_random.Next(boundaries.Count)];
            var half = Chance(0.5) ? (char)_random.Next(0xD800, 0xDC00) : (char)_random.Next(0xDC00, 0xE000);
            return text.Insert(at, half.ToString());
        }

        #endregion

        #region Values

        /// <summary>A valid amount in a random raw form, and its exact text.</summary>
        private (object Raw, string Text) Amount()
        {
            var digits = _random.Next(1, 16);
            var mantissa = _random.NextInt64((long)Math.Pow(10, digits - 1), (long)Math.Pow(10, digits));
            var scale = Chance(0.6) ? _random.Next(0, 3) : _random.Next(0, 29);
            var value = new decimal((int)(mantissa & 0xFFFFFFFF), (int)(mantissa >> 32), 0, false, (byte)scale);
            var text = value.ToString(CultureInfo.InvariantCulture);
            switch (_random.Next(6))
            {
                case 0: return (value, text);
                case 1: return (value * 1.000m, text);
                case 2: return (text, text);
                case 3 when digits <= 6: return (float.Parse(text, CultureInfo.InvariantCulture), text);
                case 4 when value == decimal.Truncate(value) && value <= int.MaxValue: return ((int)value, text);
                case 5 when value == decimal.Truncate(value): return ((long)value, text);
                default: return (double.Parse(text, CultureInfo.InvariantCulture), text);
            }
        }

        private object WholeSeconds(long min, long max)
        {
            var seconds = _random.NextInt64(min, max + 1);
            return Pick<object>(seconds, (decimal)seconds, (double)seconds);
        }

        /// <summary>A dictionary kind a caller may pass: hashtable, [ordered], Dictionary, SortedList.</summary>
        private IDictionary Dictionary(bool topLevel)
        {
            switch (_random.Next(topLevel ? 3 : 4))
            {
                case 0: return new Hashtable(StringComparer.OrdinalIgnoreCase);
                case 1: return new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                case 2: return new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
                default: return new SortedList(StringComparer.CurrentCultureIgnoreCase);
            }
        }

        /// <summary>A value that takes <paramref name="level"/> if it is an array or a dictionary.</summary>
        private object Value(int level)
        {
            if (level <= MaxLevel && Chance(0.3 / (1 + level / 4.0)))
            {
                var count = _random.Next(0, 5);
                if (Chance(0.5))
                {
                    var items = new List<object>();
                    for (var i = 0; i < count; i++) { items.Add(Value(level + 1)); }
                    switch (_random.Next(3))
                    {
                        case 0: return items.ToArray();
                        case 1: return items;
                        default: return new ArrayList(items);
                    }
                }
                var dictionary = Dictionary(topLevel: false);
                var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < count; i++)
                {
                    var key = Text(0, 8);
                    if (used.Add(key)) { dictionary[key] = Value(level + 1); }
                }
                return dictionary;
            }
            return Scalar();
        }

        /// <summary>Arrays and dictionaries one inside the other, the innermost taking <paramref name="deepest"/>.</summary>
        private object Chain(int level, int deepest)
        {
            object value = Scalar();
            for (var at = deepest; at >= level; at--)
            {
                value = Chance(0.5) ? new object[] { value } : (object)new OrderedDictionary { ["k"] = value };
            }
            return value;
        }

        private object Scalar()
        {
            switch (_random.Next(12))
            {
                case 0: return Text(0, 20);
                case 1: return Chance(0.5);
                case 2: return null;
                case 3: return (char)Pick(_random.Next(0x20, 0x7F), _random.Next(0xA0, 0xD800), _random.Next(0xE000, 0x10000));
                case 4: return Integer();
                case 5: return RandomDecimal();
                case 6:
                case 7: return RandomDouble();
                case 8: return RandomFloat();
                case 9: return Pick<object>(5e-324, 1.5e-24, double.Epsilon, double.MaxValue, -0.0, 1e21, Math.Pow(2, 60), 0.1, 1e-7, 123456789012345680000.0);
                case 10: return double.Parse($"{_random.NextInt64(1, 1_000_000_000_000)}e-{_random.Next(20, 320)}", CultureInfo.InvariantCulture);
                default: return Pick<object>(decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m, -0m, 1e15m, 1e20m);
            }
        }

        private object Integer()
        {
            var bits = _random.NextInt64(long.MinValue, long.MaxValue);
            switch (_random.Next(9))
            {
                case 0: return (byte)bits;
                case 1: return (sbyte)bits;
                case 2: return (short)bits;
                case 3: return (ushort)bits;
                case 4: return (int)bits;
                case 5: return (uint)bits;
                case 6: return bits;
                case 7: return unchecked((ulong)bits);
                default: return Pick<object>(long.MinValue, long.MaxValue, ulong.MaxValue, 0, -1, 9007199254740993L);
            }
        }

        private decimal RandomDecimal() =>
            new decimal(_random.Next(int.MinValue, int.MaxValue), Chance(0.5) ? 0 : _random.Next(int.MinValue, int.MaxValue),
                Chance(0.7) ? 0 : _random.Next(int.MinValue, int.MaxValue), Chance(0.3), (byte)_random.Next(0, 29));

        private double RandomDouble()
        {
            while (true)
            {
                var value = BitConverter.Int64BitsToDouble(_random.NextInt64(long.MinValue, long.MaxValue));
                if (double.IsFinite(value)) { return value; }
            }
        }

        private float RandomFloat()
        {
            while (true)
            {
                var value = BitConverter.Int32BitsToSingle(_random.Next(int.MinValue, int.MaxValue));
                if (float.IsFinite(value)) { return value; }
            }
        }

        /// <summary>An additional claim name: no reserved name, exp or nbf, and none used, without regard to case.</summary>
        private string ClaimName(HashSet<string> used)
        {
            while (true)
            {
                var name = Text(1, 10);
                if (Array.Exists(Reserved, r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase))) { continue; }
                if (name is "exp" or "nbf") { continue; }
                if (used.Add(name)) { return name; }
            }
        }

        /// <summary>Whole characters only: ASCII, quotes and backslashes, controls, the rest of the BMP and pairs.</summary>
        private string Text(int min, int max)
        {
            var length = _random.Next(min, max + 1);
            var sb = new StringBuilder();
            while (sb.Length < length)
            {
                var kind = _random.Next(100);
                if (kind < 45) { sb.Append((char)_random.Next(0x20, 0x7F)); }
                else if (kind < 52) { sb.Append((char)Pick(_random.Next(0, 0x20), 0x7F)); }
                else if (kind < 58) { sb.Append(Pick('"', '\\', '/', '\u2028', '\u2029', '<')); }
                else if (kind < 78) { sb.Append((char)Pick(_random.Next(0xA0, 0xD800), _random.Next(0xE000, 0x10000))); }
                else { sb.Append(char.ConvertFromUtf32(_random.Next(0x10000, 0x110000))); }
            }
            return sb.ToString();
        }

        private bool Chance(double p) => _random.NextDouble() < p;

        private T Pick<T>(params T[] choices) => choices[_random.Next(choices.Length)];

        #endregion

        #region Expected claims (the stated rules)

        /// <summary>
        /// A dictionary's members in the order the rules state: an ordered dictionary in its own order, any other
        /// by ordinal key order.
        /// </summary>
        public static IEnumerable InSigningOrder(IDictionary dictionary)
        {
            if (dictionary is IOrderedDictionary) { return dictionary; }
            var entries = new List<DictionaryEntry>();
            foreach (DictionaryEntry entry in dictionary) { entries.Add(entry); }
            entries.Sort((a, b) => string.CompareOrdinal((string)a.Key, (string)b.Key));
            return entries;
        }

        /// <summary>What Test-Token's Claims must hold for a value that was signed.</summary>
        public static object Expect(object value)
        {
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case char c: return c.ToString();
                case bool b: return b;
                case double d: return ExpectNumber(d.ToString("R", CultureInfo.InvariantCulture));
                case float f: return ExpectNumber(f.ToString("R", CultureInfo.InvariantCulture));
                case IFormattable number when value is decimal or byte or sbyte or short or ushort or int or uint or long or ulong:
                    return ExpectNumber(number.ToString(null, CultureInfo.InvariantCulture));
                case IDictionary dictionary:
                    var members = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
                    foreach (DictionaryEntry entry in InSigningOrder(dictionary)) { members[(string)entry.Key] = Expect(entry.Value); }
                    return members;
                case IEnumerable items:
                    var list = new List<object>();
                    foreach (var item in items) { list.Add(Expect(item)); }
                    return list.ToArray();
                default:
                    throw new ArgumentException($"no expectation for a {value.GetType().FullName}");
            }
        }

        /// <summary>
        /// A number as Test-Token's Claims must show the number its text names: long when whole and within 64
        /// bits, else decimal when a decimal holds it exactly, else the double it names.
        /// </summary>
        public static object ExpectNumber(string text)
        {
            var (mantissa, exponent) = ParseExact(text);
            if (mantissa.IsZero) { return 0L; }
            if (exponent >= 0 && exponent < 40)
            {
                var whole = mantissa * BigInteger.Pow(10, exponent);
                if (whole >= long.MinValue && whole <= long.MaxValue) { return (long)whole; }
            }
            if (exponent >= -28 && exponent < 40)
            {
                var scaled = exponent >= 0 ? mantissa * BigInteger.Pow(10, exponent) : mantissa;
                if (BigInteger.Abs(scaled) <= DecimalMax)
                {
                    var bytes = BigInteger.Abs(scaled).ToByteArray();
                    var words = new int[3];
                    for (var i = 0; i < bytes.Length && i < 12; i++) { words[i / 4] |= bytes[i] << (8 * (i % 4)); }
                    return new decimal(words[0], words[1], words[2], scaled.Sign < 0, (byte)Math.Max(0, -exponent));
                }
            }
            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        /// <summary>The value of a number's text as mantissa × 10^exponent, the mantissa without trailing zeros.</summary>
        private static (BigInteger Mantissa, int Exponent) ParseExact(string text)
        {
            var e = text.IndexOfAny(new[] { 'e', 'E' });
            var exponent = e < 0 ? 0 : int.Parse(text.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            var digits = e < 0 ? text : text.Substring(0, e);
            var point = digits.IndexOf('.');
            if (point >= 0)
            {
                exponent -= digits.Length - point - 1;
                digits = digits.Remove(point, 1);
            }
            var mantissa = BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            if (mantissa.IsZero) { return (mantissa, 0); }
            while (mantissa % 10 == 0)
            {
                mantissa /= 10;
                exponent++;
            }
            return (mantissa, exponent);
        }

        /// <summary>Null when the claims match in order, names, values and types; else where and how they differ.</summary>
        public static string Difference(object expected, object actual, string path = "claims")
        {
            if (expected == null || actual == null)
            {
                return expected == null && actual == null ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
            }
            if (expected.GetType() != actual.GetType())
            {
                return $"{path}: expected {Show(expected)}, got {Show(actual)}";
            }
            switch (expected)
            {
                case IDictionary expectedMembers:
                    var actualMembers = (IDictionary)actual;
                    var expectedKeys = new List<string>();
                    foreach (var key in expectedMembers.Keys) { expectedKeys.Add((string)key); }
                    var actualKeys = new List<string>();
                    foreach (var key in actualMembers.Keys) { actualKeys.Add((string)key); }
                    if (expectedKeys.Count != actualKeys.Count || !expectedKeys.TrueForAll(k => string.Equals(k, actualKeys[expectedKeys.IndexOf(k)], StringComparison.Ordinal)))
                    {
                        return $"{path}: expected the members {string.Join(", ", expectedKeys.ConvertAll(Escape))} in this order, got {string.Join(", ", actualKeys.ConvertAll(Escape))}";
                    }
                    foreach (var key in expectedKeys)
                    {
                        if (Difference(expectedMembers[key], actualMembers[key], $"{path}.{Escape(key)}") is { } inner) { return inner; }
                    }
                    return null;
                case object[] expectedItems:
                    var actualItems = (object[])actual;
                    if (expectedItems.Length != actualItems.Length) { return $"{path}: expected {expectedItems.Length} items, got {actualItems.Length}"; }
                    for (var i = 0; i < expectedItems.Length; i++)
                    {
                        if (Difference(expectedItems[i], actualItems[i], $"{path}[{i}]") is { } inner) { return inner; }
                    }
                    return null;
                default:
                    return expected.Equals(actual) ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
            }
        }

        private static string Show(object value) => value == null ? "null" : $"[{value.GetType().Name}] {Escape(Convert.ToString(value, CultureInfo.InvariantCulture))}";

        /// <summary>Text with everything outside printable ASCII as \uXXXX, for a failure message.</summary>
        public static string Escape(string text)
        {
            if (text.Length > 80) { text = text.Substring(0, 80) + "..."; }
            var sb = new StringBuilder("'");
            foreach (var c in text)
            {
                if (c >= 0x20 && c < 0x7F) { sb.Append(c); } else { sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); }
            }
            return sb.Append('\'').ToString();
        }

        /// <summary>A row in words, for a failure message.</summary>
        public static string Describe(object value)
        {
            switch (value)
            {
                case null: return "null";
                case string s: return Escape(s);
                case IDictionary dictionary:
                    var parts = new List<string>();
                    foreach (DictionaryEntry entry in dictionary) { parts.Add($"{Describe(entry.Key)}={Describe(entry.Value)}"); }
                    return $"{value.GetType().Name}{{{string.Join("; ", parts)}}}";
                case IEnumerable items:
                    var list = new List<string>();
                    foreach (var item in items) { list.Add(Describe(item)); }
                    return $"{value.GetType().Name}[{string.Join(", ", list)}]";
                case IFormattable formattable:
                    return $"[{value.GetType().Name}]{formattable.ToString(value is double or float ? "R" : null, CultureInfo.InvariantCulture)}";
                default:
                    return $"[{value.GetType().Name}]{value}";
            }
        }

        #endregion
    }
}
