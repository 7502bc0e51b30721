// The in-memory state of the SecretManagement stand-in: the vault registry, each vault's secrets and the lock
// state of each vault (one shared lock for the vaults of the SecretStore module, as the real store is one per
// user). Written for this repository's tests; it is not the real module's source. Kept C# 5 compatible.
// Nothing is ever written to disk.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using Microsoft.PowerShell.SecretManagement;

namespace SecretManagementStandIn
{
    internal sealed class SecretEntry
    {
        internal string Name;
        internal object Value;
        internal SecretType Type;
        internal Dictionary<string, object> Metadata;
    }

    /// <summary>
    /// Whether a vault can be read without a password, and what its module does when it cannot. All vaults
    /// registered with the module Microsoft.PowerShell.SecretStore share one (StandInStore.SecretStoreLock):
    /// the real SecretStore is one store per user, unlocked for the whole process.
    /// </summary>
    public sealed class VaultLock
    {
        internal VaultLock()
        {
            Interaction = "Prompt";
            PasswordTimeout = 900;
        }

        /// <summary>No unlocked instance exists in this process: every read needs the password.</summary>
        public bool IsLocked { get; internal set; }

        /// <summary>
        /// The store was unlocked, then its PasswordTimeout passed: reading a secret value needs the password
        /// again, but the instance still exists (LocalSecretStore.GetInstance returns it) and listing works.
        /// </summary>
        public bool PasswordExpired { get; internal set; }

        /// <summary>SecretStore's -Interaction: "Prompt" (its default) or "None".</summary>
        public string Interaction { get; internal set; }

        /// <summary>SecretStore's -PasswordTimeout in seconds (kept, never counted down: see PasswordExpired).</summary>
        public int PasswordTimeout { get; internal set; }

        internal SecureString Password;
    }

    /// <summary>One registered vault. Secret values are only reachable through StandInStore.</summary>
    public sealed class VaultRecord
    {
        internal VaultRecord() { }
        public string Name { get; internal set; }
        public string ModuleName { get; internal set; }

        /// <summary>The folder named after the vault module (no version folder), as Register-SecretVault resolved it.</summary>
        public string ModulePath { get; internal set; }
        public string Description { get; internal set; }
        public VaultLock Lock { get; internal set; }
        public bool IsLocked { get { return Lock.IsLocked; } }
        public string Interaction { get { return Lock.Interaction; } }
        internal Dictionary<string, object> VaultParameters;
        internal readonly Dictionary<string, SecretEntry> Secrets =
            new Dictionary<string, SecretEntry>(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Process-wide, in-memory state of the stand-in (shared by every runspace that imports the module,
    /// because the compiled type exists once per process). Nothing is ever written to disk.
    /// </summary>
    public static class StandInStore
    {
        public const string SecretStoreModuleName = "Microsoft.PowerShell.SecretStore";

        private static readonly object Sync = new object();
        private static readonly List<VaultRecord> Vaults = new List<VaultRecord>();
        private static string defaultVault;
        private static VaultLock secretStoreLock = new VaultLock();

        /// <summary>The lock state of the one SecretStore of this user, shared by every vault of that module.</summary>
        public static VaultLock SecretStoreLock
        {
            get { lock (Sync) { return secretStoreLock; } }
        }

        /// <summary>Clears vaults, secrets, the default vault and every lock (the SecretStore starts unlocked, Prompt).</summary>
        public static void Reset()
        {
            lock (Sync)
            {
                Vaults.Clear();
                defaultVault = null;
                secretStoreLock = new VaultLock();
            }
            CallSpy.Reset();
            PromptLog.Reset();
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
                    Vaults.Add(target);
                }
                target.Name = name;
                target.ModuleName = moduleName;
                // Every vault of the SecretStore module is the one store of this user: one lock for all of them.
                target.Lock = string.Equals(moduleName, SecretStoreModuleName, StringComparison.OrdinalIgnoreCase)
                    ? SecretStoreLock : (target.Lock == null || target.Lock == SecretStoreLock ? new VaultLock() : target.Lock);
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
        /// Locks/unlocks a vault (for a SecretStore vault: the store, so every vault of that module). A null
        /// password keeps the previously set one (if any); a null interaction keeps the current one.
        /// </summary>
        public static void SetLock(VaultRecord vault, bool locked, SecureString password, string interaction)
        {
            lock (Sync)
            {
                vault.Lock.IsLocked = locked;
                vault.Lock.PasswordExpired = false;
                if (!string.IsNullOrEmpty(interaction)) { vault.Lock.Interaction = interaction; }
                if (password != null)
                {
                    vault.Lock.Password = password.Copy();
                    vault.Lock.Password.MakeReadOnly();
                }
            }
        }

        /// <summary>The store's PasswordTimeout passed (test hook): reading a value needs the password again.</summary>
        public static void ExpirePassword(VaultLock state)
        {
            lock (Sync)
            {
                if (!state.IsLocked) { state.PasswordExpired = true; }
            }
        }

        public static void Configure(VaultLock state, string interaction, int? passwordTimeout)
        {
            lock (Sync)
            {
                if (!string.IsNullOrEmpty(interaction)) { state.Interaction = interaction; }
                if (passwordTimeout.HasValue) { state.PasswordTimeout = passwordTimeout.Value; }
            }
        }

        /// <summary>
        /// Unlocks when the password matches the one set by the lock hook (any password is accepted
        /// when none was ever set). Returns false on a wrong password; the vault then stays as it was.
        /// </summary>
        public static bool TryUnlock(VaultLock state, SecureString password)
        {
            lock (Sync)
            {
                if (state.Password != null && !SecureEquals(state.Password, password)) { return false; }
                state.IsLocked = false;
                state.PasswordExpired = false;
                return true;
            }
        }

        public static bool TryUnlock(VaultRecord vault, SecureString password)
        {
            return TryUnlock(vault.Lock, password);
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

        /// <summary>Points a registered vault at another module folder, as if its folder had been moved or deleted.</summary>
        public static void SetModulePath(VaultRecord vault, string modulePath)
        {
            lock (Sync) { vault.ModulePath = modulePath; }
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

        /// <summary>A copy of the secret as it was stored (a String stays a String): what a vault module returns.</summary>
        public static bool TryReadSecret(VaultRecord vault, string name, out object value)
        {
            SecretEntry entry;
            lock (Sync)
            {
                if (!vault.Secrets.TryGetValue(name, out entry)) { value = null; return false; }
            }
            value = CopyValue(entry.Value);
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
