// The vault commands of the SecretManagement stand-in: Get-SecretVault, Register-SecretVault,
// Unregister-SecretVault, Set-SecretVaultDefault, Test-SecretVault, Unlock-SecretVault. Compiled cmdlets named
// like the real classes. Written for this repository's tests; it is not the real module's source.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Security;
using SecretManagementStandIn;

namespace Microsoft.PowerShell.SecretManagement
{
    [Cmdlet(VerbsCommon.Get, "SecretVault")]
    [OutputType(typeof(SecretVaultInfo))]
    public sealed class GetSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        protected override void ProcessRecord()
        {
            CallSpy.RecordCall("Get-SecretVault");
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
            CallSpy.RecordCall("Unregister-SecretVault");
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
            CallSpy.RecordCall("Set-SecretVaultDefault");
            if (ParameterSetName == ClearParameterSet)
            {
                if (ShouldProcess("SecretManagement vault registry", "Clear default vault")) { StandInStore.ClearDefaultVault(); }
                return;
            }
            string vaultName = ParameterSetName == SecretVaultParameterSet ? SecretVault.Name : Name;
            StandInCmdlets.FindVaultOrThrow(this, vaultName);
            if (ShouldProcess(vaultName, "Set default vault")) { StandInStore.SetDefaultVault(vaultName); }
        }
    }


    /// <summary>
    /// Registers a vault module by name (found on $env:PSModulePath) or by path. The registry keeps the module's
    /// name and ModulePath, the folder named after the module (without its version folder), as the real one
    /// does. Unlike the real one it does not import the module to validate it: it checks that the module's
    /// manifest and its implementing module (&lt;Module&gt;.Extension) exist, so nothing of the vault module is loaded
    /// before a vault call reaches it.
    /// </summary>
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

        protected override void EndProcessing()
        {
            CallSpy.RecordCall("Register-SecretVault");
            string moduleName, modulePath, versionFolder;
            if (!VaultModules.TryResolve(this, ModuleName, out moduleName, out modulePath, out versionFolder))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("Could not load and retrieve module information for module: " + ModuleName +
                        " with error : the module was not found in any module directory."),
                    "RegisterSecretVaultCantGetModuleInfo", ErrorCategory.InvalidOperation, ModuleName));
            }
            string extension = moduleName + ".Extension";
            if (!File.Exists(Path.Combine(Path.Combine(versionFolder, extension), extension + ".psd1")))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSInvalidOperationException("Module " + moduleName + " is not a valid extension vault: Implementing script module could not be found or loaded at : " +
                        Path.Combine(versionFolder, extension) + "."),
                    "RegisterSecretVaultInvalidExtensionVault", ErrorCategory.InvalidOperation, ModuleName));
            }
            string name = string.IsNullOrEmpty(Name) ? moduleName : Name;
            if (WildcardPattern.ContainsWildcardCharacters(name))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("Vault name " + name + " cannot contain wildcard characters."),
                    "RegisterSecretVaultInvalidVaultName", ErrorCategory.InvalidArgument, name));
            }
            if (StandInStore.FindVault(name) != null && !AllowClobber.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("Provided Name for vault is already being used."),
                    "RegisterSecretVaultInvalidVaultName", ErrorCategory.InvalidArgument, name));
            }
            if (!ShouldProcess(name, "Register module as a SecretManagement extension vault for current user")) { return; }
            bool makeDefault = MyInvocation.BoundParameters.ContainsKey("DefaultVault") ? DefaultVault.IsPresent : StandInStore.VaultCount == 0;
            StandInStore.RegisterVault(name, moduleName, modulePath, Description, VaultParameters, makeDefault, true);
            if (PassThru.IsPresent) { WriteObject(StandInStore.ToVaultInfo(StandInStore.FindVault(name))); }
        }
    }

    /// <summary>Finds a vault module's folders without loading anything of it.</summary>
    internal static class VaultModules
    {
        internal static bool TryResolve(PSCmdlet cmdlet, string moduleNameOrPath, out string moduleName, out string modulePath, out string versionFolder)
        {
            moduleName = modulePath = versionFolder = null;
            bool looksLikePath = moduleNameOrPath.IndexOfAny(new[] { '/', '\\' }) >= 0 || moduleNameOrPath.StartsWith(".", StringComparison.Ordinal);
            if (looksLikePath)
            {
                string resolved;
                try { resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(moduleNameOrPath); }
                catch (Exception) { return false; }
                if (File.Exists(resolved)) { resolved = Path.GetDirectoryName(resolved); }
                resolved = resolved.TrimEnd('/', '\\');
                Version ignored;
                string leaf = Path.GetFileName(resolved);
                if (Version.TryParse(leaf, out ignored))
                {
                    // A version folder was given: the module is its parent's name.
                    var parent = Path.GetDirectoryName(resolved);
                    return TryFolder(parent, Path.GetFileName(parent), out moduleName, out modulePath, out versionFolder);
                }
                return TryFolder(resolved, leaf, out moduleName, out modulePath, out versionFolder);
            }
            var roots = (Environment.GetEnvironmentVariable("PSModulePath") ?? string.Empty).Split(Path.PathSeparator);
            foreach (var root in roots)
            {
                if (string.IsNullOrEmpty(root)) { continue; }
                if (TryFolder(Path.Combine(root, moduleNameOrPath), moduleNameOrPath, out moduleName, out modulePath, out versionFolder)) { return true; }
            }
            return false;
        }

        private static bool TryFolder(string folder, string name, out string moduleName, out string modulePath, out string versionFolder)
        {
            moduleName = modulePath = versionFolder = null;
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) { return false; }
            if (File.Exists(Path.Combine(folder, name + ".psd1")))
            {
                moduleName = name; modulePath = folder; versionFolder = folder;
                return true;
            }
            Version best = null;
            foreach (var sub in Directory.GetDirectories(folder))
            {
                Version v;
                if (Version.TryParse(Path.GetFileName(sub), out v) && File.Exists(Path.Combine(sub, name + ".psd1")) && (best == null || v > best))
                {
                    best = v;
                    versionFolder = sub;
                }
            }
            if (best == null) { return false; }
            moduleName = name;
            modulePath = folder;
            return true;
        }
    }

    [Cmdlet(VerbsDiagnostic.Test, "SecretVault")]
    [OutputType(typeof(bool))]
    public sealed class TestSecretVaultCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        private bool result = true;
        private int count;

        protected override void ProcessRecord()
        {
            CallSpy.RecordCall("Test-SecretVault");
            foreach (var n in Name ?? new[] { "*" })
            {
                bool any = false;
                var pattern = new WildcardPattern(n, WildcardOptions.IgnoreCase);
                foreach (var v in StandInStore.GetVaults())
                {
                    if (!pattern.IsMatch(v.Name)) { continue; }
                    any = true;
                    count++;
                    // A PasswordRequiredException of the vault module ends the command: it does not prompt.
                    bool ok = VaultCalls.Test(this, v);
                    WriteVerbose(string.Format(CultureInfo.InvariantCulture, ok ? "Vault {0} succeeded validation test" : "Vault {0} failed validation test", v.Name));
                    if (!ok) { result = false; }
                }
                if (!any && !WildcardPattern.ContainsWildcardCharacters(n))
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException("Vault " + n + " does not exist in registry."),
                        "TestSecretVaultNotFound", ErrorCategory.ObjectNotFound, n));
                    result = false;
                }
            }
        }

        protected override void EndProcessing()
        {
            WriteObject(result && count > 0);
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
            CallSpy.RecordCall("Unlock-SecretVault");
            VaultCalls.Unlock(this, StandInCmdlets.FindVaultOrThrow(this, Name), Password);
        }
    }
}
