# A vault module that is not SecretStore, for tests of "other vault modules" (see ../../README.md). Test code only.
@{
    RootModule        = 'OtherVault.psm1'
    NestedModules     = @('OtherVault.Extension')
    RequiredModules   = @('Microsoft.PowerShell.SecretManagement')
    ModuleVersion     = '1.0.0'
    GUID              = '7f0f9a65-3f5e-4a0e-9d61-1c2b7b0b4e55'
    Author            = 'ConvTokens tests'
    Description       = 'A test vault module of the SecretManagement stand-in with a lock and a prompt of its own, and no LocalSecretStore.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @()
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
