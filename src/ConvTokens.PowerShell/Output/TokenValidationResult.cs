using System;
using System.Collections.Specialized;

namespace ConvTokens.PowerShell
{
    /// <summary>The outcome of Test-Token for one token: valid or not, why, and what it says.</summary>
    public sealed class TokenValidationResult
    {
        internal TokenValidationResult(string token, bool isValid, string reason, string? message, OrderedDictionary? header, OrderedDictionary? claims)
        {
            Token = token;
            IsValid = isValid;
            Reason = reason;
            Message = message;
            Header = header;
            Claims = claims;
        }

        public bool IsValid { get; }
        /// <summary>'None' for a valid token, else one of the TokenFailure names (InvalidSignature, Expired, ...).</summary>
        public string Reason { get; }
        public string? Message { get; }
        public OrderedDictionary? Header { get; }
        public OrderedDictionary? Claims { get; }
        public string Token { get; }

        public string? Algorithm => Header?["alg"] as string;
        public string? NotificationKey => Claims?["notificationKey"] as string;
        public string? UserId => Claims?["userId"] as string;
        public object? Amount => Claims?["amount"];
        public DateTimeOffset? IssuedAt => Claims?["iat"] is long iat && iat is >= -62135596800 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(iat) : null;

        public override string ToString() => IsValid ? "Valid" : $"Invalid ({Reason}): {Message}";
    }
}
