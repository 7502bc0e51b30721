namespace ConvTokens.Engine.Claims
{
    /// <summary>
    /// A zip code (cp): a JSON string, so leading zeros stay ("01000"). A number given for it is taken as its
    /// digits; an empty one is never signed.
    /// </summary>
    public sealed class ZipCodeClaim : TextClaim
    {
        private protected override string Label(ClaimDefinition claim) => claim.Name + " (zip code)";
    }
}
