BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:SavedModulePath = $env:PSModulePath
    $env:PSModulePath = $StandInModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
    Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
    Import-Module $ModuleManifest -Force
    $script:Secret = 'monApiSignature'
    $script:Payload = '{"amount":1,"iat":1700000000,"notificationKey":"k"}'
    # The reference token, signed by hand with the raw secret.
    $script:Expected = New-HandMadeToken '{"alg":"HS256","typ":"JWT"}' $Payload $Secret
    $script:Mint = @{ Amount = 1; NotificationKey = 'k'; IssuedAt = [DateTimeOffset]::FromUnixTimeSeconds(1700000000) }
    function Reset-Vaults {
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Register-SecretVault -Name Other -ModuleName Microsoft.PowerShell.SecretStore
    }
}

AfterAll {
    $env:PSModulePath = $SavedModulePath
}

Describe 'Secrets from SecretManagement vaults' {
    BeforeEach { Reset-Vaults }

    It 'reads the apiSignature stored as <Kind> from the default vault' -ForEach @(
        @{ Kind = 'String'; Value = { 'monApiSignature' } }
        @{ Kind = 'SecureString'; Value = { ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force } }
        @{ Kind = 'byte[]'; Value = { , [byte[]][Text.Encoding]::UTF8.GetBytes('monApiSignature') } }
        @{ Kind = 'PSCredential'; Value = { [pscredential]::new('api', (ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force)) } }
    ) {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret (& $Value)
        (New-InitializationToken @Mint).Token | Should -BeExactly $Expected
        ($Expected | Test-Token -ClockSkew ([timespan]::FromDays(10000))).Reason | Should -BeExactly 'None'
    }

    It 'uses -Vault and -ApiSignatureSecretName' {
        Set-Secret -Name 'Shop1.Signature' -Secret $Secret -Vault Other
        (New-InitializationToken @Mint -Vault Other -ApiSignatureSecretName 'Shop1.Signature').Token | Should -BeExactly $Expected
    }

    It 'prefers a -ApiSignature SecureString and then reads no vault' {
        $before = Get-StandInCallCount -Command Get-Secret
        (New-InitializationToken @Mint -ApiSignature (ConvertTo-TestSecureString $Secret)).Token | Should -BeExactly $Expected
        Get-StandInCallCount -Command Get-Secret | Should -Be $before
    }

    It 'reads each secret once per pipeline, not once per item (<Count> items)' -ForEach @(@{ Count = 1 }, @{ Count = 2000 }) {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret $Secret
        $before = Get-StandInCallCount -Command Get-Secret
        $tokens = 1..$Count | ForEach-Object { [pscustomobject]@{ amount = $_ } } | New-InitializationToken
        $tokens.Count | Should -Be $Count
        Get-StandInCallCount -Command Get-Secret | Should -Be ($before + 1)
        $results = $tokens | Test-Token
        ($results | Where-Object IsValid).Count | Should -Be $Count
        Get-StandInCallCount -Command Get-Secret | Should -Be ($before + 2)
    }

    It 'reads no secret for an empty pipeline' {
        $before = Get-StandInCallCount -Command Get-Secret
        @() | New-InitializationToken
        @() | Test-Token
        Get-StandInCallCount -Command Get-Secret | Should -Be $before
    }

    It 'calls Get-Secret only from the pipeline thread' {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret $Secret
        $null = 1..10 | ForEach-Object { [pscustomobject]@{ amount = $_ } } | New-InitializationToken
        @(Get-StandInCallThreads -Command Get-Secret) | Should -Be @([Environment]::CurrentManagedThreadId)
    }
}

Describe 'Secret failures' {
    BeforeEach { Reset-Vaults }

    It 'a missing secret is SecretNotFound and says how to store it' {
        { New-InitializationToken @Mint } | Should -Throw -ErrorId 'SecretNotFound,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $err = $null
        try { New-InitializationToken @Mint } catch { $err = $_ }
        $err.Exception | Should -BeOfType ([Management.Automation.ItemNotFoundException])
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -BeExactly 'ConvTokens.ApiSignature'
        $err.Exception.Message | Should -Match "secret 'ConvTokens.ApiSignature' in the default vault was not found. Store it once with 'Set-Secret -Name ConvTokens.ApiSignature'"
    }

    It 'a missing secret is SecretNotFound even when the caller''s ErrorActionPreference is Stop' {
        $ErrorActionPreference = 'Stop'
        { 'a.b.c' | Test-Token } | Should -Throw -ErrorId 'SecretNotFound,ConvTokens.PowerShell.Commands.TestTokenCommand'
    }

    It 'an unknown vault is SecretVaultNotFound' {
        { New-InitializationToken @Mint -Vault Nope } | Should -Throw -ErrorId 'SecretVaultNotFound,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        { New-InitializationToken @Mint -Vault Nope } | Should -Throw -ExpectedMessage "*no vault named 'Nope' is registered*Get-SecretVault*"
    }

    It 'no registered vault is SecretVaultNotRegistered' {
        Reset-StandIn
        { New-InitializationToken @Mint } | Should -Throw -ErrorId 'SecretVaultNotRegistered,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
    }

    It 'a locked vault is SecretVaultLocked, says to unlock it, and does not prompt' {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret $Secret
        $password = ConvertTo-TestSecureString 'store-password'
        Set-StandInVaultLock -Vault Main -Locked $true -Password $password
        { New-InitializationToken @Mint } | Should -Throw -ErrorId 'SecretVaultLocked,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        { New-InitializationToken @Mint } | Should -Throw -ExpectedMessage '*Unlock-SecretStore -Password*'
        Unlock-SecretStore -Password $password
        (New-InitializationToken @Mint).Token | Should -BeExactly $Expected
    }

    It 'a Hashtable secret is SecretTypeUnsupported' {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret @{ a = 1 }
        { New-InitializationToken @Mint } | Should -Throw -ErrorId 'SecretTypeUnsupported,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
    }

    It 'an empty secret is SecretEmpty' {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret ([byte[]]@())
        { New-InitializationToken @Mint } | Should -Throw -ErrorId 'SecretEmpty,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
    }

    It 'a failing secret stops the pipeline once, not once per item' {
        $errors = $null
        $caught = $null
        try { 1..5 | ForEach-Object { [pscustomobject]@{ amount = $_ } } | New-InitializationToken -ErrorVariable errors } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'SecretNotFound,*'
        $errors.Count | Should -Be 1
    }
}

Describe 'Without SecretManagement installed' {
    It 'imports, works with a direct secret, and says how to install SecretManagement on the first vault look-up' {
        $bare = Join-Path $TestDrive 'nomodules'
        New-Item -ItemType Directory -Force $bare | Out-Null
        $script = @"
`$ErrorActionPreference = 'Continue'
Import-Module '$ModuleManifest'
(New-InitializationToken -Amount 1 -ApiSignature (ConvertTo-SecureString x -AsPlainText -Force)).GetType().Name
try { New-InitializationToken -Amount 1 } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }
"@
        $out = Invoke-FreshPwsh $script -ModulePath "$bare$([IO.Path]::PathSeparator)$PSHOME/Modules"
        $out[0] | Should -BeExactly 'InitializationToken'
        $out[1] | Should -BeExactly 'SecretManagementNotInstalled,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $out[2] | Should -Match 'Install-PSResource Microsoft.PowerShell.SecretManagement'
    }
}
