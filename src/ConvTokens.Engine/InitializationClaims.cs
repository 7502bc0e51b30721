using System;
using System.Collections.Generic;

namespace ConvTokens.Engine
{
    /// <summary>The claims of one initialization token, in the vendor's types; null means "not sent".</summary>
    public sealed class InitializationClaims
    {
        /// <summary>Claim names the module writes itself, in the order they appear in the payload.</summary>
        public static readonly IReadOnlyList<string> ReservedNames = new[]
        {
            "amount", "cp", "age", "gender", "userId", "iat", "notificationKey", "forceManualConfirm",
        };

        public decimal Amount { get; set; }
        public string? ZipCode { get; set; }
        public int? Age { get; set; }
        public string? Gender { get; set; }
        public string? UserId { get; set; }
        public long IssuedAt { get; set; }
        public string NotificationKey { get; set; } = string.Empty;
        public bool? ForceManualConfirm { get; set; }

        /// <summary>Extra claims appended after the reserved ones, in this order.</summary>
        public IReadOnlyList<KeyValuePair<string, object?>>? AdditionalClaims { get; set; }

        public static string NewNotificationKey() => Guid.NewGuid().ToString("N");

        /// <summary>Checks every rule the API states; throws <see cref="ClaimValidationException"/> naming the claim.</summary>
        public void Validate()
        {
            if (Amount <= 0m)
            {
                throw new ClaimValidationException("AmountInvalid", "amount", $"amount must be a positive number; got {Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }
            if (ClaimNumbers.SignificantDigits(Amount) > ClaimNumbers.MaxSignificantDigits)
            {
                throw new ClaimValidationException("AmountInvalid", "amount",
                    $"amount {Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} has more than {ClaimNumbers.MaxSignificantDigits} significant digits, " +
                    "which the API's JSON numbers cannot carry unchanged; round it yourself.");
            }
            if (ZipCode is not null && ZipCode.Length == 0)
            {
                throw new ClaimValidationException("ZipCodeInvalid", "cp", "cp (zip code) must not be empty; omit it instead.");
            }
            if (Age is int age && age < 0)
            {
                throw new ClaimValidationException("AgeInvalid", "age", $"age must be zero or more; got {age}.");
            }
            if (Gender is not null && Gender != "M" && Gender != "F")
            {
                throw new ClaimValidationException("GenderInvalid", "gender", $"gender must be 'M' or 'F'; got '{Gender}'.");
            }
            if (UserId is not null && UserId.Length == 0)
            {
                throw new ClaimValidationException("UserIdInvalid", "userId", "userId must not be empty; omit it instead.");
            }
            if (IssuedAt <= 0)
            {
                throw new ClaimValidationException("IssuedAtInvalid", "iat", $"iat must be a positive number of Unix seconds; got {IssuedAt}.");
            }
            if (string.IsNullOrWhiteSpace(NotificationKey))
            {
                throw new ClaimValidationException("NotificationKeyInvalid", "notificationKey", "notificationKey must not be empty; omit it to have one generated.");
            }
            if (AdditionalClaims is { } extra)
            {
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var pair in extra)
                {
                    if (string.IsNullOrEmpty(pair.Key))
                    {
                        throw new ClaimValidationException("AdditionalClaimInvalid", "AdditionalClaims", "an additional claim has an empty name.");
                    }
                    foreach (var reserved in ReservedNames)
                    {
                        if (string.Equals(reserved, pair.Key, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new ClaimValidationException("AdditionalClaimReserved", pair.Key,
                                $"additional claim '{pair.Key}' collides with the reserved claim '{reserved}'; set it through its own parameter.");
                        }
                    }
                    if (!seen.Add(pair.Key))
                    {
                        throw new ClaimValidationException("AdditionalClaimInvalid", pair.Key, $"additional claim '{pair.Key}' is given twice.");
                    }
                    ClaimsJson.EnsureSerializable(pair.Key, pair.Value, 0);
                }
            }
        }
    }

    /// <summary>A claim value the API would refuse; <see cref="ErrorId"/> is stable and becomes the ErrorRecord id.</summary>
    public sealed class ClaimValidationException : ArgumentException
    {
        public ClaimValidationException(string errorId, string claim, string message) : base(message)
        {
            ErrorId = errorId;
            Claim = claim;
        }

        public string ErrorId { get; }
        public string Claim { get; }
    }
}
