using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell.Input
{
    /// <summary>
    /// The raw claim values of one input (bound parameters or the properties of a piped object), before
    /// conversion. Null means "not given".
    /// </summary>
    internal sealed class ClaimInput
    {
        private const string AdditionalClaimsName = "AdditionalClaims";

        /// <summary>Raw values by <see cref="ClaimSchema"/> position.</summary>
        private readonly object?[] _values = new object?[ClaimSchema.All.Count];
        private object? _additionalClaims;

        /// <summary>The piped object the values came from, kept to explain a missing amount; null for the command line.</summary>
        private PSObject? _source;

        /// <summary>A token's additional claims, already in their JSON form, kept when an input is minted again from it.</summary>
        private IReadOnlyList<KeyValuePair<string, object?>>? _signedAdditionalClaims;

        /// <summary>The iat of the token this input mints again: the fresh iat is never that same second, so the bytes differ.</summary>
        private long? _previousIssuedAt;

        /// <summary>
        /// Reads the claims of a piped object by name, the way binding by property name would (the schema's
        /// parameter names, claim names and aliases, case-insensitive, the parameter name first). Dictionaries
        /// (hashtables) are read by key, by the same names in the same order.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static ClaimInput FromObject(PSObject input)
        {
            if (input.BaseObject is IDictionary dictionary)
            {
                var keys = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Key is string key) { keys.TryAdd(key, entry.Value); }
                }
                return FromNames(input, new KeyLookup(keys));
            }
            return FromNames(input, new PropertyLookup(input.Properties));
        }

        /// <summary>Per claim, the first of its names the input has (the parameter name before its alias), then AdditionalClaims.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static ClaimInput FromNames<TLookup>(PSObject source, TLookup lookup) where TLookup : struct, INameLookup
        {
            var claims = new ClaimInput { _source = source };
            foreach (var claim in ClaimSchema.All)
            {
                foreach (var name in InputNames[claim.Index])
                {
                    if (lookup.TryGet(name, out var value))
                    {
                        claims._values[claim.Index] = Given(value);
                        break;
                    }
                }
            }
            if (lookup.TryGet(AdditionalClaimsName, out var extra)) { claims._additionalClaims = Given(extra); }
            return claims;
        }

        private interface INameLookup
        {
            bool TryGet(string name, out object? value);
        }

        /// <summary>
        /// A piped object's properties by name. The public indexer finds a note property without building the
        /// object's whole member view, which enumerating Properties does per row.
        /// </summary>
        private readonly struct PropertyLookup : INameLookup
        {
            private readonly PSMemberInfoCollection<PSPropertyInfo> _properties;

            public PropertyLookup(PSMemberInfoCollection<PSPropertyInfo> properties) => _properties = properties;

            public bool TryGet(string name, out object? value)
            {
                if (_properties[name] is { IsGettable: true } property)
                {
                    value = property.Value;
                    return true;
                }
                value = null;
                return false;
            }
        }

        /// <summary>A dictionary's string keys, without regard to case.</summary>
        private readonly struct KeyLookup : INameLookup
        {
            private readonly Dictionary<string, object?> _keys;

            public KeyLookup(Dictionary<string, object?> keys) => _keys = keys;

            public bool TryGet(string name, out object? value) => _keys.TryGetValue(name, out value);
        }

        /// <summary>Per claim, the property names that supply it, the parameter name first: a row with both wins with it.</summary>
        private static readonly string[][] InputNames = CreateInputNames();

        private static string[][] CreateInputNames()
        {
            var names = new string[ClaimSchema.All.Count][];
            foreach (var claim in ClaimSchema.All)
            {
                var list = new List<string> { claim.Parameter };
                foreach (var other in new[] { claim.Name }.Concat(claim.Aliases))
                {
                    if (!list.Contains(other, StringComparer.OrdinalIgnoreCase)) { list.Add(other); }
                }
                names[claim.Index] = list.ToArray();
            }
            return names;
        }

        /// <summary>The claim parameters a cmdlet call bound on its command line.</summary>
        public static ClaimInput FromBoundParameters(IDictionary<string, object> bound)
        {
            var claims = new ClaimInput();
            foreach (var claim in ClaimSchema.All)
            {
                if (bound.TryGetValue(claim.Parameter, out var value)) { claims._values[claim.Index] = Unwrap(value); }
            }
            if (bound.TryGetValue(AdditionalClaimsName, out var extra)) { claims._additionalClaims = extra; }
            return claims;
        }

        /// <summary>Values given on the command line win over the piped object's, as in parameter binding.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void OverrideWith(ClaimInput commandLine)
        {
            for (var i = 0; i < _values.Length; i++)
            {
                _values[i] = commandLine._values[i] ?? _values[i];
            }
            _additionalClaims = commandLine._additionalClaims ?? _additionalClaims;
            if (commandLine._additionalClaims is not null) { _signedAdditionalClaims = null; }
        }

        /// <summary>
        /// The claims a compact token carries, read back exactly: null, with a <paramref name="problem"/>, when
        /// the payload is not one New-InitializationToken would sign in these bytes (so what is read back is
        /// never a changed copy). Not a verification: the signature is checked by the caller that needs it.
        /// </summary>
        public static InitializationClaims? ReadSigned(string token, out string? problem)
        {
            problem = null;
            if (!CompactJwt.TryFindDots(token, out var first, out var second) || token.Length > CompactJwt.MaximumLength
                || Engine.Exchange.JwtPeek.ReadClaims(token) is not { } payload)
            {
                problem = "its payload cannot be read as the JSON object of a token.";
                return null;
            }
            var input = new ClaimInput();
            List<KeyValuePair<string, object?>>? extra = null;
            foreach (System.Collections.DictionaryEntry member in payload)
            {
                var name = (string)member.Key;
                if (ClaimSchema.FindByName(name) is { } claim && member.Value is not null) { input._values[claim.Index] = member.Value; }
                else { (extra ??= new List<KeyValuePair<string, object?>>()).Add(new KeyValuePair<string, object?>(name, member.Value)); }
            }
            if (extra is not null)
            {
                var dictionary = new System.Collections.Specialized.OrderedDictionary(StringComparer.Ordinal);
                foreach (var pair in extra) { dictionary[pair.Key] = pair.Value; }
                input._additionalClaims = dictionary;
            }
            InitializationClaims claims;
            try
            {
                foreach (var claim in ClaimSchema.All)
                {
                    // The JSON kinds must be the schema's as they are: a cp sent as a number is not read as text.
                    if (input._values[claim.Index] is { } value && !IsJsonKindOf(claim, value))
                    {
                        problem = $"its {claim.Name} is {TokenInput.WithArticle(value.GetType().Name)}, not the JSON kind the claim takes.";
                        return null;
                    }
                }
                claims = input.ToClaims(0);
            }
            catch (ClaimValidationException invalid)
            {
                problem = $"its claims are not ones New-InitializationToken signs: {invalid.Message}";
                return null;
            }
            var payloadSegment = token.AsSpan(first + 1, second - first - 1);
            var written = Base64Url.Encode(System.Text.Encoding.UTF8.GetBytes(ClaimsJson.Write(claims)));
            if (!payloadSegment.SequenceEqual(written.AsSpan()) || !token.AsSpan(0, first).SequenceEqual(TokenSigner.HeaderSegment.AsSpan()))
            {
                problem = "its header or payload is not written as New-InitializationToken writes it, so its claims cannot be read back exactly.";
                return null;
            }
            return claims;
        }

        private static bool IsJsonKindOf(ClaimDefinition claim, object value) => claim.Kind switch
        {
            ClaimKind.Amount => value is long or decimal or double,
            ClaimKind.WholeNumber or ClaimKind.UnixSeconds => value is long,
            ClaimKind.Boolean => value is bool,
            _ => value is string,
        };

        /// <summary>
        /// An input that mints <paramref name="signed"/> again: the same claims, additional ones included, and a
        /// fresh iat that is never the spent token's second. Command-line values still win (OverrideWith).
        /// </summary>
        public static ClaimInput ForMintingAgain(InitializationClaims signed, PSObject? source)
        {
            var input = new ClaimInput { _source = source, _previousIssuedAt = signed.IssuedAt, _signedAdditionalClaims = signed.AdditionalClaims };
            foreach (var claim in ClaimSchema.All)
            {
                if (claim != ClaimSchema.IssuedAt) { input._values[claim.Index] = signed[claim]; }
            }
            return input;
        }

        /// <summary>
        /// Why this row's own claim columns disagree with the token it carries, or null when they agree. Text is
        /// compared with what the token's value is written as (invariant, this culture's number format, or a
        /// decimal comma as Export-Csv writes it elsewhere), never read as a number; iat columns are not compared,
        /// since minting again takes a fresh one, nor the claims <paramref name="commandLine"/> gives.
        /// </summary>
        public string? DisagreementWith(InitializationClaims signed, ClaimInput commandLine)
        {
            foreach (var claim in ClaimSchema.All)
            {
                // A value given on the command line replaces the claim, so the row's is not compared.
                if (claim == ClaimSchema.IssuedAt || commandLine._values[claim.Index] is not null || _values[claim.Index] is not { } given) { continue; }
                var carried = signed[claim];
                if (carried is not null && Agrees(claim, given, carried)) { continue; }
                var shown = Describe(given);
                var what = carried is null ? $"its token has no {claim.Name}" : $"its token carries {claim.Name} {Describe(carried)}";
                return $"the input's {claim.Parameter} '{shown}' disagrees with the token it carries ({what}). An input with the Token of an " +
                    $"InitializationToken is minted again from that token (a fresh iat, the same claims), so its columns are only checked. " +
                    $"Give -{claim.Parameter} to change the claim, or leave the Token column out to mint from the columns.";
            }
            return null;
        }

        private static bool Agrees(ClaimDefinition claim, object given, object carried)
        {
            if (given is string text)
            {
                text = text.Trim();
                switch (carried)
                {
                    case decimal amount:
                        return (ClaimNumbers.TryParse(text, out var number) && number == amount)
                            || text == amount.ToString(CultureInfo.CurrentCulture)
                            || text == amount.ToString(CultureInfo.InvariantCulture).Replace('.', ',');
                    case int whole:
                        return ClaimNumbers.TryParse(text, out var count) && count == whole;
                    case bool flag:
                        return (bool.TryParse(text, out var parsed) && parsed == flag) || text == (flag ? "1" : "0");
                    case string carriedText:
                        return claim.NormalizeText(text) == carriedText;
                }
                return false;
            }
            try { return Equals(ConvertValue(claim, given), carried); }
            catch (ClaimValidationException) { return false; }
        }


        /// <summary>The value as given, unwrapped; an empty CSV cell means the column does not apply to this row.</summary>
        private static object? Given(object? value)
        {
            value = Unwrap(value);
            return value is string { Length: 0 } ? null : value;
        }

        /// <summary>Converts to the API's types, fills defaults and validates; throws ClaimValidationException.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public InitializationClaims ToClaims(long nowUnixSeconds)
        {
            var claims = new InitializationClaims();
            foreach (var claim in ClaimSchema.All)
            {
                var raw = _values[claim.Index];
                try
                {
                    claims[claim] = raw is null ? DefaultFor(claim, nowUnixSeconds) : ConvertValue(claim, raw);
                }
                catch (ClaimValidationException invalid) when (claim.Kind == ClaimKind.Amount && raw is string text && IsDecimalComma(text)
                    && _source is not null && _source.BaseObject is not IDictionary)
                {
                    // A file written with decimal commas fails row after row: say how to convert the column once.
                    // Only for an unambiguous decimal comma ('12,5', not '1,000'), which the expression alone rewrites.
                    throw new ClaimValidationException(invalid.ErrorId, invalid.Claim, invalid.Message +
                        $" For a file written with decimal commas, convert the column on the way in: " +
                        $"Select-Object @{{ Name = '{claim.Name}'; Expression = {{ $_.{claim.Name} -replace '^(\\d+),(\\d{{1,2}})$', '$1.$2' }} }}, * -ExcludeProperty {claim.Name}");
                }
            }
            claims.AdditionalClaims = _additionalClaims is null ? _signedAdditionalClaims : ToAdditionalClaims(_additionalClaims);
            claims.Validate();
            return claims;
        }

        /// <summary>'12,5' or '0,99': digits, one comma, one or two digits (a cent amount, never a thousands group).</summary>
        private static bool IsDecimalComma(string text) =>
            System.Text.RegularExpressions.Regex.IsMatch(text.Trim(), @"^[0-9]+,[0-9]{1,2}$");

        /// <summary>The userId the input gave, as text, for naming the input in a message; null when none.</summary>
        public string? UserIdText => _values[ClaimSchema.UserId.Index] is { } userId ? ToText(userId) : null;

        private object? DefaultFor(ClaimDefinition claim, long nowUnixSeconds)
        {
            if (claim == ClaimSchema.Amount) { throw new ClaimValidationException(ErrorCatalog.AmountMissing, claim.Name, DescribeMissingAmount(_source)); }
            if (claim == ClaimSchema.IssuedAt) { return nowUnixSeconds == _previousIssuedAt ? nowUnixSeconds + 1 : nowUnixSeconds; }
            if (claim == ClaimSchema.NotificationKey) { return InitializationClaims.NewNotificationKey(); }
            return null;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static object ConvertValue(ClaimDefinition claim, object raw) => claim.Kind switch
        {
            // Without trailing zeros: 12.50 is signed as 12.5, and the objects show what was signed.
            ClaimKind.Amount => SignedAmount.Normalize(ToDecimal(raw, claim.Name, claim.InvalidErrorId)),
            ClaimKind.WholeNumber => ToInt(raw, claim.Name, claim.InvalidErrorId),
            ClaimKind.UnixSeconds => ToUnixSeconds(raw, claim),
            ClaimKind.Boolean => ToBool(raw, claim),
            _ => claim.NormalizeText(ToText(raw)),
        };

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
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
                // ClaimNumbers refuses what no decimal holds unchanged (1e-30 would be 0), never rounding it.
                case double d: return ClaimNumbers.FromBinary(d, single: false, claim, errorId);
                case float f: return ClaimNumbers.FromBinary(f, single: true, claim, errorId);
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
            throw new ClaimValidationException(errorId, claim, $"{claim} must be a number; got {TokenInput.WithArticle(value.GetType().Name)} '{Describe(value)}'.");
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        private static bool ToBool(object value, ClaimDefinition claim)
        {
            switch (value)
            {
                case bool b: return b;
                case SwitchParameter s: return s.IsPresent;
                case int i when i is 0 or 1: return i == 1;
                case string s when bool.TryParse(s.Trim(), out var parsed): return parsed;
                case string s when s.Trim() is "0" or "1": return s.Trim() == "1";
            }
            throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, $"{claim.Name} must be true or false; got '{Describe(value)}'.");
        }

        private static readonly string[] IsoDateFormats =
        {
            "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
            "yyyy-MM-ddTHH:mmK", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
            "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ssK",
        };

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static long ToUnixSeconds(object value, ClaimDefinition claim)
        {
            switch (value)
            {
                case DateTimeOffset offset: return offset.ToUnixTimeSeconds();
                case DateTime time: return new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Local) : time).ToUnixTimeSeconds();
                case int or long or uint or short: return Convert.ToInt64(value, CultureInfo.InvariantCulture);
                case double d when d == Math.Truncate(d) && Math.Abs(d) < 9e15: return (long)d;
                case decimal m when m == decimal.Truncate(m) && Math.Abs(m) < 9e15m: return (long)m;
                // NumberStyles.None: ASCII digits only, no sign, separator or exponent.
                case string s when long.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds): return seconds;
                // Dates as text only in ISO 8601: '01/02/2025' is 1 February in Paris and 2 January in New York.
                case string s when DateTimeOffset.TryParseExact(s.Trim(), IsoDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var parsed):
                    return parsed.ToUnixTimeSeconds();
            }
            throw new ClaimValidationException(claim.InvalidErrorId, claim.Name,
                $"{claim.Name} must be a date, whole Unix seconds (1700000000) or a date in ISO 8601 form ('2025-02-01' or '2025-02-01T09:30:00+01:00'); got '{Describe(value)}'.");
        }

        private static IReadOnlyList<KeyValuePair<string, object?>> ToAdditionalClaims(object value)
        {
            var list = new List<KeyValuePair<string, object?>>();
            switch (Unwrap(value))
            {
                case IDictionary dictionary:
                    var entries = new List<KeyValuePair<string, object?>>();
                    // The engine's order, so the same input signs the same bytes in every process.
                    foreach (DictionaryEntry entry in ClaimsJson.InSigningOrder(dictionary))
                    {
                        if (entry.Key is not string key)
                        {
                            throw new ClaimValidationException(ErrorCatalog.AdditionalClaimInvalid, AdditionalClaimsName, "every additional claim name must be a string.");
                        }
                        entries.Add(new KeyValuePair<string, object?>(key, ToJsonValue(entry.Value)));
                    }
                    return entries;
                case PSObject custom when custom.BaseObject is PSCustomObject:
                    foreach (var property in custom.Properties)
                    {
                        list.Add(new KeyValuePair<string, object?>(property.Name, ToJsonValue(property.Value)));
                    }
                    return list;
            }
            throw new ClaimValidationException(ErrorCatalog.AdditionalClaimInvalid, AdditionalClaimsName,
                $"AdditionalClaims must be a hashtable or an object; got {value.GetType().Name}.");
        }

        /// <summary>Unwraps PSObjects and turns PSCustomObjects and dictionaries into ordered dictionaries in signing order, recursively.</summary>
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
                    foreach (DictionaryEntry entry in ClaimsJson.InSigningOrder(dictionary)) { copy[entry.Key] = ToJsonValue(entry.Value); }
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

        /// <summary>The names claims are read from, for messages: "amount, cp/ZipCode, age, … and AdditionalClaims".</summary>
        public static readonly string KnownNamesText = string.Join(", ",
            ClaimSchema.All.Select(claim => string.Equals(claim.Name, claim.Parameter, StringComparison.OrdinalIgnoreCase) ? claim.Name : $"{claim.Name}/{claim.Parameter}"))
            + " and " + AdditionalClaimsName;

        /// <summary>True for a name that is a claim parameter, claim name or alias, or AdditionalClaims.</summary>
        public static bool IsKnownName(string name) =>
            ClaimSchema.TryFindByInputName(name, out _) || string.Equals(name, AdditionalClaimsName, StringComparison.OrdinalIgnoreCase);

        /// <summary>Why no amount was found, in terms of what the input has, and how to fix it.</summary>
        private static string DescribeMissingAmount(PSObject? source)
        {
            if (source is null)
            {
                return "amount is required: give -Amount with a positive number, e.g. -Amount 12.5.";
            }
            if (source.BaseObject is string or ValueType)
            {
                return $"amount is required, and the input is {TokenInput.WithArticle(source.BaseObject.GetType().Name)} '{Describe(source.BaseObject)}', not an object with an amount property. " +
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
            foreach (var name in names) { listed.Add($"'{JsonMembers.Clip(name)}'"); }
            if (listed.Count > 12) { listed.RemoveRange(12, listed.Count - 12); listed.Add("…"); }
            var message = $"amount is required, and the input has no amount column; its columns are {string.Join(", ", listed)}.";
            foreach (var name in names)
            {
                foreach (var delimiter in new[] { ';', ',', '\t', '|' })
                {
                    if (name.IndexOf(delimiter) >= 0)
                    {
                        var shown = delimiter == '\t' ? "`t" : delimiter.ToString();
                        return message + $" The column name '{JsonMembers.Clip(name)}' holds '{shown}': the file looks separated by '{shown}', so read it with Import-Csv -Delimiter '{shown}'.";
                    }
                }
            }
            return message + " Name a column amount (or rename one on the way, e.g. Select-Object @{ Name = 'amount'; Expression = { $_.montant } }, *), or give -Amount.";
        }

        private static string Describe(object value) => JsonMembers.Clip(ToText(value), 64);
    }
}
