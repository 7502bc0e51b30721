// The secret commands of the SecretManagement stand-in: Get-Secret, Get-SecretInfo, Set-Secret, Set-SecretInfo,
// Remove-Secret. Compiled cmdlets named like the real classes, so their errors carry the real
// FullyQualifiedErrorIds ("GetSecretNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand"). Each
// reaches the vault through its module in the process-wide extension runspace (ExtensionContext.cs), in the
// order SecretManagement 1.1.2 does. Written for this repository's tests; not the real module's source.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using SecretManagementStandIn;

namespace Microsoft.PowerShell.SecretManagement
{
    /// <summary>What the compiled stand-in cmdlets share: the vault look-up, error records, the no-vault warning.</summary>
    internal static class StandInCmdlets
    {
        // DESIGN.md measured the first two sentences. The real text (in its source) starts with a line break and
        // indents every line by eight spaces; the stand-in keeps the two sentences at the start of lines.
        internal const string NoVaultsWarning =
            "There are currently no extension vaults registered.\n" +
            "At least one vault must be registered before SecretManagement can add or retrieve secrets.\n" +
            "Extension vault modules can be found on the PowerShell Gallery, for example\n" +
            "Microsoft.PowerShell.SecretStore; register one with Register-SecretVault.\n" +
            "(Test stand-in wording after the first two sentences.)";

        internal static void WarnIfNoVaults(PSCmdlet cmdlet)
        {
            if (StandInStore.VaultCount == 0) { cmdlet.WriteWarning(NoVaultsWarning); }
        }

        internal static ErrorRecord NotFoundRecord(string secretName, string errorId)
        {
            return new ErrorRecord(new ItemNotFoundException("The secret " + secretName + " was not found."),
                errorId, ErrorCategory.ObjectNotFound, secretName);
        }

        internal static VaultRecord FindVaultOrThrow(PSCmdlet cmdlet, string vaultName)
        {
            var v = StandInStore.FindVault(vaultName);
            if (v == null)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("Vault not found in registry: " + vaultName),
                    "GetSecretVaultNotFound", ErrorCategory.ObjectNotFound, vaultName));
            }
            return v;
        }

        /// <summary>Default vault first, then the others in registration order.</summary>
        internal static IEnumerable<VaultRecord> OthersThanDefault()
        {
            foreach (var v in StandInStore.GetVaults())
            {
                if (!string.Equals(v.Name, StandInStore.DefaultVaultName, StringComparison.OrdinalIgnoreCase)) { yield return v; }
            }
        }

        /// <summary>The target vault of a write: the named one, else the default vault.</summary>
        internal static VaultRecord ResolveWriteVault(PSCmdlet cmdlet, string vaultName, string errorId)
        {
            if (!string.IsNullOrEmpty(vaultName)) { return FindVaultOrThrow(cmdlet, vaultName); }
            if (StandInStore.VaultCount == 0)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("There are currently no extension vaults registered."),
                    errorId, ErrorCategory.InvalidOperation, null));
            }
            var name = StandInStore.DefaultVaultName;
            if (string.IsNullOrEmpty(name))
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("No vault was specified and no default vault is set. Use the -Vault parameter or Set-SecretVaultDefault."),
                    errorId, ErrorCategory.InvalidOperation, null));
            }
            return StandInStore.FindVault(name);
        }
    }

    [Cmdlet(VerbsCommon.Get, "Secret", DefaultParameterSetName = NameParameterSet)]
    [OutputType(typeof(SecureString), typeof(string), typeof(PSCredential), typeof(byte[]), typeof(Hashtable))]
    public sealed class GetSecretCommand : PSCmdlet
    {
        private const string NameParameterSet = "NameParameterSet";
        private const string InfoParameterSet = "InfoParameterSet";

        [Parameter(ParameterSetName = NameParameterSet, Position = 0, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(ParameterSetName = NameParameterSet, Position = 1)]
        public string Vault { get; set; }

        [Parameter(ParameterSetName = InfoParameterSet, Position = 0, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SecretInformation InputObject { get; set; }

        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        protected override void BeginProcessing()
        {
            StandInCmdlets.WarnIfNoVaults(this);
        }

        protected override void ProcessRecord()
        {
            CallSpy.RecordCall("Get-Secret");
            string secretName = ParameterSetName == InfoParameterSet ? InputObject.Name : Name;
            string vaultName = ParameterSetName == InfoParameterSet ? InputObject.VaultName : Vault;

            if (!string.IsNullOrEmpty(vaultName))
            {
                // A named vault: any failure of its module (a PasswordRequiredException too) is a non-terminating error.
                var v = StandInCmdlets.FindVaultOrThrow(this, vaultName);
                if (TryInvokeAndWrite(v, secretName) == Outcome.NotFound)
                {
                    WriteError(StandInCmdlets.NotFoundRecord(secretName, "GetSecretNotFound"));
                }
                return;
            }

            // The default vault is asked for the secret's information first, outside any catch: a
            // PasswordRequiredException of its module ends the command (terminating), as measured.
            var defaultVault = StandInStore.FindVault(StandInStore.DefaultVaultName);
            if (defaultVault != null)
            {
                var info = VaultCalls.GetSecretInfo(this, defaultVault, secretName);
                if (info.Length > 0 && TryInvokeAndWrite(defaultVault, secretName) == Outcome.Written) { return; }
            }
            foreach (var v in StandInCmdlets.OthersThanDefault())
            {
                if (TryInvokeAndWrite(v, secretName) == Outcome.Written) { return; }
            }
            WriteError(StandInCmdlets.NotFoundRecord(secretName, "GetSecretNotFound"));
        }

        private enum Outcome { Written, NotFound, Failed }

        private Outcome TryInvokeAndWrite(VaultRecord vault, string secretName)
        {
            object value;
            try
            {
                value = VaultCalls.GetSecret(this, vault, secretName);
            }
            catch (PipelineStoppedException)
            {
                throw;
            }
            catch (Exception ex)
            {
                WriteError(new ErrorRecord(ex, "GetSecretException", ErrorCategory.InvalidOperation, vault.Name));
                return Outcome.Failed;
            }
            if (value == null) { return Outcome.NotFound; }
            var table = value as Hashtable;
            if (table != null)
            {
                var copy = new Hashtable(table.Count);
                foreach (DictionaryEntry e in table) { copy.Add(e.Key, Convert(e.Value)); }
                WriteObject(copy);
            }
            else
            {
                // An empty String secret: ConvertTo-SecureString refuses '', so the real module writes $null.
                WriteObject(Convert(value));
            }
            return Outcome.Written;
        }

        private object Convert(object item)
        {
            var text = item as string;
            if (!AsPlainText.IsPresent && text != null)
            {
                if (text.Length == 0) { return null; }
                var secure = new SecureString();
                foreach (char c in text) { secure.AppendChar(c); }
                secure.MakeReadOnly();
                return secure;
            }
            var secureItem = item as SecureString;
            if (AsPlainText.IsPresent && secureItem != null)
            {
                return new System.Net.NetworkCredential(string.Empty, secureItem).Password;
            }
            return item;
        }
    }

    [Cmdlet(VerbsCommon.Get, "SecretInfo")]
    [OutputType(typeof(SecretInformation))]
    public sealed class GetSecretInfoCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        public string Name { get; set; }

        [Parameter(Position = 1)]
        public string Vault { get; set; }

        protected override void BeginProcessing()
        {
            StandInCmdlets.WarnIfNoVaults(this);
        }

        protected override void EndProcessing()
        {
            CallSpy.RecordCall("Get-SecretInfo");
            string pattern = string.IsNullOrEmpty(Name) ? "*" : Name;
            if (!string.IsNullOrEmpty(Vault))
            {
                WriteResults(StandInCmdlets.FindVaultOrThrow(this, Vault), pattern);
                return;
            }
            var defaultVault = StandInStore.FindVault(StandInStore.DefaultVaultName);
            if (defaultVault != null) { WriteResults(defaultVault, pattern); }
            foreach (var v in StandInCmdlets.OthersThanDefault()) { WriteResults(v, pattern); }
        }

        // Every failure of a vault module, a PasswordRequiredException too, is a non-terminating error here.
        private void WriteResults(VaultRecord vault, string pattern)
        {
            SecretInformation[] infos;
            try
            {
                infos = VaultCalls.GetSecretInfo(this, vault, pattern);
            }
            catch (PipelineStoppedException)
            {
                throw;
            }
            catch (Exception ex)
            {
                WriteError(new ErrorRecord(ex, "GetSecretInfoException", ErrorCategory.InvalidOperation, vault.Name));
                return;
            }
            var sorted = new List<SecretInformation>(infos);
            sorted.Sort(delegate (SecretInformation x, SecretInformation y) { return StringComparer.OrdinalIgnoreCase.Compare(x.Name, y.Name); });
            foreach (var info in sorted) { WriteObject(info); }
        }
    }

    [Cmdlet(VerbsCommon.Set, "Secret", DefaultParameterSetName = SecureStringParameterSet, SupportsShouldProcess = true)]
    public sealed class SetSecretCommand : PSCmdlet
    {
        private const string SecureStringParameterSet = "SecureStringParameterSet";
        private const string ObjectParameterSet = "ObjectParameterSet";
        private const string SecretInfoParameterSet = "SecretInfoParameterSet";

        [Parameter(ParameterSetName = SecureStringParameterSet, Position = 0, Mandatory = true)]
        [Parameter(ParameterSetName = ObjectParameterSet, Position = 0, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(ParameterSetName = ObjectParameterSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public object Secret { get; set; }

        [Parameter(ParameterSetName = SecureStringParameterSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SecureString SecureStringSecret { get; set; }

        [Parameter(ParameterSetName = SecretInfoParameterSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SecretInformation SecretInfo { get; set; }

        [Parameter(ParameterSetName = SecureStringParameterSet, Position = 1)]
        [Parameter(ParameterSetName = ObjectParameterSet, Position = 1)]
        [Parameter(ParameterSetName = SecretInfoParameterSet, Position = 1, Mandatory = true)]
        public string Vault { get; set; }

        [Parameter(ParameterSetName = SecureStringParameterSet, Position = 2)]
        [Parameter(ParameterSetName = ObjectParameterSet, Position = 2)]
        public Hashtable Metadata { get; set; }

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        protected override void ProcessRecord()
        {
            CallSpy.RecordCall("Set-Secret");
            var target = StandInCmdlets.ResolveWriteVault(this, Vault, "SetSecretInvalidOperation");

            string secretName;
            object value;
            Hashtable metadata;
            switch (ParameterSetName)
            {
                case SecureStringParameterSet:
                    secretName = Name; value = SecureStringSecret; metadata = Metadata;
                    break;
                case ObjectParameterSet:
                    secretName = Name; value = Secret; metadata = Metadata;
                    break;
                default:
                    secretName = SecretInfo.Name;
                    var source = StandInCmdlets.FindVaultOrThrow(this, SecretInfo.VaultName);
                    value = VaultCalls.GetSecret(this, source, secretName);
                    if (value == null)
                    {
                        WriteError(StandInCmdlets.NotFoundRecord(secretName, "SetSecretNotFound"));
                        return;
                    }
                    metadata = new Hashtable();
                    foreach (var kv in SecretInfo.Metadata) { metadata[kv.Key] = kv.Value; }
                    break;
            }

            var raw = value is PSObject ? ((PSObject)value).BaseObject : value;
            if (StandInStore.Classify(raw) == SecretType.Unknown)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("Secret " + secretName + " has unsupported type " + raw.GetType().FullName +
                        ". Supported types are: byte[], string, SecureString, PSCredential, Hashtable."),
                    "SetSecretInvalidType", ErrorCategory.InvalidArgument, secretName));
            }

            if (NoClobber.IsPresent && VaultCalls.GetSecretInfo(this, target, secretName).Length > 0)
            {
                WriteError(new ErrorRecord(
                    new PSInvalidOperationException("A secret with name " + secretName + " already exists in vault " + target.Name + "."),
                    "SetSecretAlreadyExists", ErrorCategory.ResourceExists, secretName));
                return;
            }

            if (!ShouldProcess("Vault: " + target.Name, "Write secret '" + secretName + "'")) { return; }
            if (VaultCalls.SetSecret(this, target, secretName, raw, metadata))
            {
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Secret {0} was successfully added to vault {1}.", secretName, target.Name));
            }
        }
    }

    [Cmdlet(VerbsCommon.Set, "SecretInfo", DefaultParameterSetName = NameParameterSet, SupportsShouldProcess = true)]
    public sealed class SetSecretInfoCommand : PSCmdlet
    {
        private const string NameParameterSet = "NameParameterSet";
        private const string InfoParameterSet = "InfoParameterSet";

        [Parameter(ParameterSetName = NameParameterSet, Position = 0, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(Position = 1, Mandatory = true)]
        public Hashtable Metadata { get; set; }

        [Parameter(ParameterSetName = NameParameterSet, Position = 2)]
        public string Vault { get; set; }

        [Parameter(ParameterSetName = InfoParameterSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SecretInformation InputObject { get; set; }

        protected override void ProcessRecord()
        {
            CallSpy.RecordCall("Set-SecretInfo");
            string secretName = ParameterSetName == InfoParameterSet ? InputObject.Name : Name;
            string vaultName = ParameterSetName == InfoParameterSet ? InputObject.VaultName : Vault;
            var target = StandInCmdlets.ResolveWriteVault(this, vaultName, "SetSecretInfoInvalidOperation");
            if (ShouldProcess("Vault: " + target.Name, "Set metadata of secret '" + secretName + "'"))
            {
                VaultCalls.SetSecretInfo(this, target, secretName, Metadata);
            }
        }
    }

    [Cmdlet(VerbsCommon.Remove, "Secret", DefaultParameterSetName = NameParameterSet)]
    public sealed class RemoveSecretCommand : PSCmdlet
    {
        private const string NameParameterSet = "NameParameterSet";
        private const string InfoParameterSet = "InfoParameterSet";

        [Parameter(ParameterSetName = NameParameterSet, Position = 0, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(ParameterSetName = NameParameterSet, Position = 1, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Vault { get; set; }

        [Parameter(ParameterSetName = InfoParameterSet, Position = 0, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SecretInformation InputObject { get; set; }

        protected override void ProcessRecord()
        {
            CallSpy.RecordCall("Remove-Secret");
            string secretName = ParameterSetName == InfoParameterSet ? InputObject.Name : Name;
            string vaultName = ParameterSetName == InfoParameterSet ? InputObject.VaultName : Vault;
            VaultCalls.RemoveSecret(this, StandInCmdlets.FindVaultOrThrow(this, vaultName), secretName);
        }
    }
}
