BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force
    if (-not ('ConvTokens.Tests.HostileTokens' -as [type])) { Add-Type -Path (Join-Path $RepoRoot 'tests/Support/HostileTokens.cs') }
    $script:Secret = ConvertTo-TestSecureString 'monApiSignature'
}

Describe 'Test-Token under hostile input (seeded fuzz)' {
    It 'returns one result per case, never throws, never accepts a hostile token, and stays within bounded memory' {
        $seed = 20261128
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $fuzzer = [ConvTokens.Tests.HostileTokens]::new($seed, 'monApiSignature', $now)
        [GC]::Collect(); $memoryBefore = [GC]::GetTotalMemory($true)
        $outcomes = @{}
        $categories = @{}
        $total = 0
        $falseAccepts = [Collections.Generic.List[string]]::new()
        $falseRejects = [Collections.Generic.List[string]]::new()
        $watch = [Diagnostics.Stopwatch]::StartNew()
        foreach ($chunk in 1..21) {
            $cases = if ($chunk -eq 21) { $fuzzer.Huge(8) } else { $fuzzer.Next(5000) }
            $results = @($cases.Token | Test-Token -ApiSignature $Secret -ErrorAction Stop)
            $results.Count | Should -Be $cases.Count
            for ($i = 0; $i -lt $cases.Count; $i++) {
                $case = $cases[$i]; $result = $results[$i]
                if ($result -isnot [ConvTokens.PowerShell.TokenValidationResult]) { throw "case $($total + $i) gave a $($result.GetType())" }
                $outcomes[$result.Reason] = 1 + [int]$outcomes[$result.Reason]
                $categories[$case.Category] = 1 + [int]$categories[$case.Category]
                if ($result.IsValid -and -not $case.ExpectValid) { $falseAccepts.Add("$($case.Category): $($case.Token.Substring(0, [Math]::Min(80, $case.Token.Length)))") }
                if (-not $result.IsValid -and $case.ExpectValid) { $falseRejects.Add("$($case.Category) $($result.Reason): $($result.Message)") }
            }
            $total += $cases.Count
        }
        $quiet = @($fuzzer.Next(2000).Token | Test-Token -ApiSignature $Secret -Quiet)
        $quiet.Count | Should -Be 2000
        ($quiet | Where-Object { $_ -isnot [bool] }) | Should -BeNullOrEmpty
        $total += 2000
        [GC]::Collect(); $memoryGrowth = [GC]::GetTotalMemory($true) - $memoryBefore

        Write-Host "Fuzz seed ${seed}: $total cases in $([int]$watch.Elapsed.TotalSeconds) s, memory growth $([int]($memoryGrowth / 1MB)) MB"
        Write-Host ('  by category: ' + (($categories.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }) -join ', '))
        Write-Host ('  by outcome:  ' + (($outcomes.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" }) -join ', '))

        $total | Should -BeGreaterOrEqual 100000
        $falseAccepts | Should -BeNullOrEmpty
        $falseRejects | Should -BeNullOrEmpty
        $categories['control'] | Should -BeGreaterThan 1000
        foreach ($reason in 'Malformed', 'TooLarge', 'UnsupportedAlgorithm', 'CriticalHeader', 'InvalidSignature', 'MissingClaim', 'InvalidClaim', 'IssuedInFuture', 'Expired', 'NotYetValid') {
            $outcomes[$reason] | Should -BeGreaterThan 0 -Because "the fuzz must reach $reason"
        }
        $memoryGrowth | Should -BeLessThan 200MB
    }
}
