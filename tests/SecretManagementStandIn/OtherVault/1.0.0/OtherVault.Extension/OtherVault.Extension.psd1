@{
    RootModule        = 'OtherVault.Extension.psm1'
    ModuleVersion     = '1.0'
    GUID              = 'a1d3c0f2-51a4-4d43-8f57-2b9f0a3c6e77'
    Author            = 'ConvTokens tests'
    Description       = 'Extension vault submodule of the OtherVault test module.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @('Set-Secret', 'Set-SecretInfo', 'Get-Secret', 'Remove-Secret', 'Get-SecretInfo', 'Unlock-SecretVault', 'Test-SecretVault')
}
