BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession
    if (-not ('ConvTokens.Tests.Fuzz.TokenFuzzer' -as [type])) {
        # Built by build.ps1's Test task from tests/Fuzz, the project the engine tests use too.
        Add-Type -Path (Join-Path $RepoRoot 'out/tests/fuzz/ConvTokens.Tests.Fuzz.dll')
    }
    $script:SecretText = 'monApiSignature'
    $script:Secret = ConvertTo-TestSecureString $SecretText
    # Reproduce a run with the seed it printed: $env:CONVTOKENS_FUZZ_SEED = <seed>.
    $script:Seed = if ($env:CONVTOKENS_FUZZ_SEED) { [int] $env:CONVTOKENS_FUZZ_SEED } else { 20260611 }
    $script:CaseCount = 100000
    $script:ChunkSize = 5000

    # Pipes Tokens[Start..Start+Count) of a chunk through Test-Token in one pipeline and records the results,
    # zipped with the expectations by index. When the pipeline throws, writes an error, or returns the wrong
    # number or type of outputs, it halves the slice until the inputs at fault are single ones, recorded as
    # bad outputs, so one crashing token neither hides the others nor stops the run.
    function Invoke-FuzzSlice {
        param(
            [ConvTokens.Tests.Fuzz.FuzzChunk] $Chunk,
            [int] $Start,
            [int] $Count,
            [ConvTokens.Tests.Fuzz.FuzzTally] $Tally,
            [switch] $Quiet
        )
        $tokens = if ($Start -eq 0 -and $Count -eq $Chunk.Count) { $Chunk.Tokens } else { [string[]] $Chunk.Tokens[$Start..($Start + $Count - 1)] }
        $failure = $null
        $out = $null
        try {
            $out = if ($Quiet) {
                @($tokens | Test-Token -ApiSignature $Secret -Quiet -ErrorAction Stop)
            } else {
                @($tokens | Test-Token -ApiSignature $Secret -ErrorAction Stop)
            }
        } catch {
            $failure = "$($_.Exception.GetType().FullName): $($_.Exception.Message)"
        }
        if ($null -eq $failure -and $out.Count -ne $Count) {
            $failure = "$($out.Count) outputs for $Count inputs"
        }
        if ($null -eq $failure) {
            $type = if ($Quiet) { [bool] } else { [ConvTokens.PowerShell.TokenValidationResult] }
            $wrong = $out.Where({ $_ -isnot $type }, 'First')
            if ($wrong.Count -gt 0) { $failure = "an output of type $(if ($null -eq $wrong[0]) { 'null' } else { $wrong[0].GetType().FullName })" }
        }
        if ($null -eq $failure) {
            if ($Quiet) {
                $Tally.RecordQuiet($Chunk, $Start, [bool[]] @($out))
            } else {
                $Tally.Record($Chunk, $Start, [bool[]] @($out.IsValid), [string[]] @($out.Reason), [string[]] @($out.Message))
            }
            return
        }
        if ($Count -eq 1) {
            $Tally.RecordBadOutput($Chunk, $Start, $failure, $Quiet.IsPresent)
            return
        }
        $half = [int] [Math]::Floor($Count / 2)
        Invoke-FuzzSlice -Chunk $Chunk -Start $Start -Count $half -Tally $Tally -Quiet:$Quiet
        Invoke-FuzzSlice -Chunk $Chunk -Start ($Start + $half) -Count ($Count - $half) -Tally $Tally -Quiet:$Quiet
    }

    function Format-Counts([System.Collections.Generic.IDictionary[string, long]] $Counts) {
        ($Counts.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', '
    }
}

Describe 'Test-Token fuzzed with hostile tokens (seeded, issue #6)' -Tag Slow {
    It 'gives one TokenValidationResult per token, never throws, accepts only the controls, and keeps memory bounded' {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $fuzzer = [ConvTokens.Tests.Fuzz.TokenFuzzer]::new($Seed, $SecretText, $now)
        $tally = [ConvTokens.Tests.Fuzz.FuzzTally]::new()
        $inputs = 0
        $quietInputs = 0
        [GC]::Collect(); [GC]::WaitForPendingFinalizers()
        $memoryBefore = [GC]::GetTotalMemory($true)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        try {
            # foreach pulls the chunks lazily (as with [IO.File]::ReadLines), each dropped after use:
            # never all cases and results at once.
            $chunkNumber = 0
            foreach ($chunk in $fuzzer.Chunks($CaseCount, $ChunkSize)) {
                Invoke-FuzzSlice -Chunk $chunk -Start 0 -Count $chunk.Count -Tally $tally
                $inputs += $chunk.Count
                if ($chunkNumber++ % 5 -eq 0) {
                    # A sample of the same tokens again with -Quiet: a bare [bool] each, the same verdicts.
                    Invoke-FuzzSlice -Chunk $chunk -Start 0 -Count $chunk.Count -Tally $tally -Quiet
                    $quietInputs += $chunk.Count
                }
            }
            $chunk = $null
            # A handful of 1–4 MB tokens and the 64 KiB boundary, in a chunk of their own.
            $sizes = $fuzzer.SizeChunk(6)
            Invoke-FuzzSlice -Chunk $sizes -Start 0 -Count $sizes.Count -Tally $tally
            Invoke-FuzzSlice -Chunk $sizes -Start 0 -Count $sizes.Count -Tally $tally -Quiet
            $inputs += $sizes.Count
            $quietInputs += $sizes.Count
            $sizes = $null
        } finally {
            $fuzzer.Dispose()
        }
        $watch.Stop()
        [GC]::Collect(); [GC]::WaitForPendingFinalizers()
        $memoryGrowth = [GC]::GetTotalMemory($true) - $memoryBefore

        Write-Host ("Fuzz seed {0}: {1:N0} cases (+{2:N0} again with -Quiet) in {3:N1} s; managed memory growth {4:N1} MB" -f
            $Seed, $inputs, $quietInputs, $watch.Elapsed.TotalSeconds, ($memoryGrowth / 1MB))
        Write-Host "  per category: $(Format-Counts $tally.PerCategory)"
        Write-Host "  per reason:   $(Format-Counts $tally.PerReason)"
        Write-Host '  per category and reason:'
        $tally.PerCategoryReason.GetEnumerator() | Group-Object { $_.Key.Split('/')[0] } | ForEach-Object {
            Write-Host ("    {0,-22} {1}" -f $_.Name, (($_.Group | ForEach-Object { "$($_.Key.Split('/', 2)[1])=$($_.Value)" }) -join ', '))
        }
        Write-Host ("  false accepts {0}, false rejects {1}, -Quiet mismatches {2}, bad outputs (exception/error/count/type) {3} (+{4} with -Quiet)" -f
            $tally.FalseAccepts, $tally.FalseRejects, $tally.QuietMismatches, $tally.BadOutputs, $tally.QuietBadOutputs)
        foreach ($sample in $tally.Samples) { Write-Host "    $sample" }
        $evidence = ($tally.Samples | Select-Object -First 5) -join "`n"

        $inputs | Should -BeGreaterOrEqual 100000
        # Output count = input count: every input is accounted for exactly once, as a result or as a bad output.
        ($tally.Cases + $tally.BadOutputs) | Should -Be $inputs
        ($tally.QuietCases + $tally.QuietBadOutputs) | Should -Be $quietInputs
        ($tally.BadOutputs + $tally.QuietBadOutputs) | Should -Be 0 -Because "Test-Token must answer every input with one result, not an exception or error:`n$evidence"
        $tally.FalseAccepts | Should -Be 0 -Because "no hostile token may be valid:`n$evidence"
        $tally.FalseRejects | Should -Be 0 -Because "every control token must be valid:`n$evidence"
        $tally.QuietMismatches | Should -Be 0 -Because "-Quiet must give the same verdicts:`n$evidence"
        $tally.PerCategory['control'] | Should -BeGreaterThan 5000
        $tally.PerCategory['at-size-limit'] | Should -Be 2
        $tally.PerCategory['huge'] | Should -Be 6
        foreach ($reason in 'Malformed', 'TooLarge', 'UnsupportedAlgorithm', 'CriticalHeader', 'InvalidSignature', 'MissingClaim', 'InvalidClaim', 'IssuedInFuture', 'Expired', 'NotYetValid') {
            $tally.PerReason[$reason] | Should -BeGreaterThan 0 -Because "the fuzz should reach the $reason check"
        }
        $tally.PerCategoryReason['huge/TooLarge'] | Should -Be 6
        $tally.PerCategoryReason['over-size-limit/TooLarge'] | Should -Be 2
        $memoryGrowth | Should -BeLessThan 200MB
    }
}

Describe 'New-InitializationToken and Test-Token agree on random inputs (seeded round-trip property, issue 16)' {
    It 'verifies everything it signs with the same claims (value and type), and refuses the rest with the catalogued id of its class' {
        # The same generator as the engine's property test (ClaimRoundTripPropertyTests), here through the
        # real cmdlets, so the PowerShell layer's reading of rows is covered too. Reproduce a failure with
        # $env:CONVTOKENS_PROPERTY_SEED = <the seed it printed>.
        $propertySeed = if ($env:CONVTOKENS_PROPERTY_SEED) { [int] $env:CONVTOKENS_PROPERTY_SEED } else { 20261217 }
        $generator = [ConvTokens.Tests.Fuzz.ClaimCaseGenerator]::new($propertySeed, [DateTimeOffset]::UtcNow.ToUnixTimeSeconds())
        $cases = foreach ($i in 1..500) { $generator.Next() }
        # Half the rows as hashtables, half as PSCustomObjects: both ways the cmdlet reads a row.
        $rows = foreach ($case in $cases) { if ($case.Number % 2) { [pscustomobject] $case.Row } else { $case.Row } }
        $errors = $null
        $tokens = @($rows | New-InitializationToken -ApiSignature $Secret -ErrorVariable errors -ErrorAction SilentlyContinue)

        $failures = [Collections.Generic.List[string]]::new()
        $catalog = @([ConvTokens.PowerShell.ErrorCatalog]::All.Id)
        $refused = @{}
        foreach ($record in $errors) {
            if ($record.Exception.Message -notmatch '^Input #(\d+)') { $failures.Add("an error that names no input: $($record.Exception.Message)"); continue }
            $case = $cases[[int] $Matches[1] - 1]
            $refused[$case.Number] = $true
            $id = $record.FullyQualifiedErrorId.Split(',')[0]
            if ($id -notin $catalog) { $failures.Add("$case`n  refused with the uncatalogued id $id") }
            elseif ($case.IsValid) { $failures.Add("$case`n  refused a valid input: $id $($record.Exception.Message)") }
            elseif ($id -ne $case.ExpectedErrorId) { $failures.Add("$case`n  refused with $id ($($record.Exception.Message))") }
        }
        # Tokens come out in input order, so the inputs not refused line up with them.
        $signedCases = @($cases.Where({ -not $refused.ContainsKey($_.Number) }))
        $results = @($tokens | Test-Token -ApiSignature $Secret)
        if ($results.Count -ne $signedCases.Count) { $failures.Add("$($results.Count) results for $($signedCases.Count) signed inputs") }
        else {
            for ($i = 0; $i -lt $results.Count; $i++) {
                $case = $signedCases[$i]
                $result = $results[$i]
                if (-not $case.IsValid) { $failures.Add("$case`n  was signed: $($result.Token)"); continue }
                if (-not $result.IsValid) { $failures.Add("$case`n  signed, then $($result.Reason): $($result.Message)"); continue }
                $difference = [ConvTokens.Tests.Fuzz.ClaimCaseGenerator]::Difference($case.ExpectedClaims, $result.Claims, 'claims')
                if ($difference) { $failures.Add("$case`n  $difference") }
            }
        }

        $failures.Count | Should -Be 0 -Because "seed $propertySeed (rerun with `$env:CONVTOKENS_PROPERTY_SEED = $propertySeed):`n$(($failures | Select-Object -First 5) -join "`n")"
        # Both sides of the property were exercised.
        $signedCases.Count | Should -BeGreaterThan 250
        $refused.Count | Should -BeGreaterThan 100
    }
}
