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

    It 'clears the byte[] Get-Secret handed out once it is converted' {
        $global:HandedOutSecret = [byte[]][Text.Encoding]::UTF8.GetBytes($Secret)
        # A function shadows the Get-Secret cmdlet, so the test keeps a reference to the very array handed out.
        function global:Get-Secret { [CmdletBinding()] param($Name, $Vault) $PSCmdlet.WriteObject($global:HandedOutSecret, $false) }
        try { (New-InitializationToken @Mint).Token | Should -BeExactly $Expected }
        finally { Remove-Item -Path Function:Get-Secret }
        $global:HandedOutSecret | Should -Be ([byte[]]::new($Secret.Length))
        Remove-Variable -Name HandedOutSecret -Scope Global
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

Describe 'Secrets passed directly: whatever Get-Secret returns' {
    BeforeEach { Reset-Vaults }

    It '-ApiSignature takes a <Kind> (New-InitializationToken and Test-Token), and no vault is read' -ForEach @(
        @{ Kind = 'SecureString'; Value = { ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force } }
        @{ Kind = 'String'; Value = { 'monApiSignature' } }
        @{ Kind = 'byte[]'; Value = { , [byte[]][Text.Encoding]::UTF8.GetBytes('monApiSignature') } }
        @{ Kind = 'PSCredential'; Value = { [pscredential]::new('api', (ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force)) } }
    ) {
        $before = Get-StandInCallCount -Command Get-Secret
        $sig = & $Value
        (New-InitializationToken @Mint -ApiSignature $sig).Token | Should -BeExactly $Expected
        ($Expected | Test-Token -ApiSignature $sig -ClockSkew ([timespan]::FromDays(10000))).Reason | Should -BeExactly 'None'
        Get-StandInCallCount -Command Get-Secret | Should -Be $before
    }

    It 'the about_ConvTokens loop works for a secret stored as <Kind>: $sig = Get-Secret ...; -ApiSignature $sig' -ForEach @(
        @{ Kind = 'String'; Value = { 'monApiSignature' } }
        @{ Kind = 'SecureString'; Value = { ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force } }
        @{ Kind = 'byte[]'; Value = { , [byte[]][Text.Encoding]::UTF8.GetBytes('monApiSignature') } }
        @{ Kind = 'PSCredential'; Value = { [pscredential]::new('api', (ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force)) } }
    ) {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret (& $Value)
        $sig = Get-Secret -Name ConvTokens.ApiSignature
        $tokens = foreach ($amount in 1, 2) { New-InitializationToken -Amount $amount -ApiSignature $sig }
        @($tokens | Test-Token -Quiet) | Should -Be @($true, $true)
        $plain = Get-Secret -Name ConvTokens.ApiSignature -AsPlainText
        (New-InitializationToken @Mint -ApiSignature $plain).Token | Should -BeExactly $Expected
    }

    It 'Get-SessionToken -ApiKey and -ClientSecret take a <Kind>' -ForEach @(
        @{ Kind = 'SecureString'; Key = { ConvertTo-SecureString 'k' -AsPlainText -Force }; Client = { ConvertTo-SecureString 'c' -AsPlainText -Force } }
        @{ Kind = 'String'; Key = { 'k' }; Client = { 'c' } }
        @{ Kind = 'byte[]'; Key = { , [byte[]]@(107) }; Client = { , [byte[]]@(99) } }
        @{ Kind = 'PSCredential'; Key = { [pscredential]::new('k', (ConvertTo-SecureString 'k' -AsPlainText -Force)) }; Client = { [pscredential]::new('c', (ConvertTo-SecureString 'c' -AsPlainText -Force)) } }
    ) {
        $command = Get-Command Get-SessionToken
        foreach ($name in 'ApiKey', 'ClientSecret') {
            $attribute = $command.Parameters[$name].Attributes | Where-Object { $_ -is [Management.Automation.ArgumentTransformationAttribute] }
            $value = if ($name -eq 'ApiKey') { & $Key } else { & $Client }
            $attribute.Transform($ExecutionContext, $value) | Should -Be $value
        }
        # The secrets are read (nothing is sent: the loopback port 9 refuses the connection) without a secret error.
        $err = $null
        try { Get-SessionToken -ClientCredentials -ApiKey (& $Key) -ClientSecret (& $Client) -BaseUri 'http://127.0.0.1:9' -MaximumRetryCount 0 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Not -BeLike 'Secret*'
        $err.FullyQualifiedErrorId | Should -Not -BeLike 'ParameterArgumentTransformationError*'
    }

    It 'refuses a <Kind> by its type, never by its value' -ForEach @(
        @{ Kind = 'Hashtable'; Value = { @{ secret = 'hunter2-value' } }; Message = 'The secret is a Hashtable; pass a SecureString, String, byte[] or PSCredential (what Get-Secret returns).' }
        @{ Kind = 'Int32'; Value = { 4242 }; Message = 'The secret is an Int32; pass a SecureString, String, byte[] or PSCredential (what Get-Secret returns).' }
        @{ Kind = '$null'; Value = { $null }; Message = 'The secret is $null. Get-Secret returns nothing for a secret stored as an empty string and for a locked vault whose password prompt read nothing; check the secret with Get-SecretInfo, or leave the parameter out to let the cmdlet read the vault itself.' }
    ) {
        $err = $null
        try { New-InitializationToken @Mint -ApiSignature (& $Value) } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'ParameterArgumentTransformationError,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $err.Exception.Message | Should -BeExactly "Cannot process argument transformation on parameter 'ApiSignature'. $Message"
        $err.Exception.Message | Should -Not -Match 'hunter2|4242'
    }

    It 'verbose names the secret and the vault, never the value' {
        Set-Secret -Name 'Shop1.Signature' -Secret $Secret -Vault Other
        $verbose = New-InitializationToken @Mint -Vault Other -ApiSignatureSecretName 'Shop1.Signature' -Verbose 4>&1 |
            Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Should -Contain "Reading the ApiSignature secret 'Shop1.Signature' in vault 'Other' (once for this pipeline)."
        ($verbose -join "`n") | Should -Not -Match $Secret
        $verbose = New-InitializationToken @Mint -ApiSignature ([byte[]][Text.Encoding]::UTF8.GetBytes($Secret)) -Verbose 4>&1 |
            Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message
        $verbose | Should -Contain 'Reading the ApiSignature passed directly as a byte[] (once for this pipeline).'
    }
}

Describe 'The stand-in reproduces SecretManagement 1.1.2 as measured (DESIGN.md)' {
    BeforeEach { Reset-Vaults }

    It 'has <Name> as a compiled cmdlet of the real class name, so its error ids end like the real ones' -ForEach @(
        'Get-Secret', 'Get-SecretInfo', 'Set-Secret', 'Set-SecretInfo', 'Remove-Secret', 'Get-SecretVault', 'Register-SecretVault',
        'Unregister-SecretVault', 'Set-SecretVaultDefault', 'Test-SecretVault', 'Unlock-SecretVault' | ForEach-Object { @{ Name = $_ } }
    ) {
        $command = Get-Command $Name -Module Microsoft.PowerShell.SecretManagement
        $command.CommandType | Should -Be 'Cmdlet'
        $command.ImplementingType.FullName | Should -BeExactly ('Microsoft.PowerShell.SecretManagement.' + $Name.Replace('-', '') + 'Command')
    }

    It 'returns String and SecureString secrets as SecureString unless -AsPlainText; PSCredential, byte[] and Hashtable as stored' {
        Set-Secret -Name s1 -Secret 'text'
        Set-Secret -Name s2 -SecureStringSecret (ConvertTo-TestSecureString 'secure')
        Set-Secret -Name s3 -Secret ([pscredential]::new('u', (ConvertTo-TestSecureString 'p')))
        Set-Secret -Name s4 -Secret ([byte[]](1, 2, 3))
        Set-Secret -Name s5 -Secret @{ a = 'b' }
        (Get-Secret s1) | Should -BeOfType ([securestring])
        (Get-Secret s2) | Should -BeOfType ([securestring])
        (Get-Secret s1 -AsPlainText) | Should -BeExactly 'text'
        (Get-Secret s2 -AsPlainText) | Should -BeExactly 'secure'
        (Get-Secret s3) | Should -BeOfType ([pscredential])
        $bytes = Get-Secret s4
        $bytes.GetType() | Should -Be ([byte[]])
        $bytes | Should -Be @(1, 2, 3)
        (Get-Secret s5) | Should -BeOfType ([hashtable])
    }

    It 'an unknown name is a non-terminating ItemNotFoundException with the real id and text, and no output' {
        $errors = $null
        $out = Get-Secret -Name nope -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'GetSecretNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand'
        $errors[0].Exception | Should -BeOfType ([Management.Automation.ItemNotFoundException])
        $errors[0].Exception.Message | Should -BeExactly 'The secret nope was not found.'
    }

    It 'an unknown vault is a terminating PSInvalidOperationException' {
        $err = $null
        try { Get-Secret -Name x -Vault Nope -ErrorAction SilentlyContinue; 'went on' | Should -Be 'not reached' } catch { $err = $_ }
        $err.Exception | Should -BeOfType ([Management.Automation.PSInvalidOperationException])
        $err.Exception.Message | Should -BeExactly 'Vault not found in registry: Nope'
    }

    It 'with no vault registered: the multi-line warning, then the same non-terminating GetSecretNotFound; nothing thrown' {
        Reset-StandIn
        $errors = $null
        $warnings = $null
        $out = Get-Secret -Name x -ErrorVariable errors -WarningVariable warnings -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "There are currently no extension vaults registered.`nAt least one vault must be registered before SecretManagement can add or retrieve secrets.`n*"
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'GetSecretNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand'
        $errors[0].Exception.Message | Should -BeExactly 'The secret x was not found.'
        @(Get-SecretVault) | Should -BeNullOrEmpty
    }

    It 'a locked store with Interaction None throws PasswordRequiredException with SecretStore''s text' {
        Set-Secret -Name s -Secret 'v'
        Set-StandInVaultLock -Vault Main -Locked $true -Interaction None
        $err = $null
        try { Get-Secret -Name s -ErrorAction SilentlyContinue } catch { $err = $_ }
        $err.Exception | Should -BeOfType ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException])
        $err.Exception.Message | Should -BeExactly ('A valid password is required to access the Microsoft.PowerShell.SecretStore vault. ' +
            'Use the Unlock-SecretStore cmdlet to provide the required password to access the store.')
    }

    It 'an empty string stored with Set-Secret -Secret '''' comes back as no output and no error; Get-SecretInfo lists it as String' {
        Set-Secret -Name empty -Secret ''
        $errors = $null
        $out = Get-Secret -Name empty -ErrorVariable errors
        $out | Should -BeNullOrEmpty
        $errors | Should -BeNullOrEmpty
        (Get-SecretInfo -Name empty).Type | Should -Be ([Microsoft.PowerShell.SecretManagement.SecretType]::String)
    }

    It 'Get-SecretVault never prompts, even for a locked store' {
        Set-StandInVaultLock -Vault Main -Locked $true -Interaction Prompt
        (Get-SecretVault).Name | Should -Be @('Main', 'Other')
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

    It 'no registered vault is SecretVaultNotRegistered, says to register one before Get-Secret is asked, so no warning reaches any stream (<Command>)' -ForEach @(
        @{ Command = 'New-InitializationToken'; Run = { New-InitializationToken -Amount 1 }; Id = 'NewInitializationTokenCommand'; Role = 'ApiSignature'; Name = 'ConvTokens.ApiSignature' }
        @{ Command = 'Test-Token'; Run = { 'a.b.c' | Test-Token }; Id = 'TestTokenCommand'; Role = 'ApiSignature'; Name = 'ConvTokens.ApiSignature' }
        @{ Command = 'Get-SessionToken'; Run = { 'a.b.c' | Get-SessionToken -BaseUri 'http://127.0.0.1:9' }; Id = 'GetSessionTokenCommand'; Role = 'ApiKey'; Name = 'ConvTokens.ApiKey' }
    ) {
        Reset-StandIn
        $streams = @(& { try { & $Run } catch { $_ } } *>&1)
        $streams.Count | Should -Be 1 -Because 'the error is all the caller gets: no warning, no other record'
        $err = $streams[0]
        $err.FullyQualifiedErrorId | Should -BeExactly "SecretVaultNotRegistered,ConvTokens.PowerShell.Commands.$Id"
        $err.Exception | Should -BeOfType ([Management.Automation.ItemNotFoundException])
        $err.TargetObject | Should -BeExactly $Name
        $err.Exception.Message | Should -BeExactly ("Cannot read the $Role secret '$Name' in the default vault: no SecretManagement vault is registered for this user, " +
            'so there is no secret to read. Register a vault once with ' +
            "'Register-SecretVault -Name ConvTokens -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault', then store the secret with " +
            "'Set-Secret -Name $Name'; or pass -$Role directly.")
    }

    It 'a vault that exists but lacks the secret stays SecretNotFound even though Get-Secret gives the same error' {
        { New-InitializationToken @Mint } | Should -Throw -ErrorId 'SecretNotFound,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
    }

    It 'a locked vault that does not prompt (Interaction None) is SecretVaultLocked and says how to unlock it' {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret $Secret
        $password = ConvertTo-TestSecureString 'store-password'
        Set-StandInVaultLock -Vault Main -Locked $true -Password $password -Interaction None
        $err = $null
        try { New-InitializationToken @Mint } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'SecretVaultLocked,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err.Exception.InnerException.InnerException | Should -BeOfType ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException])
        $err.Exception.Message | Should -BeLike "*'Unlock-SecretStore -Password `$password' (or 'Unlock-SecretVault -Name <vault> -Password `$password') and run the command again; in a runbook, unlock it before the first ConvTokens cmdlet."
        $err.Exception.Message | Should -Not -BeLike '*never prompts*'
        Unlock-SecretStore -Password $password
        (New-InitializationToken @Mint).Token | Should -BeExactly $Expected
    }

    It 'a Hashtable secret is SecretTypeUnsupported' {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret @{ a = 1 }
        { New-InitializationToken @Mint } | Should -Throw -ErrorId 'SecretTypeUnsupported,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
    }

    It 'a secret that comes back empty is SecretEmpty (<Kind>)' -ForEach @(
        @{ Kind = 'byte[] with no bytes'; Value = { , [byte[]]@() } }
        @{ Kind = 'PSCredential with an empty password'; Value = { [pscredential]::new('api', [securestring]::new()) } }
    ) {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret (& $Value)
        $err = $null
        try { New-InitializationToken @Mint } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'SecretEmpty,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $err.Exception.Message | Should -BeExactly "The ApiSignature secret 'ConvTokens.ApiSignature' in the default vault is empty. Store its real value with 'Set-Secret -Name ConvTokens.ApiSignature'."
    }

    It 'a secret stored as an empty string, which Get-Secret returns as nothing, is SecretEmpty: the store is seen unlocked' {
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret '' -Vault Other
        $err = $null
        try { New-InitializationToken @Mint -Vault Other } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'SecretEmpty,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $err.Exception.Message | Should -BeExactly ("The ApiSignature secret 'ConvTokens.ApiSignature' in vault 'Other' is stored as an empty string: Get-Secret " +
            "returned no value from the unlocked SecretStore. Store its real value with 'Set-Secret -Name ConvTokens.ApiSignature -Vault Other', " +
            "or pass -ApiSignature directly. (If an 'Enter password:' prompt appeared just now, the store's password timeout had passed: unlock it " +
            "again with 'Unlock-SecretStore -Password `$password' (or 'Unlock-SecretVault -Name <vault> -Password `$password') and run the command again.)")
    }

    It 'a secret stored as an empty string in a vault of another module is SecretEmpty in this -NonInteractive host, where a locked vault fails with an error' {
        [Environment]::GetCommandLineArgs() | Should -Contain '-NonInteractive'
        Register-SecretVault -Name Elsewhere -ModuleName OtherVault
        Set-Secret -Name 'ConvTokens.ApiSignature' -Secret '' -Vault Elsewhere
        $err = $null
        try { New-InitializationToken @Mint -Vault Elsewhere } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'SecretEmpty,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $err.Exception.Message | Should -BeExactly ("The ApiSignature secret 'ConvTokens.ApiSignature' in vault 'Elsewhere' came back from Get-Secret with no value and no error. " +
            'In this PowerShell, started with -NonInteractive, a locked vault fails with an error instead, so the secret is stored as an empty string: ' +
            "store its real value with 'Set-Secret -Name ConvTokens.ApiSignature -Vault Elsewhere', or pass -ApiSignature directly.")
    }

    It 'an empty SecureString passed directly is SecretEmpty' {
        $err = $null
        try { New-InitializationToken @Mint -ApiSignature ([securestring]::new()) } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly 'SecretEmpty,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $err.Exception.Message | Should -BeExactly 'The ApiSignature passed directly as a SecureString is empty. Pass the real ApiSignature.'
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
