# The implementing module of the SecretStore stand-in (test code; not the real module's code). SecretManagement
# calls these functions in its extension runspace. Each asks LocalSecretStore for the unlocked store; a
# PasswordRequiredException (locked, or PasswordTimeout passed) is answered once by a password prompt when
# the store allows prompting (through this function's host: the extension runspace's), else rethrown.
Set-StrictMode -Version 3.0

function Invoke-WithStore([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $VaultName, [scriptblock] $Action) {
    $attempt = 0
    do {
        try {
            return (& $Action ([Microsoft.PowerShell.SecretStore.LocalSecretStore]::GetInstance()))
        }
        catch [Microsoft.PowerShell.SecretManagement.PasswordRequiredException] {
            if (-not [Microsoft.PowerShell.SecretStore.LocalSecretStore]::AllowPrompting -or $attempt -gt 0) { throw }
            [Microsoft.PowerShell.SecretStore.LocalSecretStore]::PromptAndUnlockVault($VaultName, $Cmdlet)
        }
    } while ($attempt++ -lt 1)
}

function Get-Secret {
    [CmdletBinding()]
    param([string] $Name, [string] $VaultName, [hashtable] $AdditionalParameters)
    $found = Invoke-WithStore $PSCmdlet $VaultName {
        param($store)
        $value = $null
        if ([SecretManagementStandIn.SecretStore.StoreData]::ReadObject($store, $VaultName, $Name, [ref] $value)) { [pscustomobject]@{ Value = $value } }
    }
    if ($null -ne $found) { Write-Output $found.Value -NoEnumerate }
}

function Get-SecretInfo {
    [CmdletBinding()]
    param([string] $Filter, [string] $VaultName, [hashtable] $AdditionalParameters)
    $infos = Invoke-WithStore $PSCmdlet $VaultName {
        param($store)
        , [SecretManagementStandIn.SecretStore.StoreData]::EnumerateObjectInfo($store, $VaultName, $Filter)
    }
    if ($null -ne $infos) { Write-Output $infos }
}

function Set-Secret {
    [CmdletBinding()]
    param([string] $Name, [object] $Secret, [string] $VaultName, [hashtable] $AdditionalParameters, [hashtable] $Metadata)
    $written = Invoke-WithStore $PSCmdlet $VaultName {
        param($store)
        [SecretManagementStandIn.SecretStore.StoreData]::WriteObject($store, $VaultName, $Name, $Secret, $Metadata)
    }
    if (-not $written) {
        Write-Error -ErrorRecord ([System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.PSInvalidOperationException]::new("Set-Secret error in vault $VaultName : the secret type is not supported."),
                'SecretStoreSetSecretFailed', [System.Management.Automation.ErrorCategory]::InvalidOperation, $null))
    }
}

function Set-SecretInfo {
    [CmdletBinding()]
    param([string] $Name, [hashtable] $Metadata, [string] $VaultName, [hashtable] $AdditionalParameters)
    $written = Invoke-WithStore $PSCmdlet $VaultName {
        param($store)
        [SecretManagementStandIn.SecretStore.StoreData]::WriteMetadata($store, $VaultName, $Name, $Metadata)
    }
    if (-not $written) {
        Write-Error -ErrorRecord ([System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.ItemNotFoundException]::new("Set-SecretInfo error in vault $VaultName : Unable to find secret $Name in store."),
                'SecretStoreSetSecretInfoFailed', [System.Management.Automation.ErrorCategory]::InvalidOperation, $null))
    }
}

function Remove-Secret {
    [CmdletBinding()]
    param([string] $Name, [string] $VaultName, [hashtable] $AdditionalParameters)
    $removed = Invoke-WithStore $PSCmdlet $VaultName {
        param($store)
        [SecretManagementStandIn.SecretStore.StoreData]::DeleteObject($store, $VaultName, $Name)
    }
    if (-not $removed) {
        Write-Error -ErrorRecord ([System.Management.Automation.ErrorRecord]::new(
                [System.Management.Automation.ItemNotFoundException]::new("Remove-Secret error in vault $VaultName : Secret not found"),
                'SecretStoreRemoveSecretFailed', [System.Management.Automation.ErrorCategory]::InvalidOperation, $null))
    }
}

function Unlock-SecretVault {
    [CmdletBinding()]
    param([securestring] $Password, [string] $VaultName, [hashtable] $AdditionalParameters)
    $errorMsg = ''
    if (-not [Microsoft.PowerShell.SecretStore.LocalSecretStore]::UnlockVault($Password, [ref] $errorMsg)) {
        Write-Error -ErrorRecord ([System.Management.Automation.ErrorRecord]::new(
                [System.Security.Authentication.AuthenticationException]::new("$VaultName Vault Unlock operation failed with error: $errorMsg"),
                'SecretStoreUnlockFailed', [System.Management.Automation.ErrorCategory]::AuthenticationError, $null))
    }
}

# Never prompts: a locked store is a PasswordRequiredException. (The real one writes, reads and removes a random secret.)
function Test-SecretVault {
    [CmdletBinding()]
    param([string] $VaultName, [hashtable] $AdditionalParameters)
    $null = [Microsoft.PowerShell.SecretStore.LocalSecretStore]::GetInstance()
    $true
}

Export-ModuleMember -Function Get-Secret, Get-SecretInfo, Set-Secret, Set-SecretInfo, Remove-Secret, Unlock-SecretVault, Test-SecretVault
