using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ConvTokens.Engine;
using ConvTokens.Engine.Claims;
using ConvTokens.Engine.Exchange;

namespace ConvTokens.PowerShell
{
    /// <summary>One error id the module can write: who writes it, whether it ends the pipeline, and what to do.</summary>
    public sealed class ErrorCatalogEntry
    {
        internal ErrorCatalogEntry(string id, bool terminating, string fix, params string[] cmdlets)
        {
            Id = id;
            Terminating = terminating;
            Fix = fix;
            Cmdlets = cmdlets;
        }

        public string Id { get; }
        /// <summary>The cmdlets that write it, as Verb-Noun.</summary>
        public IReadOnlyList<string> Cmdlets { get; }
        /// <summary>True when it stops the pipeline (a precondition); false when it is one input's error.</summary>
        public bool Terminating { get; }
        /// <summary>What the user does next, in one line (about_ConvTokens explains each id at length).</summary>
        public string Fix { get; }

        public override string ToString() => Id;
    }

    /// <summary>
    /// Every error id the module writes (the first part of FullyQualifiedErrorId), in one place: the
    /// cmdlets use these constants, and the help gate reads <see cref="All"/> to check that each
    /// cmdlet's help and about_ConvTokens explain them.
    /// </summary>
    public static class ErrorCatalog
    {
        private const string New = "New-InitializationToken";
        private const string Test = "Test-Token";
        private const string Get = "Get-SessionToken";

        public const string SecretNotFound = nameof(SecretNotFound);
        public const string SecretVaultNotFound = nameof(SecretVaultNotFound);
        public const string SecretVaultNotRegistered = nameof(SecretVaultNotRegistered);
        public const string SecretVaultLocked = nameof(SecretVaultLocked);
        public const string SecretManagementNotInstalled = nameof(SecretManagementNotInstalled);
        public const string SecretTypeUnsupported = nameof(SecretTypeUnsupported);
        public const string SecretEmpty = nameof(SecretEmpty);
        public const string SecretReadCancelled = nameof(SecretReadCancelled);
        public const string SecretVaultModuleMissing = nameof(SecretVaultModuleMissing);
        public const string SecretReadFailed = nameof(SecretReadFailed);

        // The engine's claim ids, named where its rules are (the schema, ClaimErrorIds); the cmdlets add fixes here.
        public static readonly string AmountMissing = ClaimSchema.Amount.MissingErrorId;
        public const string AdditionalClaimInvalid = ClaimErrorIds.AdditionalClaimInvalid;
        public const string AdditionalClaimReserved = ClaimErrorIds.AdditionalClaimReserved;
        /// <summary>A piped token to mint again that this apiSignature did not sign, or whose claims cannot be read back exactly.</summary>
        public const string TokenToMintAgainInvalid = nameof(TokenToMintAgainInvalid);
        /// <summary>A row carries a token to mint again and a claim column that says otherwise.</summary>
        public const string TokenToMintAgainConflict = nameof(TokenToMintAgainConflict);
        public const string ClaimsTooLarge = ClaimErrorIds.ClaimsTooLarge;

        /// <summary>The same bad input in Test-Token and Get-SessionToken: no token can be read from it.</summary>
        public const string TokenInputInvalid = nameof(TokenInputInvalid);
        public const string ClockSkewInvalid = nameof(ClockSkewInvalid);
        public const string MaximumAgeInvalid = nameof(MaximumAgeInvalid);

        public const string BaseUriInsecure = nameof(BaseUriInsecure);
        public const string SessionTokenInvalidGrant = nameof(SessionTokenInvalidGrant);
        public const string SessionTokenInvalidClient = nameof(SessionTokenInvalidClient);
        public const string SessionTokenRejected = nameof(SessionTokenRejected);
        public const string SessionTokenRateLimited = nameof(SessionTokenRateLimited);
        public const string SessionTokenServiceUnavailable = nameof(SessionTokenServiceUnavailable);
        public const string SessionTokenConnectionFailed = nameof(SessionTokenConnectionFailed);
        public const string SessionTokenServerError = nameof(SessionTokenServerError);
        public const string SessionTokenOutcomeUnknown = nameof(SessionTokenOutcomeUnknown);
        public const string SessionTokenResponseInvalid = nameof(SessionTokenResponseInvalid);
        public const string SessionTokenRedirectRefused = nameof(SessionTokenRedirectRefused);
        public const string SessionTokenTlsFailed = nameof(SessionTokenTlsFailed);
        public const string SessionTokenFailed = nameof(SessionTokenFailed);

        /// <summary>Every id, secrets first, then by cmdlet.</summary>
        public static readonly IReadOnlyList<ErrorCatalogEntry> All = Build();

        /// <summary>Test-Token's Reason values (TokenValidationResult.Reason): not error ids, but explained beside them.</summary>
        public static IReadOnlyList<string> TokenFailureReasons { get; } = Enum.GetNames(typeof(TokenFailure));

        /// <summary>The ids <paramref name="cmdlet"/> (Verb-Noun) can write.</summary>
        public static IEnumerable<ErrorCatalogEntry> For(string cmdlet) =>
            All.Where(entry => entry.Cmdlets.Contains(cmdlet, StringComparer.OrdinalIgnoreCase));

        /// <summary>The id and category of a failed exchange.</summary>
        internal static (string Id, ErrorCategory Category) ForExchange(ExchangeOutcome outcome) => outcome.Failure switch
        {
            ExchangeFailure.Rejected when outcome.OAuthError == "invalid_grant" => (SessionTokenInvalidGrant, ErrorCategory.InvalidArgument),
            ExchangeFailure.Rejected when outcome.OAuthError == "invalid_client" => (SessionTokenInvalidClient, ErrorCategory.AuthenticationError),
            ExchangeFailure.Rejected => (SessionTokenRejected, ErrorCategory.InvalidOperation),
            ExchangeFailure.RateLimited => (SessionTokenRateLimited, ErrorCategory.LimitsExceeded),
            ExchangeFailure.ServiceUnavailable => (SessionTokenServiceUnavailable, ErrorCategory.ResourceUnavailable),
            ExchangeFailure.ConnectionFailed => (SessionTokenConnectionFailed, ErrorCategory.ConnectionError),
            ExchangeFailure.ServerError => (SessionTokenServerError, ErrorCategory.InvalidResult),
            ExchangeFailure.OutcomeUnknown => (SessionTokenOutcomeUnknown, ErrorCategory.OperationTimeout),
            ExchangeFailure.ResponseInvalid => (SessionTokenResponseInvalid, ErrorCategory.InvalidData),
            ExchangeFailure.RedirectRefused => (SessionTokenRedirectRefused, ErrorCategory.SecurityError),
            ExchangeFailure.TlsFailed => (SessionTokenTlsFailed, ErrorCategory.SecurityError),
            _ => (SessionTokenFailed, ErrorCategory.NotSpecified),
        };

        private static ErrorCatalogEntry[] Build()
        {
            var entries = new List<ErrorCatalogEntry>
            {
                new(SecretNotFound, true, "Store the secret with Set-Secret, name another with -<Name>SecretName, or pass it directly.", New, Test, Get),
                new(SecretVaultNotFound, true, "Give -Vault the name of a registered vault (Get-SecretVault lists them).", New, Test, Get),
                new(SecretVaultNotRegistered, true, "Register a vault with Register-SecretVault, or pass the secrets directly.", New, Test, Get),
                new(SecretVaultLocked, true, "Unlock the vault (Unlock-SecretStore -Password) earlier in the session or runbook.", New, Test, Get),
                new(SecretManagementNotInstalled, true, "Install Microsoft.PowerShell.SecretManagement and a vault, or pass the secrets directly.", New, Test, Get),
                new(SecretTypeUnsupported, true, "Store the secret as a String, SecureString, byte[] or PSCredential.", New, Test, Get),
                new(SecretEmpty, true, "Store or pass the secret's real, non-empty value.", New, Test, Get),
                new(SecretReadCancelled, true, "Run the command again and type the vault's password, or unlock it first (Unlock-SecretStore -Password).", New, Test, Get),
                new(SecretVaultModuleMissing, true, "Install the vault's module again (Install-PSResource), or register the vault again.", New, Test, Get),
                new(SecretReadFailed, true, "Run Get-Secret -Name <secret> -Vault <vault> to see why the vault failed.", New, Test, Get),
                new(AmountMissing, false, "Add an amount column or property, or pass -Amount.", New),
            };
            // Of the required claims only the amount can be missing: New-InitializationToken fills iat and notificationKey.
            foreach (var claim in ClaimSchema.All)
            {
                entries.Add(new ErrorCatalogEntry(claim.InvalidErrorId, false, $"Give -{claim.Parameter} ({claim.Name}) a value of the kind about_ConvTokens names.", New));
            }
            entries.AddRange(new ErrorCatalogEntry[]
            {
                new(AdditionalClaimInvalid, false, "Use string claim names and values of strings, numbers, booleans, $null, arrays and hashtables.", New),
                new(AdditionalClaimReserved, false, "Set a standard claim with its own parameter, not -AdditionalClaims.", New),
                new(TokenToMintAgainInvalid, false, "Mint again with the apiSignature that signed the token, or leave the Token column out.", New),
                new(TokenToMintAgainConflict, false, "Change a claim of a token minted again with its parameter (-Amount ...), or leave the Token column out.", New),
                new(ClaimsTooLarge, false, "Shorten the claims: a token may be at most 65,536 characters.", New),
                new(TokenInputInvalid, false, "Pipe token strings or InitializationToken objects (or objects with a Token string).", Test, Get),
                new(ClockSkewInvalid, true, "Give -ClockSkew zero or more seconds.", Test),
                new(MaximumAgeInvalid, true, "Give -MaximumAge one second or more, or leave it out.", Test),
                new(BaseUriInsecure, true, "Give -BaseUri an absolute https address without user information (http only for loopback).", Get),
                new(SessionTokenInvalidGrant, false, "Mint a new initialization token and check it with Test-Token.", Get),
                new(SessionTokenInvalidClient, false, "Fix the apiKey (or client secret) and send the same token again.", Get),
                new(SessionTokenRejected, false, "Read the exception's StatusCode and OAuthError; a 404 means -BaseUri is wrong.", Get),
                new(SessionTokenRateLimited, false, "Send the token again later, or lower -ThrottleLimit; it was not spent.", Get),
                new(SessionTokenServiceUnavailable, false, "Send the token again later; it was not spent.", Get),
                new(SessionTokenConnectionFailed, false, "Check -BaseUri, DNS, proxy and firewall; nothing was sent.", Get),
                new(SessionTokenServerError, false, "The token may be spent: mint a new one.", Get),
                new(SessionTokenOutcomeUnknown, false, "The token may be spent: mint a new one; raise -TimeoutSec if the API is slow.", Get),
                new(SessionTokenResponseInvalid, false, "The token may be spent: mint a new one and check -BaseUri.", Get),
                new(SessionTokenRedirectRefused, false, "Fix -BaseUri: only same-origin 307 and 308 redirects are followed.", Get),
                new(SessionTokenTlsFailed, false, "Fix -BaseUri or the server's certificate; nothing was sent.", Get),
                new(SessionTokenFailed, false, "Report it: a failure of a kind this version does not know.", Get),
            });
            return entries.ToArray();
        }
    }
}
