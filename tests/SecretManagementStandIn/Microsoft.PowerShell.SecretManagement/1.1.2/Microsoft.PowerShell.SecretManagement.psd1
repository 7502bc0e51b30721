# Test stand-in for Microsoft.PowerShell.SecretManagement 1.1.2 (see ../../README.md).
# In-memory only; never use it outside the tests and demos of this repository.
@{
    RootModule           = 'Microsoft.PowerShell.SecretManagement.psm1'
    ModuleVersion        = '1.1.2'
    GUID                 = '98cfc9e9-1d95-46bd-8551-7bd5cea6a6dc'
    Author               = 'ConvTokens tests'
    CompanyName          = 'ConvTokens'
    Copyright            = '(c) ConvTokens contributors.'
    Description          = 'Test stand-in for Microsoft.PowerShell.SecretManagement 1.1.2 (vaults through their modules: see Microsoft.PowerShell.SecretStore and OtherVault next to it). Not the real module.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FunctionsToExport    = @(
        'Set-StandInVaultLock', 'Set-StandInPasswordExpired', 'Set-StandInVaultModulePath', 'Get-StandInCallCount',
        'Get-StandInCallThreads', 'Get-StandInExtensionContext', 'Get-StandInPromptLog', 'Reset-StandIn'
    )
    CmdletsToExport      = @(
        'Get-Secret', 'Get-SecretInfo', 'Set-Secret', 'Set-SecretInfo', 'Remove-Secret',
        'Get-SecretVault', 'Register-SecretVault', 'Unregister-SecretVault', 'Set-SecretVaultDefault',
        'Test-SecretVault', 'Unlock-SecretVault', 'Watch-StandInPipelineStop'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    FileList             = @(
        'Microsoft.PowerShell.SecretManagement.psd1', 'Microsoft.PowerShell.SecretManagement.psm1', 'PublicTypes.cs', 'VaultStore.cs',
        'CallSpy.cs', 'ExtensionContext.cs', 'SecretCmdlets.cs', 'VaultCmdlets.cs'
    )
    PrivateData          = @{
        PSData = @{
            Tags = @('TestDouble', 'StandIn')
        }
    }
}
