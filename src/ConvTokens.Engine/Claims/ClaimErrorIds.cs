namespace ConvTokens.Engine.Claims
{
    /// <summary>
    /// The error ids the engine's claim rules raise (<see cref="ClaimValidationException.ErrorId"/>), in one place
    /// the module's ErrorCatalog reads: these, and per schema claim its <see cref="ClaimDefinition.InvalidErrorId"/>
    /// and, for a required claim, its <see cref="ClaimDefinition.MissingErrorId"/>.
    /// </summary>
    public static class ClaimErrorIds
    {
        /// <summary>An additional claim without a JSON form verifiers accept (a name, a value, a nesting, a time).</summary>
        public const string AdditionalClaimInvalid = nameof(AdditionalClaimInvalid);

        /// <summary>An additional claim named like a schema claim, in any case.</summary>
        public const string AdditionalClaimReserved = nameof(AdditionalClaimReserved);

        /// <summary>Claims that make a token longer than Test-Token and Get-SessionToken take.</summary>
        public const string ClaimsTooLarge = nameof(ClaimsTooLarge);

        internal static string Invalid(string parameter) => parameter + "Invalid";

        internal static string Missing(string parameter) => parameter + "Missing";
    }
}
