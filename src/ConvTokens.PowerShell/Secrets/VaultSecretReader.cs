using System;
using System.Management.Automation;
using System.Security;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell.Secrets
{
    /// <summary>Where a cmdlet takes one secret from: a SecureString the caller passed, or a vault.</summary>
    internal sealed class SecretSource
    {
        public SecretSource(string role, SecureString? direct, string secretName, string? vault)
        {
            Role = role;
            Direct = direct;
            SecretName = secretName;
            Vault = vault;
        }

        /// <summary>What the secret is for, as errors and verbose messages name it ("apiSignature").</summary>
        public string Role { get; }
        public SecureString? Direct { get; }
        public string SecretName { get; }
        public string? Vault { get; }

        public string Describe() => Direct is not null
            ? $"{Role} passed as a SecureString"
            : $"{Role} secret '{SecretName}' in {(Vault is null ? "the default vault" : $"vault '{Vault}'")}";
    }

    /// <summary>
    /// Reads secrets with SecretManagement's Get-Secret in the caller's runspace. SecretManagement is not
    /// thread-safe, so this runs only on the cmdlet's pipeline thread (PowerShell refuses a nested
    /// pipeline from any other thread), and each cmdlet reads each secret once per pipeline.
    /// </summary>
    internal static class VaultSecretReader
    {
        private const string GetSecretCommand = "Get-Secret";

        public static SecretBytes Read(SecretSource source)
        {
            if (source.Direct is not null)
            {
                return SecretConverter.ToBytes(source.Direct, source.Describe());
            }

            object? value = null;
            using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddCommand(GetSecretCommand).AddParameter("Name", source.SecretName);
                if (source.Vault is not null) { ps.AddParameter("Vault", source.Vault); }
                // Stop turns the not-found error into an exception whatever the caller's preference is.
                ps.AddParameter("ErrorAction", ActionPreference.Stop);
                try
                {
                    var output = ps.Invoke();
                    if (output.Count > 0) { value = output[0]; }
                }
                catch (Exception failure)
                {
                    throw Translate(failure, source);
                }
            }
            if (value is null)
            {
                throw NotFound(source, null);
            }
            return SecretConverter.ToBytes(value, source.Describe());
        }

        private static SecretException Translate(Exception failure, SecretSource source)
        {
            var record = (failure as IContainsErrorRecord)?.ErrorRecord;
            var cause = record?.Exception ?? failure;
            for (var e = cause; e is not null; e = e.InnerException)
            {
                if (e is CommandNotFoundException || (record?.FullyQualifiedErrorId?.StartsWith("CommandNotFoundException", StringComparison.Ordinal) ?? false))
                {
                    return new SecretException("SecretManagementNotInstalled", ErrorCategory.NotInstalled,
                        $"The {source.Role} is read from a SecretManagement vault, but Get-Secret is not available: the module " +
                        "Microsoft.PowerShell.SecretManagement is not installed or cannot be imported. Install it with " +
                        "'Install-PSResource Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore', register a vault, " +
                        $"or pass -{source.Role} as a SecureString.", failure);
                }
                if (e.GetType().FullName == "Microsoft.PowerShell.SecretManagement.PasswordRequiredException")
                {
                    return new SecretException("SecretVaultLocked", ErrorCategory.PermissionDenied,
                        $"Cannot read the {source.Describe()}: the vault is locked and needs its password. Unlock it earlier in the " +
                        "session or runbook with 'Unlock-SecretStore -Password $password' (or 'Unlock-SecretVault -Name <vault> -Password $password'); " +
                        "ConvTokens never prompts.", failure);
                }
                if (e is ItemNotFoundException || (record?.FullyQualifiedErrorId?.StartsWith("GetSecretNotFound", StringComparison.Ordinal) ?? false))
                {
                    return NotFound(source, failure);
                }
                if (e.Message.StartsWith("Vault not found in registry", StringComparison.Ordinal))
                {
                    return new SecretException("SecretVaultNotFound", ErrorCategory.ObjectNotFound,
                        $"Cannot read the {source.Describe()}: no vault named '{source.Vault}' is registered. " +
                        "List the vaults with Get-SecretVault, or register one with Register-SecretVault.", failure);
                }
                if (e.Message.Contains("no extension vaults registered", StringComparison.OrdinalIgnoreCase))
                {
                    return new SecretException("SecretVaultNotRegistered", ErrorCategory.ObjectNotFound,
                        $"Cannot read the {source.Describe()}: no SecretManagement vault is registered. Register one once with " +
                        "'Register-SecretVault -Name ConvTokens -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault', " +
                        $"store the secret with Set-Secret, or pass -{source.Role} as a SecureString.", failure);
                }
            }
            return new SecretException("SecretReadFailed", ErrorCategory.ReadError,
                $"Cannot read the {source.Describe()}: Get-Secret failed with {cause.GetType().Name}: {cause.Message}", failure);
        }

        private static SecretException NotFound(SecretSource source, Exception? failure) =>
            new SecretException("SecretNotFound", ErrorCategory.ObjectNotFound,
                $"The {source.Describe()} was not found. Store it once with 'Set-Secret -Name {source.SecretName}" +
                $"{(source.Vault is null ? string.Empty : $" -Vault {source.Vault}")}', name another secret with -{source.Role}SecretName, " +
                $"or pass -{source.Role} as a SecureString.", failure);
    }
}
