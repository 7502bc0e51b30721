# The implementing module of the SecretStore stand-in: the functions SecretManagement calls in its extension runspace.
@{
    RootModule        = 'Microsoft.PowerShell.SecretStore.Extension.psm1'
    ModuleVersion     = '1.0'
    GUID              = '0c4c4c58-7d0e-4d4b-bd8f-5d0f6b2f2a21'
    Author            = 'ConvTokens tests'
    Description       = 'Extension vault submodule of the SecretStore stand-in. Not the real module.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @('Set-Secret', 'Set-SecretInfo', 'Get-Secret', 'Remove-Secret', 'Get-SecretInfo', 'Unlock-SecretVault', 'Test-SecretVault')
}
