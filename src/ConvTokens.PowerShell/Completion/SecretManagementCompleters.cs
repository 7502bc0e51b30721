using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Threading;

namespace ConvTokens.PowerShell.Completion
{
    /// <summary>Completes -Vault with the names of the registered SecretManagement vaults.</summary>
    public sealed class VaultNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            // Get-SecretVault reads only the vault registry and never asks for a password, so it runs where the user is.
            var names = CompletionQuery.VaultNames();
            return CompletionQuery.Match(names, wordToComplete, "vault");
        }
    }

    /// <summary>
    /// Completes secret-name parameters with the secrets of -Vault (or of every vault). SecretManagement prompts
    /// through the host of its first caller, which can be the console the user is typing in, so a vault is
    /// listed only when it is seen, without asking it, not to prompt: a SecretStore that is unlocked. A locked
    /// store, and a vault module whose lock cannot be seen, offer only the names this process has already read.
    /// </summary>
    public sealed class SecretNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var vault = fakeBoundParameters?["Vault"] as string;
            var names = new List<string>(Secrets.VaultSecretReader.NamesRead(vault));
            foreach (var listable in ListableVaults(vault))
            {
                names.AddRange(HostlessSecretInfo.SecretNames(listable));
            }
            return CompletionQuery.Match(CompletionQuery.Sorted(names), wordToComplete, vault is null ? "secret" : $"secret in {vault}");
        }

        /// <summary>The vaults that can be listed without any prompt: SecretStore vaults whose store is unlocked.</summary>
        private static IEnumerable<string> ListableVaults(string? vault)
        {
            IReadOnlyList<Secrets.VaultEntry> reached;
            try
            {
                reached = Secrets.VaultPreflight.Reached(Secrets.VaultPreflight.Vaults(), vault);
            }
            catch (Exception)
            {
                // Completion is best effort: no SecretManagement offers only the names already read.
                return Array.Empty<string>();
            }
            var stores = reached.Where(e => e.IsSecretStore && !e.ModuleMissing).ToList();
            if (stores.Count == 0 || Secrets.VaultPreflight.SecretStoreLock(stores[0]) != Secrets.VaultLock.Unlocked)
            {
                return Array.Empty<string>();
            }
            return stores.Select(e => e.Name).ToList();
        }
    }

    /// <summary>
    /// Lists the secret names of one vault, already seen to be unlocked, with Get-SecretInfo in a runspace of its
    /// own, bounded in time: a cold first load of the vault module must not hold the user's Tab. The runspace has
    /// no host, but that protects nothing by itself (SecretManagement prompts through the host of its first
    /// caller), which is why only vaults that cannot prompt are listed.
    /// </summary>
    internal static class HostlessSecretInfo
    {
        /// <summary>How long one completion waits for the vault; a slower answer offers nothing this time.</summary>
        private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

        private static readonly object Gate = new object();
        private static Runspace? _runspace;

        /// <summary>A query that outlived its bound (a cold first load, a slow vault); the runspace is busy until it ends.</summary>
        private static System.Management.Automation.PowerShell? _late;
        private static IAsyncResult? _latePending;

        public static IReadOnlyList<string> SecretNames(string vault)
        {
            if (!Monitor.TryEnter(Gate)) { return Array.Empty<string>(); }
            System.Management.Automation.PowerShell? ps = null;
            try
            {
                if (_late is not null)
                {
                    if (!_latePending!.IsCompleted) { return Array.Empty<string>(); }
                    Finish(_late, _latePending);
                    _late = null;
                    _latePending = null;
                }
                _runspace ??= Open();
                ps = System.Management.Automation.PowerShell.Create();
                ps.Runspace = _runspace;
                ps.AddCommand("Get-SecretInfo").AddParameter("Vault", vault);
                ps.AddParameter("ErrorAction", ActionPreference.Ignore);
                ps.AddParameter("WarningAction", ActionPreference.Ignore);
                var pending = ps.BeginInvoke();
                if (!pending.AsyncWaitHandle.WaitOne(Bound))
                {
                    // Let it finish on its own (the next completion finds the runspace warm), without waiting for it.
                    _late = ps;
                    _latePending = pending;
                    ps = null;
                    return Array.Empty<string>();
                }
                return CompletionQuery.Names(ps.EndInvoke(pending), "Name");
            }
            catch (Exception)
            {
                // Completion is best effort: a missing module or a locked vault just offers nothing.
                return Array.Empty<string>();
            }
            finally
            {
                ps?.Dispose();
                Monitor.Exit(Gate);
            }
        }

        private static void Finish(System.Management.Automation.PowerShell late, IAsyncResult pending)
        {
            try { late.EndInvoke(pending); }
            catch (Exception) { /* its answer is no longer wanted */ }
            late.Dispose();
        }

        private static Runspace Open()
        {
            // No host: RunspaceFactory gives the runspace a default host whose UI cannot read input.
            var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            return runspace;
        }
    }

    internal static class CompletionQuery
    {
        public static IReadOnlyList<string> VaultNames()
        {
            try
            {
                return Sorted(Secrets.VaultPreflight.Vaults().Select(vault => vault.Name));
            }
            catch (Exception)
            {
                // Completion is best effort: a missing module just offers nothing.
                return Array.Empty<string>();
            }
        }

        public static IReadOnlyList<string> Names(IEnumerable<PSObject> items, string property) =>
            Sorted(items.Select(item => item?.Properties[property]?.Value as string));

        /// <summary>The names once each (without regard to case), in the order completions are offered.</summary>
        public static IReadOnlyList<string> Sorted(IEnumerable<string?> names) =>
            names.Where(name => !string.IsNullOrEmpty(name))
                .Select(name => name!)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderBy(name => name, StringComparer.OrdinalIgnoreCase)
                .ToList();

        public static IEnumerable<CompletionResult> Match(IReadOnlyList<string> names, string wordToComplete, string what)
        {
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = WildcardPattern.Get(prefix + "*", WildcardOptions.IgnoreCase);
            foreach (var name in names)
            {
                if (pattern.IsMatch(name))
                {
                    yield return new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, $"{name} ({what})");
                }
            }
        }

        private static string Quote(string name) =>
            name.Any(c => char.IsWhiteSpace(c) || "'\"`$;,(){}[]&|<>@#".IndexOf(c) >= 0) ? "'" + name.Replace("'", "''") + "'" : name;
    }
}
