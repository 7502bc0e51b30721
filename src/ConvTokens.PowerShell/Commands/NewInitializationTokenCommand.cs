using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Security;
using ConvTokens.Engine;
using ConvTokens.PowerShell.Input;
using ConvTokens.PowerShell.Secrets;

namespace ConvTokens.PowerShell.Commands
{
    /// <summary>Signs one HS256 initialization token per input with the apiSignature.</summary>
    [Cmdlet(VerbsCommon.New, "InitializationToken")]
    [OutputType(typeof(InitializationToken))]
    public sealed class NewInitializationTokenCommand : ApiSignatureCmdlet
    {
        private TokenSigner? _signer;
        private TokenVerifier? _verifier;
        private ClaimInput _commandLine = new ClaimInput();
        private long _inputNumber;
        private HashSet<string>? _reportedNames;

        #region Parameters

        /// <summary>
        /// A piped object whose properties are read by name (the claim schema's parameter names, claim
        /// names and aliases). The whole object binds once instead of once per claim by property name,
        /// which is what makes large pipelines cheap; command-line values win over the object's. No
        /// parameter is mandatory, so nothing ever prompts: a missing amount is an AmountMissing error.
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>
        /// A number, or text in the one strict form "12.5". Typed object so that PowerShell's own
        /// conversion, which reads "12,5" as 125, never sees it: ClaimInput applies the module's rule.
        /// </summary>
        [Parameter(Position = 0)]
        public object? Amount { get; set; }

        [Parameter]
        [Alias("cp")]
        public string? ZipCode { get; set; }

        /// <summary>Whole years; typed object for the same reason as Amount (PowerShell would round 34.5 to 34).</summary>
        [Parameter]
        public object? Age { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(Completion.GenderCompleter))]
        public string? Gender { get; set; }

        [Parameter]
        public string? UserId { get; set; }

        [Parameter]
        public string? NotificationKey { get; set; }

        /// <summary>A date or whole Unix seconds (text: digits, or an ISO 8601 date); typed object so every path takes one rule.</summary>
        [Parameter]
        [Alias("iat")]
        public object? IssuedAt { get; set; }

        [Parameter]
        public SwitchParameter ForceManualConfirm { get; set; }

        [Parameter]
        public IDictionary? AdditionalClaims { get; set; }


        #endregion

        #region Overrides

        protected override void BeginProcessing()
        {
            // Only InputObject binds from the pipeline, so what is bound now came from the command line.
            _commandLine = FromBoundParameters();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void ProcessRecord()
        {
            _inputNumber++;
            object target = (object?)InputObject ?? _inputNumber;
            InitializationClaims claims;
            string token;
            var input = _commandLine;
            try
            {
                if (InputObject is not null)
                {
                    if (TokenInput.ReadTokenToMintAgain(InputObject) is { } previous)
                    {
                        input = MintingAgain(previous, InputObject);
                    }
                    else
                    {
                        if (IsVerbose) { ReportUnknownNames(InputObject); }
                        input = ClaimInput.FromObject(InputObject);
                    }
                    input.OverrideWith(_commandLine);
                }
                claims = input.ToClaims(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                // Writing the payload is where an additional claim without a JSON form is found.
                token = Signer().CreateToken(claims);
            }
            catch (ClaimValidationException invalid)
            {
                WriteError(new ErrorRecord(new ArgumentException(DescribeInput(input, invalid.Message)), invalid.ErrorId,
                    ErrorCategory.InvalidArgument, target));
                return;
            }

            if (IsVerbose)
            {
                WriteVerbose($"Input #{_inputNumber}: signed token for notificationKey '{claims.NotificationKey}'" +
                    $"{(claims.UserId is null ? string.Empty : $", userId '{JsonMembers.Clip(claims.UserId, 64)}'")}, amount {claims.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }
            WriteObject(new InitializationToken(token, claims));
        }

        protected override void DisposeResources()
        {
            _signer?.Dispose();
            _verifier?.Dispose();
        }

        #endregion

        private TokenSigner Signer() => _signer ??= new TokenSigner(ApiSignatureBytes());

        private static readonly VerificationOptions Defaults = new VerificationOptions();

        /// <summary>
        /// The input for minting <paramref name="previous"/> again: its claims, read back exactly from a token this
        /// apiSignature signed (so an edited file cannot change what is signed), and a fresh iat. A row's own claim
        /// columns must agree with the token; an InitializationToken object's do by construction.
        /// </summary>
        private ClaimInput MintingAgain(string previous, PSObject source)
        {
            var outcome = (_verifier ??= new TokenVerifier(ApiSignatureBytes())).Verify(previous, Defaults, DateTimeOffset.UtcNow);
            // Time is no reason to refuse: the token is spent or old, which is why it is minted again.
            if (outcome.Failure is not (TokenFailure.None or TokenFailure.Expired or TokenFailure.NotYetValid or TokenFailure.IssuedInFuture or TokenFailure.TooOld))
            {
                throw new ClaimValidationException(ErrorCatalog.TokenToMintAgainInvalid, "Token",
                    $"the input carries a token to mint again, and Test-Token would call it {outcome.Failure}: {outcome.Message} " +
                    "A token is minted again only from one this apiSignature signed, so that a changed file cannot change what is signed. " +
                    "Use the apiSignature that signed it, or leave the Token column out to mint from the columns.");
            }
            var signed = ClaimInput.ReadSigned(previous, out var problem)
                ?? throw new ClaimValidationException(ErrorCatalog.TokenToMintAgainInvalid, "Token",
                    $"the input carries a token to mint again, but {problem} Leave the Token column out and give the claims as columns or parameters.");
            if (source.BaseObject is not InitializationToken && ClaimInput.FromObject(source).DisagreementWith(signed, _commandLine) is { } disagreement)
            {
                throw new ClaimValidationException(ErrorCatalog.TokenToMintAgainConflict, "Token", disagreement);
            }
            if (IsVerbose)
            {
                WriteVerbose($"Input #{_inputNumber}: minting again the token of notificationKey '{signed.NotificationKey}' (iat {signed.IssuedAt}) with a fresh iat and the same claims.");
            }
            return ClaimInput.ForMintingAgain(signed, source);
        }

        private ClaimInput FromBoundParameters() => ClaimInput.FromBoundParameters(MyInvocation.BoundParameters);

        /// <summary>Columns no claim parameter reads, each named once per pipeline in -Verbose.</summary>
        private void ReportUnknownNames(PSObject input)
        {
            if (input.BaseObject is string or ValueType) { return; }
            List<string>? unknown = null;
            foreach (var name in ClaimInput.NamesOf(input))
            {
                if (!ClaimInput.IsKnownName(name) && (_reportedNames ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(name))
                {
                    (unknown ??= new List<string>()).Add($"'{name}'");
                }
            }
            if (unknown is not null)
            {
                WriteVerbose($"Input #{_inputNumber}: ignoring {(unknown.Count == 1 ? "a column" : "columns")} no parameter reads: {string.Join(", ", unknown)}. " +
                    $"Claims come from {ClaimInput.KnownNamesText}.");
            }
        }

        private string DescribeInput(ClaimInput input, string problem)
        {
            var userId = input.UserIdText;
            // A userId long enough to make the token too large must not make the message as large.
            return $"Input #{_inputNumber}{(string.IsNullOrEmpty(userId) ? string.Empty : $" (userId '{JsonMembers.Clip(userId, 64)}')")}: {problem}";
        }
    }
}
