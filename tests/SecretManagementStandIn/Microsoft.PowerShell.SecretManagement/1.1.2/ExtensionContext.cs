// The process-wide extension runspace of the SecretManagement stand-in, and the calls into vault modules.
// Written for this repository's tests from what DESIGN.md measured and the public shape of SecretManagement
// 1.1.2; it is not the real module's source. Kept C# 5 compatible.
//
// The rule it models (DESIGN.md, "One extension runspace per process, and whose host it holds"):
// - every call into a vault module runs in ONE runspace per process;
// - that runspace is created with the host of its first caller (PSCmdlet.Host, which is the InternalHost of
//   the caller's runspace), and re-created only when it holds the "Default Host" and a caller with a real
//   host arrives;
// - so a vault module's password prompt goes through that host's UI, whoever calls. When the host's read
//   is cancelled (Ctrl+C, input at its end) the console host throws PipelineStoppedException, and
//   PowerShell's own InternalHost user interface of the runspace that created the extension runspace stops
//   the pipeline running there and returns no password. The stand-in does nothing of its own to stop a
//   pipeline: it holds the same host object the real one holds, and PowerShell does the rest.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using Microsoft.PowerShell.SecretManagement;

namespace SecretManagementStandIn
{
    public static class ExtensionContext
    {
        private const string DefaultHostName = "Default Host";

        // Imports the vault module by the ModulePath the registry holds unless a module of that name is loaded
        // in the extension runspace, then calls the command of its implementing module (<Module>.Extension).
        private const string RunCommandScript = @"
            param([string] $ModuleName, [string] $ModulePath, [string] $ImplementingModuleName, [string] $Command, [hashtable] $Params)
            $module = Microsoft.PowerShell.Core\Get-Module -Name $ModuleName -ErrorAction Ignore
            if ($null -eq $module) {
                $module = Microsoft.PowerShell.Core\Import-Module -Name $ModulePath -PassThru
            }
            if ($null -eq $module) { return }
            & $module ""$ImplementingModuleName\$Command"" @Params
        ";

        private static readonly object Gate = new object();
        private static Runspace runspace;
        private static bool isHostDefault;
        private static int generation;
        private static string hostName;
        private static Runspace creator;
        private static string secretManagementManifest;

        /// <summary>The stand-in's own manifest, imported into the extension runspace as the real one imports itself.</summary>
        public static void SetSecretManagementManifest(string path)
        {
            // Not under Gate: the module runs this again while the extension runspace opens (under Gate) on another thread.
            System.Threading.Interlocked.CompareExchange(ref secretManagementManifest, path, null);
        }

        /// <summary>What the extension runspace holds now (test hook Get-StandInExtensionContext).</summary>
        public static Hashtable Describe()
        {
            lock (Gate)
            {
                var result = new Hashtable(StringComparer.OrdinalIgnoreCase);
                bool open = runspace != null && runspace.RunspaceStateInfo.State == RunspaceState.Opened;
                result["Exists"] = open;
                result["TimesCreated"] = generation;
                result["HostName"] = open ? hostName : null;
                result["CreatorRunspaceId"] = open && creator != null ? (object)creator.Id : null;
                result["CreatorRunspaceInstanceId"] = open && creator != null ? (object)creator.InstanceId : null;
                result["Busy"] = open && runspace.RunspaceAvailability != RunspaceAvailability.Available;
                return result;
            }
        }

        private static Runspace Acquire(PSCmdlet cmdlet, out Exception failure)
        {
            failure = null;
            lock (Gate)
            {
                bool callerIsDefault = string.Equals(cmdlet.Host.Name, DefaultHostName, StringComparison.OrdinalIgnoreCase);
                if (runspace == null || runspace.RunspaceStateInfo.State != RunspaceState.Opened || (isHostDefault && !callerIsDefault))
                {
                    if (runspace != null) { runspace.Dispose(); runspace = null; }
                    isHostDefault = callerIsDefault;
                    var iss = InitialSessionState.CreateDefault2();
                    iss.LanguageMode = PSLanguageMode.FullLanguage;
                    if (!string.IsNullOrEmpty(secretManagementManifest)) { iss.ImportPSModule(new[] { secretManagementManifest }); }
                    try
                    {
                        var created = RunspaceFactory.CreateRunspace(cmdlet.Host, iss);
                        created.Open();
                        runspace = created;
                        generation++;
                        hostName = cmdlet.Host.Name;
                        creator = Runspace.DefaultRunspace;
                    }
                    catch (Exception ex)
                    {
                        failure = ex;
                        return null;
                    }
                }
                return runspace;
            }
        }

        /// <summary>
        /// Runs a command of the vault's module in the extension runspace. Errors, warnings, verbose, debug and
        /// information records of the vault module are written by the calling cmdlet; the rest is returned.
        /// A terminating error of the vault module comes back in terminatingError.
        /// </summary>
        internal static List<object> Invoke(PSCmdlet cmdlet, VaultRecord vault, string command, Hashtable parameters, out Exception terminatingError)
        {
            var result = new List<object>();
            var target = Acquire(cmdlet, out terminatingError);
            if (target == null) { return result; }

            using (var ps = System.Management.Automation.PowerShell.Create())
            {
                ps.Runspace = target;
                var cmd = new Command(RunCommandScript, true, true);
                cmd.MergeMyResults(
                    PipelineResultTypes.Error | PipelineResultTypes.Warning | PipelineResultTypes.Verbose |
                    PipelineResultTypes.Debug | PipelineResultTypes.Information,
                    PipelineResultTypes.Output);
                ps.Commands.AddCommand(cmd);
                ps.AddArgument(vault.ModuleName);
                ps.AddArgument(vault.ModulePath);
                ps.AddArgument(vault.ModuleName + ".Extension");
                ps.AddArgument(command);
                ps.AddArgument(parameters);
                Collection<PSObject> items;
                try
                {
                    items = ps.Invoke();
                }
                catch (Exception ex)
                {
                    terminatingError = ex;
                    return result;
                }
                foreach (var item in items)
                {
                    if (item == null || item.BaseObject == null) { continue; }
                    var error = item.BaseObject as ErrorRecord;
                    if (error != null) { cmdlet.WriteError(error); continue; }
                    var warning = item.BaseObject as WarningRecord;
                    if (warning != null) { cmdlet.WriteWarning(warning.Message); continue; }
                    var verbose = item.BaseObject as VerboseRecord;
                    if (verbose != null) { cmdlet.WriteVerbose(verbose.Message); continue; }
                    var debug = item.BaseObject as DebugRecord;
                    if (debug != null) { cmdlet.WriteDebug(debug.Message); continue; }
                    var information = item.BaseObject as InformationRecord;
                    if (information != null) { cmdlet.WriteInformation(information); continue; }
                    result.Add(item.BaseObject);
                }
            }
            return result;
        }
    }

    /// <summary>
    /// The SecretManagement side of each vault-module command: parameters in, results and failures out, in
    /// the shape SecretManagement 1.1.2 gives them (a PasswordRequiredException of the vault module is
    /// rethrown as is; any other terminating error of the vault module becomes a non-terminating error).
    /// </summary>
    internal static class VaultCalls
    {
        private static Hashtable Parameters(PSCmdlet cmdlet, VaultRecord vault)
        {
            var additional = new Hashtable();
            foreach (var kv in vault.VaultParameters) { additional[kv.Key] = kv.Value; }
            object verbose;
            bool verboseOn = cmdlet.MyInvocation.BoundParameters.TryGetValue("Verbose", out verbose) &&
                verbose is SwitchParameter && ((SwitchParameter)verbose).IsPresent;
            additional["Verbose"] = verboseOn;
            var parameters = new Hashtable();
            parameters["VaultName"] = vault.Name;
            parameters["AdditionalParameters"] = additional;
            return parameters;
        }

        private static void ThrowIfPasswordRequired(Exception failure)
        {
            var required = failure.InnerException as PasswordRequiredException;
            if (required != null) { throw required; }
        }

        private static void Fail(PSCmdlet cmdlet, VaultRecord vault, Exception failure, string message, string errorId)
        {
            ThrowIfPasswordRequired(failure);
            cmdlet.WriteError(new ErrorRecord(new PSInvalidOperationException(message, failure), errorId, ErrorCategory.InvalidOperation, vault.Name));
        }

        /// <summary>The secret as the vault module returned it, or null (nothing returned, or it failed: the error was written).</summary>
        internal static object GetSecret(PSCmdlet cmdlet, VaultRecord vault, string name)
        {
            var parameters = Parameters(cmdlet, vault);
            parameters["Name"] = name;
            Exception failure;
            var results = ExtensionContext.Invoke(cmdlet, vault, "Get-Secret", parameters, out failure);
            if (failure != null)
            {
                Fail(cmdlet, vault, failure, string.Format(CultureInfo.InvariantCulture, "Unable to get secret {0} from vault {1}", name, vault.Name), "GetSecretInvalidOperation");
            }
            else
            {
                cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Secret {0} was successfully retrieved from vault {1}.", name, vault.Name));
            }
            if (results.Count == 0) { return null; }
            if (results[0] is byte)
            {
                var bytes = new byte[results.Count];
                for (int i = 0; i < results.Count; i++) { bytes[i] = (byte)results[i]; }
                return bytes;
            }
            var value = results[0];
            // Write-Output -NoEnumerate of one object arrives wrapped in a List<object>, as with the real module.
            var wrapped = value as List<object>;
            if (wrapped != null && wrapped.Count > 0) { value = wrapped[0]; }
            var wrappedPso = value as PSObject;
            if (wrappedPso != null) { value = wrappedPso.BaseObject; }
            if (value is string || value is SecureString || value is byte[] || value is PSCredential || value is Hashtable) { return value; }
            cmdlet.WriteError(new ErrorRecord(new PSInvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                "Secret object returned for '{0}' from vault '{1}' is of invalid type '{2}'", name, vault.Name, value.GetType())),
                "GetSecretInvalidOperation", ErrorCategory.InvalidOperation, vault.Name));
            return null;
        }

        internal static SecretInformation[] GetSecretInfo(PSCmdlet cmdlet, VaultRecord vault, string filter)
        {
            var parameters = Parameters(cmdlet, vault);
            parameters["Filter"] = filter;
            Exception failure;
            var results = ExtensionContext.Invoke(cmdlet, vault, "Get-SecretInfo", parameters, out failure);
            if (failure != null)
            {
                Fail(cmdlet, vault, failure, string.Format(CultureInfo.InvariantCulture, "Unable to get secret information from vault {0}", vault.Name), "GetSecretInfoInvalidOperation");
            }
            var infos = new List<SecretInformation>();
            foreach (var item in results)
            {
                var info = item as SecretInformation;
                if (info != null) { infos.Add(info); continue; }
                var many = item as SecretInformation[];
                if (many != null) { infos.AddRange(many); }
            }
            return infos.ToArray();
        }

        /// <summary>True when the vault module wrote the secret without a terminating error.</summary>
        internal static bool SetSecret(PSCmdlet cmdlet, VaultRecord vault, string name, object secret, Hashtable metadata)
        {
            var parameters = Parameters(cmdlet, vault);
            parameters["Name"] = name;
            parameters["Secret"] = secret;
            parameters["Metadata"] = metadata;
            Exception failure;
            ExtensionContext.Invoke(cmdlet, vault, "Set-Secret", parameters, out failure);
            if (failure == null) { return true; }
            Fail(cmdlet, vault, failure, string.Format(CultureInfo.InvariantCulture, "Unable to add secret {0} to vault {1}", name, vault.Name), "SetSecretInvalidOperation");
            return false;
        }

        internal static void SetSecretInfo(PSCmdlet cmdlet, VaultRecord vault, string name, Hashtable metadata)
        {
            var parameters = Parameters(cmdlet, vault);
            parameters["Name"] = name;
            parameters["Metadata"] = metadata;
            Exception failure;
            ExtensionContext.Invoke(cmdlet, vault, "Set-SecretInfo", parameters, out failure);
            if (failure != null)
            {
                Fail(cmdlet, vault, failure, string.Format(CultureInfo.InvariantCulture, "Unable to set secret metadata {0} to vault {1}", name, vault.Name), "SetSecretMetadataInvalidOperation");
            }
        }

        internal static void RemoveSecret(PSCmdlet cmdlet, VaultRecord vault, string name)
        {
            var parameters = Parameters(cmdlet, vault);
            parameters["Name"] = name;
            Exception failure;
            ExtensionContext.Invoke(cmdlet, vault, "Remove-Secret", parameters, out failure);
            if (failure != null)
            {
                Fail(cmdlet, vault, failure, string.Format(CultureInfo.InvariantCulture, "Unable to remove secret {0} from vault {1}", name, vault.Name), "RemoveSecretInvalidOperation");
            }
        }

        internal static void Unlock(PSCmdlet cmdlet, VaultRecord vault, SecureString password)
        {
            var parameters = Parameters(cmdlet, vault);
            parameters["Password"] = password;
            Exception failure;
            ExtensionContext.Invoke(cmdlet, vault, "Unlock-SecretVault", parameters, out failure);
            if (failure != null)
            {
                Fail(cmdlet, vault, failure, string.Format(CultureInfo.InvariantCulture, "Unlocking vault '{0}' failed with error: {1}", vault.Name, failure.Message), "UnlockSecretVaultInvalidOperation");
            }
        }

        internal static bool Test(PSCmdlet cmdlet, VaultRecord vault)
        {
            var parameters = Parameters(cmdlet, vault);
            Exception failure;
            var results = ExtensionContext.Invoke(cmdlet, vault, "Test-SecretVault", parameters, out failure);
            if (failure != null)
            {
                Fail(cmdlet, vault, failure, string.Format(CultureInfo.InvariantCulture, "Unable to run Test-SecretVault on vault {0}", vault.Name), "TestSecretVaultInvalidOperation");
            }
            return results.Count > 0 && results[0] is bool && (bool)results[0];
        }
    }
}
