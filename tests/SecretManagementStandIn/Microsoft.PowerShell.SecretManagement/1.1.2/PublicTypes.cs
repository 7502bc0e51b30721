// The public types of Microsoft.PowerShell.SecretManagement 1.1.2 that callers see, as the test stand-in has them.
// Written for this repository's tests; it is not the real module's source. Kept C# 5 compatible.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

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
