using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ConvTokens.Engine;
using ConvTokens.Engine.Claims;
using ConvTokens.Engine.Exchange;

namespace ConvTokens.PowerShell
{
    /// <summary>
    /// One error id the module can write: who writes it, whether it ends the pipeline, what went wrong and
    /// what to do. Cause and Fix are the only words for the id: the build writes them into the cmdlet help
    /// and about_ConvTokens (tools/Build-Help.ps1).
    /// </summary>
    public sealed class ErrorCatalogEntry
    {
        internal ErrorCatalogEntry(string id, bool terminating, string cause, string fix, params string[] cmdlets)
        {
            Id = id;
            Terminating = terminating;
            Cause = cause;
            Fix = fix;
            Cmdlets = cmdlets;
        }

        public string Id { get; }
        /// <summary>The cmdlets that write it, as Verb-Noun.</summary>
        public IReadOnlyList<string> Cmdlets { get; }
        /// <summary>True when it stops the pipeline (a precondition); false when it is one input's error.</summary>
        public bool Terminating { get; }
        /// <summary>What went wrong, in the words the help shows (empty only where nothing needs saying beyond the id).</summary>
        public string Cause { get; }
        /// <summary>What the user does next (empty where there is nothing to do, as for Test-Token's None).</summary>
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

        /// <summary>What each of Test-Token's Reason values means and what to do, in the catalog's shape (never terminating).</summary>
        public static IReadOnlyList<ErrorCatalogEntry> Reasons { get; } = BuildReasons();

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
                new(SecretNotFound, true,
                    "The secret is not in the vault.",
                    "Store it once with Set-Secret -Name ConvTokens.ApiSignature (or ConvTokens.ApiKey, ConvTokens.ClientSecret), " +
                    "name another secret with -ApiSignatureSecretName, -ApiKeySecretName or -ClientSecretSecretName, " +
                    "or pass -ApiSignature, -ApiKey or -ClientSecret directly.", New, Test, Get),
                new(SecretVaultNotFound, true,
                    "No vault has the name given to -Vault.",
                    "List the vaults with Get-SecretVault, or register one with Register-SecretVault.", New, Test, Get),
                new(SecretVaultNotRegistered, true,
                    "No SecretManagement vault is registered at all (Get-Secret would say only that the secret was not found, after a " +
                    "warning; ConvTokens sees the empty registry first and asks no vault).",
                    "Register one with Register-SecretVault (SECRETS AND VAULTS in about_ConvTokens shows how), or pass the secrets directly.", New, Test, Get),
                new(SecretVaultLocked, true,
                    "The vault is locked and gets no valid password: the vault is configured not to ask (-Interaction None); or it asked " +
                    "and the answer was wrong; or it would ask where nobody can answer (pwsh -NonInteractive, redirected input, a thread " +
                    "job, ForEach-Object -Parallel, an application's runspace, a job), and was not asked, so no prompt was printed " +
                    "(see UNATTENDED RUNBOOKS in about_ConvTokens). When it comes from a vault of another module that returned nothing " +
                    "where nobody could answer, the message also says what to do if the secret is in fact stored as an empty string.",
                    "Run Unlock-SecretStore -Password (or Unlock-SecretVault -Name <vault> -Password) earlier in the same process, or " +
                    "make the store fail at once with Set-SecretStoreConfiguration -Interaction None.", New, Test, Get),
                new(SecretReadCancelled, true,
                    "At a console, the vault asked for its password and got none: the prompt was cancelled with Ctrl+C or read an empty " +
                    "line, and the store is still locked.",
                    "Run the command again and type the password, or unlock the vault first with Unlock-SecretStore -Password.", New, Test, Get),
                new(SecretVaultModuleMissing, true,
                    "The vault is registered, but the folder of its module is gone (the module was uninstalled or moved); seen in the " +
                    "registry before any vault is asked.",
                    "Install the module again with Install-PSResource, or unregister the vault and register it again.", New, Test, Get),
                new(SecretManagementNotInstalled, true,
                    "Get-Secret is not available.",
                    "Install Microsoft.PowerShell.SecretManagement and a vault module such as Microsoft.PowerShell.SecretStore, " +
                    "or pass the secrets directly (-ApiSignature, -ApiKey, -ClientSecret).", New, Test, Get),
                new(SecretTypeUnsupported, true,
                    "The secret is stored as a type ConvTokens cannot use (a hashtable, for instance).",
                    "Store it again as a String, SecureString, byte[] or PSCredential.", New, Test, Get),
                new(SecretEmpty, true,
                    "The secret is empty: the value passed to -ApiSignature, -ApiKey or -ClientSecret is empty; the vault returned an empty " +
                    "byte[] or a PSCredential with an empty password; or Get-Secret returned nothing from an unlocked store (or, for a vault of " +
                    "another module, where a locked vault would have failed with an error or been answered at the console), which is what " +
                    "it does for a secret stored as an empty string " +
                    "(see \"When Get-Secret returns nothing\" in about_ConvTokens).",
                    "Store the real value with Set-Secret.", New, Test, Get),
                new(SecretReadFailed, true,
                    "Get-Secret failed for another reason, which the message gives.",
                    "Run Get-Secret -Name <secret> -Vault <vault> yourself to see it.", New, Test, Get),
                new(AmountMissing, false,
                    "The input has no amount. The message lists the columns the row has, says when the amount cell is empty, " +
                    "and suggests Import-Csv -Delimiter when a column name holds a separator.",
                    "Add an amount column or property, or pass -Amount.", New),
            };
            // Of the required claims only the amount can be missing: New-InitializationToken fills iat and notificationKey.
            var claimHelp = ClaimInvalidHelp();
            foreach (var claim in ClaimSchema.All)
            {
                var (cause, fix) = claimHelp.TryGetValue(claim.Parameter, out var help)
                    ? help
                    : (string.Empty, $"Give -{claim.Parameter} ({claim.Name}) a value of the kind about_ConvTokens names.");
                entries.Add(new ErrorCatalogEntry(claim.InvalidErrorId, false, cause, fix, New));
            }
            entries.AddRange(new ErrorCatalogEntry[]
            {
                new(AdditionalClaimInvalid, false,
                    "A piped object's AdditionalClaims property is not a hashtable, dictionary or object (on the command line that is " +
                    "PowerShell's binding error CannotConvertArgumentNoMessage, which stops the command before any token is signed); " +
                    "or a claim name is empty, not a string or given twice; or a value has no JSON form (a non-finite number, an object " +
                    "of another type); or a value is one verifiers refuse: it nests more than 31 levels of arrays and dictionaries, holds " +
                    "half of a character (a lone UTF-16 surrogate) in a name or string, has two member names in one dictionary that differ " +
                    "only in case, or is an exp or nbf that is not whole Unix seconds from 1 to 253402300799 (see WHAT IS SIGNED IS " +
                    "VERIFIED ALIKE in about_ConvTokens).",
                    "Use strings, numbers, booleans, $null, arrays and hashtables.", New),
                new(AdditionalClaimReserved, false,
                    "An additional claim has the name of a claim the cmdlet writes itself (" +
                    string.Join(", ", ClaimSchema.All.Select(claim => claim.Name)) + ", compared without case).",
                    "Set it with its own parameter instead.", New),
                new(TokenToMintAgainInvalid, false,
                    "The input carries a token to mint again (see MINTING AGAIN in about_ConvTokens) that does not verify with this " +
                    "apiSignature (the message gives Test-Token's reason: InvalidSignature, Malformed, InvalidClaim, ...), or whose " +
                    "claims cannot be read back exactly as they were signed.",
                    "Mint again with the apiSignature that signed it (-ApiSignatureSecretName, -Vault), or leave the Token column out " +
                    "to mint from the columns.", New),
                new(TokenToMintAgainConflict, false,
                    "The input carries a token to mint again and a claim column that disagrees with it (the message names the column, " +
                    "its text and the token's value).",
                    "Give the parameter (-Amount 15) to change that claim, or leave the Token column out to mint from the columns.", New),
                new(ClaimsTooLarge, false,
                    "The claims make a token longer than 65,536 characters, which neither Test-Token nor Get-SessionToken takes.",
                    "Shorten the claims (most often -AdditionalClaims or a long userId).", New),
                new(TokenInputInvalid, false,
                    "No token can be read from the input: it is $null; a byte[] (given to the parameter or piped, which PowerShell " +
                    "sends on byte by byte: its bytes are one input and one error); neither a token string nor an object or hashtable " +
                    "with a string Token (a number, for instance); or a SessionToken, live or a copy from a job or a file, which is a " +
                    "session token signed by the API, not an initialization token signed with your apiSignature. Get-SessionToken also " +
                    "refuses, before sending anything, a text that starts with \"Bearer \" (an Authorization header value) and a text " +
                    "that is not a compact JWT (three dot-separated segments, at most 64 KB); Test-Token answers those with a Malformed " +
                    "result instead. The error names the input's number, comes in input order, and the rest of the pipeline goes on.",
                    "Pipe token strings or InitializationToken objects.", Test, Get),
                new(ClockSkewInvalid, true,
                    "-ClockSkew is negative.",
                    "Give zero or more seconds (30), or a TimeSpan such as '00:00:30'.", Test),
                new(MaximumAgeInvalid, true,
                    "-MaximumAge is under one second (zero, negative, or a fraction such as 0.5: token times are whole seconds).",
                    "Give a TimeSpan or a number of seconds of at least 1, or leave it out to accept tokens of any age.", Test),
                new(BaseUriInsecure, true,
                    "-BaseUri is not absolute, carries user information, or is http on an address that is not loopback; " +
                    "the command stops before a secret is read.",
                    "Use https (plain http only for 127.0.0.1, ::1 or localhost, such as the local token endpoint).", Get),
                new(SessionTokenInvalidGrant, false,
                    "The server answered the OAuth error invalid_grant: the token was already used, has expired, is signed with another " +
                    "account's apiSignature, or carries claims the API refuses.",
                    "Mint a new token; check it with Test-Token, and check that the apiSignature belongs to the account of the apiKey.", Get),
                new(SessionTokenInvalidClient, false,
                    "The server answered the OAuth error invalid_client: the apiKey (or, with -ClientCredentials, the client secret) was " +
                    "not accepted. The message names the secret and the vault it was read from (or says it was passed directly). " +
                    "Nothing was exchanged.",
                    "Fix that secret and send the same initialization token again; check that -BaseUri points at the API of that account.", Get),
                new(SessionTokenRejected, false,
                    "Any other 4xx answer (invalid_request, 401, 403, 404 for a wrong path, ...). The token was not spent. A 404 means " +
                    "nothing takes tokens at the URL that was posted, which the message gives in full.",
                    "Read the exception's StatusCode, OAuthError and OAuthErrorDescription; for a 404, fix -BaseUri (the request goes " +
                    "to {BaseUri}/token).", Get),
                new(SessionTokenRateLimited, false,
                    "Still 429 after the last retry, or a Retry-After longer than -MaximumRetryDelaySec. The token was not spent.",
                    "Send it again later, lower -ThrottleLimit, or raise -MaximumRetryCount or -MaximumRetryDelaySec.", Get),
                new(SessionTokenServiceUnavailable, false,
                    "Still 503 after the last retry, or a Retry-After longer than -MaximumRetryDelaySec. The token was not spent.",
                    "Send it again later.", Get),
                new(SessionTokenConnectionFailed, false,
                    "No connection could be made after the last retry (refused, host unreachable, name not resolved, or not made within " +
                    "-TimeoutSec). Nothing was sent and the token was not spent.",
                    "Check -BaseUri, DNS, the proxy and the firewall.", Get),
                new(SessionTokenServerError, false,
                    "Another 5xx status (500, 502, 504, ...), or an error answer too large to read. The server may have processed the " +
                    "request, so the token may be spent.",
                    "Mint a new token.", Get),
                new(SessionTokenOutcomeUnknown, false,
                    "No answer within -TimeoutSec, or the connection broke after the request went out. The token may be spent.",
                    "Mint a new one; raise -TimeoutSec if the API is slow.", Get),
                new(SessionTokenResponseInvalid, false,
                    "A success status whose body breaks the rule for a successful answer (SUCCESSFUL ANSWERS in about_ConvTokens): no " +
                    "session token, a member given twice, invalid UTF-8, a token with spaces or control characters, a token over 65,536 " +
                    "characters, or a body over 1 MB. The token may be spent.",
                    "Mint a new one, and check that -BaseUri points at the API.", Get),
                new(SessionTokenRedirectRefused, false,
                    "The server redirected with 301, 302 or 303, to another origin, or more than three times in a row (a redirect loop; " +
                    "the message says so). Only same-origin 307 and 308 redirects are followed, so the apiKey never leaves for another " +
                    "server. Nothing was exchanged.",
                    "Set -BaseUri to the address the API really answers on.", Get),
                new(SessionTokenTlsFailed, false,
                    "The TLS handshake failed: the server's certificate is not trusted or not valid for the host, or the server does not " +
                    "speak TLS on that port. Nothing was sent and the token was not spent; it is not retried, because certificate checks " +
                    "are never switched off.",
                    "Check -BaseUri and the server's certificate (and, on a network that inspects TLS, that its root certificate is trusted).", Get),
                new(SessionTokenFailed, false,
                    "A failure of a kind this version does not know.",
                    "Please report it with the message.", Get),
            });
            return entries.ToArray();
        }

        // What each claim's <Parameter>Invalid error means, by parameter; a claim missing here gets the catalog's
        // general fix and no cause, which the help gate refuses (tests/Pester/Help.Tests.ps1).
        private static Dictionary<string, (string Cause, string Fix)> ClaimInvalidHelp() => new(StringComparer.Ordinal)
        {
            [ClaimSchema.Amount.Parameter] = (
                "The amount is not a number, is zero or negative, has more than 15 significant digits, or is text in another form than " +
                "digits with an optional '.' and decimals (\"12,5\", \"1,000\", \"12 500\", \"1e3\"); the message quotes the text and shows " +
                "what to type (12.5). An amount no [decimal] holds unchanged (a [double] such as 1.23456789e-25 or 1e-30, or text with more than 28 decimal " +
                "places) is refused too, never rounded.",
                "Give a number, or text of digits with an optional '.' and decimals (see NUMBERS AS PEOPLE TYPE THEM in about_ConvTokens)."),
            [ClaimSchema.ZipCode.Parameter] = (
                "cp is an empty string, or holds half of a character (see UserIdInvalid).",
                "Give the zip code (\"99\" for an anonymous user) or leave the claim out."),
            [ClaimSchema.Age.Parameter] = (
                "age is not a whole number (34.5 and \"34.5\" are refused, never rounded), or is negative.",
                "Give whole digits, 99 for an anonymous user, or leave it out."),
            [ClaimSchema.Gender.Parameter] = (
                "gender is neither M nor F (m and f are accepted and upper-cased).",
                "Give M or F, or leave it out."),
            [ClaimSchema.UserId.Parameter] = (
                "userId is an empty string, or holds half of a character (a lone UTF-16 surrogate, as text cut in the middle of an " +
                "emoji leaves; the message gives its position), which verifiers refuse.",
                "Give the id whole, or leave it out."),
            [ClaimSchema.IssuedAt.Parameter] = (
                "iat is neither a date nor whole Unix seconds, or is not after 1970-01-01. As text, only digits or an ISO 8601 date " +
                "(\"2025-01-31T10:00:00Z\") are read, never \"01/02/2025\", which reads differently in each culture.",
                "Give a date or whole Unix seconds (-IssuedAt 1738317600), or leave it out to use the current time."),
            [ClaimSchema.NotificationKey.Parameter] = (
                "notificationKey is empty or white space, or holds half of a character (see UserIdInvalid).",
                "Leave it out to have a new unique key generated."),
            [ClaimSchema.ForceManualConfirm.Parameter] = (
                "forceManualConfirm is not true, false, 1 or 0.",
                "Give one of these, or leave it out."),
        };

        private static ErrorCatalogEntry[] BuildReasons()
        {
            var required = ClaimSchema.All.Where(claim => claim.Required).Select(claim => claim.Name).ToArray();
            var help = new Dictionary<TokenFailure, (string Cause, string Fix)>
            {
                [TokenFailure.None] = ("The token is valid.", string.Empty),
                [TokenFailure.Malformed] = (
                    "The text is not three base64url segments separated by dots, a segment is not canonical base64url or not UTF-8, the " +
                    "header or payload is not a JSON object, a member appears twice (names compared without regard to case), a string " +
                    "holds an unpaired surrogate escape (\\udXXX, half of a character), or JSON nests deeper than 32 levels (the payload " +
                    "object being the first). Empty input, and a text that starts with \"Bearer \" (the Message names the prefix), give " +
                    "Malformed too; $null is a TokenInputInvalid error.",
                    "Pass the compact token exactly: no quotes, white space or \"Bearer \" prefix."),
                [TokenFailure.TooLarge] = ("The token is longer than 65536 characters; it is refused before decoding.", string.Empty),
                [TokenFailure.UnsupportedAlgorithm] = (
                    "alg is not HS256 (none, HS384, HS512, RS256, missing, ...).",
                    "Sign with HS256, as New-InitializationToken does."),
                [TokenFailure.CriticalHeader] = (
                    "The header lists critical extensions (crit), which this verifier does not implement.",
                    "Sign without crit."),
                [TokenFailure.InvalidSignature] = (
                    "The signature does not match the apiSignature: the token was signed with another secret (another account, another " +
                    "secret name or vault), or changed after signing.",
                    "Check that -ApiSignatureSecretName and -Vault name the secret the signer used."),
                [TokenFailure.MissingClaim] = (
                    string.Join(", ", required.Take(required.Length - 1)) + " or " + required[^1] + " is missing.",
                    "Add it."),
                [TokenFailure.InvalidClaim] = (
                    "A claim has the wrong JSON type or value, for instance amount as the string \"100\", cp as a number, iat with a " +
                    "fraction, gender other than M or F, a negative age, forceManualConfirm as text, an amount with more than 28 decimal " +
                    "places (never rounded), or exp or nbf that is not a whole number. The Message names the claim.",
                    "Sign it in the types the API expects."),
                [TokenFailure.IssuedInFuture] = (
                    "iat lies further ahead than -ClockSkew: the signer's clock is ahead, or iat was written in milliseconds instead of seconds.",
                    "Fix the clock or the value, or widen -ClockSkew."),
                [TokenFailure.TooOld] = (
                    "The token was issued longer ago than -MaximumAge plus -ClockSkew.",
                    "Mint a new one."),
                [TokenFailure.Expired] = ("The exp claim plus -ClockSkew has passed.", "Mint a new one."),
                [TokenFailure.NotYetValid] = (
                    "The nbf claim lies further ahead than -ClockSkew.",
                    "Wait, or fix the signer's clock."),
            };
            return Enum.GetValues<TokenFailure>()
                .Select(reason => help.TryGetValue(reason, out var text)
                    ? new ErrorCatalogEntry(reason.ToString(), false, text.Cause, text.Fix, Test)
                    : new ErrorCatalogEntry(reason.ToString(), false, string.Empty, string.Empty, Test))
                .ToArray();
        }
    }
}
