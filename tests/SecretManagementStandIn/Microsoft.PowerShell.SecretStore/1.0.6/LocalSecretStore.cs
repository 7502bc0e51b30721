// Test stand-in for Microsoft.PowerShell.SecretStore 1.0.6: its public type LocalSecretStore, its password
// prompt, and its cmdlets Unlock-SecretStore, Get-SecretStoreConfiguration and Set-SecretStoreConfiguration.
// Compiled into an assembly of its own when the module is imported (directly, or by the extension runspace
// when a vault call first reaches a SecretStore vault), as the real module's DLL is loaded then.
// Written for this repository's tests from SecretStore's public surface and DESIGN.md's measurements; it is
// not the real module's source. Its state is the SecretManagement stand-in's StandInStore.SecretStoreLock,
// shared by every vault registered with this module (the real store is one per user). Kept C# 5 compatible.
using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using Microsoft.PowerShell.SecretManagement;
using SecretManagementStandIn;

namespace Microsoft.PowerShell.SecretStore
{
    public enum SecureStoreScope { CurrentUser = 0, AllUsers }

    public enum Authenticate { None = 0, Password }

    public enum Interaction { Prompt = 0, None }

    /// <summary>The store of this user, unlocked in this process.</summary>
    public sealed class LocalSecretStore : IDisposable
    {
        internal const string ModuleVaultName = "Microsoft.PowerShell.SecretStore";
        private static readonly LocalSecretStore Instance = new LocalSecretStore();

        private LocalSecretStore() { }

        /// <summary>True when the store's configuration says -Interaction Prompt (its default).</summary>
        public static bool AllowPrompting
        {
            get { return string.Equals(StandInStore.SecretStoreLock.Interaction, "Prompt", StringComparison.OrdinalIgnoreCase); }
        }

        /// <summary>
        /// The unlocked store. With a password: unlocks with it (a wrong one throws). Without: returns the
        /// instance once one exists in this process, even after its PasswordTimeout passed (only reading a
        /// secret value then needs the password again); on a locked store prompts through the cmdlet's host
        /// when a cmdlet is given and AllowPrompting, and otherwise throws PasswordRequiredException, never
        /// prompting.
        /// </summary>
        public static LocalSecretStore GetInstance(SecureString password = null, PSCmdlet cmdlet = null)
        {
            var state = StandInStore.SecretStoreLock;
            if (password != null)
            {
                if (!StandInStore.TryUnlock(state, password))
                {
                    throw new PasswordRequiredException("The provided password is incorrect for the Microsoft.PowerShell.SecretStore module vault.");
                }
                return Instance;
            }
            if (!state.IsLocked) { return Instance; }
            if (cmdlet != null && AllowPrompting)
            {
                var typed = StorePrompt.PromptForPassword(ModuleVaultName, cmdlet);
                if (!StandInStore.TryUnlock(state, typed))
                {
                    throw new PasswordRequiredException("The provided password is incorrect for the Microsoft.PowerShell.SecretStore module vault.");
                }
                return Instance;
            }
            throw new PasswordRequiredException();
        }

        /// <summary>Asks for the password through the cmdlet's host and unlocks the store with it (a wrong one throws).</summary>
        public static void PromptAndUnlockVault(string vaultName, PSCmdlet cmdlet)
        {
            var password = StorePrompt.PromptForPassword(vaultName, cmdlet);
            GetInstance(password);
        }

        public static bool UnlockVault(SecureString password, out string errorMsg)
        {
            try
            {
                GetInstance(password);
                errorMsg = string.Empty;
                return true;
            }
            catch (Exception ex)
            {
                errorMsg = ex.Message;
                return false;
            }
        }

        public void Dispose() { }
    }

    /// <summary>The configuration Get-SecretStoreConfiguration shows.</summary>
    public sealed class SecureStoreConfig
    {
        public SecureStoreScope Scope { get; internal set; }
        public Authenticate Authentication { get; internal set; }
        public int PasswordTimeout { get; internal set; }
        public Interaction Interaction { get; internal set; }
    }

    /// <summary>
    /// SecretStore's password prompt: two lines written through the host of the cmdlet it runs for, then a
    /// secure read from that host. In a vault call that cmdlet runs in the extension runspace, whose host is the
    /// one its first caller had (see the SecretManagement stand-in's ExtensionContext.cs).
    /// </summary>
    internal static class StorePrompt
    {
        internal static SecureString PromptForPassword(string vaultName, PSCmdlet cmdlet)
        {
            if (cmdlet.Host == null || cmdlet.Host.UI == null)
            {
                throw new PSInvalidOperationException("Cannot prompt for password. No host available.");
            }
            var ui = cmdlet.Host.UI;
            ui.WriteLine(string.Format(CultureInfo.InvariantCulture, "Vault {0} requires a password.", vaultName));
            PromptLog.Shown(cmdlet.Host.Name);
            while (true)
            {
                ui.WriteLine("Enter password:");
                PromptLog.ReadStarted();
                SecureString password;
                try
                {
                    password = ui.ReadLineAsSecureString();
                }
                catch (PipelineStoppedException)
                {
                    PromptLog.ReadCancelled();
                    throw;
                }
                catch (Exception ex)
                {
                    // The host refuses to read (pwsh -NonInteractive, a host without a user interface). Measured
                    // under -NonInteractive: the caller then gets a PasswordRequiredException.
                    PromptLog.ReadRefused();
                    throw new PasswordRequiredException(PasswordRequiredException.StoreLockedMessage, ex);
                }
                if (password == null)
                {
                    // The read was cancelled (Ctrl+C, input at its end): PowerShell's InternalHost has stopped the
                    // pipeline of the runspace that created the extension runspace and returned nothing. The real
                    // SecretStore then fails reading the length of the missing password.
                    PromptLog.ReadCancelled();
                    throw new NullReferenceException();
                }
                PromptLog.ReadAnswered();
                if (password.Length == 0)
                {
                    ui.WriteLine("\nThe entered password cannot be empty.  Please re-enter the password.\n");
                    continue;
                }
                return password;
            }
        }
    }

    [Cmdlet(VerbsCommon.Unlock, "SecretStore")]
    public sealed class UnlockSecretStoreCommand : PSCmdlet
    {
        [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public SecureString Password { get; set; }

        [Parameter]
        [ValidateRange(-1, int.MaxValue)]
        public int PasswordTimeout { get; set; }

        protected override void EndProcessing()
        {
            CallSpy.RecordCall("Unlock-SecretStore");
            LocalSecretStore.GetInstance(Password);
            if (MyInvocation.BoundParameters.ContainsKey("PasswordTimeout"))
            {
                StandInStore.Configure(StandInStore.SecretStoreLock, null, PasswordTimeout);
            }
        }
    }

    [Cmdlet(VerbsCommon.Get, "SecretStoreConfiguration")]
    [OutputType(typeof(SecureStoreConfig))]
    public sealed class GetSecretStoreConfigurationCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            CallSpy.RecordCall("Get-SecretStoreConfiguration");
            // Like the real one: a locked store prompts here, through this cmdlet's own host.
            LocalSecretStore.GetInstance(null, this);
            WriteObject(SecretStoreConfiguration.Current());
        }
    }

    /// <summary>
    /// Sets -Interaction and -PasswordTimeout of the store (every SecretStore vault). -Authentication and -Scope
    /// are accepted and kept (AllUsers is refused, as the real one does). Unlike the real one its
    /// ConfirmImpact is Medium, so it does not ask for confirmation.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "SecretStoreConfiguration", DefaultParameterSetName = "ParameterSet", SupportsShouldProcess = true)]
    [OutputType(typeof(SecureStoreConfig))]
    public sealed class SetSecretStoreConfigurationCommand : PSCmdlet
    {
        [Parameter(ParameterSetName = "ParameterSet")]
        public SecureStoreScope Scope { get; set; }

        [Parameter(ParameterSetName = "ParameterSet")]
        public Authenticate Authentication { get; set; }

        [Parameter(ParameterSetName = "ParameterSet")]
        [ValidateRange(-1, int.MaxValue)]
        public int PasswordTimeout { get; set; }

        [Parameter(ParameterSetName = "ParameterSet")]
        public Interaction Interaction { get; set; }

        [Parameter(ParameterSetName = "DefaultParameterSet")]
        public SwitchParameter Default { get; set; }

        [Parameter]
        public SecureString Password { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            CallSpy.RecordCall("Set-SecretStoreConfiguration");
            if (MyInvocation.BoundParameters.ContainsKey("Scope") && Scope == SecureStoreScope.AllUsers)
            {
                ThrowTerminatingError(new ErrorRecord(new PSNotSupportedException("AllUsers scope is not yet supported."),
                    "SecretStoreConfigurationNotSupported", ErrorCategory.NotEnabled, this));
            }
            if (!ShouldProcess("SecretStore module local store", "Changes local store configuration")) { return; }
            LocalSecretStore.GetInstance(Password, Password == null ? this : null);
            var bound = MyInvocation.BoundParameters;
            string interaction = Default.IsPresent ? "Prompt" : bound.ContainsKey("Interaction") ? Interaction.ToString() : null;
            int? timeout = Default.IsPresent ? 900 : bound.ContainsKey("PasswordTimeout") ? (int?)PasswordTimeout : null;
            StandInStore.Configure(StandInStore.SecretStoreLock, interaction, timeout);
            if (bound.ContainsKey("Authentication")) { SecretStoreConfiguration.Authentication = Authentication; }
            if (PassThru.IsPresent) { WriteObject(SecretStoreConfiguration.Current()); }
        }
    }

    internal static class SecretStoreConfiguration
    {
        internal static Authenticate Authentication = Authenticate.Password;

        internal static SecureStoreConfig Current()
        {
            var state = StandInStore.SecretStoreLock;
            var config = new SecureStoreConfig();
            config.Scope = SecureStoreScope.CurrentUser;
            config.Authentication = Authentication;
            config.PasswordTimeout = state.PasswordTimeout;
            config.Interaction = string.Equals(state.Interaction, "None", StringComparison.OrdinalIgnoreCase) ? Interaction.None : Interaction.Prompt;
            return config;
        }
    }
}

namespace SecretManagementStandIn.SecretStore
{
    using Microsoft.PowerShell.SecretStore;

    /// <summary>
    /// The stand-in's secret storage behind LocalSecretStore, called by the module's extension functions
    /// (the real ones call instance methods of LocalSecretStore; these take the vault name, because the
    /// stand-in keeps each vault's secrets apart). Not part of SecretStore's API.
    /// </summary>
    public static class StoreData
    {
        private static VaultRecord Vault(string vaultName)
        {
            var vault = StandInStore.FindVault(vaultName);
            if (vault == null) { throw new PSInvalidOperationException("Vault not found in registry: " + vaultName); }
            return vault;
        }

        // Reading or writing a value needs the key, which a passed PasswordTimeout has dropped.
        private static void RequireKey(LocalSecretStore store)
        {
            if (store == null || StandInStore.SecretStoreLock.PasswordExpired) { throw new PasswordRequiredException(); }
        }

        public static bool ReadObject(LocalSecretStore store, string vaultName, string name, out object value)
        {
            RequireKey(store);
            return StandInStore.TryReadSecret(Vault(vaultName), name, out value);
        }

        /// <summary>Listing needs no key: it works after the PasswordTimeout passed, without a prompt.</summary>
        public static SecretInformation[] EnumerateObjectInfo(LocalSecretStore store, string vaultName, string filter)
        {
            if (store == null) { throw new PasswordRequiredException(); }
            return StandInStore.GetSecretInfo(Vault(vaultName), filter);
        }

        public static bool WriteObject(LocalSecretStore store, string vaultName, string name, object secret, Hashtable metadata)
        {
            RequireKey(store);
            return StandInStore.SetSecret(Vault(vaultName), name, secret, metadata);
        }

        public static bool WriteMetadata(LocalSecretStore store, string vaultName, string name, Hashtable metadata)
        {
            RequireKey(store);
            return StandInStore.SetMetadata(Vault(vaultName), name, metadata);
        }

        public static bool DeleteObject(LocalSecretStore store, string vaultName, string name)
        {
            RequireKey(store);
            return StandInStore.RemoveSecret(Vault(vaultName), name);
        }
    }
}
