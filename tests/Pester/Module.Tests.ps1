BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession
    $script:Secret = ConvertTo-TestSecureString 'monApiSignature'
}

Describe 'Manifest' {
    BeforeAll { $script:Manifest = Test-ModuleManifest -Path $ModuleManifest -ErrorAction Stop }

    It 'passes Test-ModuleManifest and exports exactly the three cmdlets, nothing else' {
        $Manifest.Name | Should -BeExactly 'ConvTokens'
        @($Manifest.ExportedCmdlets.Keys | Sort-Object) | Should -Be @('Get-SessionToken', 'New-InitializationToken', 'Test-Token')
        $Manifest.ExportedFunctions.Count | Should -Be 0
        $Manifest.ExportedAliases.Count | Should -Be 0
        @((Get-Command -Module ConvTokens).Name | Sort-Object) | Should -Be @('Get-SessionToken', 'New-InitializationToken', 'Test-Token')
    }

    It 'targets PowerShell 7.4+ Core and carries Gallery metadata, with no address that is not real' {
        $data = Import-PowerShellDataFile $ModuleManifest
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.PowerShellVersion | Should -Be '7.4'
        foreach ($tag in 'JWT', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS') { $data.PrivateData.PSData.Tags | Should -Contain $tag }
        $data.PrivateData.PSData.LicenseUri | Should -BeExactly 'https://opensource.org/licenses/MIT'
        # No project or icon address unless the build is given one (-ProjectUri, -IconUri).
        $data.PrivateData.PSData.ContainsKey('ProjectUri') | Should -BeFalse
        $data.PrivateData.PSData.ContainsKey('IconUri') | Should -BeFalse
        $data.PrivateData.PSData.ExternalModuleDependencies | Should -Be @('Microsoft.PowerShell.SecretManagement')
        $data.ContainsKey('RequiredModules') | Should -BeFalse
    }

    It "carries the release notes of its version's CHANGELOG.md entry, and ships LICENSE and CHANGELOG.md" {
        Import-Module (Join-Path $RepoRoot 'tools/BuildTools.psm1') -Force
        $entry = Get-ChangelogEntry -Path (Join-Path $RepoRoot 'CHANGELOG.md') -Version $Manifest.Version.ToString(3)
        $notes = (Import-PowerShellDataFile $ModuleManifest).PrivateData.PSData.ReleaseNotes
        $notes | Should -BeLike "$($Manifest.Version.ToString(3)) — $($entry.When)*"
        $notes | Should -Match ([regex]::Escape($entry.Notes))
        $notes | Should -Not -Match 'First release'
        $moduleBase = Split-Path $ModuleManifest
        Get-Content -Raw (Join-Path $moduleBase 'CHANGELOG.md') | Should -BeExactly (Get-Content -Raw (Join-Path $RepoRoot 'CHANGELOG.md'))
        Get-Content -Raw (Join-Path $moduleBase 'LICENSE') | Should -BeExactly (Get-Content -Raw (Join-Path $RepoRoot 'LICENSE'))
    }

    It 'has the one version from Directory.Build.props, in the manifest and the assembly' {
        $props = [xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))
        $version = [version]@($props.Project.PropertyGroup.VersionPrefix | Where-Object { $_ })[0]
        $Manifest.Version | Should -Be $version
        [ConvTokens.PowerShell.InitializationToken].Assembly.GetName().Version.ToString(3) | Should -Be $version.ToString(3)
    }
}

# The default views are tested in Views.Tests.ps1.

Describe 'Tab completion' {
    BeforeAll {
        Initialize-TestSession -SecretManagement -NoModule
        Reset-StandIn
        Register-SecretVault -Name 'Shop Vault' -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Register-SecretVault -Name Other -ModuleName Microsoft.PowerShell.SecretStore
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret 'x' -Vault Other
        Set-Secret -Name 'ConvTokens.ApiKey' -Secret 'y' -Vault Other
        Set-Secret -Name 'Unrelated' -Secret 'z' -Vault 'Shop Vault'
        function Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
    }
    AfterAll { Complete-TestSession }

    It 'completes -Vault from the registered vaults, quoting names with spaces' {
        Complete 'New-InitializationToken -Vault ' | Should -Be @('Other', "'Shop Vault'")
        Complete 'Get-SessionToken -Vault Sh' | Should -Be @("'Shop Vault'")
    }

    It 'completes secret names from the named vault' {
        Complete 'Test-Token -Vault Other -ApiSignatureSecretName ConvTokens.' | Should -Be @('ConvTokens.ApiKey', 'ConvTokens.ApiSignature')
        Complete 'Get-SessionToken -Vault Other -ApiKeySecretName ConvTokens.ApiK' | Should -Be @('ConvTokens.ApiKey')
    }

    It 'completes -Gender with M and F' {
        Complete 'New-InitializationToken -Gender ' | Should -Be @('M', 'F')
    }

    It 'offers nothing, silently, when a vault is locked or SecretManagement is missing' {
        Set-StandInVaultLock -Vault Other -Locked $true -Password (ConvertTo-TestSecureString 'pw')
        Complete 'Test-Token -Vault Other -ApiSignatureSecretName ConvTokens.' | Should -BeNullOrEmpty
        Unlock-SecretVault -Name Other -Password (ConvertTo-TestSecureString 'pw')
        $out = Invoke-FreshPwsh "Import-Module '$ModuleManifest'; `$r = TabExpansion2 -inputScript 'Test-Token -Vault ' -cursorColumn 18; 'count:' + `$r.CompletionMatches.Count" -ModulePath "$PSHOME/Modules"
        $out | Should -Contain 'count:0'
    }
}

Describe 'Gallery package' -Tag Package {
    BeforeAll {
        . $PSScriptRoot/ReleaseSupport.ps1
        Import-Module (Join-Path $RepoRoot 'tools/BuildTools.psm1') -Force
        $script:Package = Get-ChildItem (Join-Path $RepoRoot 'out/packages') -Filter 'ConvTokens.*.nupkg' | Select-Object -First 1
    }

    It 'is the one .nupkg of the built version, with the module, LICENSE and CHANGELOG.md inside' {
        $Package.Name | Should -BeExactly "ConvTokens.$((Import-PowerShellDataFile $ModuleManifest).ModuleVersion).nupkg"
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($Package.FullName)
        try { $entries = $zip.Entries.FullName } finally { $zip.Dispose() }
        foreach ($file in 'ConvTokens.psd1', 'ConvTokens.PowerShell.dll', 'ConvTokens.format.ps1xml', 'LICENSE', 'CHANGELOG.md', 'Dependencies/ConvTokens.Engine.dll', 'en-US/about_ConvTokens.help.txt') {
            $entries | Should -Contain $file
        }
    }

    It 'installs with Install-PSResource from a local repository into an empty user scope, imports by name and works' {
        $sandbox = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'gallery')).FullName
        $script = @"
Register-PSResourceRepository -Name ConvTokensLocal -Uri '$($Package.DirectoryName)' -Trusted
try {
    Install-PSResource -Name ConvTokens -Repository ConvTokensLocal -Scope CurrentUser -TrustRepository -Quiet
    `$module = Import-Module ConvTokens -PassThru
    'base:' + `$module.ModuleBase.StartsWith('$sandbox')
    'deps:' + (Test-Path (Join-Path `$module.ModuleBase 'Dependencies/ConvTokens.Engine.dll'))
    'help:' + ((Get-Help New-InitializationToken).Synopsis.Length -gt 0)
    `$s = ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force
    'valid:' + (New-InitializationToken -Amount 3 -ApiSignature `$s | Test-Token -ApiSignature `$s -Quiet)
}
finally {
    Unregister-PSResourceRepository -Name ConvTokensLocal
    'unregistered:' + (-not (Get-PSResourceRepository -Name ConvTokensLocal -ErrorAction Ignore))
}
"@
        $out = Invoke-SandboxedPwsh -Root $sandbox -Script $script -PwshCommand $PwshCommand
        Skip-WhenSandboxEscaped $out
        $out | Should -Contain 'base:True'
        $out | Should -Contain 'deps:True'
        $out | Should -Contain 'help:True'
        $out | Should -Contain 'valid:True'
        $out | Should -Contain 'unregistered:True'
    }
}
