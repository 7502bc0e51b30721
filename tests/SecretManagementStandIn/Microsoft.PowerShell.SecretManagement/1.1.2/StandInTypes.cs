// Stand-in types for the Microsoft.PowerShell.SecretManagement 1.1.2 test double.
// Written for this repository's tests; it is not the real module's source.
// Kept C# 5 compatible so Windows PowerShell 5.1 Add-Type can compile it too.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;

namespace Microsoft.PowerShell.SecretManagement
{
    public enum SecretType
    {
        Unknown = 0,
        ByteArray,
        String,
        SecureString,
        PSCredential,
        Hashtable
    }

    public sealed class SecretInformation
    {
        private static readonly ReadOnlyDictionary<string, object> EmptyMetadata =
            new ReadOnlyDictionary<string, object>(new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase));

        public string Name { get; private set; }
        public SecretType Type { get; private set; }
        public string VaultName { get; private set; }
        public ReadOnlyDictionary<string, object> Metadata { get; private set; }

        public SecretInformation(string name, SecretType type, string vaultName)
            : this(name, type, vaultName, null)
        {
        }

        public SecretInformation(string name, SecretType type, string vaultName, ReadOnlyDictionary<string, object> metadata)
        {
            Name = name;
            Type = type;
            VaultName = vaultName;
            Metadata = metadata ?? EmptyMetadata;
        }
    }

    public sealed class SecretVaultInfo
    {
        public string Name { get; private set; }
        public string ModuleName { get; private set; }
        public string ModulePath { get; private set; }
        public string Description { get; private set; }
        public ReadOnlyDictionary<string, object> VaultParameters { get; private set; }
        public bool IsDefault { get; private set; }

        public SecretVaultInfo(string name, string moduleName, string modulePath, string description,
            ReadOnlyDictionary<string, object> vaultParameters, bool isDefault)
        {
            Name = name;
            ModuleName = moduleName;
            ModulePath = modulePath;
            Description = description;
            VaultParameters = vaultParameters ??
                new ReadOnlyDictionary<string, object>(new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase));
            IsDefault = isDefault;
        }
    }

    public class PasswordRequiredException : InvalidOperationException
    {
        public const string StoreLockedMessage =
            "A valid password is required to access the Microsoft.PowerShell.SecretStore vault." +
            " Use the Unlock-SecretStore cmdlet to provide the required password to access the store.";

        public PasswordRequiredException() : base(StoreLockedMessage) { }
        public PasswordRequiredException(string message) : base(message) { }
        public PasswordRequiredException(string message, Exception innerException) : base(message, innerException) { }
    }
}

namespace SecretManagementStandIn
{
    using Microsoft.PowerShell.SecretManagement;

    internal sealed class SecretEntry
    {
        internal string Name;
        internal object Value;
        internal SecretType Type;
        internal Dictionary<string, object> Metadata;
    }

    /// <summary>One registered vault. Secret values are only reachable through StandInStore.</summary>
    public sealed class VaultRecord
    {
        internal VaultRecord() { }
        public string Name { get; internal set; }
        public string ModuleName { get; internal set; }
        public string ModulePath { get; internal set; }
        public string Description { get; internal set; }
        public bool IsLocked { get; internal set; }
        /// <summary>SecretStore's -Interaction: "Prompt" (its default) or "None".</summary>
        public string Interaction { get; internal set; }
        internal Dictionary<string, object> VaultParameters;
        internal SecureString Password;
        internal readonly Dictionary<string, SecretEntry> Secrets =
            new Dictionary<string, SecretEntry>(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Process-wide, in-memory state of the stand-in (shared by every runspace that imports the module,
    /// because the compiled type exists once per process). Nothing is ever written to disk.
    /// </summary>
    public static class StandInStore
    {
        private static readonly object Sync = new object();
        private static readonly List<VaultRecord> Vaults = new List<VaultRecord>();
        private static string defaultVault;
        private static readonly Dictionary<string, int> Counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private static readonly Dictionary<string, List<int>> Threads = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);

        // ---- test bookkeeping -------------------------------------------------------------

        public static void RecordCall(string command)
        {
            int tid = System.Threading.Thread.CurrentThread.ManagedThreadId;
            lock (Sync)
            {
                int n;
                Counts.TryGetValue(command, out n);
                Counts[command] = n + 1;
                List<int> list;
                if (!Threads.TryGetValue(command, out list))
                {
                    list = new List<int>();
                    Threads[command] = list;
                }
                if (!list.Contains(tid)) { list.Add(tid); }
            }
        }

        public static Hashtable GetCallCounts()
        {
            lock (Sync)
            {
                var result = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var kv in Counts) { result[kv.Key] = kv.Value; }
                return result;
            }
        }

        public static int GetCallCount(string command)
        {
            lock (Sync)
            {
                int n;
                Counts.TryGetValue(command, out n);
                return n;
            }
        }

        public static int[] GetCallThreads(string command)
        {
            lock (Sync)
            {
                List<int> list;
                return Threads.TryGetValue(command, out list) ? list.ToArray() : new int[0];
            }
        }

        public static void Reset()
        {
            lock (Sync)
            {
                Vaults.Clear();
                defaultVault = null;
                Counts.Clear();
                Threads.Clear();
            }
        }

        // ---- vault registry ----------------------------------------------------------------

        public static int VaultCount
        {
            get { lock (Sync) { return Vaults.Count; } }
        }

        public static string DefaultVaultName
        {
            get { lock (Sync) { return defaultVault; } }
        }

        public static VaultRecord FindVault(string name)
        {
            if (string.IsNullOrEmpty(name)) { return null; }
            lock (Sync)
            {
                foreach (var v in Vaults)
                {
                    if (string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase)) { return v; }
                }
                return null;
            }
        }

        /// <summary>All vaults in registration order.</summary>
        public static VaultRecord[] GetVaults()
        {
            lock (Sync) { return Vaults.ToArray(); }
        }

        /// <summary>Default vault first, then the others in registration order.</summary>
        public static VaultRecord[] GetSearchOrder()
        {
            lock (Sync)
            {
                var result = new List<VaultRecord>(Vaults.Count);
                foreach (var v in Vaults)
                {
                    if (string.Equals(v.Name, defaultVault, StringComparison.OrdinalIgnoreCase)) { result.Insert(0, v); }
                    else { result.Add(v); }
                }
                return result.ToArray();
            }
        }

        /// <summary>Returns false when the name is taken and allowClobber is not set.</summary>
        public static bool RegisterVault(string name, string moduleName, string modulePath, string description,
            Hashtable vaultParameters, bool makeDefault, bool allowClobber)
        {
            var parameters = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            if (vaultParameters != null)
            {
                foreach (DictionaryEntry e in vaultParameters) { parameters[Convert.ToString(e.Key)] = e.Value; }
            }
            lock (Sync)
            {
                VaultRecord existing = null;
                foreach (var v in Vaults)
                {
                    if (string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase)) { existing = v; break; }
                }
                if (existing != null && !allowClobber) { return false; }
                VaultRecord target = existing;
                if (target == null)
                {
                    target = new VaultRecord();
                    target.Interaction = "Prompt";
                    Vaults.Add(target);
                }
                target.Name = name;
                target.ModuleName = moduleName;
                target.ModulePath = modulePath ?? string.Empty;
                target.Description = description ?? string.Empty;
                target.VaultParameters = parameters;
                if (makeDefault || defaultVault == null) { defaultVault = name; }
                return true;
            }
        }

        public static bool UnregisterVault(string name)
        {
            lock (Sync)
            {
                for (int i = 0; i < Vaults.Count; i++)
                {
                    if (string.Equals(Vaults[i].Name, name, StringComparison.OrdinalIgnoreCase))
                    {
                        Vaults.RemoveAt(i);
                        if (string.Equals(defaultVault, name, StringComparison.OrdinalIgnoreCase)) { defaultVault = null; }
                        return true;
                    }
                }
                return false;
            }
        }

        public static bool SetDefaultVault(string name)
        {
            lock (Sync)
            {
                foreach (var v in Vaults)
                {
                    if (string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
                    {
                        defaultVault = v.Name;
                        return true;
                    }
                }
                return false;
            }
        }

        public static void ClearDefaultVault()
        {
            lock (Sync) { defaultVault = null; }
        }

        public static SecretVaultInfo ToVaultInfo(VaultRecord vault)
        {
            lock (Sync)
            {
                return new SecretVaultInfo(
                    vault.Name, vault.ModuleName, vault.ModulePath, vault.Description,
                    new ReadOnlyDictionary<string, object>(new Dictionary<string, object>(vault.VaultParameters, StringComparer.OrdinalIgnoreCase)),
                    string.Equals(vault.Name, defaultVault, StringComparison.OrdinalIgnoreCase));
            }
        }

        // ---- locking -----------------------------------------------------------------------

        /// <summary>
        /// Locks/unlocks a vault. A null password keeps the previously set one (if any); a null interaction
        /// keeps the vault's current one.
        /// </summary>
        public static void SetLock(VaultRecord vault, bool locked, SecureString password, string interaction)
        {
            lock (Sync)
            {
                vault.IsLocked = locked;
                if (interaction != null) { vault.Interaction = interaction; }
                if (password != null)
                {
                    vault.Password = password.Copy();
                    vault.Password.MakeReadOnly();
                }
            }
        }

        /// <summary>
        /// Unlocks when the password matches the one set by the lock hook (any password is accepted
        /// when none was ever set). Returns false on a wrong password; the vault then stays as it was.
        /// </summary>
        public static bool TryUnlock(VaultRecord vault, SecureString password)
        {
            lock (Sync)
            {
                if (vault.Password != null && !SecureEquals(vault.Password, password)) { return false; }
                vault.IsLocked = false;
                return true;
            }
        }

        private static bool SecureEquals(SecureString a, SecureString b)
        {
            if (a == null || b == null) { return a == b; }
            if (a.Length != b.Length) { return false; }
            IntPtr pa = IntPtr.Zero, pb = IntPtr.Zero;
            try
            {
                pa = Marshal.SecureStringToGlobalAllocUnicode(a);
                pb = Marshal.SecureStringToGlobalAllocUnicode(b);
                int diff = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    diff |= Marshal.ReadInt16(pa, i * 2) ^ Marshal.ReadInt16(pb, i * 2);
                }
                return diff == 0;
            }
            finally
            {
                if (pa != IntPtr.Zero) { Marshal.ZeroFreeGlobalAllocUnicode(pa); }
                if (pb != IntPtr.Zero) { Marshal.ZeroFreeGlobalAllocUnicode(pb); }
            }
        }

        // ---- secrets -----------------------------------------------------------------------

        private static object Unwrap(object value)
        {
            var pso = value as PSObject;
            return pso != null ? pso.BaseObject : value;
        }

        public static SecretType Classify(object value)
        {
            value = Unwrap(value);
            if (value is string) { return SecretType.String; }
            if (value is SecureString) { return SecretType.SecureString; }
            if (value is byte[]) { return SecretType.ByteArray; }
            if (value is PSCredential) { return SecretType.PSCredential; }
            if (value is Hashtable) { return SecretType.Hashtable; }
            return SecretType.Unknown;
        }

        /// <summary>Copies a secret value so callers never share mutable state with the store.</summary>
        private static object CopyValue(object value)
        {
            value = Unwrap(value);
            var ss = value as SecureString;
            if (ss != null) { return ss.Copy(); }
            var bytes = value as byte[];
            if (bytes != null) { return (byte[])bytes.Clone(); }
            var cred = value as PSCredential;
            if (cred != null) { return new PSCredential(cred.UserName, cred.Password.Copy()); }
            var table = value as Hashtable;
            if (table != null)
            {
                var copy = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry e in table) { copy[e.Key] = CopyValue(e.Value); }
                return copy;
            }
            return value;
        }

        private static SecureString ToSecureString(string text)
        {
            var ss = new SecureString();
            foreach (char c in text) { ss.AppendChar(c); }
            ss.MakeReadOnly();
            return ss;
        }

        private static string ToPlainText(SecureString ss)
        {
            IntPtr p = IntPtr.Zero;
            try
            {
                p = Marshal.SecureStringToGlobalAllocUnicode(ss);
                return Marshal.PtrToStringUni(p, ss.Length);
            }
            finally
            {
                if (p != IntPtr.Zero) { Marshal.ZeroFreeGlobalAllocUnicode(p); }
            }
        }

        public static bool ContainsSecret(VaultRecord vault, string name)
        {
            lock (Sync) { return vault.Secrets.ContainsKey(name); }
        }

        /// <summary>
        /// String and SecureString secrets come back as SecureString, or as String with asPlainText.
        /// Other types come back as stored (as a copy).
        /// </summary>
        public static bool TryGetSecret(VaultRecord vault, string name, bool asPlainText, out object value)
        {
            SecretEntry entry;
            lock (Sync)
            {
                if (!vault.Secrets.TryGetValue(name, out entry)) { value = null; return false; }
            }
            switch (entry.Type)
            {
                case SecretType.String:
                    value = asPlainText ? entry.Value : ToSecureString((string)entry.Value);
                    break;
                case SecretType.SecureString:
                    value = asPlainText ? (object)ToPlainText((SecureString)entry.Value) : ((SecureString)entry.Value).Copy();
                    break;
                default:
                    value = CopyValue(entry.Value);
                    break;
            }
            return true;
        }

        /// <summary>Returns false when the type is not supported (nothing is stored then).</summary>
        public static bool SetSecret(VaultRecord vault, string name, object value, Hashtable metadata)
        {
            var type = Classify(value);
            if (type == SecretType.Unknown) { return false; }
            var entry = new SecretEntry();
            entry.Name = name;
            entry.Type = type;
            entry.Value = CopyValue(value);
            if (type == SecretType.SecureString) { ((SecureString)entry.Value).MakeReadOnly(); }
            entry.Metadata = ToMetadata(metadata);
            lock (Sync)
            {
                SecretEntry old;
                if (metadata == null && vault.Secrets.TryGetValue(name, out old)) { entry.Metadata = old.Metadata; }
                vault.Secrets[name] = entry;
            }
            return true;
        }

        public static bool RemoveSecret(VaultRecord vault, string name)
        {
            lock (Sync) { return vault.Secrets.Remove(name); }
        }

        public static bool SetMetadata(VaultRecord vault, string name, Hashtable metadata)
        {
            lock (Sync)
            {
                SecretEntry entry;
                if (!vault.Secrets.TryGetValue(name, out entry)) { return false; }
                entry.Metadata = ToMetadata(metadata);
                return true;
            }
        }

        private static Dictionary<string, object> ToMetadata(Hashtable metadata)
        {
            var result = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            if (metadata != null)
            {
                foreach (DictionaryEntry e in metadata) { result[Convert.ToString(e.Key)] = Unwrap(e.Value); }
            }
            return result;
        }

        public static SecretInformation[] GetSecretInfo(VaultRecord vault, string namePattern)
        {
            var pattern = new WildcardPattern(string.IsNullOrEmpty(namePattern) ? "*" : namePattern, WildcardOptions.IgnoreCase);
            var result = new List<SecretInformation>();
            lock (Sync)
            {
                foreach (var entry in vault.Secrets.Values)
                {
                    if (!pattern.IsMatch(entry.Name)) { continue; }
                    result.Add(new SecretInformation(entry.Name, entry.Type, vault.Name,
                        new ReadOnlyDictionary<string, object>(new Dictionary<string, object>(entry.Metadata, StringComparer.OrdinalIgnoreCase))));
                }
            }
            result.Sort(delegate (SecretInformation x, SecretInformation y) { return StringComparer.OrdinalIgnoreCase.Compare(x.Name, y.Name); });
            return result.ToArray();
        }
    }
}

namespace Microsoft.PowerShell.SecretManagement
{
    using SecretManagementStandIn;

    // Compiled cmdlets, so that their errors carry the real FullyQualifiedErrorIds
    // ("GetSecretNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand") and their
    // prompts go through the host of the runspace they run in, as the real module's do.

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

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Get-Secret");
            string secretName = ParameterSetName == InfoParameterSet ? InputObject.Name : Name;
            string vaultName = ParameterSetName == InfoParameterSet ? InputObject.VaultName : Vault;

            VaultRecord[] targets;
            if (!string.IsNullOrEmpty(vaultName))
            {
                targets = new[] { StandInCmdlets.FindVaultOrThrow(this, vaultName, "GetSecretInvalidOperation") };
            }
            else
            {
                if (StandInStore.VaultCount == 0)
                {
                    StandInCmdlets.WriteNoVaultsWarning(this);
                    WriteError(StandInCmdlets.NotFoundRecord(secretName, "GetSecretNotFound"));
                    return;
                }
                targets = StandInStore.GetSearchOrder();
            }

            foreach (var v in targets)
            {
                if (!StandInCmdlets.EnsureUnlocked(this, v)) { return; }
                object value;
                if (StandInStore.TryGetSecret(v, secretName, AsPlainText.IsPresent, out value))
                {
                    // A String or SecureString secret stored empty comes back as nothing at all, without an error.
                    if (StandInCmdlets.IsEmptyText(value)) { return; }
                    WriteVerbose("Secret '" + secretName + "' found in vault '" + v.Name + "'.");
                    WriteObject(value, false);
                    return;
                }
            }
            WriteError(StandInCmdlets.NotFoundRecord(secretName, "GetSecretNotFound"));
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

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Get-SecretInfo");
            string pattern = string.IsNullOrEmpty(Name) ? "*" : Name;
            VaultRecord[] targets;
            if (!string.IsNullOrEmpty(Vault))
            {
                targets = new[] { StandInCmdlets.FindVaultOrThrow(this, Vault, "GetSecretInfoInvalidOperation") };
            }
            else
            {
                if (StandInStore.VaultCount == 0)
                {
                    StandInCmdlets.WriteNoVaultsWarning(this);
                    return;
                }
                // Registration order, like enumerating the registry (not default-first).
                targets = StandInStore.GetVaults();
            }
            foreach (var v in targets)
            {
                if (!StandInCmdlets.EnsureUnlocked(this, v)) { return; }
                foreach (var info in StandInStore.GetSecretInfo(v, pattern)) { WriteObject(info); }
            }
        }
    }

    [Cmdlet(VerbsCommon.Get, "SecretVault")]
    [OutputType(typeof(SecretVaultInfo))]
    public sealed class GetSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Get-SecretVault");
            var patterns = new List<WildcardPattern>();
            foreach (var n in Name ?? new[] { "*" }) { patterns.Add(new WildcardPattern(n, WildcardOptions.IgnoreCase)); }
            foreach (var v in StandInStore.GetVaults())
            {
                foreach (var p in patterns)
                {
                    if (p.IsMatch(v.Name)) { WriteObject(StandInStore.ToVaultInfo(v)); break; }
                }
            }
        }
    }

    /// <summary>What the compiled stand-in cmdlets share: error records, the no-vault warning, the password prompt.</summary>
    internal static class StandInCmdlets
    {
        // DESIGN.md measured the first two sentences; the rest is the stand-in's own completion.
        internal const string NoVaultsWarning =
            "There are currently no extension vaults registered.\n" +
            "At least one vault must be registered before SecretManagement can add or retrieve secrets.\n" +
            "Extension vault modules can be found on the PowerShell Gallery, for example\n" +
            "Microsoft.PowerShell.SecretStore; register one with Register-SecretVault.\n" +
            "(Test stand-in wording after the first two sentences.)";

        internal static void WriteNoVaultsWarning(PSCmdlet cmdlet)
        {
            cmdlet.WriteWarning(NoVaultsWarning);
        }

        internal static ErrorRecord NotFoundRecord(string secretName, string errorId)
        {
            return new ErrorRecord(new ItemNotFoundException("The secret " + secretName + " was not found."),
                errorId, ErrorCategory.ObjectNotFound, secretName);
        }

        internal static ErrorRecord LockedRecord(VaultRecord vault, string message)
        {
            var exception = message == null ? new PasswordRequiredException() : new PasswordRequiredException(message);
            return new ErrorRecord(exception, "PasswordRequired", ErrorCategory.InvalidOperation, vault.Name);
        }

        internal static VaultRecord FindVaultOrThrow(PSCmdlet cmdlet, string vaultName, string errorId)
        {
            var v = StandInStore.FindVault(vaultName);
            if (v == null)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("Vault not found in registry: " + vaultName),
                    errorId, ErrorCategory.InvalidOperation, vaultName));
            }
            return v;
        }

        internal static bool IsEmptyText(object value)
        {
            var text = value as string;
            if (text != null) { return text.Length == 0; }
            var secure = value as SecureString;
            return secure != null && secure.Length == 0;
        }

        /// <summary>
        /// Returns true when the vault is usable. A locked vault with Interaction None fails at once; with
        /// Interaction Prompt it asks through the host of the runspace this cmdlet runs in, and that host
        /// decides what happens: an interactive console reads the password, a -NonInteractive one (or a
        /// runspace without a host UI) refuses to read, and a console whose input is at its end reads
        /// nothing (at the top level of a -File script that console host even ends the script). Reading
        /// nothing returns false: the caller then writes no output and no error, like the real store.
        /// </summary>
        internal static bool EnsureUnlocked(PSCmdlet cmdlet, VaultRecord vault)
        {
            if (!vault.IsLocked) { return true; }
            if (vault.Interaction == "None") { cmdlet.ThrowTerminatingError(LockedRecord(vault, null)); }

            SecureString password = null;
            try
            {
                var ui = cmdlet.Host == null ? null : cmdlet.Host.UI;
                if (ui == null) { throw new PSInvalidOperationException("The host has no user interface."); }
                ui.WriteLine("Vault Store requires a password.");
                ui.Write("Enter password:");
                password = ui.ReadLineAsSecureString();
            }
            catch (PipelineStoppedException)
            {
                throw;
            }
            catch (Exception)
            {
                cmdlet.ThrowTerminatingError(LockedRecord(vault, null));
            }
            if (password == null) { return false; }
            if (!StandInStore.TryUnlock(vault, password))
            {
                cmdlet.ThrowTerminatingError(LockedRecord(vault,
                    "The password entered for the Microsoft.PowerShell.SecretStore vault is not valid. (Test stand-in wording.)"));
            }
            return true;
        }
    }
}

namespace Microsoft.PowerShell.SecretManagement
{
    using SecretManagementStandIn;

    /// <summary>The target vault of a write: the named one, else the default vault.</summary>
    internal static class StandInWrites
    {
        internal static VaultRecord ResolveWriteVault(PSCmdlet cmdlet, string vaultName, string errorId)
        {
            if (!string.IsNullOrEmpty(vaultName)) { return StandInCmdlets.FindVaultOrThrow(cmdlet, vaultName, errorId); }
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

        /// <summary>Writes fail at once on a locked vault; only Get-Secret and Get-SecretInfo prompt in the stand-in.</summary>
        internal static void ThrowIfLocked(PSCmdlet cmdlet, VaultRecord vault)
        {
            if (vault.IsLocked) { cmdlet.ThrowTerminatingError(StandInCmdlets.LockedRecord(vault, null)); }
        }

        internal static ErrorRecord WrongPassword(string message, string errorId, string target)
        {
            return new ErrorRecord(new PasswordRequiredException(message), errorId, ErrorCategory.AuthenticationError, target);
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
            StandInStore.RecordCall("Set-Secret");
            var target = StandInWrites.ResolveWriteVault(this, Vault, "SetSecretInvalidOperation");
            StandInWrites.ThrowIfLocked(this, target);

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
                    var source = StandInCmdlets.FindVaultOrThrow(this, SecretInfo.VaultName, "SetSecretInvalidOperation");
                    StandInWrites.ThrowIfLocked(this, source);
                    if (!StandInStore.TryGetSecret(source, secretName, false, out value))
                    {
                        WriteError(StandInCmdlets.NotFoundRecord(secretName, "SetSecretNotFound"));
                        return;
                    }
                    metadata = new Hashtable();
                    foreach (var kv in SecretInfo.Metadata) { metadata[kv.Key] = kv.Value; }
                    break;
            }

            if (NoClobber.IsPresent && StandInStore.ContainsSecret(target, secretName))
            {
                WriteError(new ErrorRecord(
                    new PSInvalidOperationException("A secret with name " + secretName + " already exists in vault " + target.Name + "."),
                    "SetSecretAlreadyExists", ErrorCategory.ResourceExists, secretName));
                return;
            }

            if (!ShouldProcess("Vault: " + target.Name, "Write secret '" + secretName + "'")) { return; }
            if (!StandInStore.SetSecret(target, secretName, value, metadata))
            {
                var raw = value is PSObject ? ((PSObject)value).BaseObject : value;
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("Secret " + secretName + " has unsupported type " + raw.GetType().FullName +
                        ". Supported types are: byte[], string, SecureString, PSCredential, Hashtable."),
                    "SetSecretInvalidType", ErrorCategory.InvalidArgument, secretName));
            }
            WriteVerbose("Secret '" + secretName + "' written to vault '" + target.Name + "'.");
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
            StandInStore.RecordCall("Set-SecretInfo");
            string secretName = ParameterSetName == InfoParameterSet ? InputObject.Name : Name;
            string vaultName = ParameterSetName == InfoParameterSet ? InputObject.VaultName : Vault;
            VaultRecord[] targets;
            if (!string.IsNullOrEmpty(vaultName))
            {
                targets = new[] { StandInCmdlets.FindVaultOrThrow(this, vaultName, "SetSecretInfoInvalidOperation") };
            }
            else
            {
                if (StandInStore.VaultCount == 0)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new PSInvalidOperationException("There are currently no extension vaults registered."),
                        "SetSecretInfoInvalidOperation", ErrorCategory.InvalidOperation, null));
                }
                targets = StandInStore.GetSearchOrder();
            }
            foreach (var v in targets)
            {
                StandInWrites.ThrowIfLocked(this, v);
                if (StandInStore.ContainsSecret(v, secretName))
                {
                    if (ShouldProcess("Vault: " + v.Name, "Set metadata of secret '" + secretName + "'"))
                    {
                        StandInStore.SetMetadata(v, secretName, Metadata);
                    }
                    return;
                }
            }
            WriteError(StandInCmdlets.NotFoundRecord(secretName, "SetSecretInfoNotFound"));
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
            StandInStore.RecordCall("Remove-Secret");
            string secretName = ParameterSetName == InfoParameterSet ? InputObject.Name : Name;
            string vaultName = ParameterSetName == InfoParameterSet ? InputObject.VaultName : Vault;
            var v = StandInCmdlets.FindVaultOrThrow(this, vaultName, "RemoveSecretInvalidOperation");
            StandInWrites.ThrowIfLocked(this, v);
            if (StandInStore.RemoveSecret(v, secretName))
            {
                WriteVerbose("Secret '" + secretName + "' removed from vault '" + v.Name + "'.");
            }
            else
            {
                WriteError(StandInCmdlets.NotFoundRecord(secretName, "RemoveSecretNotFound"));
            }
        }
    }

    [Cmdlet(VerbsLifecycle.Register, "SecretVault", SupportsShouldProcess = true)]
    [OutputType(typeof(SecretVaultInfo))]
    public sealed class RegisterSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string ModuleName { get; set; }

        [Parameter(Position = 1)]
        public string Name { get; set; }

        [Parameter]
        public Hashtable VaultParameters { get; set; }

        [Parameter]
        public SwitchParameter DefaultVault { get; set; }

        [Parameter]
        public SwitchParameter AllowClobber { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter]
        public string Description { get; set; }

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Register-SecretVault");
            string modulePath = string.Empty;
            string moduleLeaf = ModuleName;
            string resolved = null;
            try { resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ModuleName); }
            catch (Exception) { resolved = null; }
            if (resolved != null && (System.IO.File.Exists(resolved) || System.IO.Directory.Exists(resolved)))
            {
                modulePath = resolved;
                moduleLeaf = System.IO.Path.GetFileNameWithoutExtension(resolved.TrimEnd('/', '\\'));
            }
            else
            {
                foreach (var loaded in InvokeCommand.InvokeScript("Get-Module -Name $args[0]", ModuleName))
                {
                    var info = loaded.BaseObject as PSModuleInfo;
                    if (info != null) { modulePath = info.Path; break; }
                }
            }
            string name = string.IsNullOrEmpty(Name) ? moduleLeaf : Name;
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("Vault name " + name + " cannot contain wildcard characters."),
                    "RegisterSecretVaultInvalidVaultName", ErrorCategory.InvalidArgument, name));
            }
            if (!ShouldProcess(name, "Register secret vault")) { return; }
            if (!StandInStore.RegisterVault(name, moduleLeaf, modulePath, Description, VaultParameters, DefaultVault.IsPresent, AllowClobber.IsPresent))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("Provided Name " + name + " is already used by another registered vault. Use -AllowClobber to replace it."),
                    "RegisterSecretVaultInvalidVaultName", ErrorCategory.InvalidOperation, name));
            }
            if (PassThru.IsPresent) { WriteObject(StandInStore.ToVaultInfo(StandInStore.FindVault(name))); }
        }
    }

    [Cmdlet(VerbsLifecycle.Unregister, "SecretVault", DefaultParameterSetName = NameParameterSet, SupportsShouldProcess = true)]
    public sealed class UnregisterSecretVaultCommand : PSCmdlet
    {
        private const string NameParameterSet = "NameParameterSet";
        private const string SecretVaultParameterSet = "SecretVaultParameterSet";

        [Parameter(ParameterSetName = NameParameterSet, Position = 0, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = SecretVaultParameterSet, Position = 0, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SecretVaultInfo SecretVault { get; set; }

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Unregister-SecretVault");
            var names = ParameterSetName == SecretVaultParameterSet ? new[] { SecretVault.Name } : Name;
            foreach (var n in names)
            {
                if (StandInStore.FindVault(n) == null)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException("Unable to find secret vault " + n + " to unregister it."),
                        "UnregisterSecretVaultObjectNotFound", ErrorCategory.ObjectNotFound, n));
                    continue;
                }
                if (ShouldProcess(n, "Unregister secret vault")) { StandInStore.UnregisterVault(n); }
            }
        }
    }

    [Cmdlet(VerbsCommon.Set, "SecretVaultDefault", DefaultParameterSetName = NameParameterSet, SupportsShouldProcess = true)]
    public sealed class SetSecretVaultDefaultCommand : PSCmdlet
    {
        private const string NameParameterSet = "NameParameterSet";
        private const string SecretVaultParameterSet = "SecretVaultParameterSet";
        private const string ClearParameterSet = "ClearParameterSet";

        [Parameter(ParameterSetName = NameParameterSet, Position = 0, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(ParameterSetName = SecretVaultParameterSet, Position = 0, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SecretVaultInfo SecretVault { get; set; }

        [Parameter(ParameterSetName = ClearParameterSet, Mandatory = true)]
        public SwitchParameter ClearDefault { get; set; }

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Set-SecretVaultDefault");
            if (ParameterSetName == ClearParameterSet)
            {
                if (ShouldProcess("SecretManagement vault registry", "Clear default vault")) { StandInStore.ClearDefaultVault(); }
                return;
            }
            string vaultName = ParameterSetName == SecretVaultParameterSet ? SecretVault.Name : Name;
            StandInCmdlets.FindVaultOrThrow(this, vaultName, "SetSecretVaultDefaultInvalidOperation");
            if (ShouldProcess(vaultName, "Set default vault")) { StandInStore.SetDefaultVault(vaultName); }
        }
    }

    [Cmdlet(VerbsDiagnostic.Test, "SecretVault")]
    [OutputType(typeof(bool))]
    public sealed class TestSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Test-SecretVault");
            foreach (var n in Name ?? new[] { "*" })
            {
                var pattern = new WildcardPattern(n, WildcardOptions.IgnoreCase);
                var matched = new List<VaultRecord>();
                foreach (var v in StandInStore.GetVaults()) { if (pattern.IsMatch(v.Name)) { matched.Add(v); } }
                if (matched.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n))
                {
                    WriteError(new ErrorRecord(new PSInvalidOperationException("Vault not found in registry: " + n),
                        "TestSecretVaultInvalidOperation", ErrorCategory.InvalidOperation, n));
                    continue;
                }
                foreach (var v in matched)
                {
                    if (v.IsLocked)
                    {
                        WriteError(StandInCmdlets.LockedRecord(v, null));
                        WriteObject(false);
                    }
                    else { WriteObject(true); }
                }
            }
        }
    }

    [Cmdlet(VerbsCommon.Unlock, "SecretVault")]
    public sealed class UnlockSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        [Parameter(Position = 1, Mandatory = true)]
        [ValidateNotNull]
        public SecureString Password { get; set; }

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Unlock-SecretVault");
            var v = StandInCmdlets.FindVaultOrThrow(this, Name, "UnlockSecretVaultInvalidOperation");
            if (!StandInStore.TryUnlock(v, Password))
            {
                WriteError(StandInWrites.WrongPassword("Unable to unlock vault " + v.Name + ": the provided password is incorrect.",
                    "UnlockSecretVaultInvalidPassword", v.Name));
            }
        }
    }
}

namespace Microsoft.PowerShell.SecretStore
{
    using Microsoft.PowerShell.SecretManagement;
    using SecretManagementStandIn;

    /// <summary>The real one lives in the Microsoft.PowerShell.SecretStore module; it unlocks every SecretStore vault.</summary>
    [Cmdlet(VerbsCommon.Unlock, "SecretStore")]
    public sealed class UnlockSecretStoreCommand : PSCmdlet
    {
        [Parameter(Position = 0, Mandatory = true)]
        [ValidateNotNull]
        public SecureString Password { get; set; }

        [Parameter]
        [ValidateRange(-1, int.MaxValue)]
        public int PasswordTimeout { get; set; }

        public UnlockSecretStoreCommand()
        {
            PasswordTimeout = 900;
        }

        protected override void ProcessRecord()
        {
            StandInStore.RecordCall("Unlock-SecretStore");
            foreach (var v in StandInStore.GetVaults())
            {
                if (v.ModuleName != "Microsoft.PowerShell.SecretStore") { continue; }
                if (!StandInStore.TryUnlock(v, Password))
                {
                    WriteError(StandInWrites.WrongPassword(
                        "Unable to unlock the Microsoft.PowerShell.SecretStore vault: the provided password is incorrect.",
                        "UnlockSecretStoreInvalidPassword", v.Name));
                }
            }
        }
    }
}
