BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    Import-Module (Join-Path $RepoRoot 'tests/Support/TokenEndpoint.psm1') -Force
    $script:Ep = Start-TokenEndpoint -IdleTimeoutSeconds 900
    $script:Sig = $Ep.ApiSignature
    $script:Key = $Ep.ApiKey
    $script:CmdId = 'ConvTokens.PowerShell.Commands.GetSessionTokenCommand'
    function New-Batch([int] $Count, [string] $Prefix) {
        1..$Count | ForEach-Object { [pscustomobject]@{ amount = $_; userId = "$Prefix-$_"; notificationKey = "$Prefix-$_-$([guid]::NewGuid().ToString('N'))" } } |
            New-InitializationToken -ApiSignature $Sig
    }
}

AfterAll {
    if ($Ep) { Stop-TokenEndpoint -Endpoint $Ep }
}

Describe 'Get-SessionToken under a mix of faults' {
    It 'accounts for every one of 1000 inputs, never resends a token that may be spent, and ends in bounded time' {
        Reset-TokenEndpoint -Endpoint $Ep
        Set-TokenEndpointFault -Endpoint $Ep -Faults @() -Mix @{
            seed = 7; status429 = 0.05; status503 = 0.05; status500AfterConsume = 0.05; drop = 0.05; dropAfterConsume = 0.03
            slow = 0.03; slowDelayMs = 2500; html = 0.05; malformed = 0.05; retryAfter = 0
        }
        $tokens = New-Batch 1000 mix
        $errors = $null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $sessions = $tokens | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey $Key -ThrottleLimit 8 -TimeoutSec 1 -RetryIntervalSec 0 -MaximumRetryCount 5 `
            -ErrorVariable errors -ErrorAction SilentlyContinue
        $elapsed = $watch.Elapsed
        $stats = Get-TokenEndpointStats -Endpoint $Ep
        Reset-TokenEndpoint -Endpoint $Ep

        $byId = $errors | Group-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | ForEach-Object { "$($_.Name)=$($_.Count)" }
        Write-Host "Fault mix: $($sessions.Count) session tokens + $($errors.Count) errors of 1000 in $([int]$elapsed.TotalSeconds) s; $($byId -join ', '); endpoint saw $($stats.requests) requests, resent after consume $($stats.consumedThenResent)"

        ($sessions.Count + $errors.Count) | Should -Be 1000
        $keys = @($sessions.NotificationKey) + @($errors | ForEach-Object { $_.TargetObject.NotificationKey })
        ($keys | Sort-Object -Unique).Count | Should -Be 1000
        foreach ($e in $errors) {
            $e.TargetObject | Should -BeOfType ([ConvTokens.PowerShell.InitializationToken])
            $e.Exception.Message | Should -BeLike "Input #* (notificationKey '$($e.TargetObject.NotificationKey)'*"
        }
        $allowed = 'SessionTokenServerError', 'SessionTokenOutcomeUnknown', 'SessionTokenResponseInvalid', 'SessionTokenRateLimited', 'SessionTokenServiceUnavailable'
        @($errors | Where-Object { $_.FullyQualifiedErrorId.Split(',')[0] -notin $allowed }) | Should -BeNullOrEmpty
        $stats.consumedThenResent | Should -Be 0
        $sessions.Count | Should -BeGreaterThan 600
        $errors.Count | Should -BeGreaterThan 50
        $elapsed.TotalSeconds | Should -BeLessThan 120
    }
}

Describe 'Stopping Get-SessionToken (Ctrl+C)' {
    It 'stops promptly and leaves no request running' {
        Reset-TokenEndpoint -Endpoint $Ep
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'slow'; delayMs = 20000; count = -1 }
        $tokens = New-Batch 200 stop
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $ps.AddCommand('Get-SessionToken').AddParameter('InitializationToken', $tokens).AddParameter('BaseUri', $Ep.BaseUri).
                AddParameter('ApiKey', $Key).AddParameter('ThrottleLimit', 8).AddParameter('TimeoutSec', 60)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            while ((Get-TokenEndpointStats -Endpoint $Ep).inFlight -lt 8 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            (Get-TokenEndpointStats -Endpoint $Ep).inFlight | Should -Be 8
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while ((Get-TokenEndpointStats -Endpoint $Ep).inFlight -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            (Get-TokenEndpointStats -Endpoint $Ep).inFlight | Should -Be 0
            (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 8
        }
        finally {
            $ps.Dispose()
            Reset-TokenEndpoint -Endpoint $Ep
        }
    }
}

Describe 'Sustained load' {
    It 'exchanges 10,000 tokens at -ThrottleLimit 16 with the module''s memory flat' {
        Reset-TokenEndpoint -Endpoint $Ep
        $memory = @()
        $exchanged = 0
        $watch = [Diagnostics.Stopwatch]::StartNew()
        foreach ($round in 1..5) {
            $exchanged += (New-Batch 2000 "load$round" | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey $Key -ThrottleLimit 16 | Measure-Object).Count
            [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
            $memory += [GC]::GetTotalMemory($true)
        }
        $stats = Get-TokenEndpointStats -Endpoint $Ep
        Write-Host ("Load: {0} exchanges in {1:n1} s; managed memory after each round (MB): {2}; endpoint max in flight {3}" -f $exchanged, $watch.Elapsed.TotalSeconds,
            (($memory | ForEach-Object { [int]($_ / 1MB) }) -join ', '), $stats.maxInFlight)
        $exchanged | Should -Be 10000
        $stats.issued | Should -Be 10000
        $stats.maxInFlight | Should -BeLessOrEqual 16
        ($memory[4] - $memory[1]) | Should -BeLessThan 30MB
    }
}

Describe 'Parallel runspaces' {
    It 'mints, verifies and exchanges in 8 parallel runspaces with secrets passed in, each result matched to its input' {
        $savedModulePath = $env:PSModulePath
        $env:PSModulePath = $StandInModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
        try {
            Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
            $secretCallsBefore = Get-StandInCallCount -Command Get-Secret
            $perWorker = 10000
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $results = 1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
                $worker = $_
                Import-Module $using:ModuleManifest
                $rows = 1..$using:perWorker | ForEach-Object { [pscustomobject]@{ amount = $_; userId = "w$worker-$_"; notificationKey = "w$worker-$_-$([guid]::NewGuid().ToString('N'))" } }
                $tokens = $rows | New-InitializationToken -ApiSignature $using:Sig
                $valid = ($tokens | Test-Token -ApiSignature $using:Sig -Quiet | Where-Object { $_ }).Count
                $sessions = $tokens | Get-SessionToken -BaseUri $using:Ep.BaseUri -ApiKey $using:Key -ThrottleLimit 4
                $mismatch = 0
                for ($i = 0; $i -lt $rows.Count; $i++) {
                    if ($tokens[$i].NotificationKey -cne $rows[$i].notificationKey -or $tokens[$i].UserId -cne "w$worker-$($i + 1)" -or
                        $sessions[$i].NotificationKey -cne $rows[$i].notificationKey -or $sessions[$i].UserId -cne "w$worker-$($i + 1)") { $mismatch++ }
                }
                [pscustomobject]@{ Worker = $worker; Tokens = $tokens.Count; Valid = $valid; Sessions = $sessions.Count; Mismatch = $mismatch }
            }
            Write-Host "Parallel: 8 runspaces x $perWorker tokens minted, verified and exchanged in $([int]$watch.Elapsed.TotalSeconds) s"
            $results.Count | Should -Be 8
            foreach ($r in $results) {
                $r.Tokens | Should -Be $perWorker
                $r.Valid | Should -Be $perWorker
                $r.Sessions | Should -Be $perWorker
                $r.Mismatch | Should -Be 0
            }
            Get-StandInCallCount -Command Get-Secret | Should -Be $secretCallsBefore
        }
        finally {
            Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            $env:PSModulePath = $savedModulePath
        }
    }

    It 'reads vault secrets once per pipeline in each runspace, only on the runspaces'' pipeline threads' {
        $savedModulePath = $env:PSModulePath
        $env:PSModulePath = $StandInModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
        try {
            Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
            Reset-StandIn
            Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
            Set-Secret -Name ConvTokens.ApiSignature -SecureStringSecret $Sig
            Set-Secret -Name ConvTokens.ApiKey -SecureStringSecret $Key
            $threads = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
                $env:PSModulePath = $using:env:PSModulePath
                Import-Module $using:ModuleManifest
                $sessions = 1..200 | ForEach-Object { [pscustomobject]@{ amount = $_ } } | New-InitializationToken | Get-SessionToken -BaseUri $using:Ep.BaseUri -ThrottleLimit 8
                if ($sessions.Count -ne 200) { throw "worker $_ got $($sessions.Count) session tokens" }
                [Environment]::CurrentManagedThreadId
            }
            Get-StandInCallCount -Command Get-Secret | Should -Be 8
            $callThreads = @(Get-StandInCallThreads -Command Get-Secret)
            @($callThreads | Where-Object { $_ -notin $threads }) | Should -BeNullOrEmpty
        }
        finally {
            Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            $env:PSModulePath = $savedModulePath
        }
    }
}
