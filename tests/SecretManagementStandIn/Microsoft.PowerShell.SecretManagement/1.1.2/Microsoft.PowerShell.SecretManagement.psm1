# Test stand-in for Microsoft.PowerShell.SecretManagement 1.1.2 (see ../../README.md).
# Written for this repository's tests; it is not the real module's code.
# Secrets live only in process memory and are never written to any stream, message or file.
Set-StrictMode -Version 3.0

# One concern a file: the public types, the in-memory store, the call spy, the extension runspace and the
# calls into vault modules, the secret cmdlets, the vault cmdlets. They compile into one assembly.
$script:Sources = @('PublicTypes.cs', 'VaultStore.cs', 'CallSpy.cs', 'ExtensionContext.cs', 'SecretCmdlets.cs', 'VaultCmdlets.cs')

. (Join-Path $PSScriptRoot '../../Shared/Import-StandInAssembly.ps1')

if (-not ('SecretManagementStandIn.StandInStore' -as [type])) {
    if ('Microsoft.PowerShell.SecretManagement.SecretInformation' -as [type]) {
        throw 'The real Microsoft.PowerShell.SecretManagement module is already loaded in this process; the test stand-in cannot be imported next to it.'
    }
    $null = Import-StandInAssembly -Stem 'SecretManagementStandIn' -Path ($script:Sources | ForEach-Object { Join-Path $PSScriptRoot $_ })
}
[SecretManagementStandIn.ExtensionContext]::SetSecretManagementManifest((Join-Path $PSScriptRoot 'Microsoft.PowerShell.SecretManagement.psd1'))

# The SecretManagement commands are compiled cmdlets, so their errors carry the real module's
# FullyQualifiedErrorIds. Only the test hooks below are script functions.
Import-Module -Assembly ([Microsoft.PowerShell.SecretManagement.GetSecretCommand].Assembly)

$script:Store = [SecretManagementStandIn.StandInStore]

#region Test hooks (not part of the real API)

function Get-StandInVaultOrThrow([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Vault, [string] $ErrorId) {
    $v = $script:Store::FindVault($Vault)
    if ($null -eq $v) {
        $Cmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.PSInvalidOperationException]::new("Vault not found in registry: $Vault"),
                $ErrorId, [System.Management.Automation.ErrorCategory]::InvalidOperation, $Vault))
    }
    $v
}

function Set-StandInVaultLock {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Vault,

        [Parameter(Mandatory = $true)]
        [bool] $Locked,

        [securestring] $Password,

        # SecretStore's -Interaction; every vault starts with Prompt, the real default.
        [ValidateSet('Prompt', 'None')]
        [string] $Interaction
    )
    # A vault of the module Microsoft.PowerShell.SecretStore shares the one store's lock: this sets it for all of them.
    $v = Get-StandInVaultOrThrow $PSCmdlet $Vault 'SetStandInVaultLockInvalidOperation'
    $script:Store::SetLock($v, $Locked, $Password, $(if ($Interaction) { $Interaction } else { $null }))
}

function Set-StandInPasswordExpired {
    [CmdletBinding()]
    param(
        # A vault of the SecretStore module (the default: the store itself); the store's PasswordTimeout passes.
        [string] $Vault
    )
    $state = if ($Vault) { (Get-StandInVaultOrThrow $PSCmdlet $Vault 'SetStandInPasswordExpiredInvalidOperation').Lock } else { $script:Store::SecretStoreLock }
    $script:Store::ExpirePassword($state)
}

function Set-StandInVaultModulePath {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Vault,

        # Where the registry says the vault's module folder is; a folder that does not exist models a module that is gone.
        [Parameter(Mandatory = $true)]
        [string] $ModulePath
    )
    $script:Store::SetModulePath((Get-StandInVaultOrThrow $PSCmdlet $Vault 'SetStandInVaultModulePathInvalidOperation'), $ModulePath)
}

function Get-StandInCallCount {
    [CmdletBinding()]
    param([string] $Command)
    if ([string]::IsNullOrEmpty($Command)) { return [SecretManagementStandIn.CallSpy]::GetCallCounts() }
    [SecretManagementStandIn.CallSpy]::GetCallCount($Command)
}

function Get-StandInCallThreads {
    [CmdletBinding()]
    [OutputType([int])]
    param([string] $Command = 'Get-Secret')
    [SecretManagementStandIn.CallSpy]::GetCallThreads($Command)
}

function Get-StandInExtensionContext {
    [CmdletBinding()]
    param()
    [pscustomobject] [SecretManagementStandIn.ExtensionContext]::Describe()
}

function Get-StandInPromptLog {
    [CmdletBinding()]
    param()
    [pscustomobject] [SecretManagementStandIn.PromptLog]::Snapshot()
}

function Reset-StandIn {
    [CmdletBinding()]
    param()
    $script:Store::Reset()
}

#endregion

Export-ModuleMember -Cmdlet @(
    'Get-Secret', 'Get-SecretInfo', 'Set-Secret', 'Set-SecretInfo', 'Remove-Secret',
    'Get-SecretVault', 'Register-SecretVault', 'Unregister-SecretVault', 'Set-SecretVaultDefault',
    'Test-SecretVault', 'Unlock-SecretVault', 'Watch-StandInPipelineStop'
) -Function @(
    'Set-StandInVaultLock', 'Set-StandInPasswordExpired', 'Set-StandInVaultModulePath', 'Get-StandInCallCount',
    'Get-StandInCallThreads', 'Get-StandInExtensionContext', 'Get-StandInPromptLog', 'Reset-StandIn'
)
