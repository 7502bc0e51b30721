using System;
using System.Management.Automation;
using System.Security;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell
{
    /// <summary>
    /// Rebuilds the module's output objects from what a job, a remote session or Import-Clixml hands back
    /// (Deserialized.* property bags), when ConvTokens is imported where they arrive: ConvTokens.types.ps1xml
    /// names this converter as their TargetTypeForDeserialization. A rebuilt object is the live type again, so
    /// its views, its dates (comparable DateTimeOffsets) and every cmdlet treat it as they treat the original.
    /// What cannot be rebuilt exactly stays the property bag PowerShell made (it throws, and PowerShell keeps it).
    /// </summary>
    public sealed class DeserializedConverter : PSTypeConverter
    {
        private const string Prefix = "Deserialized.";

        public override bool CanConvertFrom(object sourceValue, Type destinationType) =>
            sourceValue is PSObject bag && IsOutputType(destinationType) && bag.TypeNames.Contains(Prefix + destinationType.FullName);

        public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            var bag = sourceValue as PSObject ?? throw new InvalidCastException("Only a deserialized ConvTokens object can be rebuilt.");
            if (destinationType == typeof(InitializationToken)) { return ToInitializationToken(bag); }
            if (destinationType == typeof(TokenValidationResult)) { return ToValidationResult(bag); }
            if (destinationType == typeof(SessionToken)) { return ToSessionToken(bag); }
            throw new InvalidCastException($"{destinationType.FullName} is not a ConvTokens output type.");
        }

        public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

        public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
            throw new InvalidCastException("ConvTokens objects convert only from their deserialized form.");

        private static bool IsOutputType(Type type) =>
            type == typeof(InitializationToken) || type == typeof(SessionToken) || type == typeof(TokenValidationResult);

        /// <summary>Everything an InitializationToken says is in its token; the claims are read back from the payload exactly.</summary>
        private static InitializationToken ToInitializationToken(PSObject bag)
        {
            var token = Get<string>(bag, "Token");
            var claims = Input.ClaimInput.ReadSigned(token, out var problem) ?? throw new InvalidCastException($"The token cannot be read back: {problem}");
            return new InitializationToken(token, claims);
        }

        /// <summary>The outcome as it was reported (IsValid, Reason, Message); Header and Claims decoded again from the token.</summary>
        private static TokenValidationResult ToValidationResult(PSObject bag)
        {
            var token = Get<string>(bag, "Token");
            if (!Enum.TryParse<TokenFailure>(Get<string>(bag, "Reason"), ignoreCase: false, out var failure) || Get<bool>(bag, "IsValid") != (failure == TokenFailure.None))
            {
                throw new InvalidCastException("IsValid and Reason do not agree.");
            }
            var outcome = new VerificationResult { Failure = failure, Message = bag.Properties["Message"]?.Value as string };
            if (CompactJwt.TryFindDots(token, out var first, out var second))
            {
                if (bag.Properties["Header"]?.Value is not null) { outcome.HeaderJson = Base64Url.TryDecode(token.AsSpan(0, first)); }
                if (bag.Properties["Claims"]?.Value is not null) { outcome.PayloadJson = Base64Url.TryDecode(token.AsSpan(first + 1, second - first - 1)); }
            }
            return new TokenValidationResult(token, outcome);
        }

        private static SessionToken ToSessionToken(PSObject bag) => new SessionToken(
            Get<SecureString>(bag, "Token"),
            bag.Properties["PlainTextToken"]?.Value as string,
            Get<string>(bag, "TokenType"),
            Date(bag, "IssuedOn"),
            Date(bag, "ExpiresOn"),
            Get<string>(bag, "ExpirySource"),
            Get<string>(bag, "GrantType"),
            Get<Uri>(bag, "TokenEndpoint"),
            bag.Properties["NotificationKey"]?.Value as string,
            bag.Properties["UserId"]?.Value as string,
            bag.Properties["Amount"]?.Value);

        /// <summary>
        /// A DateTimeOffset serialized two levels deep (ConvTokens.types.ps1xml asks for that) is a bag whose
        /// UtcDateTime and Offset are exact; a date that arrived as text is never parsed (it is the sender's culture).
        /// </summary>
        private static DateTimeOffset Date(PSObject bag, string name)
        {
            var date = bag.Properties[name]?.Value;
            if (date is DateTimeOffset offset) { return offset; }
            if (date is PSObject inner && inner.Properties["UtcDateTime"]?.Value is DateTime utc && inner.Properties["Offset"]?.Value is TimeSpan shift)
            {
                return new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToOffset(shift);
            }
            throw new InvalidCastException($"{name} did not arrive as a date.");
        }

        private static T Get<T>(PSObject bag, string name)
        {
            var value = bag.Properties[name]?.Value;
            if (value is PSObject wrapped) { value = wrapped.BaseObject; }
            return value is T typed ? typed : throw new InvalidCastException($"{name} did not arrive as {typeof(T).Name}.");
        }
    }
}
