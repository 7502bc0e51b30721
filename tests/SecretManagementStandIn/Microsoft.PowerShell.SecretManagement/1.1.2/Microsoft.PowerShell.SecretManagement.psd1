# Test stand-in for Microsoft.PowerShell.SecretManagement 1.1.2 (see ../../README.md).
# In-memory only; never use it outside the tests and demos of this repository.
@{
    RootModule           = 'Microsoft.PowerShell.SecretManagement.psm1'
    ModuleVersion        = '1.1.2'
    GUID                 = '98cfc9e9-1d95-46bd-8551-7bd5cea6a6dc'
    Author               = 'ConvTokens tests'
    CompanyName          = 'ConvTokens'
    Copyright            = '(c) ConvTokens contributors.'
    Description          = 'Test stand-in for Microsoft.PowerShell.SecretManagement 1.1.2 with an in-memory SecretStore-like vault. Not the real module.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FunctionsToExport    = @('Set-StandInVaultLock', 'Get-StandInCallCount', 'Get-StandInCallThreads', 'Reset-StandIn')
    CmdletsToExport      = @(
        'Get-Secret', 'Get-SecretInfo', 'Set-Secret', 'Set-SecretInfo', 'Remove-Secret',
        'Get-SecretVault', 'Register-SecretVault', 'Unregister-SecretVault', 'Set-SecretVaultDefault',
        'Test-SecretVault', 'Unlock-SecretVault', 'Unlock-SecretStore'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    FileList             = @('Microsoft.PowerShell.SecretManagement.psd1', 'Microsoft.PowerShell.SecretManagement.psm1', 'StandInTypes.cs')
    PrivateData          = @{
        PSData = @{
            Tags = @('TestDouble', 'StandIn')
        }
    }
}
