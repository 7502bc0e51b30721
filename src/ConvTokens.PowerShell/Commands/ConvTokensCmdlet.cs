using System;
using System.Collections.Generic;
using System.Management.Automation;
using ConvTokens.Engine;
using ConvTokens.PowerShell.Secrets;

namespace ConvTokens.PowerShell.Commands
{
    /// <summary>
    /// What every ConvTokens cmdlet shares: the -Vault parameter, secrets read once per pipeline and
    /// cleared at its end, the verbose switch, and secret failures as terminating errors with their ids.
    /// </summary>
    public abstract class ConvTokensCmdlet : PSCmdlet, IDisposable
    {
        internal const string DefaultApiSignatureSecretName = "ConvTokens.ApiSignature";
        internal const string DefaultApiKeySecretName = "ConvTokens.ApiKey";
        internal const string DefaultClientSecretSecretName = "ConvTokens.ClientSecret";

        private readonly List<PipelineSecret> _secrets = new List<PipelineSecret>(2);
        private bool? _verbose;

        #region Parameters

        /// <summary>The SecretManagement vault the secrets are read from; the default vault when omitted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.VaultNameCompleter))]
        public string? Vault { get; set; }

        #endregion

        /// <summary>True when verbose output would be shown, so per-item messages are only built then.</summary>
        protected bool IsVerbose => _verbose ??= VerbosePreferred();

        /// <summary>A secret of this pipeline: taken from <paramref name="direct"/> when given, else read from the vault on first use.</summary>
        internal PipelineSecret Secret(string role, object? direct, string secretName)
        {
            var secret = new PipelineSecret(new SecretSource(role, direct, secretName, Vault), WriteVerbose, Host?.Name);
            _secrets.Add(secret);
            return secret;
        }

        /// <summary>
        /// The secret's bytes; a secret that cannot be had stops the pipeline with its own error id
        /// (every item would fail the same way).
        /// </summary>
        internal SecretBytes ReadOrStop(PipelineSecret secret)
        {
            try
            {
                return secret.Value;
            }
            catch (SecretException failure)
            {
                ThrowTerminatingError(ToErrorRecord(failure, secret.Source.SecretName));
                throw;
            }
        }

        internal static ErrorRecord ToErrorRecord(SecretException failure, object? target) =>
            new ErrorRecord(ExceptionFor(failure), failure.ErrorId, failure.Category, target);

        /// <summary>Releases what the cmdlet holds besides its secrets (signers, clients).</summary>
        protected virtual void DisposeResources()
        {
        }

        public void Dispose()
        {
            DisposeResources();
            foreach (var secret in _secrets) { secret.Dispose(); }
            _secrets.Clear();
            GC.SuppressFinalize(this);
        }

        /// <summary>
        /// The exception a user sees: a standard type carrying our message, so the ErrorRecord does not
        /// expose our internal type, and the vault's own exception only as the inner one.
        /// </summary>
        private static Exception ExceptionFor(SecretException failure) => failure.Category switch
        {
            ErrorCategory.ObjectNotFound => new ItemNotFoundException(failure.Message, failure.InnerException),
            ErrorCategory.InvalidType or ErrorCategory.InvalidData => new ArgumentException(failure.Message, failure.InnerException),
            _ => new InvalidOperationException(failure.Message, failure.InnerException),
        };

        private bool VerbosePreferred()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out var bound))
            {
                return bound is SwitchParameter s ? s.IsPresent : bound is bool b && b;
            }
            return GetVariableValue("VerbosePreference") is ActionPreference preference
                && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
        }
    }

    /// <summary>The cmdlets that sign or verify with the apiSignature: its two parameters and the one read of it.</summary>
    public abstract class ApiSignatureCmdlet : ConvTokensCmdlet
    {
        private PipelineSecret? _apiSignature;

        #region Parameters

        /// <summary>The apiSignature itself (whatever Get-Secret returns); no vault is read then.</summary>
        [Parameter]
        [DirectSecret]
        public object? ApiSignature { get; set; }

        /// <summary>The name of the vault secret holding the apiSignature.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SecretNameCompleter))]
        public string ApiSignatureSecretName { get; set; } = DefaultApiSignatureSecretName;

        #endregion

        /// <summary>The apiSignature's bytes, read on first use (an empty pipeline touches no vault), once per pipeline.</summary>
        internal SecretBytes ApiSignatureBytes() =>
            ReadOrStop(_apiSignature ??= Secret("ApiSignature", ApiSignature, ApiSignatureSecretName));
    }
}
