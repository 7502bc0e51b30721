using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ConvTokens.PowerShell.Completion
{
    /// <summary>Completes -Vault with the names of the registered SecretManagement vaults.</summary>
    public sealed class VaultNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var names = CompletionQuery.Run("Get-SecretVault", null, "Name");
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
            var names = CompletionQuery.Run("Get-SecretInfo", vault, "Name");
            return CompletionQuery.Match(names, wordToComplete, vault is null ? "secret" : $"secret in {vault}");
        }
    }

    /// <summary>
    /// Asks SecretManagement for names and degrades to nothing when it is missing, has no vault, or the
    /// vault is locked: completion must never fail or stop the user.
    /// </summary>
    internal static class CompletionQuery
    {
        public static IReadOnlyList<string> Run(string command, string? vault, string property)
        {
            try
            {
                using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddCommand(command);
                if (vault is not null) { ps.AddParameter("Vault", vault); }
                ps.AddParameter("ErrorAction", ActionPreference.Ignore);
                return ps.Invoke()
                    .Select(item => item?.Properties[property]?.Value as string)
                    .Where(name => !string.IsNullOrEmpty(name))
                    .Select(name => name!)
                    .Distinct(StringComparer.OrdinalIgnoreCase)
                    .OrderBy(name => name, StringComparer.OrdinalIgnoreCase)
                    .ToList();
            }
            catch (Exception)
            {
                // Completion is best effort: a missing module or a locked vault just offers nothing.
                return Array.Empty<string>();
            }
        }

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
