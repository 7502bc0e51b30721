using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using ConvTokens.Engine;
using ConvTokens.Engine.Claims;

namespace ConvTokens.PowerShell.Input
{
    /// <summary>
    /// The raw claim values of one input (bound parameters or the properties of a piped object), before
    /// conversion. Null means "not given". What is PowerShell's is done here (PSObjects and dictionaries read by
    /// the schema's names, switches, the list an unquoted 12,5 is, messages about columns); each value is then
    /// read by its claim's kind (ConvTokens.Engine.Claims), which holds the conversion rules.
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
            foreach (var claim in ClaimSchema.InPayloadOrder)
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
                    if (input._values[claim.Index] is { } value && !claim.Kind.IsJsonValue(value))
                    {
                        problem = $"its {claim.Name} is {ClaimKind.WithArticle(value.GetType().Name)}, not the JSON kind the claim takes.";
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
            if (given is string text) { return claim.Kind.Shows(text.Trim(), carried); }
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
            foreach (var claim in ClaimSchema.InPayloadOrder)
            {
                var raw = _values[claim.Index];
                try
                {
                    claims[claim] = raw is null ? DefaultFor(claim, nowUnixSeconds) : ConvertValue(claim, raw);
                }
                catch (ClaimValidationException invalid) when (raw is string text && _source is not null && _source.BaseObject is not IDictionary
                    && claim.Kind.ColumnFix(claim, text) is { } fix)
                {
                    // Rows of a file (not hashtables) fail alike row after row: say how to convert the column once.
                    throw new ClaimValidationException(invalid.ErrorId, invalid.Claim, invalid.Message + fix);
                }
            }
            claims.AdditionalClaims = _additionalClaims is null ? _signedAdditionalClaims : ToAdditionalClaims(_additionalClaims);
            claims.Validate();
            return claims;
        }

        /// <summary>The userId the input gave, as text, for naming the input in a message; null when none.</summary>
        public string? UserIdText => _values[ClaimSchema.UserId.Index] is { } userId ? ClaimKind.TextOf(userId) : null;

        private object? DefaultFor(ClaimDefinition claim, long nowUnixSeconds)
        {
            if (claim == ClaimSchema.Amount) { throw new ClaimValidationException(claim.MissingErrorId, claim.Name, DescribeMissingAmount(_source)); }
            if (claim == ClaimSchema.IssuedAt) { return nowUnixSeconds == _previousIssuedAt ? nowUnixSeconds + 1 : nowUnixSeconds; }
            if (claim == ClaimSchema.NotificationKey) { return InitializationClaims.NewNotificationKey(); }
            return null;
        }

        /// <summary>
        /// The claim a raw value stands for, read by the claim's kind once what only PowerShell hands over is
        /// taken apart: a switch, and the list an unquoted -Amount 12,5 is.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static object ConvertValue(ClaimDefinition claim, object raw) => raw switch
        {
            SwitchParameter flag when claim.Kind is BooleanClaim => claim.Kind.Read(claim, flag.IsPresent),
            IList { Count: > 1 } list when claim.Kind is NumberClaim number => throw UnquotedList(claim, number, list),
            _ => claim.Kind.Read(claim, raw),
        };

        /// <summary>PowerShell reads an unquoted comma as a list separator: -Amount 12,5 arrives as the list 12, 5.</summary>
        private static ClaimValidationException UnquotedList(ClaimDefinition claim, NumberClaim number, IList list)
        {
            var items = new List<string>();
            foreach (var item in list) { items.Add(Describe(Unwrap(item) ?? string.Empty)); }
            return new ClaimValidationException(claim.InvalidErrorId, claim.Name,
                $"{claim.Name} is a list of {list.Count} values ({string.Join(", ", items)}): PowerShell reads an unquoted comma as a list separator. " +
                $"Give one number{(number.Whole ? string.Empty : $", with '.' for decimals: {string.Join(".", items)}")}.");
        }

        // A PSCustomObject's members live on its PSObject wrapper, so that wrapper is kept.
        private static object? Unwrap(object? value) =>
            value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : value;

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
                return $"amount is required, and the input is {ClaimKind.WithArticle(source.BaseObject.GetType().Name)} '{Describe(source.BaseObject)}', not an object with an amount property. " +
                    "Pipe objects (CSV rows, hashtables) with an amount column, or give -Amount.";
            }
            var names = NamesOf(source);
            foreach (var name in names)
            {
                if (string.Equals(name, ClaimSchema.Amount.Name, StringComparison.OrdinalIgnoreCase))
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

        private static string Describe(object value) => ClaimKind.Shown(value);
    }
}
