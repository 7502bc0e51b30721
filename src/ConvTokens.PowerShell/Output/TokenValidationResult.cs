using System;
using System.Collections.Specialized;
using ConvTokens.Engine;
using ConvTokens.Engine.Claims;

namespace ConvTokens.PowerShell
{
    /// <summary>The outcome of Test-Token for one token: valid or not, why, and what it says.</summary>
    public sealed class TokenValidationResult
    {
        private readonly VerificationResult _outcome;

        internal TokenValidationResult(string token, VerificationResult outcome)
        {
            Token = token;
            _outcome = outcome;
        }

        public bool IsValid => _outcome.IsValid;
        /// <summary>'None' for a valid token, else one of the TokenFailure names (InvalidSignature, Expired, ...).</summary>
        public string Reason => _outcome.Failure.ToString();
        public string? Message => _outcome.Message;
        /// <summary>The decoded header members, or null when the header could not be decoded.</summary>
        public OrderedDictionary? Header => _outcome.Header;
        /// <summary>The decoded claims, or null when the payload could not be decoded.</summary>
        public OrderedDictionary? Claims => _outcome.Claims;
        public string Token { get; }

        public string? Algorithm => Header?["alg"] as string;
        public string? NotificationKey => Claims?[ClaimSchema.NotificationKey.Name] as string;
        public string? UserId => Claims?[ClaimSchema.UserId.Name] as string;
        /// <summary>The amount claim as [decimal]; null when missing or not a number a decimal holds exactly (Claims keeps it raw).</summary>
        public decimal? Amount => SignedAmount.From(Claims?[ClaimSchema.Amount.Name]);
        /// <summary>The iat claim as a date; null when missing or no whole seconds a date can show.</summary>
        public DateTimeOffset? IssuedAt => UnixTimeClaim.ToDate(Claims?[ClaimSchema.IssuedAt.Name]);

        public override string ToString() => IsValid ? "Valid" : $"Invalid ({Reason}): {Message}";
    }
}
