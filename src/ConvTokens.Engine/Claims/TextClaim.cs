using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ConvTokens.Engine.Claims
{
    /// <summary>
    /// A JSON string (userId, notificationKey). Any value is taken as its invariant text. An optional text claim
    /// is never signed empty (omit it instead); a required one (notificationKey, which New-InitializationToken
    /// generates when omitted) must be non-empty in any token and is never signed blank.
    /// </summary>
    public class TextClaim : ClaimKind
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override object Read(ClaimDefinition claim, object value) => Normalize(TextOf(value));

        /// <summary>What a caller's text becomes before the rules are checked; the text itself unless the kind says otherwise.</summary>
        public virtual string Normalize(string text) => text;

        public override string? Problem(ClaimDefinition claim, object value) =>
            claim.Required && ((string)value).Length == 0 ? $"{claim.Name} must be a non-empty string." : null;

        public override string? SigningProblem(ClaimDefinition claim, object value)
        {
            if (Problem(claim, value) is { } problem) { return problem; }
            var text = (string)value;
            if (claim.Required) { return string.IsNullOrWhiteSpace(text) ? $"{claim.Name} must not be blank; omit it to have one generated." : null; }
            return text.Length > 0 ? null : $"{Label(claim)} must not be empty; omit it instead.";
        }

        /// <summary>How a message names the claim.</summary>
        private protected virtual string Label(ClaimDefinition claim) => claim.Name;

        public override bool Shows(string text, object value) => Normalize(text) == (string)value;

        public override bool IsJsonValue(object value) => value is string;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal override void WriteJson(StringBuilder json, ClaimDefinition claim, object value)
        {
            var text = (string)value;
            if (ClaimsJson.AppendString(json, text) is var at && at >= 0) { throw ClaimsJson.LoneSurrogate(claim.InvalidErrorId, claim.Name, claim.Name, text, at); }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal override object? ReadJson(ClaimDefinition claim, in TokenJsonReader.Value member, out string? problem)
        {
            if (member.Type != JsonTokenType.String)
            {
                problem = $"{claim.Name} must be a JSON string; it is {member.Kind}.";
                return null;
            }
            problem = null;
            return member.Text!;
        }
    }
}
