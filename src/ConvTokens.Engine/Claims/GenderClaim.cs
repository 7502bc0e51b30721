namespace ConvTokens.Engine.Claims
{
    /// <summary>Gender: the JSON string "M" or "F" exactly; a caller's m or f (white space around it ignored) is read as M or F.</summary>
    public sealed class GenderClaim : TextClaim
    {
        public override string Normalize(string text) => text.Trim() switch { "m" or "M" => "M", "f" or "F" => "F", var other => other };

        public override string? Problem(ClaimDefinition claim, object value) =>
            (string)value is "M" or "F" ? null : $"{claim.Name} must be 'M' or 'F'; got '{value}'.";
    }
}
