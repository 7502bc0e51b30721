using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ConvTokens.Engine
{
    /// <summary>
    /// The claims of one initialization token, in the vendor's types, stored by <see cref="ClaimSchema"/>
    /// position; null means "not sent". The typed properties are conveniences over the same storage.
    /// </summary>
    public sealed class InitializationClaims
    {
        private readonly object?[] _values = new object?[ClaimSchema.All.Count];

        /// <summary>The value of a schema claim: decimal (Amount), int (WholeNumber), long (UnixSeconds), string or bool; null when not sent.</summary>
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
        /// exp and nbf are registered JWT claims (RFC 7519 §4.1.4, §4.1.5) that every verifier, Test-Token
        /// included, reads as whole Unix seconds; any other value would sign a token no verifier accepts. They take
        /// the range iat takes. Null when the value holds.
        /// </summary>
        private static string? TimeClaimProblem(string name, object? value)
        {
            decimal? seconds = value switch
            {
                byte or sbyte or short or ushort or int or uint or long or ulong => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
                decimal m => m,
                double d when double.IsFinite(d) && Math.Abs(d) < 1e28 => decimal.Parse(d.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture),
                float f when float.IsFinite(f) && Math.Abs(f) < 1e28f => decimal.Parse(f.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture),
                _ => null,
            };
            if (seconds is decimal whole && whole == decimal.Truncate(whole) && whole >= 1 && whole <= ClaimSchema.MaxUnixSeconds) { return null; }
            var got = value switch
            {
                null => "null",
                string text => $"the text '{JsonMembers.Clip(text)}'",
                bool flag => flag ? "the boolean true" : "the boolean false",
                IFormattable number when seconds is not null || value is double or float => number.ToString(null, CultureInfo.InvariantCulture),
                _ => $"a value of type {value.GetType().FullName}",
            };
            return $"additional claim '{name}' is the JWT {(name == "exp" ? "expiry" : "not-before time")}, which every verifier (Test-Token included) reads as whole Unix seconds: " +
                $"it must be a whole number from 1 to {ClaimSchema.MaxUnixSeconds} (the year 9999); got {got}. " +
                "Give seconds, e.g. [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds().";
        }

        /// <summary>
        /// Checks every rule the API states; throws <see cref="ClaimValidationException"/> naming the claim.
        /// Whether an additional claim's value has a JSON form is checked where it is written (ClaimsJson),
        /// the one walk over it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Validate()
        {
            foreach (var claim in ClaimSchema.All)
            {
                var value = _values[claim.Index];
                if (value is null)
                {
                    if (claim.Required)
                    {
                        throw new ClaimValidationException(claim.Parameter + "Missing", claim.Name, $"{claim.Name} is required.");
                    }
                    continue;
                }
                if (claim.SigningProblem(value) is { } problem)
                {
                    throw new ClaimValidationException(claim.InvalidErrorId, claim.Name, problem);
                }
            }
            if (ClaimNumbers.SignificantDigits(Amount) > ClaimNumbers.MaxSignificantDigits)
            {
                throw new ClaimValidationException(ClaimSchema.Amount.InvalidErrorId, ClaimSchema.Amount.Name,
                    $"amount {Amount.ToString(CultureInfo.InvariantCulture)} has more than {ClaimNumbers.MaxSignificantDigits} significant digits, " +
                    "which the API's JSON numbers cannot carry unchanged; round it yourself.");
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
                    foreach (var reserved in ClaimSchema.All)
                    {
                        if (string.Equals(reserved.Name, pair.Key, StringComparison.OrdinalIgnoreCase))
                        {
                            throw new ClaimValidationException("AdditionalClaimReserved", pair.Key,
                                $"additional claim '{pair.Key}' collides with the reserved claim '{reserved.Name}'; set it through its own parameter.");
                        }
                    }
                    if (!seen.Add(pair.Key))
                    {
                        throw new ClaimValidationException("AdditionalClaimInvalid", pair.Key, $"additional claim '{pair.Key}' is given twice.");
                    }
                    if (pair.Key is "exp" or "nbf" && TimeClaimProblem(pair.Key, pair.Value) is { } problem)
                    {
                        throw new ClaimValidationException("AdditionalClaimInvalid", pair.Key, problem);
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
