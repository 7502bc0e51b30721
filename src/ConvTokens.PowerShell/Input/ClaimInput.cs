using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell.Input
{
    /// <summary>
    /// The raw claim values of one input (bound parameters or the properties of a piped object), before
    /// conversion. Null means "not given".
    /// </summary>
    internal sealed class ClaimInput
    {
        public object? Amount;
        public object? ZipCode;
        public object? Age;
        public object? Gender;
        public object? UserId;
        public object? IssuedAt;
        public object? NotificationKey;
        public object? ForceManualConfirm;
        public object? AdditionalClaims;

        /// <summary>The piped object the values came from, kept to explain a missing amount; null for the command line.</summary>
        private PSObject? _source;

        private enum Field { Amount, ZipCode, Age, Gender, UserId, IssuedAt, NotificationKey, ForceManualConfirm, AdditionalClaims }

        /// <summary>Parameter names and aliases, as property names of piped objects (CSV columns).</summary>
        private static readonly Dictionary<string, Field> FieldsByName = new Dictionary<string, Field>(StringComparer.OrdinalIgnoreCase)
        {
            ["Amount"] = Field.Amount,
            ["ZipCode"] = Field.ZipCode, ["cp"] = Field.ZipCode,
            ["Age"] = Field.Age,
            ["Gender"] = Field.Gender,
            ["UserId"] = Field.UserId,
            ["IssuedAt"] = Field.IssuedAt, ["iat"] = Field.IssuedAt,
            ["NotificationKey"] = Field.NotificationKey,
            ["ForceManualConfirm"] = Field.ForceManualConfirm,
            ["AdditionalClaims"] = Field.AdditionalClaims,
        };

        /// <summary>
        /// Reads the claim properties of a piped object in one pass over its properties, the way
        /// binding by property name would (same names and aliases, case-insensitive). Dictionaries
        /// (hashtables) are read by key.
        /// </summary>
        public static ClaimInput FromObject(PSObject input)
        {
            var claims = new ClaimInput { _source = input };
            if (input.BaseObject is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Key is string key && FieldsByName.TryGetValue(key, out var field)) { claims.Set(field, entry.Value); }
                }
                return claims;
            }
            if (input.BaseObject is PSCustomObject && InstanceMembers is { } instanceMembers && IsPlainCustomObject(input))
            {
                // A plain PSCustomObject (Import-Csv rows, [pscustomobject]@{...}) has only note
                // properties; reading them directly skips building the integrated member view per object.
                foreach (var member in instanceMembers(input))
                {
                    if (member is PSPropertyInfo property && FieldsByName.TryGetValue(property.Name, out var field))
                    {
                        claims.Set(field, property.Value);
                    }
                }
                return claims;
            }
            foreach (var property in input.Properties)
            {
                if (FieldsByName.TryGetValue(property.Name, out var field) && property.IsGettable)
                {
                    claims.Set(field, property.Value);
                }
            }
            return claims;
        }

        /// <summary>
        /// PSObject's own (instance) members, read through its non-public accessor. Enumerating
        /// PSObject.Properties merges instance, type-data and adapted members into a new collection for
        /// every object, which costs more than everything else New-InitializationToken does per row.
        /// Null when this PowerShell has no such accessor; the public path is used then.
        /// </summary>
        private static readonly Func<PSObject, IEnumerable<PSMemberInfo>>? InstanceMembers = CreateInstanceMembersAccessor();

        private static Func<PSObject, IEnumerable<PSMemberInfo>>? CreateInstanceMembersAccessor()
        {
            try
            {
                var getter = typeof(PSObject).GetProperty("InstanceMembers", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
                    ?.GetGetMethod(nonPublic: true);
                return getter is null || !typeof(IEnumerable<PSMemberInfo>).IsAssignableFrom(getter.ReturnType)
                    ? null
                    : (Func<PSObject, IEnumerable<PSMemberInfo>>)getter.CreateDelegate(typeof(Func<PSObject, IEnumerable<PSMemberInfo>>));
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>
        /// True for custom objects whose type names are the built-in ones (Import-Csv's "CSV:" names
        /// included), for which no type data can add members; objects with a PSTypeName of the user's
        /// take the public path, which honours Update-TypeData.
        /// </summary>
        private static bool IsPlainCustomObject(PSObject input)
        {
            var names = input.TypeNames;
            foreach (var name in names)
            {
                if (name != "System.Management.Automation.PSCustomObject" && name != "System.Object" && !name.StartsWith("CSV:", StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>Values given on the command line win over the piped object's, as in parameter binding.</summary>
        public void OverrideWith(ClaimInput commandLine)
        {
            Amount = commandLine.Amount ?? Amount;
            ZipCode = commandLine.ZipCode ?? ZipCode;
            Age = commandLine.Age ?? Age;
            Gender = commandLine.Gender ?? Gender;
            UserId = commandLine.UserId ?? UserId;
            IssuedAt = commandLine.IssuedAt ?? IssuedAt;
            NotificationKey = commandLine.NotificationKey ?? NotificationKey;
            ForceManualConfirm = commandLine.ForceManualConfirm ?? ForceManualConfirm;
            AdditionalClaims = commandLine.AdditionalClaims ?? AdditionalClaims;
        }

        private void Set(Field field, object? value)
        {
            value = Unwrap(value);
            // An empty CSV cell means the column does not apply to this row.
            if (value is string { Length: 0 }) { value = null; }
            switch (field)
            {
                case Field.Amount: Amount = value; break;
                case Field.ZipCode: ZipCode = value; break;
                case Field.Age: Age = value; break;
                case Field.Gender: Gender = value; break;
                case Field.UserId: UserId = value; break;
                case Field.IssuedAt: IssuedAt = value; break;
                case Field.NotificationKey: NotificationKey = value; break;
                case Field.ForceManualConfirm: ForceManualConfirm = value; break;
                case Field.AdditionalClaims: AdditionalClaims = value; break;
            }
        }

        /// <summary>Converts to the API's types, fills defaults and validates; throws ClaimValidationException.</summary>
        public InitializationClaims ToClaims(long nowUnixSeconds)
        {
            var claims = new InitializationClaims
            {
                Amount = Amount is null
                    ? throw new ClaimValidationException("AmountMissing", "amount", DescribeMissingAmount(_source))
                    : ToDecimal(Amount, "amount", "AmountInvalid"),
                ZipCode = ZipCode is null ? null : ToText(ZipCode),
                Age = Age is null ? null : ToInt(Age, "age", "AgeInvalid"),
                Gender = Gender is null ? null : ToGender(Gender),
                UserId = UserId is null ? null : ToText(UserId),
                IssuedAt = IssuedAt is null ? nowUnixSeconds : ToUnixSeconds(IssuedAt),
                NotificationKey = NotificationKey is null ? InitializationClaims.NewNotificationKey() : ToText(NotificationKey),
                ForceManualConfirm = ForceManualConfirm is null ? null : ToBool(ForceManualConfirm),
                AdditionalClaims = AdditionalClaims is null ? null : ToAdditionalClaims(AdditionalClaims),
            };
            claims.Validate();
            return claims;
        }

        // A PSCustomObject's members live on its PSObject wrapper, so that wrapper is kept.
        private static object? Unwrap(object? value) =>
            value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : value;

        private static string ToText(object value) => value switch
        {
            string s => s,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        /// <summary>
        /// Numbers given as numbers are taken as they are; text only in the strict form of
        /// <see cref="ClaimNumbers"/>, whatever the current culture. Nothing is ever reinterpreted.
        /// </summary>
        private static decimal ToDecimal(object value, string claim, string errorId, bool wholeNumber = false)
        {
            switch (value)
            {
                case decimal m: return m;
                case int i: return i;
                case long l: return l;
                case short or byte or sbyte or ushort or uint or ulong: return Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                // A cast would round to 15 digits and change 1234567890.1234567 silently; the shortest text
                // of the double keeps every digit, and the claim rules then refuse what the API cannot carry.
                case double d when double.IsFinite(d) && Math.Abs(d) < 7.9e28: return decimal.Parse(d.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
                case float f when float.IsFinite(f) && Math.Abs(f) < 7.9e28f: return decimal.Parse(f.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
                case string s when ClaimNumbers.TryParse(s, out var parsed): return parsed;
                case string s: throw new ClaimValidationException(errorId, claim, ClaimNumbers.DescribeRejectedText(claim, s, wholeNumber));
                case IList { Count: > 1 } list:
                    // An unquoted -Amount 12,5 reaches us as the list 12, 5.
                    var items = new List<string>();
                    foreach (var item in list) { items.Add(Describe(Unwrap(item) ?? string.Empty)); }
                    throw new ClaimValidationException(errorId, claim,
                        $"{claim} is a list of {list.Count} values ({string.Join(", ", items)}): PowerShell reads an unquoted comma as a list separator. " +
                        $"Give one number{(wholeNumber ? string.Empty : $", with '.' for decimals: {string.Join(".", items)}")}.");
            }
            throw new ClaimValidationException(errorId, claim, $"{claim} must be a number; got {Article(value)} '{Describe(value)}'.");
        }

        private static int ToInt(object value, string claim, string errorId)
        {
            var number = ToDecimal(value, claim, errorId, wholeNumber: true);
            if (number != decimal.Truncate(number))
            {
                throw new ClaimValidationException(errorId, claim,
                    $"{claim} {number.ToString(CultureInfo.InvariantCulture)} is not a whole number; fractions are refused, not rounded. Give whole digits, e.g. 34.");
            }
            if (number < int.MinValue || number > int.MaxValue)
            {
                throw new ClaimValidationException(errorId, claim, $"{claim} {number.ToString(CultureInfo.InvariantCulture)} is out of range for a whole number.");
            }
            return (int)number;
        }

        /// <summary>"a Hashtable", "an Int32 array": the type of a value people can read in a sentence.</summary>
        private static string Article(object value)
        {
            var name = value.GetType().Name;
            return ("AEIOUaeiou".IndexOf(name[0]) >= 0 ? "an " : "a ") + name;
        }

        private static string ToGender(object value)
        {
            var text = ToText(value).Trim();
            if (text.Length == 1 && (text[0] == 'm' || text[0] == 'f')) { return text.ToUpperInvariant(); }
            return text;
        }

        private static bool ToBool(object value)
        {
            switch (value)
            {
                case bool b: return b;
                case SwitchParameter s: return s.IsPresent;
                case int i when i is 0 or 1: return i == 1;
                case string s when bool.TryParse(s.Trim(), out var parsed): return parsed;
                case string s when s.Trim() is "0" or "1": return s.Trim() == "1";
            }
            throw new ClaimValidationException("ForceManualConfirmInvalid", "forceManualConfirm",
                $"forceManualConfirm must be true or false; got '{Describe(value)}'.");
        }

        private static long ToUnixSeconds(object value)
        {
            switch (value)
            {
                case DateTimeOffset offset: return offset.ToUnixTimeSeconds();
                case DateTime time: return new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Local) : time).ToUnixTimeSeconds();
                case int or long or uint or short: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
                case double d when d == Math.Truncate(d) && Math.Abs(d) < 9e15: return (long)d;
                case decimal m when m == decimal.Truncate(m) && Math.Abs(m) < 9e15m: return (long)m;
                case string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds): return seconds;
                case string s when DateTimeOffset.TryParse(s.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var parsed): return parsed.ToUnixTimeSeconds();
            }
            throw new ClaimValidationException("IssuedAtInvalid", "iat",
                $"iat must be a date or whole Unix seconds; got '{Describe(value)}'.");
        }

        private static IReadOnlyList<KeyValuePair<string, object?>> ToAdditionalClaims(object value)
        {
            var list = new List<KeyValuePair<string, object?>>();
            switch (Unwrap(value))
            {
                case IDictionary dictionary:
                    var entries = new List<KeyValuePair<string, object?>>();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (entry.Key is not string key)
                        {
                            throw new ClaimValidationException("AdditionalClaimInvalid", "AdditionalClaims", "every additional claim name must be a string.");
                        }
                        entries.Add(new KeyValuePair<string, object?>(key, ToJsonValue(entry.Value)));
                    }
                    // A plain hashtable has no order; sort it so the same input always signs the same bytes.
                    if (dictionary is Hashtable) { entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key)); }
                    return entries;
                case PSObject custom when custom.BaseObject is PSCustomObject:
                    foreach (var property in custom.Properties)
                    {
                        list.Add(new KeyValuePair<string, object?>(property.Name, ToJsonValue(property.Value)));
                    }
                    return list;
            }
            throw new ClaimValidationException("AdditionalClaimInvalid", "AdditionalClaims",
                $"AdditionalClaims must be a hashtable or an object; got {value.GetType().Name}.");
        }

        /// <summary>Unwraps PSObjects and turns PSCustomObjects into ordered dictionaries, recursively.</summary>
        private static object? ToJsonValue(object? value)
        {
            var raw = Unwrap(value);
            switch (raw)
            {
                case PSObject custom:
                    var members = new System.Collections.Specialized.OrderedDictionary();
                    foreach (var property in custom.Properties) { members[property.Name] = ToJsonValue(property.Value); }
                    return members;
                case IDictionary dictionary:
                    var copy = new System.Collections.Specialized.OrderedDictionary();
                    foreach (DictionaryEntry entry in dictionary) { copy[entry.Key] = ToJsonValue(entry.Value); }
                    return copy;
                case string or null:
                    return raw;
                case IEnumerable items:
                    var array = new List<object?>();
                    foreach (var item in items) { array.Add(ToJsonValue(item)); }
                    return array;
                default:
                    return raw;
            }
        }

        /// <summary>The property (column) names of a piped object, or the keys of a dictionary, in their order.</summary>
        public static List<string> NamesOf(PSObject input)
        {
            var names = new List<string>();
            if (input.BaseObject is IDictionary dictionary)
            {
                foreach (var key in dictionary.Keys) { names.Add(key?.ToString() ?? string.Empty); }
                return names;
            }
            foreach (var property in input.Properties) { names.Add(property.Name); }
            return names;
        }

        /// <summary>True for a name that is a claim parameter or one of its aliases.</summary>
        public static bool IsKnownName(string name) => FieldsByName.ContainsKey(name);

        /// <summary>Why no amount was found, in terms of what the input has, and how to fix it.</summary>
        private static string DescribeMissingAmount(PSObject? source)
        {
            if (source is null)
            {
                return "amount is required: give -Amount with a positive number, e.g. -Amount 12.5.";
            }
            if (source.BaseObject is string or ValueType)
            {
                return $"amount is required, and the input is {Article(source.BaseObject)} '{Describe(source.BaseObject)}', not an object with an amount property. " +
                    "Pipe objects (CSV rows, hashtables) with an amount column, or give -Amount.";
            }
            var names = NamesOf(source);
            foreach (var name in names)
            {
                if (string.Equals(name, "amount", StringComparison.OrdinalIgnoreCase))
                {
                    return "amount is required, and this row's amount is empty. Fill it with a positive number such as 12.5, or leave the row out.";
                }
            }
            if (names.Count == 0)
            {
                return "amount is required, and the input has no properties at all. Pipe objects (CSV rows, hashtables) with an amount column, or give -Amount.";
            }
            var listed = new List<string>();
            foreach (var name in names) { listed.Add($"'{Clip(name, 40)}'"); }
            if (listed.Count > 12) { listed.RemoveRange(12, listed.Count - 12); listed.Add("…"); }
            var message = $"amount is required, and the input has no amount column; its columns are {string.Join(", ", listed)}.";
            foreach (var name in names)
            {
                foreach (var delimiter in new[] { ';', ',', '\t', '|' })
                {
                    if (name.IndexOf(delimiter) >= 0)
                    {
                        var shown = delimiter == '\t' ? "`t" : delimiter.ToString();
                        return message + $" The column name '{Clip(name, 40)}' holds '{shown}': the file looks separated by '{shown}', so read it with Import-Csv -Delimiter '{shown}'.";
                    }
                }
            }
            return message + " Name a column amount (or rename one on the way, e.g. Select-Object @{ Name = 'amount'; Expression = { $_.montant } }, *), or give -Amount.";
        }

        private static string Clip(string text, int length) => text.Length > length ? text.Substring(0, length) + "…" : text;

        private static string Describe(object value)
        {
            return Clip(ToText(value), 64);
        }
    }
}
