BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:Ep = Initialize-TestSession -SecretManagement -Endpoint
    $script:Plain = @(
        ConvertFrom-SecureString $Ep.ApiSignature -AsPlainText
        ConvertFrom-SecureString $Ep.ApiKey -AsPlainText
        ConvertFrom-SecureString $Ep.ClientSecret -AsPlainText
    )
    # Each secret as it could leak: raw, base64, base64url, hex (both cases).
    $script:Needles = foreach ($p in $Plain) {
        $bytes = [Text.Encoding]::UTF8.GetBytes($p)
        $p
        [Convert]::ToBase64String($bytes).TrimEnd('=')
        ConvertTo-Base64Url $bytes
        [Convert]::ToHexString($bytes)
        [Convert]::ToHexString($bytes).ToLowerInvariant()
    }
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
}

Describe 'No secret reaches any stream, error, transcript or output' {
    It 'holds for every cmdlet on success and on every failure path, with -Verbose -Debug' {
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Set-Secret -Name ConvTokens.ApiSignature -SecureStringSecret $Ep.ApiSignature
        Set-Secret -Name ConvTokens.ApiKey -SecureStringSecret $Ep.ApiKey
        Set-Secret -Name ConvTokens.ClientSecret -SecureStringSecret $Ep.ClientSecret
        $transcript = Join-Path $TestDrive 'transcript.txt'
        $Error.Clear()
        $common = @{ Verbose = $true; Debug = $true; ErrorAction = 'Continue'; ErrorVariable = '+collected' }
        $collected = @()
        $DebugPreference = 'Continue'
        $null = Start-Transcript -Path $transcript
        try {
            $captured = & {
                $tokens = @([pscustomobject]@{ amount = 5; userId = 'leak-1' }, [pscustomobject]@{ amount = -1; userId = 'leak-bad' }) | New-InitializationToken @common
                $tokens
                $tokens | Test-Token @common
                'x.y.z' | Test-Token @common
                $tokens | Get-SessionToken -BaseUri $Ep.BaseUri @common
                $tokens | Get-SessionToken -BaseUri $Ep.BaseUri @common
                Get-SessionToken -ClientCredentials -BaseUri $Ep.BaseUri @common
                Get-SessionToken -ClientCredentials -ClientSecret (ConvertTo-TestSecureString 'wrong') -BaseUri $Ep.BaseUri @common
                New-InitializationToken -Amount 1 | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey (ConvertTo-TestSecureString 'wrong-key') @common
                foreach ($fault in @('status429', 'status503', 'status500AfterConsume', 'drop', 'dropAfterConsume', 'malformed', 'html')) {
                    Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = $fault; retryAfter = 0; count = 5 }
                    New-InitializationToken -Amount 1 | Get-SessionToken -BaseUri $Ep.BaseUri -MaximumRetryCount 1 -RetryIntervalSec 0 @common
                }
                Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'redirect'; location = 'http://127.0.0.2:9/token' }
                New-InitializationToken -Amount 1 | Get-SessionToken -BaseUri $Ep.BaseUri @common
                Reset-TokenEndpoint -Endpoint $Ep
                try { 'a.b.c' | Get-SessionToken -BaseUri 'http://example.com' @common } catch { $_ }
                foreach ($vaultCase in @(@{ Vault = 'Nope' }, @{ ApiSignatureSecretName = 'Missing' })) {
                    try { New-InitializationToken -Amount 1 @vaultCase @common } catch { $_ }
                }
                Set-StandInVaultLock -Vault Main -Locked $true -Password (ConvertTo-TestSecureString 'pw') -Interaction None
                try { New-InitializationToken -Amount 1 @common } catch { $_ }
                Unlock-SecretStore -Password (ConvertTo-TestSecureString 'pw')
            } *>&1
        }
        finally {
            $null = Stop-Transcript
        }

        $texts = [Collections.Generic.List[string]]::new()
        foreach ($item in @($captured) + @($Error) + @($collected)) {
            if ($null -eq $item) { continue }
            $texts.Add("$item")
            $texts.Add(($item | Format-List * -Force | Out-String))
            $record = if ($item -is [Management.Automation.ErrorRecord]) { $item } elseif ($item.PSObject.Properties['ErrorRecord']) { $item.ErrorRecord }
            $exception = if ($record) { $record.Exception } elseif ($item -is [Exception]) { $item }
            for ($e = $exception; $e; $e = $e.InnerException) {
                $texts.Add($e.ToString())
                $texts.Add(($e | Format-List * -Force | Out-String))
            }
        }
        $texts.Add((Get-Content -Raw $transcript))
        $all = $texts -join "`n"

        # The run did exercise what it claims to: outputs, verbose, debug, errors.
        @($captured | Where-Object { $_ -is [ConvTokens.PowerShell.SessionToken] }).Count | Should -BeGreaterOrEqual 2
        @($captured | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 10
        $ids = @($collected + $Error | ForEach-Object { if ($_ -is [Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId.Split(',')[0] } })
        foreach ($id in 'AmountInvalid', 'SessionTokenInvalidGrant', 'SessionTokenInvalidClient', 'SessionTokenRateLimited', 'SessionTokenServerError',
            'SessionTokenOutcomeUnknown', 'SessionTokenResponseInvalid', 'SessionTokenRedirectRefused', 'BaseUriInsecure', 'SecretVaultNotFound',
            'SecretNotFound', 'SecretVaultLocked') {
            $ids | Should -Contain $id
        }
        $all.Length | Should -BeGreaterThan 10000

        foreach ($needle in $Needles) {
            $all.Contains($needle) | Should -BeFalse -Because 'no form of a secret may appear'
        }
    }
}
