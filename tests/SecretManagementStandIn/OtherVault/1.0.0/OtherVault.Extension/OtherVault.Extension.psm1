# The vault functions of OtherVault, a test vault module that is not SecretStore (test code only). Each vault
# has a lock of its own (Set-StandInVaultLock). A locked vault whose Interaction is Prompt asks through the
# host of the extension runspace with words of its own ("OtherVault <name> is locked. Password:"); with
# Interaction None it fails with an AuthenticationException. It has no LocalSecretStore and never throws
# SecretManagement's PasswordRequiredException.
Set-StrictMode -Version 3.0

function Open-OtherVault([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $VaultName) {
    $vault = [SecretManagementStandIn.StandInStore]::FindVault($VaultName)
    if (-not $vault.IsLocked) { return $vault }
    if ($vault.Interaction -eq 'Prompt') {
        $ui = $Cmdlet.Host.UI
        $ui.WriteLine("OtherVault $VaultName is locked. Password:")
        [SecretManagementStandIn.PromptLog]::Shown($Cmdlet.Host.Name)
        [SecretManagementStandIn.PromptLog]::ReadStarted()
        try { $password = $ui.ReadLineAsSecureString() }
        catch [System.Management.Automation.PipelineStoppedException] { [SecretManagementStandIn.PromptLog]::ReadCancelled(); throw }
        catch { [SecretManagementStandIn.PromptLog]::ReadRefused(); throw [System.Security.Authentication.AuthenticationException]::new("OtherVault $VaultName is locked and its password could not be read: $($_.Exception.Message)") }
        if ($null -eq $password) { [SecretManagementStandIn.PromptLog]::ReadCancelled(); throw [System.Security.Authentication.AuthenticationException]::new("OtherVault $VaultName is locked: no password was read.") }
        [SecretManagementStandIn.PromptLog]::ReadAnswered()
        if ([SecretManagementStandIn.StandInStore]::TryUnlock($vault, $password)) { return $vault }
    }
    throw [System.Security.Authentication.AuthenticationException]::new("OtherVault $VaultName is locked.")
}

function Get-Secret {
    [CmdletBinding()]
    param([string] $Name, [string] $VaultName, [hashtable] $AdditionalParameters)
    $vault = Open-OtherVault $PSCmdlet $VaultName
    $value = $null
    if ([SecretManagementStandIn.StandInStore]::TryReadSecret($vault, $Name, [ref] $value)) { Write-Output $value -NoEnumerate }
}

function Get-SecretInfo {
    [CmdletBinding()]
    param([string] $Filter, [string] $VaultName, [hashtable] $AdditionalParameters)
    Write-Output ([SecretManagementStandIn.StandInStore]::GetSecretInfo((Open-OtherVault $PSCmdlet $VaultName), $Filter))
}

function Set-Secret {
    [CmdletBinding()]
    param([string] $Name, [object] $Secret, [string] $VaultName, [hashtable] $AdditionalParameters, [hashtable] $Metadata)
    $null = [SecretManagementStandIn.StandInStore]::SetSecret((Open-OtherVault $PSCmdlet $VaultName), $Name, $Secret, $Metadata)
}

function Set-SecretInfo {
    [CmdletBinding()]
    param([string] $Name, [hashtable] $Metadata, [string] $VaultName, [hashtable] $AdditionalParameters)
    if (-not [SecretManagementStandIn.StandInStore]::SetMetadata((Open-OtherVault $PSCmdlet $VaultName), $Name, $Metadata)) {
        Write-Error -Exception ([System.Management.Automation.ItemNotFoundException]::new("OtherVault $VaultName has no secret $Name.")) -ErrorId 'OtherVaultSecretNotFound'
    }
}

function Remove-Secret {
    [CmdletBinding()]
    param([string] $Name, [string] $VaultName, [hashtable] $AdditionalParameters)
    if (-not [SecretManagementStandIn.StandInStore]::RemoveSecret((Open-OtherVault $PSCmdlet $VaultName), $Name)) {
        Write-Error -Exception ([System.Management.Automation.ItemNotFoundException]::new("OtherVault $VaultName has no secret $Name.")) -ErrorId 'OtherVaultSecretNotFound'
    }
}

function Unlock-SecretVault {
    [CmdletBinding()]
    param([securestring] $Password, [string] $VaultName, [hashtable] $AdditionalParameters)
    if (-not [SecretManagementStandIn.StandInStore]::TryUnlock([SecretManagementStandIn.StandInStore]::FindVault($VaultName), $Password)) {
        Write-Error -Exception ([System.Security.Authentication.AuthenticationException]::new("OtherVault $VaultName : the password is incorrect.")) -ErrorId 'OtherVaultUnlockFailed'
    }
}

function Test-SecretVault {
    [CmdletBinding()]
    param([string] $VaultName, [hashtable] $AdditionalParameters)
    -not [SecretManagementStandIn.StandInStore]::FindVault($VaultName).IsLocked
}

Export-ModuleMember -Function Get-Secret, Get-SecretInfo, Set-Secret, Set-SecretInfo, Remove-Secret, Unlock-SecretVault, Test-SecretVault
