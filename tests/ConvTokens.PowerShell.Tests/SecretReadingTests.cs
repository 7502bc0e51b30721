using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using ConvTokens.PowerShell;
using ConvTokens.PowerShell.Secrets;
using Microsoft.PowerShell.SecretStore;
using Xunit;

namespace ConvTokens.PowerShell.Tests
{
    public class PromptSignalsTests
    {
        [Theory]
        [InlineData("ConsoleHost", false, false, true)]
        [InlineData("ConsoleHost", true, false, false)]
        [InlineData("ConsoleHost", false, true, false)]
        [InlineData("Default Host", false, false, false)]
        [InlineData("ServerRemoteHost", false, false, false)]
        [InlineData("", false, false, false)]
        [InlineData("Visual Studio Code Host", true, false, true)]
        [InlineData("Visual Studio Code Host", false, true, false)]
        public void Only_a_person_at_a_real_host_can_answer(string host, bool redirected, bool nonInteractive, bool canAnswer)
        {
            Assert.Equal(canAnswer, new PromptSignals(nonInteractive, redirected, host).CanAnswer);
        }

        [Theory]
        [InlineData("Default Host", "a runspace without a console of its own")]
        [InlineData("ServerRemoteHost", "in a job or a remote session")]
        [InlineData("ConsoleHost", "input is redirected")]
        public void Says_why_nobody_can_answer(string host, string reason)
        {
            Assert.Contains(reason, new PromptSignals(false, true, host).WhyNobodyCanAnswer);
            Assert.Contains("-NonInteractive", new PromptSignals(true, true, host).WhyNobodyCanAnswer);
        }

        [Theory]
        [InlineData(true, "pwsh", "-NonInteractive", "-File", "x.ps1")]
        [InlineData(true, "pwsh", "-noni", "-c", "1")]
        [InlineData(true, "pwsh", "--noninter", "-File", "x.ps1")]
        [InlineData(false, "pwsh", "-non", "-File", "x.ps1")]
        [InlineData(false, "pwsh", "-File", "x.ps1", "-noni")]
        [InlineData(false, "pwsh", "-Command", "-NonInteractive")]
        [InlineData(false, "pwsh")]
        public void Reads_NonInteractive_only_before_the_script(bool expected, params string[] args)
        {
            Assert.Equal(expected, PromptSignals.IsNonInteractive(args));
        }
    }

    public class NothingReturnedTests
    {
        private static readonly SecretSource Source = new SecretSource("ApiSignature", null, "ConvTokens.ApiSignature", null);
        private static PromptSignals Host(string name) => name switch
        {
            "Console" => new PromptSignals(false, false, "ConsoleHost"),
            "Redirected" => new PromptSignals(false, true, "ConsoleHost"),
            "NonInteractive" => new PromptSignals(true, true, "ConsoleHost"),
            _ => new PromptSignals(false, false, "Default Host"),
        };
        private const string Console = "Console", Redirected = "Redirected", NonInteractive = "NonInteractive", ThreadJob = "ThreadJob";
        private const string Unknown = nameof(VaultLock.Unknown), Unlocked = nameof(VaultLock.Unlocked), WouldPrompt = nameof(VaultLock.WouldPrompt);

        public static IEnumerable<object[]> Cases() => new[]
        {
            // The store is still locked after the read: its prompt got no password.
            new object[] { Console, WouldPrompt, WouldPrompt, ErrorCatalog.SecretReadCancelled, "cancelled with Ctrl+C" },
            new object[] { Redirected, Unlocked, WouldPrompt, ErrorCatalog.SecretVaultLocked, "password timeout has passed" },
            new object[] { ThreadJob, Unlocked, WouldPrompt, ErrorCatalog.SecretVaultLocked, "thread job" },
            // Unlocked: the value is empty, whatever the host.
            new object[] { Console, WouldPrompt, Unlocked, ErrorCatalog.SecretEmpty, "was unlocked, so the value itself is empty" },
            new object[] { Redirected, Unlocked, Unlocked, ErrorCatalog.SecretEmpty, "stored as an empty string" },
            new object[] { NonInteractive, Unlocked, Unlocked, ErrorCatalog.SecretEmpty, "unlocked SecretStore" },
            // Another vault module: only the host tells.
            new object[] { NonInteractive, Unknown, Unknown, ErrorCatalog.SecretEmpty, "started with -NonInteractive" },
            new object[] { Redirected, Unknown, Unknown, ErrorCatalog.SecretVaultLocked, "If the vault was not locked, the secret is stored as an empty string" },
            new object[] { ThreadJob, Unknown, Unknown, ErrorCatalog.SecretVaultLocked, "a runspace without a console" },
            new object[] { Console, Unknown, Unknown, ErrorCatalog.SecretEmpty, "if an 'Enter password:' prompt got no answer" },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Tells_cancelled_locked_and_empty_apart_by_what_needs_no_prompt(string host, string before, string after, string id, string says)
        {
            var failure = VaultSecretReader.NothingReturned(Source, Host(host), Enum.Parse<VaultLock>(before), Enum.Parse<VaultLock>(after));
            Assert.Equal(id, failure.ErrorId);
            Assert.Contains(says, failure.Message);
            Assert.Contains("ConvTokens.ApiSignature", failure.Message);
        }
    }

    public class TranslateTests
    {
        private static readonly SecretSource Source = new SecretSource("ApiKey", null, "ConvTokens.ApiKey", "Main");
        private static readonly VaultEntry Gone = new VaultEntry("Main", "Some.Vault", Path.Combine(Path.GetTempPath(), "convtokens-no-such-module-" + Guid.NewGuid()), true);

        public static IEnumerable<object[]> Cases() => new[]
        {
            new object[] { new CommandNotFoundException("Get-Secret"), ErrorCatalog.SecretManagementNotInstalled },
            new object[] { new Microsoft.PowerShell.SecretManagement.PasswordRequiredException("locked"), ErrorCatalog.SecretVaultLocked },
            new object[] { new ItemNotFoundException("The secret ConvTokens.ApiKey was not found."), ErrorCatalog.SecretNotFound },
            new object[] { new PSInvalidOperationException("Vault not found in registry: Main"), ErrorCatalog.SecretVaultNotFound },
            new object[] { new FileNotFoundException("module gone"), ErrorCatalog.SecretVaultModuleMissing },
            new object[] { new InvalidOperationException("disk on fire"), ErrorCatalog.SecretReadFailed },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Turns_SecretManagement_failures_into_our_ids(Exception cause, string id)
        {
            var wrapped = new CmdletInvocationException(cause.Message, cause);
            Assert.Equal(id, VaultSecretReader.Translate(wrapped, Source, Array.Empty<string>(), new[] { Gone }).ErrorId);
        }

        [Fact]
        public void A_module_gone_names_the_vault_its_module_and_the_fix()
        {
            var failure = VaultSecretReader.Translate(new FileNotFoundException("x"), Source, Array.Empty<string>(), new[] { Gone });
            Assert.Contains("vault 'Main' is registered with the module 'Some.Vault'", failure.Message);
            Assert.Contains("Install-PSResource Some.Vault", failure.Message);
        }
    }

    [CollectionDefinition(nameof(SecretStoreState), DisableParallelization = true)]
    public class SecretStoreState { }

    [Collection(nameof(SecretStoreState))]
    public class VaultPreflightTests
    {
        private static readonly VaultEntry Store = new VaultEntry("Main", "Microsoft.PowerShell.SecretStore", null, true);
        private static readonly VaultEntry Other = new VaultEntry("Keys", "Some.Vault", null, false);

        [Theory]
        [InlineData(false, true, "Unlocked")]
        [InlineData(true, true, "WouldPrompt")]
        [InlineData(true, false, "LockedNoPrompt")]
        public void Sees_the_SecretStore_lock_without_a_prompt(bool locked, bool prompting, string expected)
        {
            LocalSecretStore.Locked = locked;
            LocalSecretStore.Prompting = prompting;
            LocalSecretStore.Prompts = 0;
            try
            {
                Assert.Equal(Enum.Parse<VaultLock>(expected), VaultPreflight.SecretStoreLock(Store));
                Assert.Equal(0, LocalSecretStore.Prompts);
            }
            finally { LocalSecretStore.Locked = false; LocalSecretStore.Prompting = true; }
        }

        [Fact]
        public void The_worst_lock_of_the_vaults_a_read_may_reach()
        {
            try
            {
                LocalSecretStore.Locked = true;
                Assert.Equal(VaultLock.WouldPrompt, VaultPreflight.LockOf(new[] { Other, Store }));
                LocalSecretStore.Locked = false;
                Assert.Equal(VaultLock.Unknown, VaultPreflight.LockOf(new[] { Other, Store }));
                Assert.Equal(VaultLock.Unlocked, VaultPreflight.LockOf(new[] { Store }));
                Assert.Equal(VaultLock.Unknown, VaultPreflight.LockOf(new[] { Other }));
            }
            finally { LocalSecretStore.Locked = false; }
        }

        [Fact]
        public void A_named_vault_reaches_only_itself_and_no_name_reaches_all()
        {
            var all = new[] { Store, Other };
            Assert.Equal(new[] { Other }, VaultPreflight.Reached(all, "keys"));
            Assert.Equal(all, VaultPreflight.Reached(all, null));
            Assert.Empty(VaultPreflight.Reached(all, "nope"));
        }

        [Fact]
        public void A_module_folder_that_is_gone_is_seen()
        {
            Assert.True(new VaultEntry("V", "M", Path.Combine(Path.GetTempPath(), "convtokens-gone-" + Guid.NewGuid()), false).ModuleMissing);
            Assert.False(new VaultEntry("V", "M", Path.GetTempPath(), false).ModuleMissing);
            Assert.False(new VaultEntry("V", "M", null, false).ModuleMissing);
        }
    }
}
