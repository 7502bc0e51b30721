# Test stand-in for Microsoft.PowerShell.SecretManagement 1.1.2 (backed by an in-memory "SecretStore").
# Written for this repository's tests; it is not the real module's code.
# Secrets live only in process memory and are never written to any stream, message or file.
Set-StrictMode -Version 3.0

if (-not ('SecretManagementStandIn.StandInStore' -as [type])) {
    if ('Microsoft.PowerShell.SecretManagement.SecretInformation' -as [type]) {
        throw 'The real Microsoft.PowerShell.SecretManagement module is already loaded in this process; the test stand-in cannot be imported next to it.'
    }
    Add-Type -Path (Join-Path $PSScriptRoot 'StandInTypes.cs')
}

# The SecretManagement commands (and SecretStore's Unlock-SecretStore) are compiled cmdlets in StandInTypes.cs,
# so their errors carry the real module's FullyQualifiedErrorIds and their password prompt goes through the
# host of the runspace they run in. Only the test hooks below are script functions.
Import-Module -Assembly ([Microsoft.PowerShell.SecretManagement.GetSecretCommand].Assembly)

$script:Store = [SecretManagementStandIn.StandInStore]

#region Test hooks (not part of the real API)

function Set-StandInVaultLock {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Vault,

        [Parameter(Mandatory = $true)]
        [bool] $Locked,

        [securestring] $Password,

        # SecretStore's -Interaction for this vault; every vault starts with Prompt, the real default.
        [ValidateSet('Prompt', 'None')]
        [string] $Interaction
    )
    $v = $script:Store::FindVault($Vault)
    if ($null -eq $v) {
        $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.PSInvalidOperationException]::new("Vault not found in registry: $Vault"),
                'SetStandInVaultLockInvalidOperation', [System.Management.Automation.ErrorCategory]::InvalidOperation, $Vault))
    }
    $script:Store::SetLock($v, $Locked, $Password, $(if ($Interaction) { $Interaction } else { $null }))
}

function Get-StandInCallCount {
    [CmdletBinding()]
    param([string] $Command)
    if ([string]::IsNullOrEmpty($Command)) { return $script:Store::GetCallCounts() }
    $script:Store::GetCallCount($Command)
}

function Get-StandInCallThreads {
    [CmdletBinding()]
    [OutputType([int])]
    param([string] $Command = 'Get-Secret')
    $script:Store::GetCallThreads($Command)
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
    'Test-SecretVault', 'Unlock-SecretVault', 'Unlock-SecretStore'
) -Function @('Set-StandInVaultLock', 'Get-StandInCallCount', 'Get-StandInCallThreads', 'Reset-StandIn')
