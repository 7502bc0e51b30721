using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ConvTokens.Engine.Claims
{
    /// <summary>A JSON boolean (forceManualConfirm): true or false, 1 or 0, as a value or as text.</summary>
    public sealed class BooleanClaim : ClaimKind
    {
        public override object Read(ClaimDefinition claim, object value)
        {
            switch (value)
            {
                case bool b: return b;
                case int i when i is 0 or 1: return i == 1;
                case string s when bool.TryParse(s.Trim(), out var parsed): return parsed;
                case string s when s.Trim() is "0" or "1": return s.Trim() == "1";
            }
            throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, $"{claim.Name} must be true or false; got '{Shown(value)}'.");
        }

        public override bool Shows(string text, object value)
        {
            var flag = (bool)value;
            return (bool.TryParse(text, out var parsed) && parsed == flag) || text == (flag ? "1" : "0");
        }

        public override bool IsJsonValue(object value) => value is bool;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal override void WriteJson(StringBuilder json, ClaimDefinition claim, object value) => json.Append((bool)value ? "true" : "false");

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal override object? ReadJson(ClaimDefinition claim, in TokenJsonReader.Value member, out string? problem)
        {
            if (member.Type is not (JsonTokenType.True or JsonTokenType.False))
            {
                problem = $"{claim.Name} must be a JSON boolean; it is {member.Kind}.";
                return null;
            }
            problem = null;
            return member.Type == JsonTokenType.True;
        }
    }
}
