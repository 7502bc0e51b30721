# Reliability under faults, interruption, sustained load and parallel runspaces (issue 6: "Faults and load", "Concurrency").
# Every figure the issue asks for is printed with Write-Host so a CI log shows it.
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:Ep = Initialize-TestSession -Endpoint
    $script:Sig = $Ep.ApiSignature
    $script:Key = $Ep.ApiKey
    $script:CmdId = 'ConvTokens.PowerShell.Commands.GetSessionTokenCommand'

    # Plain rows as a CSV import would give them; New-InitializationToken binds them by property name.
    function New-Row([int] $Count, [string] $Prefix) {
        for ($i = 1; $i -le $Count; $i++) {
            [pscustomobject]@{ amount = $i; userId = "$Prefix-u$i"; notificationKey = "$Prefix-nk$i-" + [guid]::NewGuid().ToString('N') }
        }
    }

    # The notificationKey the endpoint put in a session token (the server's view, not the module's bookkeeping).
    function Get-SessionClaimKey([string] $Jwt) {
        $payload = [Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url $Jwt.Split('.')[1]))
        if ($payload -match '"notificationKey":"([^"]*)"') { $Matches[1] } else { $null }
    }

    function Get-BaseObject([object] $Value) { if ($Value -is [psobject]) { $Value.PSObject.BaseObject } else { $Value } }

    function Wait-Until([scriptblock] $Condition, [double] $TimeoutSec, [int] $PollMs = 50) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        while ($watch.Elapsed.TotalSeconds -lt $TimeoutSec) {
            if (& $Condition) { return $true }
            Start-Sleep -Milliseconds $PollMs
        }
        [bool] (& $Condition)
    }

    function Format-MB([double] $Bytes) { '{0:N2} MB' -f ($Bytes / 1MB) }
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
}

Describe 'Get-SessionToken under faults' -Tag Slow {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }
    AfterEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'accounts for every input of a 1,000-token batch under a seeded fault mix, resends nothing that may be spent, ends in bounded time' {
        $count = 1000
        $tokens = @(New-Row $count 'fm' | New-InitializationToken -ApiSignature $Sig)
        $tokens.Count | Should -Be $count
        $consumedBefore = (Get-TokenEndpointStats -Endpoint $Ep).consumed

        # 5 % of each kind; slow answers (3 s) are past -TimeoutSec 1. Retry-After 0 keeps retries of 429/503 immediate, and
        # -MaximumRetryCount 1 lets about 1 % of the tokens run out of retries (RateLimited/ServiceUnavailable, not spent).
        $mix = [ordered]@{
            seed = 1; slowDelayMs = 3000; retryAfter = 0
            status429 = 0.05; status503 = 0.05; status500AfterConsume = 0.05; drop = 0.05; dropAfterConsume = 0.05
            slow = 0.05; html = 0.05; malformed = 0.05
        }
        Set-TokenEndpointFault -Endpoint $Ep -Faults @() -Mix $mix | Out-Null

        $errors = $null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $sessions = @($tokens | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey $Key -ThrottleLimit 8 -TimeoutSec 1 -RetryIntervalSec 0 -MaximumRetryCount 1 -AsPlainText `
                -ErrorVariable errors -ErrorAction SilentlyContinue)
        $elapsed = $watch.Elapsed
        $errors = @($errors)
        $stats = Get-TokenEndpointStats -Endpoint $Ep

        $byId = $errors | Group-Object { $_.FullyQualifiedErrorId.Split(',')[0] } | Sort-Object Name |
            ForEach-Object { "$($_.Name)=$($_.Count)" }
        Write-Host ("    fault mix: {0} inputs -> {1} session tokens + {2} errors in {3:N1} s; {4} requests, {5} faults injected, {6} issued, maxInFlight {7}, consumedThenResent {8}" -f
            $count, $sessions.Count, $errors.Count, $elapsed.TotalSeconds, $stats.requests, $stats.faultsInjected, $stats.issued, $stats.maxInFlight, $stats.consumedThenResent)
        Write-Host "    errors by id: $($byId -join ', ')"

        # Bounded time (generous: a hang or a retry storm, not speed, is what this catches).
        $elapsed.TotalSeconds | Should -BeLessThan 120

        # One output or one error per input.
        ($sessions.Count + $errors.Count) | Should -Be $count
        $stats.faultsInjected | Should -BeGreaterThan 0
        $errors.Count | Should -BeGreaterThan 0

        # Only the errors this mix can cause. Never SessionTokenInvalidGrant: that would mean a token went out twice.
        $expectedIds = 'SessionTokenRateLimited', 'SessionTokenServiceUnavailable', 'SessionTokenServerError', 'SessionTokenOutcomeUnknown', 'SessionTokenResponseInvalid'
        $unexpected = @($errors | Where-Object { $_.FullyQualifiedErrorId -notin @($expectedIds | ForEach-Object { "$_,$CmdId" }) })
        $unexpected | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" } | Should -BeNullOrEmpty
        # The kinds that spoil an answer after the grant (500, drop, slow, malformed) each surface under their own id.
        foreach ($id in 'SessionTokenServerError', 'SessionTokenOutcomeUnknown', 'SessionTokenResponseInvalid') {
            @($errors | Where-Object FullyQualifiedErrorId -EQ "$id,$CmdId").Count | Should -BeGreaterThan 0 -Because "the mix injects faults that end in $id"
        }
        @($errors | Where-Object { $_.FullyQualifiedErrorId -in "SessionTokenRateLimited,$CmdId", "SessionTokenServiceUnavailable,$CmdId" }).Count |
            Should -BeGreaterThan 0 -Because 'some tokens meet 429/503 twice in a row'
        $unknown = @($errors | Where-Object FullyQualifiedErrorId -EQ "SessionTokenOutcomeUnknown,$CmdId").Exception.Message
        @($unknown | Where-Object { $_ -match 'got no answer within 1 s' }).Count | Should -BeGreaterThan 0 -Because 'slow answers time out'
        @($unknown | Where-Object { $_ -match 'failed after the request went out' }).Count | Should -BeGreaterThan 0 -Because 'connections are dropped'
        $serverStatus = @($errors | Where-Object FullyQualifiedErrorId -EQ "SessionTokenServerError,$CmdId" | ForEach-Object { [int] $_.Exception.StatusCode } | Sort-Object -Unique)
        $serverStatus | Should -Be @(500, 502) -Because '500 after consume and the HTML 502 page both are server errors'

        # Each error names its input: the input object as TargetObject, and 'Input #N (notificationKey ..., userId ...)'.
        $seen = [Collections.Generic.Dictionary[string, int]]::new()
        $problems = [Collections.Generic.List[string]]::new()
        foreach ($e in $errors) {
            $message = $e.Exception.Message
            if ($message -notmatch "^Input #(\d+) \(notificationKey '([^']+)', userId '([^']+)'\): ") { $problems.Add("unlabelled: $message"); continue }
            $n = [int] $Matches[1]; $labelKey = $Matches[2]; $labelUser = $Matches[3]
            if ($n -lt 1 -or $n -gt $count) { $problems.Add("input number out of range: $message"); continue }
            $source = $tokens[$n - 1]
            if ($labelKey -cne $source.NotificationKey -or $labelUser -cne $source.UserId) { $problems.Add("message names another input than #${n}: $message") }
            if (-not [object]::ReferenceEquals((Get-BaseObject $e.TargetObject), (Get-BaseObject $source))) { $problems.Add("TargetObject of '$message' is not input #$n") }
            $spent = $e.Exception.InitializationTokenMayBeSpent
            $id = $e.FullyQualifiedErrorId.Split(',')[0]
            if ($id -in 'SessionTokenRateLimited', 'SessionTokenServiceUnavailable') {
                if ($spent) { $problems.Add("$id says the token may be spent: $message") }
            }
            elseif (-not $spent) { $problems.Add("$id does not say the token may be spent: $message") }
            $seen[$source.NotificationKey] = 1 + ($seen.ContainsKey($source.NotificationKey) ? $seen[$source.NotificationKey] : 0)
        }

        # Outputs: in input order, each from its own input, and the endpoint issued it for that input.
        $position = @{}
        for ($i = 0; $i -lt $count; $i++) { $position[$tokens[$i].NotificationKey] = $i }
        $last = -1
        foreach ($s in $sessions) {
            if (-not $position.ContainsKey($s.NotificationKey)) { $problems.Add("output for unknown notificationKey '$($s.NotificationKey)'"); continue }
            $at = $position[$s.NotificationKey]
            if ($at -le $last) { $problems.Add("output for input #$($at + 1) after input #$($last + 1): order lost") }
            $last = $at
            if ($s.UserId -cne $tokens[$at].UserId) { $problems.Add("output for input #$($at + 1) carries userId '$($s.UserId)'") }
            if ((Get-SessionClaimKey $s.PlainTextToken) -cne $s.NotificationKey) { $problems.Add("session token of input #$($at + 1) was issued for another notificationKey") }
            $seen[$s.NotificationKey] = 1 + ($seen.ContainsKey($s.NotificationKey) ? $seen[$s.NotificationKey] : 0)
        }
        $problems | Select-Object -First 10 | Should -BeNullOrEmpty

        # Every input's notificationKey exactly once across outputs and error targets.
        $seen.Count | Should -Be $count
        @($seen.Values | Where-Object { $_ -ne 1 }).Count | Should -Be 0

        # Nothing that may have been spent was sent again (the endpoint notes any spent assertion that comes back).
        $stats.consumedThenResent | Should -Be 0
        @($stats.resentAfterConsume) | Should -BeNullOrEmpty
        # Every session token handed out was issued; at most the may-be-spent failures were issued on top.
        $maybeSpent = @($errors | Where-Object { $_.Exception.InitializationTokenMayBeSpent }).Count
        $stats.issued | Should -BeGreaterOrEqual $sessions.Count
        $stats.issued | Should -BeLessOrEqual ($sessions.Count + $maybeSpent)
        ((Get-TokenEndpointStats -Endpoint $Ep).consumed - $consumedBefore) | Should -Be $stats.issued
        # The client never runs more than 8; the endpoint may briefly still count a request whose client
        # gave up (timeout, abort) while its replacement has started, so allow a small margin.
        $stats.maxInFlight | Should -BeLessOrEqual 10

        # "Not spent" is true: the tokens that failed on 429/503 go through once the endpoint behaves.
        $notSpent = @($errors | Where-Object { -not $_.Exception.InitializationTokenMayBeSpent } | ForEach-Object { $_.TargetObject })
        Reset-TokenEndpoint -Endpoint $Ep
        if ($notSpent.Count -gt 0) {
            @($notSpent | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey $Key -ThrottleLimit 8).Count | Should -Be $notSpent.Count
        }

        # No request is left running at the endpoint once the cmdlet has returned (timed-out ones included).
        Wait-Until { (Get-TokenEndpointStats -Endpoint $Ep).inFlight -eq 0 } -TimeoutSec 5 | Should -BeTrue
    }

    It 'stops on Ctrl+C (StopProcessing) within seconds and leaves no request running at the endpoint' {
        # Every answer takes 30 s, far past the poll below, and -TimeoutSec is longer still: inFlight can only fall to 0
        # within seconds if the module really aborts its requests (the endpoint's delay ends on RequestAborted).
        $slow = @{ kind = 'slow'; delayMs = 30000; count = -1 }
        Set-TokenEndpointFault -Endpoint $Ep -Faults $slow | Out-Null

        # Control: the endpoint tells a request still open (in flight through its delay) from one the client abandoned.
        $client = [Net.Sockets.TcpClient]::new('127.0.0.1', $Ep.Port)
        try {
            $request = [Text.Encoding]::ASCII.GetBytes("POST /token HTTP/1.1`r`nHost: 127.0.0.1`r`nContent-Type: application/json`r`nContent-Length: 2`r`n`r`n{}")
            $client.GetStream().Write($request, 0, $request.Length)
            Wait-Until { (Get-TokenEndpointStats -Endpoint $Ep).inFlight -eq 1 } -TimeoutSec 5 | Should -BeTrue
            Start-Sleep -Milliseconds 1000
            (Get-TokenEndpointStats -Endpoint $Ep).inFlight | Should -Be 1 -Because 'an open request stays in flight'
        }
        finally { $client.Dispose() }
        Wait-Until { (Get-TokenEndpointStats -Endpoint $Ep).inFlight -eq 0 } -TimeoutSec 5 | Should -BeTrue -Because 'an abandoned request ends at once'
        Reset-TokenEndpoint -Endpoint $Ep
        Set-TokenEndpointFault -Endpoint $Ep -Faults $slow | Out-Null

        $tokens = @(New-Row 200 'cc' | New-InitializationToken -ApiSignature $Sig)

        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModuleManifest).AddParameter('ErrorAction', 'Stop').Invoke()
            $ps.Commands.Clear()
            $null = $ps.AddScript('param($Tokens, $Uri, $Key) $Tokens | Get-SessionToken -BaseUri $Uri -ApiKey $Key -ThrottleLimit 8 -TimeoutSec 120').
                AddArgument($tokens).AddArgument([uri] $Ep.BaseUri).AddArgument($Key)
            $async = $ps.BeginInvoke()

            Wait-Until { (Get-TokenEndpointStats -Endpoint $Ep).inFlight -ge 8 } -TimeoutSec 20 | Should -BeTrue -Because 'the 8 allowed requests reach the endpoint'
            $atStop = Get-TokenEndpointStats -Endpoint $Ep
            $ps.InvocationStateInfo.State | Should -Be 'Running'

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopTook = $watch.Elapsed
            $state = $ps.InvocationStateInfo.State
            $drained = Wait-Until { (Get-TokenEndpointStats -Endpoint $Ep).inFlight -eq 0 } -TimeoutSec 5 -PollMs 20
            $drainTook = $watch.Elapsed
            Start-Sleep -Milliseconds 500
            $after = Get-TokenEndpointStats -Endpoint $Ep
            Write-Host ("    Ctrl+C: {0} in flight at Stop(); Stop() returned in {1:N0} ms, state {2}; endpoint inFlight 0 after {3:N0} ms: {4}; requests {5} -> {6}" -f
                $atStop.inFlight, $stopTook.TotalMilliseconds, $state, $drainTook.TotalMilliseconds, $drained, $atStop.requests, $after.requests)

            $stopTook.TotalSeconds | Should -BeLessThan 5
            $state | Should -Be 'Stopped'
            $drained | Should -BeTrue -Because 'no request may be left running after Ctrl+C'
            $after.inFlight | Should -Be 0
            $after.requests | Should -Be $atStop.requests -Because 'nothing new is sent after Stop'
            $after.requests | Should -BeLessOrEqual 8
            $after.issued | Should -Be 0
            $ps.Streams.Error.Count | Should -Be 0 -Because 'a stopped exchange is not reported as a failure'
            $thrown = $null
            try { $null = $ps.EndInvoke($async) } catch { $thrown = $_.Exception.GetBaseException() }
            $thrown | Should -BeOfType ([Management.Automation.PipelineStoppedException])
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Get-SessionToken under sustained load' -Tag Slow {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'exchanges 10,000 tokens at -ThrottleLimit 16 in 5 rounds with 16 requests in flight, never more; the endpoint keeps answering and memory stays flat' {
        # The first 16 answers are slow, so the cmdlet fills every one of its 16 slots while they wait,
        # however quickly the machine answers the rest (unslowed, it measured 2 in flight).
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'slow'; delayMs = 2000; count = 16 }
        $rounds = 5; $perRound = 2000
        $memory = @{}
        $total = 0
        $watch = [Diagnostics.Stopwatch]::StartNew()
        for ($round = 1; $round -le $rounds; $round++) {
            $roundWatch = [Diagnostics.Stopwatch]::StartNew()
            $errors = $null
            # Streamed end to end: rows are minted, exchanged and counted; nothing is kept.
            $answered = (New-Row $perRound "ld$round" | New-InitializationToken -ApiSignature $Sig |
                    Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey $Key -ThrottleLimit 16 -ErrorVariable errors -ErrorAction SilentlyContinue |
                    Measure-Object).Count
            $errorCount = @($errors).Count
            $errors = $null
            $memory[$round] = [GC]::GetTotalMemory($true)
            $total += $answered
            Write-Host ("    load round {0}: {1} session tokens, {2} errors in {3:N1} s; managed heap {4}" -f $round, $answered, $errorCount, $roundWatch.Elapsed.TotalSeconds, (Format-MB $memory[$round]))
            $answered | Should -Be $perRound
            $errorCount | Should -Be 0
        }
        $stats = Get-TokenEndpointStats -Endpoint $Ep
        $growth = $memory[$rounds] - $memory[2]
        $Ep.Process.Refresh()
        Write-Host ("    load: {0} exchanges in {1:N1} s ({2:N0}/s); endpoint issued {3}, requests {4}, maxInFlight {5}, endpoint working set {6}; module heap growth rounds 2->5: {7}" -f
            $total, $watch.Elapsed.TotalSeconds, ($total / $watch.Elapsed.TotalSeconds), $stats.issued, $stats.requests, $stats.maxInFlight,
            (Format-MB $Ep.Process.WorkingSet64), (Format-MB $growth))

        $total | Should -Be ($rounds * $perRound)
        $stats.issued | Should -Be ($rounds * $perRound)
        $stats.requests | Should -Be ($rounds * $perRound)
        $stats.rejected | Should -Be 0
        $stats.maxInFlight | Should -Be 16 -Because '-ThrottleLimit 16 is reached and never exceeded'
        # The bound, 2 MB = about 350 bytes per exchange of rounds 3-5: keeping those 6,000 SessionToken outputs adds 2.7 MB of
        # managed heap here (the token text sits in a SecureString, outside the heap), and a leaked request body (~400 bytes)
        # or pending exchange (task, outcome and token string, ~1 KB) per exchange would add more. Measured growth: ~0.2 MB.
        $growth | Should -BeLessThan 2MB
    }
}

Describe 'Parallel runspaces' -Tag Slow {
    BeforeAll {
        Initialize-TestSession -SecretManagement -NoModule
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Set-Secret -Name ConvTokens.ApiSignature -SecureStringSecret $Sig
        Set-Secret -Name ConvTokens.ApiKey -SecureStringSecret $Key

        # One worker: imports ConvTokens (all workers at once, behind a barrier), mints, verifies and exchanges $Count tokens,
        # and checks every result against its own input. Secrets come via $Secrets (SecureStrings), or from the vault when it is null.
        $script:Worker = {
            param([int] $Id, [int] $Count, [string] $Manifest, [uri] $Uri, [System.Threading.Barrier] $Barrier, [hashtable] $Secrets)
            $thread = [Environment]::CurrentManagedThreadId
            $together = $Barrier.SignalAndWait([TimeSpan]::FromSeconds(60))
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $importError = $null
            try { Import-Module $Manifest -ErrorAction Stop } catch { $importError = "$_" }
            $imported = Get-Module ConvTokens
            $problems = [Collections.Generic.List[string]]::new()
            $note = { param($text) if ($problems.Count -lt 10) { $problems.Add("worker ${Id}: $text") } }

            $rows = [object[]]::new($Count)
            for ($i = 0; $i -lt $Count; $i++) {
                $rows[$i] = [pscustomobject]@{ amount = $i + 1; userId = "w$Id-u$i"; notificationKey = "w$Id-nk$i-" + [guid]::NewGuid().ToString('N') }
            }
            $sigArgs = if ($Secrets) { @{ ApiSignature = $Secrets.ApiSignature } } else { @{} }
            $keyArgs = if ($Secrets) { @{ ApiKey = $Secrets.ApiKey } } else { @{} }
            $tokens = @($rows | New-InitializationToken @sigArgs)
            $results = @($tokens | Test-Token @sigArgs)
            $sessions = @($tokens | Get-SessionToken -BaseUri $Uri @keyArgs -ThrottleLimit 8 -AsPlainText)

            $rx = [regex] '"notificationKey":"([^"]*)"'
            $valid = 0
            if ($tokens.Count -ne $Count) { & $note "$($tokens.Count) tokens minted" }
            if ($results.Count -ne $Count) { & $note "$($results.Count) validation results" }
            if ($sessions.Count -ne $Count) { & $note "$($sessions.Count) session tokens" }
            $n = [Math]::Min($Count, [Math]::Min($tokens.Count, [Math]::Min($results.Count, $sessions.Count)))
            for ($i = 0; $i -lt $n; $i++) {
                $row = $rows[$i]; $t = $tokens[$i]; $r = $results[$i]; $s = $sessions[$i]
                if ($t.NotificationKey -cne $row.notificationKey -or $t.UserId -cne $row.userId -or $t.Amount -ne $row.amount) { & $note "token $i is not from row $i" }
                if ($r.IsValid) { $valid++ } else { & $note "token $i is invalid: $r" }
                if ($r.NotificationKey -cne $row.notificationKey -or $r.UserId -cne "w$Id-u$i") { & $note "validation result $i is not for token $i" }
                if ($s.NotificationKey -cne $row.notificationKey -or $s.UserId -cne "w$Id-u$i") { & $note "session token $i is labelled for another input" }
                $segment = $s.PlainTextToken.Split('.')[1].Replace('-', '+').Replace('_', '/')
                switch ($segment.Length % 4) { 2 { $segment += '==' } 3 { $segment += '=' } }
                $claimKey = $rx.Match([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($segment))).Groups[1].Value
                if ($claimKey -cne $row.notificationKey) { & $note "session token $i was issued for '$claimKey', not for its input" }
            }
            [pscustomobject]@{
                Id = $Id; Thread = $thread; Together = $together; ImportError = $importError
                ModulePath = if ($imported) { $imported.Path } else { $null }
                Minted = $tokens.Count; Valid = $valid; Sessions = $sessions.Count
                Problems = $problems.ToArray(); Seconds = $watch.Elapsed.TotalSeconds
            }
        }

        function Invoke-Worker([int] $Workers, [int] $Count, [hashtable] $Secrets) {
            $barrier = [System.Threading.Barrier]::new($Workers)
            try {
                $workerText = $Worker.ToString()
                $manifest = (Resolve-Path $ModuleManifest).Path
                $uri = [uri] $Ep.BaseUri
                1..$Workers | ForEach-Object -ThrottleLimit $Workers -Parallel {
                    & ([scriptblock]::Create($using:workerText)) -Id $_ -Count $using:Count -Manifest $using:manifest -Uri $using:uri -Barrier $using:barrier -Secrets $using:Secrets
                }
            }
            finally { $barrier.Dispose() }
        }

        function Assert-Worker([object[]] $Results, [int] $Workers, [int] $Count) {
            $Results.Count | Should -Be $Workers
            @($Results.Id | Sort-Object) | Should -Be @(1..$Workers)
            foreach ($r in $Results) {
                $r.ImportError | Should -BeNullOrEmpty
                $r.ModulePath | Should -Not -BeNullOrEmpty -Because "worker $($r.Id) imported ConvTokens"
                $r.Together | Should -BeTrue -Because 'all workers start (and import) at the same time'
                $r.Problems | Should -BeNullOrEmpty
                $r.Minted | Should -Be $Count
                $r.Valid | Should -Be $Count
                $r.Sessions | Should -Be $Count
            }
        }
    }

    AfterAll {
        Reset-StandIn
        Complete-TestSession
    }

    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It '8 runspaces each import the module, mint, verify and exchange 10,000 tokens with secrets passed in: all matched, no SecretManagement call' {
        $workers = 8; $count = 10000
        $callsBefore = Get-StandInCallCount -Command Get-Secret
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $results = @(Invoke-Worker -Workers $workers -Count $count -Secrets @{ ApiSignature = $Sig; ApiKey = $Key })
        $elapsed = $watch.Elapsed
        $stats = Get-TokenEndpointStats -Endpoint $Ep
        $calls = (Get-StandInCallCount -Command Get-Secret) - $callsBefore
        Write-Host ("    parallel: {0} runspaces x {1} tokens in {2:N1} s; minted {3}, valid {4}, session tokens {5}; endpoint issued {6}, rejected {7}, consumedThenResent {8}; Get-Secret calls {9}" -f
            $workers, $count, $elapsed.TotalSeconds, ($results.Minted | Measure-Object -Sum).Sum, ($results.Valid | Measure-Object -Sum).Sum,
            ($results.Sessions | Measure-Object -Sum).Sum, $stats.issued, $stats.rejected, $stats.consumedThenResent, $calls)
        Write-Host ("    per runspace (s): {0}" -f (($results | Sort-Object Id | ForEach-Object { '{0}={1:N1}' -f $_.Id, $_.Seconds }) -join ' '))

        Assert-Worker $results $workers $count
        $stats.issued | Should -Be ($workers * $count)
        $stats.requests | Should -Be ($workers * $count)
        $stats.rejected | Should -Be 0
        $stats.consumedThenResent | Should -Be 0
        $calls | Should -Be 0 -Because 'secrets passed as SecureStrings need no vault'
    }

    It 'reads vault secrets once per cmdlet pipeline, on each runspace''s pipeline thread, never on HTTP worker threads' {
        $workers = 8; $count = 250
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Set-Secret -Name ConvTokens.ApiSignature -SecureStringSecret $Sig
        Set-Secret -Name ConvTokens.ApiKey -SecureStringSecret $Key
        $results = @(Invoke-Worker -Workers $workers -Count $count -Secrets $null)
        $calls = Get-StandInCallCount -Command Get-Secret
        $threads = @(Get-StandInCallThreads -Command Get-Secret)
        $pipelineThreads = @($results.Thread | Sort-Object -Unique)
        Write-Host ("    vault in parallel: {0} runspaces x {1} tokens; Get-Secret calls {2} on {3} thread(s) [{4}]; workers' pipeline threads [{5}]" -f
            $workers, $count, $calls, $threads.Count, ($threads -join ','), ($pipelineThreads -join ','))

        Assert-Worker $results $workers $count
        (Get-TokenEndpointStats -Endpoint $Ep).issued | Should -Be ($workers * $count)
        # Per runspace: New-InitializationToken and Test-Token read the apiSignature once each, Get-SessionToken the apiKey once.
        $calls | Should -Be (3 * $workers)
        # Only threads that ran a worker's pipeline (a runspace's thread may serve more than one worker, so at most one per worker).
        $threads.Count | Should -BeGreaterThan 0
        $threads.Count | Should -BeLessOrEqual $workers
        @($threads | Where-Object { $_ -notin $pipelineThreads }) | Should -BeNullOrEmpty -Because 'Get-Secret runs only on pipeline threads'
    }
}
