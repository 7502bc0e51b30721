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

    /// <summary>Completes secret-name parameters with the secrets of -Vault (or of every vault).</summary>
    public sealed class SecretNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var vault = fakeBoundParameters?["Vault"] as string;
            var names = HostlessSecretInfo.SecretNames(vault);
            return CompletionQuery.Match(names, wordToComplete, vault is null ? "secret" : $"secret in {vault}");
        }
    }

    /// <summary>
    /// Lists secret names with Get-SecretInfo in a runspace of its own that has no host. A locked vault that
    /// would ask for its password asks that runspace's host, which cannot read, so the vault fails at once:
    /// no prompt lands in the user's command line, and in a script host nothing can end the script. The
    /// unlocked state of a SecretStore is the process's, so an unlocked vault lists its secrets as usual.
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

        public static IReadOnlyList<string> SecretNames(string? vault)
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
                ps.AddCommand("Get-SecretInfo");
                if (vault is not null) { ps.AddParameter("Vault", vault); }
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
                using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddCommand("Get-SecretVault").AddParameter("ErrorAction", ActionPreference.Ignore);
                return Names(ps.Invoke(), "Name");
            }
            catch (Exception)
            {
                // Completion is best effort: a missing module just offers nothing.
                return Array.Empty<string>();
            }
        }

        public static IReadOnlyList<string> Names(IEnumerable<PSObject> items, string property) =>
            items.Select(item => item?.Properties[property]?.Value as string)
                .Where(name => !string.IsNullOrEmpty(name))
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
