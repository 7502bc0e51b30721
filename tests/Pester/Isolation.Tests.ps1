BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:OtherIdentityModel = @('microsoft.identitymodel.abstractions', 'microsoft.identitymodel.logging', 'microsoft.identitymodel.tokens',
        'microsoft.identitymodel.jsonwebtokens', 'system.identitymodel.tokens.jwt') | ForEach-Object {
        $package = Join-Path $RepoRoot "out/tools/$_/7.7.1/lib/net8.0"
        Get-ChildItem $package -Filter *.dll | Select-Object -First 1 -ExpandProperty FullName
    }
    # Loads IdentityModel 7.7.1 into the default load context and signs with it, as another module would.
    $script:LoadOther = @"
`$ErrorActionPreference = 'Stop'
foreach (`$dll in @('$($OtherIdentityModel -join "','")')) { Add-Type -Path `$dll }
`$key = [Microsoft.IdentityModel.Tokens.SymmetricSecurityKey]::new([byte[]](1..32))
`$creds = [Microsoft.IdentityModel.Tokens.SigningCredentials]::new(`$key, 'HS256')
`$other = [Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler]::new().CreateToken('{"a":1}', `$creds)
'other:' + [Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler].Assembly.GetName().Version.ToString(3) + ':' + (`$other.Split('.').Count)
"@
    # Mints, verifies and exchanges at a local endpoint started inside the child (its secrets stay there).
    $script:UseConvTokens = @"
if (-not `$ep) { Import-Module '$RepoRoot/tests/Support/TokenEndpoint.psm1'; `$ep = Start-TokenEndpoint }
`$s = `$ep.ApiSignature
`$t = New-InitializationToken -Amount 5 -ApiSignature `$s
'mint:' + `$t.Token.Split('.').Count
'verify:' + (`$t | Test-Token -ApiSignature `$s -Quiet)
'exchange:' + (`$t | Get-SessionToken -BaseUri `$ep.BaseUri -ApiKey `$ep.ApiKey).TokenType
`$engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.IdentityModel.Tokens' } |
    ForEach-Object { [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name + '=' + `$_.GetName().Version.ToString(3) } | Sort-Object
'contexts:' + (`$engine -join ';')
"@
}

Describe 'Dependency isolation' {
    It 'ships only the cmdlet assembly in the module root and the rest under Dependencies/' {
        $root = Split-Path $ModuleManifest
        @(Get-ChildItem $root -Filter *.dll).Name | Should -Be @('ConvTokens.PowerShell.dll')
        (Get-ChildItem (Join-Path $root 'Dependencies') -Filter *.dll).Name | Should -Contain 'Microsoft.IdentityModel.JsonWebTokens.dll'
        (Get-ChildItem (Join-Path $root 'Dependencies') -Filter *.dll).Name | Should -Contain 'ConvTokens.Engine.dll'
    }

    It 'works when another IdentityModel version was loaded first' {
        $out = Invoke-FreshPwsh "$LoadOther`nImport-Module '$ModuleManifest'`n$UseConvTokens"
        $out | Should -Contain 'other:7.7.1:3'
        $out | Should -Contain 'mint:3'
        $out | Should -Contain 'verify:True'
        $out | Should -Contain 'exchange:Bearer'
        ($out | Where-Object { $_ -like 'contexts:*' }) | Should -BeExactly 'contexts:ConvTokens.Dependencies=8.23.0;Default=7.7.1'
    }

    It 'works when another IdentityModel version is loaded after ConvTokens was used' {
        $out = Invoke-FreshPwsh "Import-Module '$ModuleManifest'`n$UseConvTokens`n$LoadOther`n$UseConvTokens"
        ($out | Where-Object { $_ -eq 'mint:3' }).Count | Should -Be 2
        ($out | Where-Object { $_ -eq 'verify:True' }).Count | Should -Be 2
        ($out | Where-Object { $_ -eq 'exchange:Bearer' }).Count | Should -Be 2
        $out | Should -Contain 'other:7.7.1:3'
        ($out | Where-Object { $_ -like 'contexts:*' })[-1] | Should -BeExactly 'contexts:ConvTokens.Dependencies=8.23.0;Default=7.7.1'
    }

    It 'survives Remove-Module and Import-Module in one session' {
        $out = Invoke-FreshPwsh "Import-Module '$ModuleManifest'`n$UseConvTokens`nRemove-Module ConvTokens`nImport-Module '$ModuleManifest'`n$UseConvTokens"
        ($out | Where-Object { $_ -eq 'verify:True' }).Count | Should -Be 2
    }
}
