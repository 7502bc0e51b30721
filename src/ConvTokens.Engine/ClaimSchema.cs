using System;
using System.Collections.Generic;
using System.Globalization;

namespace ConvTokens.Engine
{
    /// <summary>The JSON shape of a claim's value, which decides how it is read, written and checked.</summary>
    public enum ClaimKind
    {
        /// <summary>A positive JSON number with decimals (money).</summary>
        Amount,
        /// <summary>A whole JSON number, zero or more.</summary>
        WholeNumber,
        /// <summary>A whole JSON number of Unix seconds.</summary>
        UnixSeconds,
        /// <summary>A JSON string.</summary>
        Text,
        /// <summary>A JSON boolean.</summary>
        Boolean,
    }

    /// <summary>One claim of an initialization token: its JSON name, how callers name it, its JSON kind and rules.</summary>
    public sealed class ClaimDefinition
    {
        private readonly Func<object, string?>? _rule;
        private readonly Func<object, string?>? _signingRule;
        private readonly Func<string, string>? _normalizeText;

        internal ClaimDefinition(int index, string name, string parameter, ClaimKind kind, bool required, string[] aliases, Func<object, string?>? rule,
            Func<object, string?>? signingRule = null, Func<string, string>? normalizeText = null)
        {
            _signingRule = signingRule;
            _normalizeText = normalizeText;
            Index = index;
            Name = name;
            Parameter = parameter;
            Kind = kind;
            Required = required;
            Aliases = aliases;
            _rule = rule;
            JsonMemberPrefix = "\"" + name + "\":";
        }

        /// <summary>Position in the payload: claims are written in schema order.</summary>
        public int Index { get; }

        /// <summary>The claim's JSON member name, case-sensitive as JWT says ("cp", "userId").</summary>
        public string Name { get; }

        /// <summary>The cmdlet parameter and output property ("ZipCode"); with the aliases, the names a piped object's properties may have.</summary>
        public string Parameter { get; }

        public IReadOnlyList<string> Aliases { get; }

        public ClaimKind Kind { get; }

        /// <summary>The API requires it in every token (a verifier's MissingClaim when absent).</summary>
        public bool Required { get; }

        /// <summary>The error id for a value this claim cannot take ("ZipCodeInvalid").</summary>
        public string InvalidErrorId => Parameter + "Invalid";

        internal string JsonMemberPrefix { get; }

        /// <summary>
        /// Why a value of the right kind breaks what the API states for the claim, as a sentence naming the
        /// claim; null when it holds. The verifier checks this on any token.
        /// </summary>
        public string? Problem(object value) => _rule?.Invoke(value);

        /// <summary>
        /// <see cref="Problem"/>, then what ConvTokens itself never signs although the API's words allow it
        /// (an empty cp, a blank notificationKey, an iat before 1970).
        /// </summary>
        public string? SigningProblem(object value) => Problem(value) ?? _signingRule?.Invoke(value);

        /// <summary>What a caller's text becomes before the rule is checked (gender "m" is "M"); the text itself for most claims.</summary>
        public string NormalizeText(string text) => _normalizeText?.Invoke(text) ?? text;

        public override string ToString() => Name;
    }

    /// <summary>
    /// The claims of an initialization token, in payload order: the one place that knows their names,
    /// parameter names and aliases, JSON kinds and rules. Input reading, validation, the JSON writer, the
    /// output type and the verifier all read it, so a claim the vendor adds is one entry here.
    /// </summary>
    public static class ClaimSchema
    {
        /// <summary>The last second DateTimeOffset can show (9999-12-31T23:59:59Z), so every iat has a date.</summary>
        public const long MaxUnixSeconds = 253402300799;

        private static readonly string[] NoAliases = Array.Empty<string>();

        public static readonly ClaimDefinition Amount = new ClaimDefinition(0, "amount", "Amount", ClaimKind.Amount, required: true, NoAliases,
            rule: value => (decimal)value > 0m ? null : $"amount must be a positive number; got {Invariant(value)}.");

        public static readonly ClaimDefinition ZipCode = new ClaimDefinition(1, "cp", "ZipCode", ClaimKind.Text, required: false, new[] { "cp" },
            rule: null,
            signingRule: value => ((string)value).Length > 0 ? null : "cp (zip code) must not be empty; omit it instead.");

        public static readonly ClaimDefinition Age = new ClaimDefinition(2, "age", "Age", ClaimKind.WholeNumber, required: false, NoAliases,
            rule: value => Convert.ToInt64(value, CultureInfo.InvariantCulture) >= 0 ? null : $"age must be zero or more; got {Invariant(value)}.");

        public static readonly ClaimDefinition Gender = new ClaimDefinition(3, "gender", "Gender", ClaimKind.Text, required: false, NoAliases,
            rule: value => (string)value is "M" or "F" ? null : $"gender must be 'M' or 'F'; got '{value}'.",
            normalizeText: text => text.Trim() switch { "m" or "M" => "M", "f" or "F" => "F", var other => other });

        public static readonly ClaimDefinition UserId = new ClaimDefinition(4, "userId", "UserId", ClaimKind.Text, required: false, NoAliases,
            rule: null,
            signingRule: value => ((string)value).Length > 0 ? null : "userId must not be empty; omit it instead.");

        public static readonly ClaimDefinition IssuedAt = new ClaimDefinition(5, "iat", "IssuedAt", ClaimKind.UnixSeconds, required: true, new[] { "iat" },
            rule: null,
            signingRule: value => Convert.ToInt64(value, CultureInfo.InvariantCulture) is > 0 and <= MaxUnixSeconds ? null
                : $"iat must be a positive number of Unix seconds up to {MaxUnixSeconds} (the year 9999); got {Invariant(value)}.");

        public static readonly ClaimDefinition NotificationKey = new ClaimDefinition(6, "notificationKey", "NotificationKey", ClaimKind.Text, required: true, NoAliases,
            rule: value => ((string)value).Length > 0 ? null : "notificationKey must be a non-empty string.",
            signingRule: value => string.IsNullOrWhiteSpace((string)value) ? "notificationKey must not be blank; omit it to have one generated." : null);

        public static readonly ClaimDefinition ForceManualConfirm = new ClaimDefinition(7, "forceManualConfirm", "ForceManualConfirm", ClaimKind.Boolean, required: false, NoAliases,
            rule: null);

        /// <summary>Every claim, in payload order (Index).</summary>
        public static readonly IReadOnlyList<ClaimDefinition> All = new[] { Amount, ZipCode, Age, Gender, UserId, IssuedAt, NotificationKey, ForceManualConfirm };

        private static readonly Dictionary<string, ClaimDefinition> ByInputName = CreateInputNames();

        /// <summary>The claim a parameter name, alias or claim name stands for, without regard to case (CSV columns).</summary>
        public static bool TryFindByInputName(string name, out ClaimDefinition definition) => ByInputName.TryGetValue(name, out definition!);

        /// <summary>The claim a JSON member name is, compared as JWT compares names: exactly.</summary>
        public static ClaimDefinition? FindByName(string name)
        {
            foreach (var definition in All)
            {
                if (string.Equals(definition.Name, name, StringComparison.Ordinal)) { return definition; }
            }
            return null;
        }

        private static Dictionary<string, ClaimDefinition> CreateInputNames()
        {
            var names = new Dictionary<string, ClaimDefinition>(StringComparer.OrdinalIgnoreCase);
            foreach (var definition in All)
            {
                names[definition.Parameter] = definition;
                names[definition.Name] = definition;
                foreach (var alias in definition.Aliases) { names[alias] = definition; }
            }
            return names;
        }

        private static string Invariant(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
