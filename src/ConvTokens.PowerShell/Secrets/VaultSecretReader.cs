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

        /// <summary>Names of secrets this process has read, per vault ('' for the default search): what completion may offer without asking a vault.</summary>
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Vault, string Name), bool> ReadNames = new();

        public static IEnumerable<string> NamesRead(string? vault) =>
            ReadNames.Keys.Where(k => vault is null || string.Equals(k.Vault, vault, StringComparison.OrdinalIgnoreCase)).Select(k => k.Name);

        /// <summary>
        /// SecretManagement runs every vault call in one runspace per process, without a lock of its own: two calls
        /// at once from two runspaces (-Parallel, a runspace pool, thread jobs) make one of them fail with "Unable to
        /// get secret information". ConvTokens' own reads therefore take turns, process-wide; each still runs on its
        /// own cmdlet's pipeline thread.
        /// </summary>
        private static readonly object VaultGate = new object();

        public static SecretBytes Read(SecretSource source, PromptSignals signals, Action<string>? verbose = null)
        {
            if (source.Direct is not null)
            {
                return SecretConverter.ToBytes(source.Direct, source.Describe(), $"Pass the real {source.Role}.");
            }
            lock (VaultGate)
            {
                return ReadFromVault(source, signals, verbose);
            }
        }

        private static SecretBytes ReadFromVault(SecretSource source, PromptSignals signals, Action<string>? verbose)
        {
            var plan = Preflight(source, signals, verbose);
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
                    throw Translate(failure, source, warnings, plan.Reached);
                }
                value = output.Select(item => item?.BaseObject).FirstOrDefault(item => item is not null and not WarningRecord);
            }
            if (value is null)
            {
                var after = plan.Lock == VaultLock.Unknown ? VaultLock.Unknown : VaultPreflight.LockOf(plan.Reached);
                throw NothingReturned(source, signals, plan.Lock, after);
            }
            try
            {
                var bytes = SecretConverter.ToBytes(value, source.Describe(), $"Store its real value with '{source.SetSecretCommand}'.");
                ReadNames.TryAdd((source.Vault ?? string.Empty, source.SecretName), true);
                return bytes;
            }
            finally
            {
                // Get-Secret hands out its own copy of a byte[] secret; ours is cleared once converted.
                if (value is byte[] raw) { System.Security.Cryptography.CryptographicOperations.ZeroMemory(raw); }
            }
        }

        /// <summary>What is known before Get-Secret is asked: the vaults it may reach and whether they would prompt.</summary>
        internal readonly record struct ReadPlan(IReadOnlyList<VaultEntry> Reached, VaultLock Lock);

        /// <summary>
        /// Looks at the registry and the SecretStore's lock without anything that can prompt, and refuses here what
        /// Get-Secret would turn into an unanswerable prompt: SecretManagement prompts through the host of
        /// its first caller, so from a host where nobody can answer, the prompt could end the caller's script
        /// silently or hang it.
        /// </summary>
        internal static ReadPlan Preflight(SecretSource source, PromptSignals signals, Action<string>? verbose)
        {
            IReadOnlyList<VaultEntry> all;
            try
            {
                all = VaultPreflight.Vaults();
            }
            catch (Exception failure)
            {
                throw Translate(failure, source, Array.Empty<string>(), Array.Empty<VaultEntry>());
            }
            if (all.Count == 0 && source.Vault is null) { throw NotRegistered(source, Array.Empty<string>(), null); }
            var reached = VaultPreflight.Reached(all, source.Vault);
            if (reached.Count == 0) { throw VaultNotFound(source, null); }
            var first = reached[0];
            if ((source.Vault is not null || first.IsDefault) && first.ModuleMissing) { throw ModuleMissing(source, first, null); }

            var state = VaultPreflight.LockOf(reached);
            verbose?.Invoke($"Vault {Names(reached)}: {Describe(state)}.");
            if (state == VaultLock.WouldPrompt && !signals.CanAnswer)
            {
                throw new SecretException(ErrorCatalog.SecretVaultLocked, ErrorCategory.PermissionDenied,
                    $"Cannot read the {source.Describe()}: the SecretStore is locked and would ask for its password, but " +
                    $"{signals.WhyNobodyCanAnswer}. The vault was not asked, so no prompt was shown and nothing waits for an answer. " +
                    $"Unlock it earlier in the same process with {UnlockCommands} and run the command again; in a runbook, unlock it " +
                    "before the first ConvTokens cmdlet. To make a locked store fail at once instead of prompting, run " +
                    $"'Set-SecretStoreConfiguration -Interaction None' once; or pass -{source.Role} directly.");
            }
            return new ReadPlan(reached, state);
        }

        private const string UnlockCommands = "'Unlock-SecretStore -Password $password' (or 'Unlock-SecretVault -Name <vault> -Password $password')";

        private static string Names(IReadOnlyList<VaultEntry> reached) =>
            string.Join(", ", reached.Select(e => $"'{e.Name}' ({e.ModuleName})"));

        private static string Describe(VaultLock state) => state switch
        {
            VaultLock.Unlocked => "unlocked; reading the secret",
            VaultLock.WouldPrompt => "the SecretStore is locked and will ask for its password here",
            VaultLock.LockedNoPrompt => "the SecretStore is locked and set not to prompt",
            _ => "its lock cannot be seen without asking the vault; reading the secret",
        };

        internal static SecretException Translate(Exception failure, SecretSource source, IReadOnlyList<string> warnings, IReadOnlyList<VaultEntry> reached)
        {
            var record = (failure as IContainsErrorRecord)?.ErrorRecord;
            var cause = record?.Exception ?? failure;
            // Only the part before the comma: after it comes whichever command wrote the error.
            var errorId = record?.FullyQualifiedErrorId?.Split(',')[0] ?? string.Empty;
            // The record's exception and the thrown one's chain: a wrapper's record may hold only a stand-in for its cause.
            foreach (var e in Chain(cause).Concat(Chain(failure)))
            {
                if (e is CommandNotFoundException || errorId == "CommandNotFoundException")
                {
                    return new SecretException(ErrorCatalog.SecretManagementNotInstalled, ErrorCategory.NotInstalled,
                        $"The {source.Role} is read from a SecretManagement vault, but Get-Secret is not available: the module " +
                        "Microsoft.PowerShell.SecretManagement is not installed or cannot be imported. Install it with " +
                        "'Install-PSResource Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore', register a vault, " +
                        $"or pass -{source.Role} directly.", failure);
                }
                if (e is System.IO.FileNotFoundException || errorId == "Modules_ModuleNotFound")
                {
                    var gone = reached.FirstOrDefault(v => v.ModuleMissing) ?? reached.FirstOrDefault();
                    if (gone is not null) { return ModuleMissing(source, gone, failure); }
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
                    return VaultNotFound(source, failure);
                }
            }
            return new SecretException(ErrorCatalog.SecretReadFailed, ErrorCategory.ReadError,
                $"Cannot read the {source.Describe()}: Get-Secret failed with {cause.GetType().Name}: {cause.Message}", failure);
        }

        private static IEnumerable<Exception> Chain(Exception? start)
        {
            for (var e = start; e is not null; e = e.InnerException) { yield return e; }
        }

        /// <summary>
        /// Get-Secret says "not found" both for a missing secret and when no vault is registered at all. The preflight
        /// has already read the registry, so only a vault unregistered since then is left: Get-Secret's warning says so.
        /// </summary>
        private static bool NoVaultRegistered(IReadOnlyList<string> warnings) =>
            warnings.Any(w => w.StartsWith(NoVaultsWarningStart, StringComparison.OrdinalIgnoreCase));

        private static SecretException VaultNotFound(SecretSource source, Exception? failure) =>
            new SecretException(ErrorCatalog.SecretVaultNotFound, ErrorCategory.ObjectNotFound,
                $"Cannot read the {source.Describe()}: no vault named '{source.Vault}' is registered. " +
                "List the vaults with Get-SecretVault, or register one with Register-SecretVault.", failure);

        private static SecretException ModuleMissing(SecretSource source, VaultEntry vault, Exception? failure) =>
            new SecretException(ErrorCatalog.SecretVaultModuleMissing, ErrorCategory.NotInstalled,
                $"Cannot read the {source.Describe()}: vault '{vault.Name}' is registered with the module '{vault.ModuleName}', " +
                $"but that module's folder '{vault.ModulePath}' is gone. Install the module again with " +
                $"'Install-PSResource {vault.ModuleName}', or register the vault again ('Unregister-SecretVault -Name {vault.Name}', " +
                $"then 'Register-SecretVault -Name {vault.Name} -ModuleName {vault.ModuleName}'); or pass -{source.Role} directly.", failure);

        private static SecretException NotRegistered(SecretSource source, IReadOnlyList<string> warnings, Exception? failure)
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
                $"Unlock it with {UnlockCommands} and run the command again; in a runbook, unlock it before the first ConvTokens cmdlet.", failure);

        /// <summary>
        /// Get-Secret wrote no value and no error. SecretManagement does that for a secret stored as an empty
        /// string, and for a locked vault whose password prompt was cancelled or read nothing. Asking the vault
        /// again could prompt again, so what decides is the SecretStore's lock before and after the read (seen
        /// without a prompt) and, for other vault modules, this process's own signals; where the two cases remain
        /// indistinguishable, the message names both fixes.
        /// </summary>
        internal static SecretException NothingReturned(SecretSource source, PromptSignals signals, VaultLock before, VaultLock after)
        {
            var store = $"store its real value with '{source.SetSecretCommand}'";
            if (after is VaultLock.WouldPrompt or VaultLock.LockedNoPrompt)
            {
                return signals.CanAnswer
                    ? new SecretException(ErrorCatalog.SecretReadCancelled, ErrorCategory.OperationStopped,
                        $"Cannot read the {source.Describe()}: the vault asked for its password and got none (the prompt was " +
                        "cancelled with Ctrl+C, or read an empty line), so it is still locked and nothing was read. Run the command " +
                        $"again and type the vault's password at the prompt, or unlock it first with {UnlockCommands}.")
                    : new SecretException(ErrorCatalog.SecretVaultLocked, ErrorCategory.PermissionDenied,
                        $"Cannot read the {source.Describe()}: the SecretStore is locked (its password timeout has passed since it " +
                        $"was unlocked) and {signals.WhyNobodyCanAnswer}. Unlock it again with {UnlockCommands} just before the " +
                        "ConvTokens step, or make it fail at once instead of prompting with 'Set-SecretStoreConfiguration -Interaction None'.");
            }
            if (after == VaultLock.Unlocked)
            {
                var prompted = before == VaultLock.WouldPrompt
                    ? " The vault asked for its password and was unlocked, so the value itself is empty."
                    : " (If an 'Enter password:' prompt appeared just now, the store's password timeout had passed: unlock it " +
                      $"again with {UnlockCommands} and run the command again.)";
                return new SecretException(ErrorCatalog.SecretEmpty, ErrorCategory.InvalidData,
                    $"The {source.Describe()} is stored as an empty string: Get-Secret returned no value from the unlocked " +
                    $"SecretStore. {char.ToUpperInvariant(store[0])}{store[1..]}, or pass -{source.Role} directly.{prompted}");
            }
            if (signals.NonInteractive)
            {
                return new SecretException(ErrorCatalog.SecretEmpty, ErrorCategory.InvalidData,
                    $"The {source.Describe()} came back from Get-Secret with no value and no error. In this PowerShell, started " +
                    "with -NonInteractive, a locked vault fails with an error instead, so the secret is stored as an empty string: " +
                    $"{store}, or pass -{source.Role} directly.");
            }
            if (!signals.CanAnswer)
            {
                return new SecretException(ErrorCatalog.SecretVaultLocked, ErrorCategory.PermissionDenied,
                    $"Cannot read the {source.Describe()}: Get-Secret returned no value and no error. Here {signals.WhyNobodyCanAnswer}, " +
                    "and that is what a locked vault does when it asks for its password ('Enter password:') and nobody can answer. " +
                    $"Unlock it before the first ConvTokens cmdlet with {UnlockCommands}, or make a locked store fail with an error: " +
                    "start PowerShell with -NonInteractive, or run 'Set-SecretStoreConfiguration -Interaction None' once. If the vault " +
                    $"was not locked, the secret is stored as an empty string: {store}.");
            }
            return new SecretException(ErrorCatalog.SecretEmpty, ErrorCategory.InvalidData,
                $"The {source.Describe()} came back from Get-Secret with no value and no error. SecretManagement does that for a " +
                $"secret stored as an empty string: {store}. It does the same for a locked vault whose password prompt was " +
                $"cancelled or read nothing: if an 'Enter password:' prompt got no answer, unlock the vault with {UnlockCommands} " +
                "and run the command again.");
        }
    }
}
