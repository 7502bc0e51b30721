using System;
using System.Collections.Specialized;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell
{
    /// <summary>A signed one-time initialization token and the claims it carries.</summary>
    public sealed class InitializationToken
    {
        private readonly InitializationClaims _claims;
        private OrderedDictionary? _dictionary;

        internal InitializationToken(string token, InitializationClaims claims)
        {
            Token = token;
            _claims = claims;
        }

        /// <summary>The compact JWT (header.payload.signature). One use only.</summary>
        public string Token { get; }
        /// <summary>The amount as signed (12.5, never 12.50).</summary>
        public decimal Amount => SignedAmount.Normalize(_claims.Amount);
        public string? ZipCode => _claims.ZipCode;
        public int? Age => _claims.Age;
        public string? Gender => _claims.Gender;
        public string? UserId => _claims.UserId;
        public long IssuedAtUnixSeconds => _claims.IssuedAt;
        public DateTimeOffset IssuedAt => DateTimeOffset.FromUnixTimeSeconds(_claims.IssuedAt);
        public string NotificationKey => _claims.NotificationKey;
        public bool? ForceManualConfirm => _claims.ForceManualConfirm;

        /// <summary>Every claim in the payload, in payload order, additional claims included (built on first use).</summary>
        public OrderedDictionary Claims => _dictionary ??= ToDictionary(_claims);

        /// <summary>The compact token, so the object can stand wherever a token string is expected.</summary>
        public override string ToString() => Token;

        private static OrderedDictionary ToDictionary(InitializationClaims claims)
        {
            var result = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (var claim in ClaimSchema.All)
            {
                if (claims[claim] is { } value) { result[claim.Name] = value; }
            }
            if (claims.AdditionalClaims is not null)
            {
                foreach (var pair in claims.AdditionalClaims) { result[pair.Key] = pair.Value; }
            }
            return result;
        }
    }
}
