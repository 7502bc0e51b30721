using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell.Secrets
{
    /// <summary>Where a cmdlet takes one secret from: a value the caller passed directly, or a vault.</summary>
    internal sealed class SecretSource
    {
        public SecretSource(string role, object? direct, string secretName, string? vault)
        {
            Role = role;
            Direct = direct is PSObject wrapped ? wrapped.BaseObject : direct;
            SecretName = secretName;
            Vault = vault;
        }

        /// <summary>What the secret is for, as errors and verbose messages name it ("ApiSignature").</summary>
        public string Role { get; }

        /// <summary>A SecureString, String, byte[] or PSCredential passed to -ApiSignature, -ApiKey or -ClientSecret.</summary>
        public object? Direct { get; }
        public string SecretName { get; }
        public string? Vault { get; }

        public string Describe() => Direct is not null
            ? $"{Role} passed directly as a {DirectSecretAttribute.KindOf(Direct)}"
            : $"{Role} secret '{SecretName}' in {VaultPhrase}";

        public string VaultPhrase => Vault is null ? "the default vault" : $"vault '{Vault}'";

        /// <summary>The Set-Secret command line that stores this secret where it is looked for.</summary>
        public string SetSecretCommand => $"Set-Secret -Name {SecretName}{(Vault is null ? string.Empty : $" -Vault {Vault}")}";
    }

    /// <summary>
    /// Reads secrets with SecretManagement's Get-Secret in the caller's runspace. SecretManagement is not
    /// thread-safe, so this runs only on the cmdlet's pipeline thread (PowerShell refuses a nested
    /// pipeline from any other thread), and each cmdlet reads each secret once per pipeline.
    /// </summary>
    /// <remarks>
    /// Get-Secret runs in a nested pipeline: a SecretStore that prompts for its password in a console whose
    /// input is at its end then returns nothing (at the top level of a -File script the console host would
    /// end the whole script instead), and its warnings come back to us instead of reaching the caller's host.
    /// </remarks>
    internal static class VaultSecretReader
    {
        private const string NoVaultsWarningStart = "There are currently no extension vaults registered";

        public static SecretBytes Read(SecretSource source)
        {
            if (source.Direct is not null)
            {
                return SecretConverter.ToBytes(source.Direct, source.Describe(), $"Pass the real {source.Role}.");
            }

            object? value = null;
            using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddCommand("Get-Secret").AddParameter("Name", source.SecretName);
                if (source.Vault is not null) { ps.AddParameter("Vault", source.Vault); }
                // Stop turns the not-found error into an exception whatever the caller's preference is.
                ps.AddParameter("ErrorAction", ActionPreference.Stop);
                // Warnings come back as output instead of reaching the caller's host: SecretManagement's no-vault
                // warning is folded into our error.
                ps.AddParameter("WarningAction", ActionPreference.Continue);
                ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Warning, PipelineResultTypes.Output);
                var warnings = new List<string>();
                using var output = new PSDataCollection<PSObject>();
                output.DataAdded += (_, added) =>
                {
                    if (output[added.Index]?.BaseObject is WarningRecord warning) { warnings.Add(warning.Message); }
                };
                try
                {
                    ps.Invoke(null, output);
                }
                catch (Exception failure)
                {
                    throw Translate(failure, source, warnings);
                }
                value = output.Select(item => item?.BaseObject).FirstOrDefault(item => item is not null and not WarningRecord);
            }
            if (value is null)
            {
                throw NothingReturned(source, PromptSignals.Current());
            }
            try
            {
                return SecretConverter.ToBytes(value, source.Describe(), $"Store its real value with '{source.SetSecretCommand}'.");
            }
            finally
            {
                // Get-Secret hands out its own copy of a byte[] secret; ours is cleared once converted.
                if (value is byte[] raw) { System.Security.Cryptography.CryptographicOperations.ZeroMemory(raw); }
            }
        }

        internal static SecretException Translate(Exception failure, SecretSource source, IReadOnlyList<string> warnings)
        {
            var record = (failure as IContainsErrorRecord)?.ErrorRecord;
            var cause = record?.Exception ?? failure;
            // Only the part before the comma: after it comes whichever command wrote the error.
            var errorId = record?.FullyQualifiedErrorId?.Split(',')[0] ?? string.Empty;
            for (var e = cause; e is not null; e = e.InnerException)
            {
                if (e is CommandNotFoundException || errorId == "CommandNotFoundException")
                {
                    return new SecretException(ErrorCatalog.SecretManagementNotInstalled, ErrorCategory.NotInstalled,
                        $"The {source.Role} is read from a SecretManagement vault, but Get-Secret is not available: the module " +
                        "Microsoft.PowerShell.SecretManagement is not installed or cannot be imported. Install it with " +
                        "'Install-PSResource Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore', register a vault, " +
                        $"or pass -{source.Role} directly.", failure);
                }
                if (e.GetType().FullName == "Microsoft.PowerShell.SecretManagement.PasswordRequiredException")
                {
                    return Locked(source, failure);
                }
                if (e is ItemNotFoundException || errorId == "GetSecretNotFound")
                {
                    return source.Vault is null && NoVaultRegistered(warnings)
                        ? NotRegistered(source, warnings, failure)
                        : NotFound(source, failure);
                }
                if (e.Message.StartsWith("Vault not found in registry", StringComparison.Ordinal))
                {
                    return new SecretException(ErrorCatalog.SecretVaultNotFound, ErrorCategory.ObjectNotFound,
                        $"Cannot read the {source.Describe()}: no vault named '{source.Vault}' is registered. " +
                        "List the vaults with Get-SecretVault, or register one with Register-SecretVault.", failure);
                }
            }
            return new SecretException(ErrorCatalog.SecretReadFailed, ErrorCategory.ReadError,
                $"Cannot read the {source.Describe()}: Get-Secret failed with {cause.GetType().Name}: {cause.Message}", failure);
        }

        /// <summary>
        /// Get-Secret says "not found" both for a missing secret and when no vault is registered at all; only its
        /// warning, or an empty Get-SecretVault (which never prompts), tells the two apart.
        /// </summary>
        private static bool NoVaultRegistered(IReadOnlyList<string> warnings)
        {
            if (warnings.Any(w => w.StartsWith(NoVaultsWarningStart, StringComparison.OrdinalIgnoreCase))) { return true; }
            try
            {
                using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddCommand("Get-SecretVault").AddParameter("ErrorAction", ActionPreference.Ignore);
                return ps.Invoke().Count == 0 && !ps.HadErrors;
            }
            catch (Exception)
            {
                return false;
            }
        }

        private static SecretException NotRegistered(SecretSource source, IReadOnlyList<string> warnings, Exception failure)
        {
            var said = warnings.Select(w => w.Split('\n')[0].Trim()).FirstOrDefault(w => w.Length > 0);
            return new SecretException(ErrorCatalog.SecretVaultNotRegistered, ErrorCategory.ObjectNotFound,
                $"Cannot read the {source.Describe()}: no SecretManagement vault is registered for this user, so there is no secret to read" +
                $"{(said is null ? string.Empty : $" (Get-Secret warned: \"{said}\")")}. Register a vault once with " +
                "'Register-SecretVault -Name ConvTokens -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault', then store the secret " +
                $"with '{source.SetSecretCommand}'; or pass -{source.Role} directly.", failure);
        }

        private static SecretException NotFound(SecretSource source, Exception? failure) =>
            new SecretException(ErrorCatalog.SecretNotFound, ErrorCategory.ObjectNotFound,
                $"The {source.Describe()} was not found. Store it once with '{source.SetSecretCommand}', " +
                $"name another secret with -{source.Role}SecretName, or pass -{source.Role} directly.", failure);

        private static SecretException Locked(SecretSource source, Exception failure) =>
            new SecretException(ErrorCatalog.SecretVaultLocked, ErrorCategory.PermissionDenied,
                $"Cannot read the {source.Describe()}: the vault is locked and Get-Secret got no valid password for it " +
                "(if the vault just asked for its password, the answer did not unlock it, or this PowerShell could not read one). " +
                "Unlock it with 'Unlock-SecretStore -Password $password' (or 'Unlock-SecretVault -Name <vault> -Password $password') " +
                "and run the command again; in a runbook, unlock it before the first ConvTokens cmdlet.", failure);

        /// <summary>
        /// Get-Secret wrote no value and no error. SecretManagement does that in two cases: a secret stored as an
        /// empty string, and a locked vault that asked for its password where the prompt read nothing. Asking
        /// the vault again could prompt again (or end the caller's script), so only what this process knows
        /// without the vault decides which case the message leads with; it always names both fixes.
        /// </summary>
        internal static SecretException NothingReturned(SecretSource source, PromptSignals signals)
        {
            var store = $"store its real value with '{source.SetSecretCommand}'";
            const string unlock = "'Unlock-SecretStore -Password $password' (or 'Unlock-SecretVault -Name <vault> -Password $password')";
            if (signals.NonInteractive)
            {
                return new SecretException(ErrorCatalog.SecretEmpty, ErrorCategory.InvalidData,
                    $"The {source.Describe()} came back from Get-Secret with no value and no error. In this PowerShell, started " +
                    "with -NonInteractive, a locked vault fails with an error instead, so the secret is stored as an empty string: " +
                    $"{store}, or pass -{source.Role} directly.");
            }
            if (signals.InputRedirected)
            {
                return new SecretException(ErrorCatalog.SecretVaultLocked, ErrorCategory.PermissionDenied,
                    $"Cannot read the {source.Describe()}: Get-Secret returned no value and no error. In a PowerShell whose input " +
                    "is redirected and that was not started with -NonInteractive (a scheduled task, CI, a runbook), that is what a " +
                    "locked vault does when it asks for its password ('Enter password:') and nobody can answer. Unlock it before " +
                    $"the first ConvTokens cmdlet with {unlock}, or make a locked store fail with an error: start PowerShell with " +
                    "-NonInteractive, or run 'Set-SecretStoreConfiguration -Interaction None' once. If the vault was not locked, " +
                    $"the secret is stored as an empty string: {store}.");
            }
            return new SecretException(ErrorCatalog.SecretEmpty, ErrorCategory.InvalidData,
                $"The {source.Describe()} came back from Get-Secret with no value and no error. SecretManagement does that for a " +
                $"secret stored as an empty string: {store}. It does the same for a locked vault whose password prompt read " +
                $"nothing: if an 'Enter password:' prompt got no answer, unlock the vault with {unlock} and run the command again.");
        }
    }

    /// <summary>
    /// What this process says, without asking any vault, about whether a vault's password prompt can be answered.
    /// </summary>
    internal readonly struct PromptSignals
    {
        public PromptSignals(bool nonInteractive, bool inputRedirected)
        {
            NonInteractive = nonInteractive;
            InputRedirected = inputRedirected;
        }

        /// <summary>pwsh was started with -NonInteractive: its host refuses to read, so a prompting vault fails with an error.</summary>
        public bool NonInteractive { get; }

        /// <summary>Standard input is not a terminal: nobody can type a password (a scheduled task, CI, stdin from a file).</summary>
        public bool InputRedirected { get; }

        public static PromptSignals Current()
        {
            bool redirected;
            try { redirected = Console.IsInputRedirected; }
            catch (Exception) { redirected = false; }
            return new PromptSignals(IsNonInteractive(Environment.GetCommandLineArgs()), redirected);
        }

        /// <summary>
        /// True when pwsh's command line has -NonInteractive (or any prefix of it down to -noni, with -, -- or on Windows /)
        /// before the script or command, whose own arguments are not pwsh's.
        /// </summary>
        public static bool IsNonInteractive(IReadOnlyList<string> args)
        {
            for (var i = 1; i < args.Count; i++)
            {
                var arg = args[i];
                var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..]
                    : arg.StartsWith('-') || (OperatingSystem.IsWindows() && arg.StartsWith('/')) ? arg[1..]
                    : null;
                if (name is null) { continue; }
                name = name.ToLowerInvariant();
                if (name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.Ordinal)) { return true; }
                if (name is "file" or "f" or "command" or "c" or "commandwithargs" or "cwa" or "encodedcommand" or "e" or "ec") { return false; }
            }
            return false;
        }
    }
}
