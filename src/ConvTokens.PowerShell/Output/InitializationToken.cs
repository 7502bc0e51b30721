using System;
using System.Collections.Specialized;

namespace ConvTokens.PowerShell
{
    /// <summary>A signed one-time initialization token and the claims it carries.</summary>
    public sealed class InitializationToken
    {
        internal InitializationToken(string token, OrderedDictionary claims, decimal amount, string? zipCode, int? age, string? gender,
            string? userId, long issuedAtUnixSeconds, string notificationKey, bool? forceManualConfirm)
        {
            Token = token;
            Claims = claims;
            Amount = amount;
            ZipCode = zipCode;
            Age = age;
            Gender = gender;
            UserId = userId;
            IssuedAtUnixSeconds = issuedAtUnixSeconds;
            NotificationKey = notificationKey;
            ForceManualConfirm = forceManualConfirm;
        }

        /// <summary>The compact JWT (header.payload.signature). One use only.</summary>
        public string Token { get; }
        public decimal Amount { get; }
        public string? ZipCode { get; }
        public int? Age { get; }
        public string? Gender { get; }
        public string? UserId { get; }
        public long IssuedAtUnixSeconds { get; }
        public DateTimeOffset IssuedAt => DateTimeOffset.FromUnixTimeSeconds(IssuedAtUnixSeconds);
        public string NotificationKey { get; }
        public bool? ForceManualConfirm { get; }
        /// <summary>Every claim in the payload, in payload order, additional claims included.</summary>
        public OrderedDictionary Claims { get; }

        /// <summary>The compact token, so the object can stand wherever a token string is expected.</summary>
        public override string ToString() => Token;
    }
}
