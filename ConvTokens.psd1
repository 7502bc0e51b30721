# Source manifest. build.ps1 copies it to out/ConvTokens/ and stamps ModuleVersion from
# Directory.Build.props (the one version source) and the release notes from CHANGELOG.md; do not edit
# the version or the notes here.
@{
    RootModule             = 'ConvTokens.PowerShell.dll'
    ModuleVersion          = '0.0.0'
    CompatiblePSEditions   = @('Core')
    GUID                   = '6f0c7e3a-2d4b-4b8e-9a51-3c1f2e7d9b40'
    Author                 = 'ConvTokens contributors'
    CompanyName            = 'ConvTokens contributors'
    Copyright              = '(c) ConvTokens contributors. MIT licence.'
    Description            = 'Signs HS256 initialization tokens for a voucher/conversion API, exchanges them for session tokens at its /token endpoint, and verifies tokens, with the apiSignature and apiKey read from SecretManagement vaults.'
    PowerShellVersion      = '7.4'
    FormatsToProcess       = @('ConvTokens.format.ps1xml')
    TypesToProcess         = @('ConvTokens.types.ps1xml')
    CmdletsToExport        = @('New-InitializationToken', 'Get-SessionToken', 'Test-Token')
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('JWT', 'HS256', 'Token', 'OAuth', 'SecretManagement', 'Voucher', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            # The MIT text; the package carries LICENSE with this project's copyright line.
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            # build.ps1 replaces this line with the CHANGELOG.md entry of the version, and adds ProjectUri
            # and IconUri only when given (-ProjectUri, -IconUri): no address is published that is not real.
            ReleaseNotes = ''
            # Used when present, never required at import: direct SecureString secrets work without it,
            # and the first vault look-up says how to install it.
            ExternalModuleDependencies = @('Microsoft.PowerShell.SecretManagement')
        }
    }
}
