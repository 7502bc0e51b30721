BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
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

    It 'targets PowerShell 7.4+ Core and carries Gallery metadata' {
        $data = Import-PowerShellDataFile $ModuleManifest
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.PowerShellVersion | Should -Be '7.4'
        $data.PrivateData.PSData.Tags | Should -Contain 'JWT'
        $data.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $data.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $data.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
        $data.PrivateData.PSData.ExternalModuleDependencies | Should -Be @('Microsoft.PowerShell.SecretManagement')
        $data.ContainsKey('RequiredModules') | Should -BeFalse
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
        $script:SavedModulePath = $env:PSModulePath
        $env:PSModulePath = $StandInModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
        Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
        Reset-StandIn
        Register-SecretVault -Name 'Shop Vault' -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Register-SecretVault -Name Other -ModuleName Microsoft.PowerShell.SecretStore
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret 'x' -Vault Other
        Set-Secret -Name 'ConvTokens.ApiKey' -Secret 'y' -Vault Other
        Set-Secret -Name 'Unrelated' -Secret 'z' -Vault 'Shop Vault'
        function Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
    }
    AfterAll {
        Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
        $env:PSModulePath = $SavedModulePath
    }

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

Describe 'Gallery package' {
    It 'installs with Install-PSResource from the local repository into an empty user module path, imports by name and works' {
        $package = Get-ChildItem (Join-Path $RepoRoot 'out/packages') -Filter 'ConvTokens.*.nupkg'
        $package | Should -Not -BeNullOrEmpty
        $userHome = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory -Force $userHome | Out-Null
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ConvTokensLocal -Uri '$(Split-Path $package.FullName)' -Trusted
Install-PSResource -Name ConvTokens -Repository ConvTokensLocal -Scope CurrentUser -TrustRepository -Quiet
`$module = Import-Module ConvTokens -PassThru
'base:' + `$module.ModuleBase.StartsWith('$userHome')
'deps:' + (Test-Path (Join-Path `$module.ModuleBase 'Dependencies/ConvTokens.Engine.dll'))
'help:' + ((Get-Help New-InitializationToken).Synopsis.Length -gt 0)
`$s = ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force
'valid:' + (New-InitializationToken -Amount 3 -ApiSignature `$s | Test-Token -ApiSignature `$s -Quiet)
"@
        $out = Invoke-FreshPwsh $script -UserHome $userHome -ModulePath "$userHome/.local/share/powershell/Modules$([IO.Path]::PathSeparator)$PSHOME/Modules"
        $out | Should -Contain 'base:True'
        $out | Should -Contain 'deps:True'
        $out | Should -Contain 'help:True'
        $out | Should -Contain 'valid:True'
    }
}
