using System;
using System.Collections.Generic;
using ConvTokens.Engine.Claims;

namespace ConvTokens.Engine
{
    /// <summary>One claim of an initialization token: its JSON name, how callers name it, whether it is required, and its kind.</summary>
    public sealed class ClaimDefinition
    {
        internal ClaimDefinition(int index, string name, string parameter, ClaimKind kind, bool required, params string[] aliases)
        {
            Index = index;
            Name = name;
            Parameter = parameter;
            Kind = kind;
            Required = required;
            Aliases = aliases;
            InvalidErrorId = ClaimErrorIds.Invalid(parameter);
            MissingErrorId = ClaimErrorIds.Missing(parameter);
            JsonMemberPrefix = "\"" + name + "\":";
        }

        /// <summary>Position in the payload: claims are written in schema order.</summary>
        public int Index { get; }

        /// <summary>The claim's JSON member name, case-sensitive as JWT says ("cp", "userId").</summary>
        public string Name { get; }

        /// <summary>The cmdlet parameter and output property ("ZipCode"); with the aliases, the names a piped object's properties may have.</summary>
        public string Parameter { get; }

        /// <summary>The parameter's aliases, which are also column names a row may use.</summary>
        public IReadOnlyList<string> Aliases { get; }

        /// <summary>How a value of the claim is read, checked, written as JSON and read back.</summary>
        public ClaimKind Kind { get; }

        /// <summary>The API requires it in every token (a verifier's MissingClaim when absent).</summary>
        public bool Required { get; }

        /// <summary>The error id for a value this claim cannot take ("ZipCodeInvalid").</summary>
        public string InvalidErrorId { get; }

        /// <summary>The error id for a required claim no input gives ("AmountMissing").</summary>
        public string MissingErrorId { get; }

        internal string JsonMemberPrefix { get; }

        /// <summary>Why a value breaks what the API states for the claim; null when it holds (<see cref="ClaimKind.Problem"/>).</summary>
        public string? Problem(object value) => Kind.Problem(this, value);

        /// <summary>Problem, then what ConvTokens itself never signs (<see cref="ClaimKind.SigningProblem"/>).</summary>
        public string? SigningProblem(object value) => Kind.SigningProblem(this, value);

        /// <summary>What a caller's text becomes before the rule is checked (gender "m" is "M"); the text itself for most claims.</summary>
        public string NormalizeText(string text) => Kind is TextClaim textKind ? textKind.Normalize(text) : text;

        public override string ToString() => Name;
    }

    /// <summary>
    /// The claims of an initialization token, in payload order: the one place that knows their names,
    /// parameter names and aliases, and kinds (Claims/, each kind's reading, rules and JSON). Input reading,
    /// validation, the JSON writer, the output types and the verifier all read it, so a claim the vendor adds
    /// is one entry here (and a parameter of New-InitializationToken, which a test holds to this list).
    /// </summary>
    public static class ClaimSchema
    {
        public static readonly ClaimDefinition Amount = new ClaimDefinition(0, "amount", "Amount", new AmountClaim(), required: true);

        public static readonly ClaimDefinition ZipCode = new ClaimDefinition(1, "cp", "ZipCode", new ZipCodeClaim(), required: false, "cp");

        public static readonly ClaimDefinition Age = new ClaimDefinition(2, "age", "Age", new WholeNumberClaim(), required: false);

        public static readonly ClaimDefinition Gender = new ClaimDefinition(3, "gender", "Gender", new GenderClaim(), required: false);

        public static readonly ClaimDefinition UserId = new ClaimDefinition(4, "userId", "UserId", new TextClaim(), required: false);

        public static readonly ClaimDefinition IssuedAt = new ClaimDefinition(5, "iat", "IssuedAt", new UnixTimeClaim(), required: true, "iat");

        public static readonly ClaimDefinition NotificationKey = new ClaimDefinition(6, "notificationKey", "NotificationKey", new TextClaim(), required: true);

        public static readonly ClaimDefinition ForceManualConfirm = new ClaimDefinition(7, "forceManualConfirm", "ForceManualConfirm", new BooleanClaim(), required: false);

        /// <summary>Every claim, in payload order (Index): the array the per-token loops walk without an enumerator.</summary>
        internal static readonly ClaimDefinition[] InPayloadOrder = { Amount, ZipCode, Age, Gender, UserId, IssuedAt, NotificationKey, ForceManualConfirm };

        /// <summary>Every claim, in payload order (Index).</summary>
        public static readonly IReadOnlyList<ClaimDefinition> All = InPayloadOrder;

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
    }
}
