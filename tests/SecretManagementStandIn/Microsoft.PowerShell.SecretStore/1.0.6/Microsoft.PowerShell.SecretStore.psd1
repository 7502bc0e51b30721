# Test stand-in for Microsoft.PowerShell.SecretStore 1.0.6 (see ../../README.md).
# In-memory only; never use it outside the tests and demos of this repository.
@{
    RootModule           = 'Microsoft.PowerShell.SecretStore.psm1'
    NestedModules        = @('Microsoft.PowerShell.SecretStore.Extension')
    RequiredModules      = @('Microsoft.PowerShell.SecretManagement')
    ModuleVersion        = '1.0.6'
    GUID                 = '5c3e1a52-0f0d-4a53-9a8b-0b6f6f9e3c11'
    Author               = 'ConvTokens tests'
    CompanyName          = 'ConvTokens'
    Copyright            = '(c) ConvTokens contributors.'
    Description          = 'Test stand-in for Microsoft.PowerShell.SecretStore 1.0.6, a vault of the SecretManagement stand-in. Not the real module.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    CmdletsToExport      = @('Unlock-SecretStore', 'Get-SecretStoreConfiguration', 'Set-SecretStoreConfiguration')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    FileList             = @('Microsoft.PowerShell.SecretStore.psd1', 'Microsoft.PowerShell.SecretStore.psm1', 'LocalSecretStore.cs')
    PrivateData          = @{ PSData = @{ Tags = @('TestDouble', 'StandIn') } }
}
