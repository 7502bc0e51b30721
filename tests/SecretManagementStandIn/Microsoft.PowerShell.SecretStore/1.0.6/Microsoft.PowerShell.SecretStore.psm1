# Test stand-in for Microsoft.PowerShell.SecretStore 1.0.6 (see ../../README.md).
# Written for this repository's tests; it is not the real module's code.
Set-StrictMode -Version 3.0

# LocalSecretStore and the cmdlets live in an assembly of their own, loaded when this module is imported (the
# extension runspace imports it when a vault call first reaches a SecretStore vault), never before.
if (-not ('Microsoft.PowerShell.SecretStore.LocalSecretStore' -as [type])) {
    . (Join-Path $PSScriptRoot '../../Shared/Import-StandInAssembly.ps1')
    $null = Import-StandInAssembly -Stem 'Microsoft.PowerShell.SecretStore.StandIn' -Path (Join-Path $PSScriptRoot 'LocalSecretStore.cs') `
        -Reference ([SecretManagementStandIn.StandInStore].Assembly.Location)
}

Import-Module -Assembly ([Microsoft.PowerShell.SecretStore.LocalSecretStore].Assembly)

Export-ModuleMember -Cmdlet @('Unlock-SecretStore', 'Get-SecretStoreConfiguration', 'Set-SecretStoreConfiguration')
