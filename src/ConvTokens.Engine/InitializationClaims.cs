using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using ConvTokens.Engine.Claims;

namespace ConvTokens.Engine
{
    /// <summary>
    /// The claims of one initialization token, in the vendor's types, stored by <see cref="ClaimSchema"/>
    /// position; null means "not sent". The typed properties are conveniences over the same storage.
    /// </summary>
    public sealed class InitializationClaims
    {
        private readonly object?[] _values = new object?[ClaimSchema.All.Count];

        /// <summary>The value of a schema claim in its kind's type: decimal (amount), int (whole number), long (Unix time), string or bool; null when not sent.</summary>
        public object? this[ClaimDefinition claim]
        {
            get => _values[claim.Index];
            set => _values[claim.Index] = value;
        }

        public decimal Amount { get => (decimal)(_values[ClaimSchema.Amount.Index] ?? 0m); set => _values[ClaimSchema.Amount.Index] = value; }
        public string? ZipCode { get => (string?)_values[ClaimSchema.ZipCode.Index]; set => _values[ClaimSchema.ZipCode.Index] = value; }
        public int? Age { get => (int?)_values[ClaimSchema.Age.Index]; set => _values[ClaimSchema.Age.Index] = value; }
        public string? Gender { get => (string?)_values[ClaimSchema.Gender.Index]; set => _values[ClaimSchema.Gender.Index] = value; }
        public string? UserId { get => (string?)_values[ClaimSchema.UserId.Index]; set => _values[ClaimSchema.UserId.Index] = value; }
        public long IssuedAt { get => (long)(_values[ClaimSchema.IssuedAt.Index] ?? 0L); set => _values[ClaimSchema.IssuedAt.Index] = value; }
        public string NotificationKey { get => (string?)_values[ClaimSchema.NotificationKey.Index] ?? string.Empty; set => _values[ClaimSchema.NotificationKey.Index] = value; }
        public bool? ForceManualConfirm { get => (bool?)_values[ClaimSchema.ForceManualConfirm.Index]; set => _values[ClaimSchema.ForceManualConfirm.Index] = value; }

        /// <summary>Extra claims appended after the schema's, in this order.</summary>
        public IReadOnlyList<KeyValuePair<string, object?>>? AdditionalClaims { get; set; }

        public static string NewNotificationKey() => Guid.NewGuid().ToString("N");

        /// <summary>
        /// Checks every rule the API states; throws <see cref="ClaimValidationException"/> naming the claim.
        /// Whether an additional claim's value has a JSON form is checked where it is written (ClaimsJson),
        /// the one walk over it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Validate()
        {
            foreach (var claim in ClaimSchema.InPayloadOrder)
            {
                var value = _values[claim.Index];
                if (value is null)
                {
                    if (claim.Required)
                    {
                        throw new ClaimValidationException(claim.MissingErrorId, claim.Name, $"{claim.Name} is required.");
                    }
                    continue;
                }
                if (claim.SigningProblem(value) is { } problem)
                {
                    throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, problem);
                }
            }
            // What the JSON cannot carry, once every claim keeps its rules.
            foreach (var claim in ClaimSchema.InPayloadOrder)
            {
                if (_values[claim.Index] is { } value && claim.Kind.PayloadProblem(claim, value) is { } problem)
                {
                    throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, problem);
                }
            }
            if (AdditionalClaims is { } extra)
            {
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var pair in extra)
                {
                    if (string.IsNullOrEmpty(pair.Key))
                    {
                        throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, "AdditionalClaims", "an additional claim has an empty name.");
                    }
                    foreach (var reserved in ClaimSchema.InPayloadOrder)
                    {
                        if (string.Equals(reserved.Name, pair.Key, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimReserved, pair.Key,
                                $"additional claim '{pair.Key}' collides with the reserved claim '{reserved.Name}'; set it through its own parameter.");
                        }
                    }
                    if (!seen.Add(pair.Key))
                    {
                        throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, pair.Key, $"additional claim '{pair.Key}' is given twice.");
                    }
                    if (UnixTimeClaim.RegisteredTimeProblem(pair.Key, pair.Value) is { } problem)
                    {
                        throw new ClaimValidationException(ClaimErrorIds.AdditionalClaimInvalid, pair.Key, problem);
                    }
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
