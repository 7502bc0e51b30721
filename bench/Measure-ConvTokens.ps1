#Requires -Version 7.4
<#
.SYNOPSIS
    Benchmarks ConvTokens against the physical limits and the alternatives users write, in one run, as ratios.
.DESCRIPTION
    Run by 'build.ps1 -Task Bench' after Build (or alone once out/ConvTokens exists). Every figure is
    measured beside its baseline in the same run, in rotating order after a warm-up, and a ratio is the
    median of the per-repetition ratios (each pair measured back to back): the machines are shared and
    noisy, so only ratios carry over. The figures and their baselines:

      Mint     New-InitializationToken on N piped rows vs the 7-parameter binding floor (Invoke-BindingFloor:
               the binder's work for seven by-property-name parameters, nothing else); and a hand-written
               PowerShell JWT function vs New-InitializationToken, per token.
      Verify   Test-Token and Test-Token -Quiet on N piped token strings vs the object-binding floor
               (Invoke-TokenFloor: one piped object bound to an [object] -Token and written out).
      Engine   BenchmarkDotNet, no PowerShell: TokenSigner.CreateToken and TokenVerifier.Verify vs the HMAC
               limit (HMAC-SHA256 alone over the same signing input, key prepared once, reused output).
      Start    Fresh pwsh processes, alternating: Import-Module ConvTokens + the first token vs
               Import-Module of a do-nothing manifest module (bench/DoNothing.psd1); median of the paired
               differences.
      Exchange Get-SessionToken -ThrottleLimit 8 vs ForEach-Object -Parallel { Invoke-RestMethod }
               -ThrottleLimit 8 at the local token endpoint (tests/Support/TokenEndpoint.psm1), fresh
               one-time tokens every repetition; the plain Invoke-RestMethod loop beside them for context.
      Wire     Get-SessionToken (the whole pipeline, InitializationToken objects piped in) vs a plain .NET HttpClient
               loop (bench/HttpBaseline, loaded into this pwsh) posting the same kind of pre-minted one-time tokens to
               the same local endpoint with the same concurrency, at -ThrottleLimit 1, 4 and 16, 2,000 tokens each;
               the endpoint's own CPU time per exchange beside it, to show whether the endpoint is the limit.
      Growth   New-BenchRow N | New-InitializationToken | Test-Token -Quiet, rows streamed, each size in its
               own fresh pwsh (bench/Measure-Growth.ps1): time per token and the child's peak working set.
      Secrets  Get-Secret calls made by one N-item New-InitializationToken and one Test-Token pipeline
               (SecretManagement stand-in of tests/).

    Prints the table, and writes it to out/bench/PERFORMANCE.md and every sample to out/bench/results.json.
.PARAMETER Quick
    A smoke run of the harness in a couple of minutes: smaller counts, fewer repetitions, growth at
    2 k / 10 k / 50 k rows instead of 10 k / 100 k / 1 M. Its figures are not measurements.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-ConvTokens.ps1 -Quick
#>
[CmdletBinding()]
param([switch] $Quick)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'   # Get-SessionToken draws a progress bar past 100 answers
$total = [Diagnostics.Stopwatch]::StartNew()
$repo = Split-Path -Parent $PSScriptRoot
$out = Join-Path $repo 'out/bench'
New-Item -ItemType Directory -Force $out | Out-Null
$manifest = Join-Path $repo 'out/ConvTokens/ConvTokens.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 -Task Build" }

$settings = if ($Quick) {
    [ordered]@{ Items = 10000; ScriptItems = 1000; Repetitions = 3; Exchanges = 200; WireExchanges = 200; StartRuns = 5
        GrowthSizes = @(2000, 10000, 50000); GrowthProcesses = 1; EngineIterations = 3; EngineWarmup = 1 }
}
else {
    [ordered]@{ Items = 100000; ScriptItems = 5000; Repetitions = 7; Exchanges = 1000; WireExchanges = 2000; StartRuns = 11
        GrowthSizes = @(10000, 100000, 1000000); GrowthProcesses = 3; EngineIterations = 10; EngineWarmup = 3 }
}
$items = $settings.Items; $scriptItems = $settings.ScriptItems; $repetitions = $settings.Repetitions; $exchanges = $settings.Exchanges
$pwsh = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll')) } else { @([Environment]::ProcessPath) }
$dotnet = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::ProcessPath } else { 'dotnet' }

function Invoke-Dotnet([string[]] $Arguments) {
    & $dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed." }
}
Invoke-Dotnet @('build', (Join-Path $PSScriptRoot 'Floor'), '-c', 'Release', '-o', (Join-Path $out 'floor'), '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
Invoke-Dotnet @('build', (Join-Path $PSScriptRoot 'EngineBench'), '-c', 'Release', '-o', (Join-Path $out 'engine-bin'), '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
Invoke-Dotnet @('build', (Join-Path $PSScriptRoot 'HttpBaseline'), '-c', 'Release', '-o', (Join-Path $out 'http-baseline'), '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
$floorDll = Join-Path $out 'floor/ConvTokens.Bench.Floor.dll'

Import-Module $manifest
Import-Module $floorDll
Import-Module (Join-Path $repo 'tests/Support/TokenEndpoint.psm1')
Add-Type -LiteralPath (Join-Path $out 'http-baseline/ConvTokens.Bench.HttpBaseline.dll')

function Get-Median([double[]] $Values) {
    $sorted = [double[]] ($Values | Sort-Object)
    $n = $sorted.Length
    if ($n -eq 0) { return [double]::NaN }
    if ($n % 2) { return $sorted[($n - 1) / 2] }
    ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2
}

# Runs every case once per repetition, the order rotating each time; repetition 0 is the warm-up and is
# dropped. Returns name -> seconds of every kept repetition, in repetition order (so pairs line up).
function Measure-SideBySide([Collections.Specialized.OrderedDictionary] $Cases, [int] $Repetitions, [scriptblock] $BeforeEach) {
    $names = @($Cases.Keys)
    $samples = [ordered]@{}
    foreach ($name in $names) { $samples[$name] = [Collections.Generic.List[double]]::new() }
    for ($r = 0; $r -le $Repetitions; $r++) {
        $line = for ($k = 0; $k -lt $names.Count; $k++) {
            $name = $names[($k + $r) % $names.Count]
            if ($BeforeEach) { & $BeforeEach $name }
            [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
            $watch = [Diagnostics.Stopwatch]::StartNew()
            & $Cases[$name]
            $watch.Stop()
            if ($r -gt 0) { $samples[$name].Add($watch.Elapsed.TotalSeconds) }
            '{0} {1:n0} ms' -f $name, $watch.Elapsed.TotalMilliseconds
        }
        Write-Host ("  {0}: {1}" -f $(if ($r) { "repetition $r/$Repetitions" } else { 'warm-up' }), ($line -join ', '))
    }
    $samples
}

# Median over repetitions of (A's time per item / B's time per item), each pair from one repetition.
function Get-PairedRatio($Samples, [string] $A, [int] $ItemsA, [string] $B, [int] $ItemsB) {
    Get-Median @(for ($i = 0; $i -lt $Samples[$A].Count; $i++) { ($Samples[$A][$i] / $ItemsA) / ($Samples[$B][$i] / $ItemsB) })
}
function Get-PerItem($Samples, [string] $Name, [int] $Count) { (Get-Median $Samples[$Name].ToArray()) / $Count }

function Format-Time([double] $Seconds) {
    if ($Seconds -lt 1e-6) { return '{0:n0} ns' -f ($Seconds * 1e9) }
    if ($Seconds -lt 1e-3) { return '{0:n2} µs' -f ($Seconds * 1e6) }
    if ($Seconds -lt 1) { return '{0:n2} ms' -f ($Seconds * 1e3) }
    '{0:n2} s' -f $Seconds
}
function Format-Count([int] $Count) {
    if ($Count -ge 1000000 -and $Count % 1000000 -eq 0) { return '{0:n0} M' -f ($Count / 1000000) }
    if ($Count -ge 1000 -and $Count % 1000 -eq 0) { return '{0:n0} k' -f ($Count / 1000) }
    '{0:n0}' -f $Count
}

# The target table holds exactly issue 11's figures (and the Get-Secret count); context rows have no target.
$rows = [Collections.Generic.List[object]]::new()
$context = [Collections.Generic.List[object]]::new()
function Add-Row([string] $Scenario, [string] $Ours, [string] $Baseline, [string] $Ratio, [string] $Target, [bool] $Met, [double] $Value) {
    $rows.Add([pscustomobject][ordered]@{ scenario = $Scenario; convTokens = $Ours; baseline = $Baseline; ratio = $Ratio; target = $Target; met = $Met; value = $Value })
}
function Add-Context([string] $Scenario, [string] $Measured, [string] $Baseline, [string] $Ratio) {
    $context.Add([pscustomobject][ordered]@{ scenario = $Scenario; measured = $Measured; baseline = $Baseline; ratio = $Ratio })
}
$raw = [ordered]@{}

$secret = [securestring]::new()
foreach ($c in [guid]::NewGuid().ToString('N').Substring(0, 15).ToCharArray()) { $secret.AppendChar($c) }
$keyBytes = [Text.Encoding]::UTF8.GetBytes([Net.NetworkCredential]::new('', $secret).Password)   # the hand-written functions need the key as bytes, as users' scripts do
$objects = @(New-BenchRow -Count $items)

# The kind of functions users write when they have no module.
function ConvertTo-Base64UrlText([byte[]] $Bytes) { [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
function New-HandWrittenJwt {
    param([Parameter(ValueFromPipeline)] $User, [byte[]] $Key)
    begin {
        $hmac = [System.Security.Cryptography.HMACSHA256]::new($Key)
        $header = ConvertTo-Base64UrlText ([Text.Encoding]::UTF8.GetBytes('{"alg":"HS256","typ":"JWT"}'))
    }
    process {
        $claims = [ordered]@{ amount = [decimal]$User.amount; cp = [string]$User.cp; age = [int]$User.age; gender = $User.gender; userId = $User.userId
            iat = [long]$User.iat; notificationKey = $User.notificationKey }
        $payload = ConvertTo-Base64UrlText ([Text.Encoding]::UTF8.GetBytes(($claims | ConvertTo-Json -Compress)))
        $signature = ConvertTo-Base64UrlText $hmac.ComputeHash([Text.Encoding]::ASCII.GetBytes("$header.$payload"))
        "$header.$payload.$signature"
    }
    end { $hmac.Dispose() }
}
function Test-HandWrittenJwt {
    param([Parameter(ValueFromPipeline)] [string] $Token, [byte[]] $Key)
    begin { $hmac = [System.Security.Cryptography.HMACSHA256]::new($Key) }
    process {
        $parts = $Token.Split('.')
        $signature = ConvertTo-Base64UrlText $hmac.ComputeHash([Text.Encoding]::ASCII.GetBytes("$($parts[0]).$($parts[1])"))
        $b64 = $parts[1].Replace('-', '+').Replace('_', '/'); while ($b64.Length % 4) { $b64 += '=' }
        $claims = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b64)) | ConvertFrom-Json
        $signature -ceq $parts[2] -and $null -ne $claims.amount -and $null -ne $claims.iat -and $null -ne $claims.notificationKey
    }
    end { $hmac.Dispose() }
}

# --- 1. Mint ---------------------------------------------------------------------------------------------
Write-Host "1. Minting $(Format-Count $items) piped rows"
$scriptObjects = $objects[0..($scriptItems - 1)]
$mint = Measure-SideBySide ([ordered]@{
        floor  = { $null = $objects | Invoke-BindingFloor }
        object = { $null = $objects | Invoke-TokenFloor }
        ours   = { $null = $objects | New-InitializationToken -ApiSignature $secret }
        script = { $null = $scriptObjects | New-HandWrittenJwt -Key $keyBytes }
    }) $repetitions
$raw.mint = $mint
$ratio = Get-PairedRatio $mint ours $items floor $items
Add-Row "New-InitializationToken vs the 7-parameter floor, public APIs only ($(Format-Count $items) piped rows, per token)" (Format-Time (Get-PerItem $mint ours $items)) (Format-Time (Get-PerItem $mint floor $items)) ('{0:n2}×' -f $ratio) '≤ 1.0×' ($ratio -le 1.0) $ratio
$ratio = Get-PairedRatio $mint floor $items object $items
Add-Context 'the 7-parameter floor vs one piped row bound to one [object] parameter and written out (what the seven by-property-name bindings add)' (Format-Time (Get-PerItem $mint floor $items)) (Format-Time (Get-PerItem $mint object $items)) ('{0:n2}×' -f $ratio)
$ratio = Get-PairedRatio $mint script $scriptItems ours $items
Add-Row "hand-written PowerShell JWT vs New-InitializationToken (script on $(Format-Count $scriptItems) rows, per token)" (Format-Time (Get-PerItem $mint ours $items)) (Format-Time (Get-PerItem $mint script $scriptItems)) ('{0:n1}× slower' -f $ratio) '≥ 25× slower' ($ratio -ge 25) $ratio

# --- 2. Verify -------------------------------------------------------------------------------------------
Write-Host "2. Verifying $(Format-Count $items) piped tokens"
$tokenStrings = @(($objects | New-InitializationToken -ApiSignature $secret).Token)
$check = $tokenStrings | Test-Token -Quiet -ApiSignature $secret | Measure-TrueCount
if ($check.True -ne $items) { throw "Only $($check.True) of $items tokens verified: the verify figures would measure failures." }
$scriptTokens = $tokenStrings[0..($scriptItems - 1)]
$verify = Measure-SideBySide ([ordered]@{
        floor  = { $null = $tokenStrings | Invoke-TokenFloor }
        ours   = { $null = $tokenStrings | Test-Token -ApiSignature $secret }
        quiet  = { $null = $tokenStrings | Test-Token -Quiet -ApiSignature $secret }
        script = { $null = $scriptTokens | Test-HandWrittenJwt -Key $keyBytes }
    }) $repetitions
$raw.verify = $verify
$floorText = Format-Time (Get-PerItem $verify floor $items)
$ratio = Get-PairedRatio $verify ours $items floor $items
Add-Row "Test-Token vs the object-binding floor ($(Format-Count $items) piped token strings, per token)" (Format-Time (Get-PerItem $verify ours $items)) $floorText ('{0:n2}×' -f $ratio) '≤ 2.0×' ($ratio -le 2.0) $ratio
$ratio = Get-PairedRatio $verify quiet $items floor $items
Add-Row 'Test-Token -Quiet vs the object-binding floor (same tokens)' (Format-Time (Get-PerItem $verify quiet $items)) $floorText ('{0:n2}×' -f $ratio) '≤ 2.0×' ($ratio -le 2.0) $ratio
$ratio = Get-PairedRatio $verify script $scriptItems ours $items
Add-Context "hand-written PowerShell verify (signature + 3 claims present) vs Test-Token (script on $(Format-Count $scriptItems) tokens)" (Format-Time (Get-PerItem $verify script $scriptItems)) (Format-Time (Get-PerItem $verify ours $items)) ('{0:n1}× slower' -f $ratio)

# --- 3. Engine (BenchmarkDotNet) -------------------------------------------------------------------------
Write-Host '3. Engine sign and verify vs the HMAC limit (BenchmarkDotNet, in process, no PowerShell)'
$engineArtifacts = Join-Path $out 'engine'
Remove-Item -Recurse -Force (Join-Path $engineArtifacts 'results') -ErrorAction SilentlyContinue
$engineLog = Join-Path $out 'engine.log'
& $dotnet (Join-Path $out 'engine-bin/ConvTokens.Bench.Engine.dll') --artifacts $engineArtifacts --iterations $settings.EngineIterations --warmup $settings.EngineWarmup *> $engineLog
if ($LASTEXITCODE -ne 0) { Get-Content $engineLog -Tail 40 | Out-Host; throw "The engine benchmark failed (exit code $LASTEXITCODE); log: $engineLog" }
Get-ChildItem (Join-Path $engineArtifacts 'results') -Filter '*-report-github.md' | Get-Content | Where-Object { $_ -like '|*' } | ForEach-Object { [Net.WebUtility]::HtmlDecode($_) } | Out-Host
$report = Get-ChildItem (Join-Path $engineArtifacts 'results') -Filter '*-report-full.json' | Select-Object -First 1
$engine = @{}
foreach ($b in (Get-Content -Raw $report.FullName | ConvertFrom-Json).Benchmarks) {
    $engine[$b.Method] = [ordered]@{ medianNs = $b.Statistics.Median; allocatedBytes = $b.Memory.BytesAllocatedPerOperation }
}
$raw.engine = $engine
$limitNs = $engine.HmacLimit.medianNs
$ratio = $engine.EngineSign.medianNs / $limitNs
Add-Row 'engine sign (TokenSigner.CreateToken) vs the HMAC limit' ('{0:n0} ns' -f $engine.EngineSign.medianNs) ('{0:n0} ns' -f $limitNs) ('{0:n2}×' -f $ratio) '≤ 1.5×' ($ratio -le 1.5) $ratio
$ratio = $engine.EngineVerify.medianNs / $limitNs
Add-Row 'engine verify (TokenVerifier.Verify, every strict check kept) vs the HMAC limit' ('{0:n0} ns' -f $engine.EngineVerify.medianNs) ('{0:n0} ns' -f $limitNs) ('{0:n2}×' -f $ratio) '≤ 2.5×' ($ratio -le 2.5) $ratio
Add-Context 'bytes allocated per call: engine sign / engine verify / HMAC limit' ('{0:n0} B / {1:n0} B' -f $engine.EngineSign.allocatedBytes, $engine.EngineVerify.allocatedBytes) ('{0:n0} B' -f $engine.HmacLimit.allocatedBytes) '—'

# --- 4. Start --------------------------------------------------------------------------------------------
Write-Host "4. Start-up: fresh pwsh processes, $($settings.StartRuns) pairs in alternating order"
# Both sides make a SecureString the same way (the secret never leaves the child); only ours mints.
$secretLine = '$ErrorActionPreference = ''Stop''; $s = [securestring]::new(); foreach ($c in [guid]::NewGuid().ToString(''N'').ToCharArray()) { $s.AppendChar($c) }'
$startCommands = [ordered]@{
    nothing = "$secretLine; Import-Module '$((Join-Path $PSScriptRoot 'DoNothing.psd1').Replace("'", "''"))'; exit 0"
    ours    = "$secretLine; Import-Module '$($manifest.Replace("'", "''"))'; `$null = New-InitializationToken -Amount 1 -ApiSignature `$s; exit 0"
}
function Measure-Start([string] $CommandText) {
    $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $CommandText)) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
    $info.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $process = [Diagnostics.Process]::Start($info)
    $process.WaitForExit()
    $watch.Stop()
    if ($process.ExitCode -ne 0) { throw "A start-up run failed (exit code $($process.ExitCode)): $CommandText" }
    $watch.Elapsed.TotalMilliseconds
}
foreach ($name in $startCommands.Keys) { $null = Measure-Start $startCommands[$name] }   # warm-up: disk cache
$start = [ordered]@{ nothing = [Collections.Generic.List[double]]::new(); ours = [Collections.Generic.List[double]]::new() }
for ($i = 0; $i -lt $settings.StartRuns; $i++) {
    $order = if ($i % 2) { 'ours', 'nothing' } else { 'nothing', 'ours' }
    $line = foreach ($name in $order) { $ms = Measure-Start $startCommands[$name]; $start[$name].Add($ms); '{0} {1:n0} ms' -f $name, $ms }
    Write-Host ("  pair {0}/{1}: {2}" -f ($i + 1), $settings.StartRuns, ($line -join ', '))
}
$raw.start = [ordered]@{ milliseconds = $start; commands = $startCommands }
$difference = Get-Median @(for ($i = 0; $i -lt $settings.StartRuns; $i++) { $start.ours[$i] - $start.nothing[$i] })
Add-Row "Import-Module + first token over the do-nothing module (fresh pwsh, median of $($settings.StartRuns) alternating pairs)" ('{0:n0} ms' -f (Get-Median $start.ours.ToArray())) ('{0:n0} ms' -f (Get-Median $start.nothing.ToArray())) ('{0:+0;-0} ms' -f $difference) '≤ +60 ms' ($difference -le 60) $difference

# --- 5. Exchange -----------------------------------------------------------------------------------------
Write-Host "5. $(Format-Count $exchanges) exchanges at the local token endpoint"
$endpoint = Start-TokenEndpoint
try {
    $baseUri = $endpoint.BaseUri
    $tokenUri = "$baseUri/token"   # where Get-SessionToken -BaseUri $baseUri posts; every baseline posts there too
    # What users write needs the apiKey as text for its JSON body; made once, outside the timing.
    $apiKeyText = [Net.NetworkCredential]::new('', $endpoint.ApiKey).Password
    $script:fresh = $null
    $script:answers = @{}
    $script:batch = 0
    $exchange = Measure-SideBySide ([ordered]@{
            ours     = { $script:answers.ours = @($script:fresh | Get-SessionToken -BaseUri $baseUri -ApiKey $endpoint.ApiKey -ThrottleLimit 8).Count }
            parallel = {
                $script:answers.parallel = @($script:fresh.Token | ForEach-Object -ThrottleLimit 8 -Parallel {
                        $body = @{ grant_type = 'urn:ietf:params:oauth:grant-type:jwt-bearer'; client_id = $using:apiKeyText; assertion = $_ } | ConvertTo-Json -Compress
                        Invoke-RestMethod -Method Post -Uri $using:tokenUri -ContentType 'application/json' -Body $body
                    }).Count
            }
            loop     = {
                $script:answers.loop = @(foreach ($t in $script:fresh) {
                        $body = @{ grant_type = 'urn:ietf:params:oauth:grant-type:jwt-bearer'; client_id = $apiKeyText; assertion = $t.Token } | ConvertTo-Json -Compress
                        Invoke-RestMethod -Method Post -Uri $tokenUri -ContentType 'application/json' -Body $body
                    }).Count
            }
        }) $repetitions -BeforeEach {
        param($name)
        # Initialization tokens are one-time: every run gets fresh ones, minted outside the timing.
        if ($script:answers.Contains($name) -and $script:answers[$name] -ne $exchanges) { throw "Exchange '$name' answered $($script:answers[$name]) of $exchanges tokens." }
        $script:batch++
        $script:fresh = @(New-BenchRow -Count $exchanges -Prefix "x$($script:batch)" | New-InitializationToken -ApiSignature $endpoint.ApiSignature)
    }
    foreach ($name in $script:answers.Keys) { if ($script:answers[$name] -ne $exchanges) { throw "Exchange '$name' answered $($script:answers[$name]) of $exchanges tokens." } }
    $raw.exchange = $exchange
    $ratio = Get-PairedRatio $exchange parallel $exchanges ours $exchanges
    Add-Row "Get-SessionToken -ThrottleLimit 8 vs ForEach-Object -Parallel IRM -ThrottleLimit 8, $(Format-Count $exchanges) exchanges$(if ($Quick) { ' (-Quick; full run: 1,000)' })" (Format-Time (Get-Median $exchange.ours.ToArray())) (Format-Time (Get-Median $exchange.parallel.ToArray())) ('{0:n1}× faster' -f $ratio) '≥ 10× faster' ($ratio -ge 10) $ratio
    $ratio = Get-PairedRatio $exchange loop $exchanges ours $exchanges
    Add-Context "Invoke-RestMethod foreach loop vs Get-SessionToken -ThrottleLimit 8, $(Format-Count $exchanges) exchanges" (Format-Time (Get-Median $exchange.loop.ToArray())) (Format-Time (Get-Median $exchange.ours.ToArray())) ('{0:n1}× slower' -f $ratio)

    # --- 5b. Wire: the same endpoint, the fastest client the machine runs ---------------------------------
    $wireCount = $settings.WireExchanges
    $script:wireLimit = 1
    $script:wireCpu = @{}
    $wireCases = [ordered]@{
        ours = { $script:answers.ours = @($script:fresh | Get-SessionToken -BaseUri $baseUri -ApiKey $endpoint.ApiKey -ThrottleLimit $script:wireLimit).Count }
        http = { $script:answers.http = [ConvTokens.Bench.HttpBaseline.HttpClientLoop]::Run($tokenUri, $apiKeyText, $script:freshText, $script:wireLimit) }
    }
    $raw.wire = [ordered]@{}
    foreach ($limit in 1, 4, 16) {
        Write-Host "5b. $(Format-Count $wireCount) exchanges, Get-SessionToken vs a plain HttpClient loop, $limit at a time"
        $script:wireLimit = $limit
        $script:answers = @{}
        $script:endpointCpu = @{ ours = [Collections.Generic.List[double]]::new(); http = [Collections.Generic.List[double]]::new() }
        $script:lastCase = $null
        $wire = Measure-SideBySide $wireCases $repetitions -BeforeEach {
            param($name)
            if ($script:answers.Contains($name) -and $script:answers[$name] -ne $wireCount) { throw "Exchange '$name' answered $($script:answers[$name]) of $wireCount tokens." }
            # The endpoint's CPU time over the case that just ran (warm-up included; the median drops little).
            $endpoint.Process.Refresh()
            if ($script:lastCase) { $script:endpointCpu[$script:lastCase].Add(($endpoint.Process.TotalProcessorTime - $script:cpuBefore).TotalSeconds / $wireCount) }
            $script:batch++
            $script:fresh = @(New-BenchRow -Count $wireCount -Prefix "w$($script:batch)" | New-InitializationToken -ApiSignature $endpoint.ApiSignature)
            $script:freshText = [string[]] $script:fresh.Token
            $endpoint.Process.Refresh()
            $script:cpuBefore = $endpoint.Process.TotalProcessorTime
            $script:lastCase = $name
        }
        $endpoint.Process.Refresh()
        $script:endpointCpu[$script:lastCase].Add(($endpoint.Process.TotalProcessorTime - $script:cpuBefore).TotalSeconds / $wireCount)
        foreach ($name in $script:answers.Keys) { if ($script:answers[$name] -ne $wireCount) { throw "Exchange '$name' answered $($script:answers[$name]) of $wireCount tokens." } }
        $raw.wire["$limit"] = [ordered]@{ seconds = $wire; endpointCpuSecondsPerExchange = $script:endpointCpu }
        $ratio = Get-PairedRatio $wire ours $wireCount http $wireCount
        Add-Row "Get-SessionToken -ThrottleLimit $limit vs a plain HttpClient loop, $limit at a time, same endpoint ($(Format-Count $wireCount) tokens piped in, per exchange)$(if ($Quick) { ' (-Quick; full run: 2,000)' })" (Format-Time (Get-PerItem $wire ours $wireCount)) (Format-Time (Get-PerItem $wire http $wireCount)) ('{0:n2}×' -f $ratio) '≤ 1.2×' ($ratio -le 1.2) $ratio
        $httpEach = Get-PerItem $wire http $wireCount
        $serverEach = Get-Median $script:endpointCpu.http.ToArray()
        Add-Context "the local endpoint's CPU time per exchange vs the HttpClient loop's time per exchange, $limit at a time (the ratio is how many cores the endpoint kept busy)" (Format-Time $serverEach) (Format-Time $httpEach) ('{0:n2} cores' -f ($serverEach / $httpEach))
    }
}
finally {
    Stop-TokenEndpoint -Endpoint $endpoint
    $apiKeyText = $null
}

# --- 6. Growth -------------------------------------------------------------------------------------------
$sizes = $settings.GrowthSizes
Write-Host "6. Growth: New-InitializationToken | Test-Token -Quiet at $(($sizes | ForEach-Object { Format-Count $_ }) -join ' / ') streamed rows, each in a fresh pwsh"
$growth = [ordered]@{}
foreach ($size in $sizes) { $growth["$size"] = [ordered]@{ seconds = [Collections.Generic.List[double]]::new(); peakWorkingSet = [Collections.Generic.List[double]]::new() } }
$onePipeline = [Collections.Generic.List[double]]::new()
$growthResult = Join-Path $out 'growth.json'
for ($p = 0; $p -lt $settings.GrowthProcesses; $p++) {
    $order = if ($p % 2) { $x = [int[]] $sizes.Clone(); [array]::Reverse($x); $x } else { $sizes }
    foreach ($size in $order) {
        # Several timed runs at the small sizes steady their medians; the largest runs once per process.
        $runs = [Math]::Max(1, [Math]::Min(5, [int] ($sizes[-1] / $size / 10)))
        Remove-Item -LiteralPath $growthResult -ErrorAction SilentlyContinue
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-Growth.ps1') -ModulePath $manifest -FloorPath $floorDll -Count $size -Runs $runs -ResultPath $growthResult | Out-Host
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $growthResult)) { throw "The growth run at $size rows failed (exit code $LASTEXITCODE)." }
        $result = Get-Content -Raw -LiteralPath $growthResult | ConvertFrom-Json
        foreach ($s in $result.seconds) { $growth["$size"].seconds.Add($s) }
        $growth["$size"].peakWorkingSet.Add($result.peakWorkingSet)
        foreach ($s in $result.onePipelineSeconds) { $onePipeline.Add($s) }
        Write-Host ("  {0} rows: {1} per token ({2} run(s)), peak working set {3:n0} MB" -f (Format-Count $size), (Format-Time ((Get-Median $result.seconds) / $size)), $runs, ($result.peakWorkingSet / 1MB))
    }
}
$raw.growth = $growth
$raw.growthOnePipelineSeconds = $onePipeline
$perToken = @{}; $peak = @{}
foreach ($size in $sizes) {
    $perToken[$size] = (Get-Median $growth["$size"].seconds.ToArray()) / $size
    $peak[$size] = Get-Median $growth["$size"].peakWorkingSet.ToArray()
    Add-Context "growth: $(Format-Count $size) rows, time per token and peak working set" (Format-Time $perToken[$size]) ('{0:n0} MB' -f ($peak[$size] / 1MB)) '—'
}
Add-Context 'growth: the same pipeline on one row (its fixed cost, in every size''s time per token above)' (Format-Time (Get-Median $onePipeline.ToArray())) '—' '—'
$small = $sizes[0]; $middle = $sizes[1]; $large = $sizes[-1]
$quickNote = if ($Quick) { ' (-Quick sizes; full run: 1 M vs 10 k)' } else { '' }
$ratio = $perToken[$large] / $perToken[$small]
Add-Row "per-token time, $(Format-Count $large) rows vs $(Format-Count $small) rows$quickNote" (Format-Time $perToken[$large]) (Format-Time $perToken[$small]) ('{0:n2}×' -f $ratio) '≤ 1.1× (linear)' ($ratio -le 1.1) $ratio
$quickNote = if ($Quick) { ' (-Quick sizes; full run: 1 M vs 100 k)' } else { '' }
$growthMb = ($peak[$large] - $peak[$middle]) / 1MB
Add-Row "peak working set, $(Format-Count $large) rows vs $(Format-Count $middle) rows$quickNote" ('{0:n0} MB' -f ($peak[$large] / 1MB)) ('{0:n0} MB' -f ($peak[$middle] / 1MB)) ('{0:+0;-0} MB' -f $growthMb) '≤ +50 MB (streaming)' ($growthMb -le 50) $growthMb

# --- 7. Secrets ------------------------------------------------------------------------------------------
Write-Host "7. Get-Secret calls for $(Format-Count $items)-item pipelines"
$savedPath = $env:PSModulePath
try {
    $env:PSModulePath = (Join-Path $repo 'tests/SecretManagementStandIn') + [IO.Path]::PathSeparator + $env:PSModulePath
    Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
    Reset-StandIn
    Register-SecretVault -Name Bench -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
    Set-Secret -Name ConvTokens.ApiSignature -Secret ([Net.NetworkCredential]::new('', $secret).Password)
    $minted = $objects | New-InitializationToken
    $afterMint = Get-StandInCallCount -Command Get-Secret
    $verified = $minted | Test-Token -Quiet | Measure-TrueCount
    $afterVerify = Get-StandInCallCount -Command Get-Secret
    $ok = $afterMint -eq 1 -and $afterVerify -eq 2 -and @($minted).Count -eq $items -and $verified.True -eq $items
    Add-Row "Secrets: Get-Secret calls, $(Format-Count $items)-item New-InitializationToken and Test-Token pipelines" "$afterMint + $($afterVerify - $afterMint)" '1 + 1' "$afterVerify calls" 'exactly 1 per secret per pipeline' $ok $afterVerify
}
finally {
    Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
    $env:PSModulePath = $savedPath
}

# --- Report ----------------------------------------------------------------------------------------------
$cpu = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$machine = "$([Environment]::ProcessorCount) logical cores$(if ($cpu) { " ($cpu)" }), $([Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version), PowerShell $($PSVersionTable.PSVersion)"
$when = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-dd HH:mm', [Globalization.CultureInfo]::InvariantCulture) + ' UTC'
$elapsed = $total.Elapsed
$md = [Collections.Generic.List[string]]::new()
if ($Quick) { $md.Add('**-Quick smoke run: small sizes and few repetitions; these figures check the harness, they are not measurements.**'); $md.Add('') }
$md.Add("Measured $when on $machine. Each figure beside its baseline in the same run; PowerShell figures are medians of $repetitions repetitions in rotating order after a warm-up, each ratio the median of the per-repetition ratios; engine figures are BenchmarkDotNet medians; run time $([Math]::Floor($elapsed.TotalMinutes)) min $($elapsed.Seconds) s.")
$md.Add('')
$md.Add('| scenario | ConvTokens | baseline | ratio | target | met |')
$md.Add('| --- | ---: | ---: | ---: | --- | --- |')
foreach ($row in $rows) { $md.Add("| $($row.scenario) | $($row.convTokens) | $($row.baseline) | $($row.ratio) | $($row.target) | $(if ($row.met) { 'yes' } else { '**no**' }) |") }
$md.Add('')
$md.Add('Context from the same run (no target):')
$md.Add('')
$md.Add('| scenario | measured | baseline | ratio |')
$md.Add('| --- | ---: | ---: | ---: |')
foreach ($row in $context) { $md.Add("| $($row.scenario) | $($row.measured) | $($row.baseline) | $($row.ratio) |") }
$md.Add('')
$md.Add("Rerun: ``dotnet pwsh -NoProfile -File ./build.ps1 -Task Bench``$(if ($Quick) { ' (this run: `bench/Measure-ConvTokens.ps1 -Quick`)' }).")
Set-Content -LiteralPath (Join-Path $out 'PERFORMANCE.md') -Value $md -Encoding utf8NoBOM

[ordered]@{
    date       = $when
    machine    = $machine
    quick      = [bool] $Quick
    settings   = $settings
    rows       = $rows
    context    = $context
    raw        = $raw
    runSeconds = [Math]::Round($elapsed.TotalSeconds, 1)
} | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath (Join-Path $out 'results.json') -Encoding utf8NoBOM

Write-Host ''
$md | Out-Host
Write-Host "Results: $(Join-Path $out 'results.json'), $(Join-Path $out 'PERFORMANCE.md')"
