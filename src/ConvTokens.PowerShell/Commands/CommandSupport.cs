using System;
using System.Management.Automation;
using ConvTokens.PowerShell.Secrets;

namespace ConvTokens.PowerShell.Commands
{
    /// <summary>What every ConvTokens cmdlet does the same way: error records and the verbose switch.</summary>
    internal static class CommandSupport
    {
        public const string DefaultApiSignatureSecretName = "ConvTokens.ApiSignature";
        public const string DefaultApiKeySecretName = "ConvTokens.ApiKey";
        public const string DefaultClientSecretSecretName = "ConvTokens.ClientSecret";

        /// <summary>
        /// The pipeline's secret, read on first use; a secret that cannot be had stops the pipeline with
        /// its own error id (every item would fail the same way).
        /// </summary>
        public static ConvTokens.Engine.SecretBytes ReadOrStop(PSCmdlet cmdlet, PipelineSecret secret)
        {
            try
            {
                return secret.Value;
            }
            catch (SecretException failure)
            {
                cmdlet.ThrowTerminatingError(ToErrorRecord(failure, secret.Source.SecretName));
                throw;
            }
        }

        public static ErrorRecord ToErrorRecord(SecretException failure, object? target) =>
            new ErrorRecord(ExceptionFor(failure), failure.ErrorId, failure.Category, target);

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

        /// <summary>True when verbose output would be shown, so per-item messages are only built then.</summary>
        public static bool IsVerbose(PSCmdlet cmdlet)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue("Verbose", out var bound))
            {
                return bound is SwitchParameter s ? s.IsPresent : bound is bool b && b;
            }
            return cmdlet.GetVariableValue("VerbosePreference") is ActionPreference preference
                && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
        }
    }
}
