using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using ConvTokens.Engine;
using ConvTokens.PowerShell.Input;
using ConvTokens.PowerShell.Secrets;

namespace ConvTokens.PowerShell.Commands
{
    /// <summary>Signs one HS256 initialization token per input with the apiSignature.</summary>
    [Cmdlet(VerbsCommon.New, "InitializationToken", DefaultParameterSetName = InputObjectParameterSet)]
    [OutputType(typeof(InitializationToken))]
    public sealed class NewInitializationTokenCommand : PSCmdlet, IDisposable
    {
        private const string ClaimsParameterSet = "Claims";
        private const string InputObjectParameterSet = "InputObject";

        private PipelineSecret? _apiSignature;
        private TokenSigner? _signer;
        private ClaimInput _commandLine = new ClaimInput();
        private long _inputNumber;
        private bool _verbose;

        #region Parameters

        /// <summary>
        /// A piped object whose properties are read by name (the parameters below and their aliases).
        /// The whole object binds once instead of seven times by property name, which is what makes
        /// large pipelines cheap; command-line values win over the object's. This set is the default and
        /// InputObject is optional in it, so a direct call with -Amount binds here too and nothing ever
        /// prompts; the Claims set documents binding by property name for Get-Help.
        /// </summary>
        [Parameter(ValueFromPipeline = true, ParameterSetName = InputObjectParameterSet)]
        public PSObject? InputObject { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        public decimal Amount { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        [Alias("cp")]
        public string? ZipCode { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        public int Age { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        [ArgumentCompleter(typeof(Completion.GenderCompleter))]
        public string? Gender { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        public string? UserId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        public string? NotificationKey { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        [Alias("iat")]
        [UnixSecondsToDateTimeOffset]
        public DateTimeOffset IssuedAt { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        public SwitchParameter ForceManualConfirm { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ClaimsParameterSet)]
        [Parameter(ParameterSetName = InputObjectParameterSet)]
        public IDictionary? AdditionalClaims { get; set; }

        [Parameter]
        [Secrets.DirectSecret]
        public object? ApiSignature { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SecretNameCompleter))]
        public string ApiSignatureSecretName { get; set; } = CommandSupport.DefaultApiSignatureSecretName;

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.VaultNameCompleter))]
        public string? Vault { get; set; }

        #endregion

        #region Overrides

        protected override void BeginProcessing()
        {
            _verbose = CommandSupport.IsVerbose(this);
            _apiSignature = new PipelineSecret(new SecretSource("ApiSignature", ApiSignature, ApiSignatureSecretName, Vault), WriteVerbose);
            if (ParameterSetName == InputObjectParameterSet)
            {
                // Pipeline binding never sets these in this set, so what is bound now came from the command line.
                _commandLine = FromBoundParameters();
            }
        }

        protected override void ProcessRecord()
        {
            _inputNumber++;
            object target = (object?)InputObject ?? _inputNumber;
            InitializationClaims claims;
            try
            {
                ClaimInput input;
                if (InputObject is not null)
                {
                    input = ClaimInput.FromObject(InputObject);
                    input.OverrideWith(_commandLine);
                }
                else
                {
                    input = FromBoundParameters();
                }
                claims = input.ToClaims(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            }
            catch (ClaimValidationException invalid)
            {
                WriteError(new ErrorRecord(new ArgumentException(DescribeInput(invalid.Message)), invalid.ErrorId,
                    ErrorCategory.InvalidArgument, target));
                return;
            }

            var signer = Signer();
            var token = signer.CreateToken(claims);
            if (_verbose)
            {
                WriteVerbose($"Input #{_inputNumber}: signed token for notificationKey '{claims.NotificationKey}'" +
                    $"{(claims.UserId is null ? string.Empty : $", userId '{claims.UserId}'")}, amount {claims.Amount}.");
            }
            WriteObject(new InitializationToken(token, claims));
        }

        public void Dispose()
        {
            _signer?.Dispose();
            _apiSignature?.Dispose();
        }

        #endregion

        private TokenSigner Signer() => _signer ??= new TokenSigner(CommandSupport.ReadOrStop(this, _apiSignature!));

        private ClaimInput FromBoundParameters()
        {
            var bound = MyInvocation.BoundParameters;
            return new ClaimInput
            {
                Amount = bound.ContainsKey(nameof(Amount)) ? Amount : null,
                ZipCode = bound.ContainsKey(nameof(ZipCode)) ? ZipCode : null,
                Age = bound.ContainsKey(nameof(Age)) ? Age : null,
                Gender = bound.ContainsKey(nameof(Gender)) ? Gender : null,
                UserId = bound.ContainsKey(nameof(UserId)) ? UserId : null,
                IssuedAt = bound.ContainsKey(nameof(IssuedAt)) ? IssuedAt : null,
                NotificationKey = bound.ContainsKey(nameof(NotificationKey)) ? NotificationKey : null,
                ForceManualConfirm = bound.ContainsKey(nameof(ForceManualConfirm)) ? ForceManualConfirm.IsPresent : null,
                AdditionalClaims = bound.ContainsKey(nameof(AdditionalClaims)) ? AdditionalClaims : null,
            };
        }

        private string DescribeInput(string problem)
        {
            var userId = InputObject is null ? UserId : InputObject.Properties["userId"]?.Value?.ToString();
            return $"Input #{_inputNumber}{(string.IsNullOrEmpty(userId) ? string.Empty : $" (userId '{userId}')")}: {problem}";
        }
    }
}
