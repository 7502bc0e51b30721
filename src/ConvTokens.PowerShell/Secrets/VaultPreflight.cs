using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace ConvTokens.PowerShell.Secrets
{
    /// <summary>Whether a vault would ask for its password, as far as can be told without asking it.</summary>
    internal enum VaultLock
    {
        /// <summary>A vault module whose lock cannot be seen from outside (not a SecretStore): only Get-Secret can tell.</summary>
        Unknown,
        /// <summary>The SecretStore is unlocked (or needs no password): Get-Secret will not prompt.</summary>
        Unlocked,
        /// <summary>The SecretStore is locked and configured to prompt (-Interaction Prompt, its default).</summary>
        WouldPrompt,
        /// <summary>The SecretStore is locked and fails at once (-Interaction None).</summary>
        LockedNoPrompt,
    }

    /// <summary>One registered vault as Get-SecretVault describes it (the registry only: it never prompts).</summary>
    internal sealed class VaultEntry
    {
        public const string SecretStoreModule = "Microsoft.PowerShell.SecretStore";

        public VaultEntry(string name, string moduleName, string? modulePath, bool isDefault)
        {
            Name = name;
            ModuleName = moduleName;
            ModulePath = modulePath;
            IsDefault = isDefault;
        }

        public string Name { get; }
        public string ModuleName { get; }
        public string? ModulePath { get; }
        public bool IsDefault { get; }

        public bool IsSecretStore => string.Equals(ModuleName, SecretStoreModule, StringComparison.OrdinalIgnoreCase);

        /// <summary>The vault's module folder was deleted after it was registered (Get-Secret then fails with Modules_ModuleNotFound).</summary>
        public bool ModuleMissing => !string.IsNullOrEmpty(ModulePath) && !Directory.Exists(ModulePath) && !File.Exists(ModulePath);
    }

    /// <summary>
    /// What the caller's own PowerShell says, without asking any vault, about whether a vault's password
    /// prompt could be answered by a person.
    /// </summary>
    internal readonly struct PromptSignals
    {
        public PromptSignals(bool nonInteractive, bool inputRedirected, string hostName)
        {
            NonInteractive = nonInteractive;
            InputRedirected = inputRedirected;
            HostName = hostName;
        }

        /// <summary>pwsh was started with -NonInteractive: its host refuses to read, so a prompting vault fails with an error.</summary>
        public bool NonInteractive { get; }

        /// <summary>Standard input is not a terminal: nobody can type a password (a scheduled task, CI, stdin from a file).</summary>
        public bool InputRedirected { get; }

        /// <summary>The caller's $Host.Name: 'Default Host' in a runspace of its own, a ThreadJob or -Parallel; 'ServerRemoteHost' in a job.</summary>
        public string HostName { get; }

        /// <summary>A runspace without a console of its own: an application's runspace, a ThreadJob, -Parallel, a job.</summary>
        public bool Hostless => HostName is "Default Host" or "ServerRemoteHost" || string.IsNullOrEmpty(HostName);

        /// <summary>
        /// A person can answer a password prompt here: an interactive console whose input is a terminal, or
        /// another interactive host (an editor's). SecretManagement prompts through the host of its first caller,
        /// which for a caller with a real host is that caller's host.
        /// </summary>
        public bool CanAnswer => !NonInteractive && !Hostless && !(HostName == "ConsoleHost" && InputRedirected);

        /// <summary>Why nobody can answer, in the words of the message that explains it.</summary>
        public string WhyNobodyCanAnswer =>
            NonInteractive ? "this PowerShell was started with -NonInteractive"
            : HostName == "ServerRemoteHost" ? "this runs in a job or a remote session, which has no console of its own"
            : Hostless ? "this runs in a runspace without a console of its own (a thread job, ForEach-Object -Parallel, or an application that hosts PowerShell)"
            : "this PowerShell's input is redirected (a scheduled task, CI, or a runbook), so nobody can type a password";

        public static PromptSignals Current(string? hostName)
        {
            bool redirected;
            try { redirected = Console.IsInputRedirected; }
            catch (Exception) { redirected = false; }
            return new PromptSignals(IsNonInteractive(Environment.GetCommandLineArgs()), redirected, hostName ?? string.Empty);
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

    /// <summary>
    /// Looks at the vaults without anything that can prompt: the registry (Get-SecretVault) and, for a
    /// SecretStore, its public <c>LocalSecretStore</c> type (<c>AllowPrompting</c>, and <c>GetInstance(null, null)</c>,
    /// which throws PasswordRequiredException when the store is locked and never prompts). SecretManagement keeps
    /// one extension runspace per process holding the host of its first caller, so a prompt can land anywhere;
    /// this look is what lets a read or a completion decide before the vault is asked.
    /// </summary>
    internal static class VaultPreflight
    {
        private const string LocalSecretStoreType = "Microsoft.PowerShell.SecretStore.LocalSecretStore";
        private const string PasswordRequiredType = "Microsoft.PowerShell.SecretManagement.PasswordRequiredException";

        private static readonly object TypeGate = new object();
        private static Type? _localSecretStore;

        /// <summary>The registered vaults, default first; throws what Get-SecretVault throws (CommandNotFoundException when SecretManagement is missing).</summary>
        public static IReadOnlyList<VaultEntry> Vaults()
        {
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Get-SecretVault").AddParameter("ErrorAction", ActionPreference.Stop);
            var entries = new List<VaultEntry>();
            foreach (var item in ps.Invoke())
            {
                if (item?.Properties["Name"]?.Value is not string name || name.Length == 0) { continue; }
                entries.Add(new VaultEntry(
                    name,
                    item.Properties["ModuleName"]?.Value as string ?? string.Empty,
                    item.Properties["ModulePath"]?.Value as string,
                    item.Properties["IsDefault"]?.Value is bool isDefault && isDefault));
            }
            return entries.OrderByDescending(e => e.IsDefault).ToList();
        }

        /// <summary>The vaults a Get-Secret for <paramref name="vault"/> may ask: the named one, or all of them (default first).</summary>
        public static IReadOnlyList<VaultEntry> Reached(IReadOnlyList<VaultEntry> all, string? vault) =>
            vault is null ? all : all.Where(e => string.Equals(e.Name, vault, StringComparison.OrdinalIgnoreCase)).ToList();

        /// <summary>
        /// The lock of the vaults a read may reach: the worst of them. Every SecretStore vault shares the one
        /// store of this user, so one look serves them all.
        /// </summary>
        public static VaultLock LockOf(IReadOnlyList<VaultEntry> reached)
        {
            var store = reached.FirstOrDefault(e => e.IsSecretStore && !e.ModuleMissing);
            var storeLock = store is null ? VaultLock.Unlocked : SecretStoreLock(store);
            if (storeLock != VaultLock.Unlocked) { return storeLock; }
            return reached.Any(e => !e.IsSecretStore) ? VaultLock.Unknown : VaultLock.Unlocked;
        }

        /// <summary>A SecretStore's lock, through its public static API; Unknown when that cannot be reached.</summary>
        public static VaultLock SecretStoreLock(VaultEntry store)
        {
            var type = LocalSecretStore(store);
            if (type is null) { return VaultLock.Unknown; }
            try
            {
                type.GetMethod("GetInstance", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object?[] { null, null });
                return VaultLock.Unlocked;
            }
            catch (TargetInvocationException failure) when (failure.InnerException?.GetType().FullName == PasswordRequiredType)
            {
                var allow = type.GetProperty("AllowPrompting", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
                return allow is bool prompts && !prompts ? VaultLock.LockedNoPrompt : VaultLock.WouldPrompt;
            }
            catch (Exception)
            {
                return VaultLock.Unknown;
            }
        }

        /// <summary>
        /// SecretStore's LocalSecretStore type: found among the loaded assemblies, else loaded by importing the
        /// vault's module from its registered path, as SecretManagement's extension runspace does (the same
        /// assembly, so the same store).
        /// </summary>
        private static Type? LocalSecretStore(VaultEntry store)
        {
            lock (TypeGate)
            {
                if (_localSecretStore is not null) { return _localSecretStore; }
                _localSecretStore = FindLoaded();
                if (_localSecretStore is not null || string.IsNullOrEmpty(store.ModulePath)) { return _localSecretStore; }
            }
            try
            {
                using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddCommand("Microsoft.PowerShell.Core\\Import-Module").AddParameter("Name", store.ModulePath)
                    .AddParameter("ErrorAction", ActionPreference.Stop).AddParameter("WarningAction", ActionPreference.Ignore)
                    .AddParameter("Verbose", false);
                ps.Invoke();
            }
            catch (Exception)
            {
                return null;
            }
            lock (TypeGate)
            {
                return _localSecretStore ??= FindLoaded();
            }
        }

        private static Type? FindLoaded()
        {
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (assembly.IsDynamic) { continue; }
                Type? found;
                try { found = assembly.GetType(LocalSecretStoreType, false); }
                catch (Exception) { continue; }
                if (found is not null) { return found; }
            }
            return null;
        }
    }
}
