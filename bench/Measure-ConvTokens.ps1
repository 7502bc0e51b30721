#Requires -Version 7.4
<#
.SYNOPSIS
    Benchmarks ConvTokens side by side with its baselines, in one run, and reports ratios.
.DESCRIPTION
    Run by 'build.ps1 -Task Bench' after Build (or alone once out/ConvTokens exists). Every figure is
    measured next to its baseline in the same process and run, in alternating order, and the median of
    several repetitions is kept: the machines are shared and noisy, so only ratios are meaningful.
    Writes out/bench/results.json and out/bench/PERFORMANCE.md, and prints the table.
.PARAMETER Quick
    Fewer items and repetitions, for a smoke run of the harness itself.
#>
[CmdletBinding()]
param([switch] $Quick)

$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent $PSScriptRoot
$out = Join-Path $repo 'out/bench'
New-Item -ItemType Directory -Force $out | Out-Null
$manifest = Join-Path $repo 'out/ConvTokens/ConvTokens.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 -Task Build" }

$items = if ($Quick) { 10000 } else { 100000 }
$scriptItems = if ($Quick) { 1000 } else { 5000 }
$exchanges = if ($Quick) { 200 } else { 1000 }
$repetitions = if ($Quick) { 3 } else { 5 }
$pwsh = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll')) } else { @([Environment]::ProcessPath) }

function Invoke-Dotnet([string[]] $Arguments) {
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed." }
}
Invoke-Dotnet @('build', (Join-Path $PSScriptRoot 'Floor'), '-c', 'Release', '-o', (Join-Path $out 'floor'), '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
Invoke-Dotnet @('build', (Join-Path $PSScriptRoot 'EngineBench'), '-c', 'Release', '-o', (Join-Path $out 'engine-bin'), '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')

Import-Module $manifest
Import-Module (Join-Path $out 'floor/ConvTokens.Bench.Floor.dll')
Import-Module (Join-Path $repo 'tests/Support/TokenEndpoint.psm1')

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    if ($sorted.Count % 2) { $sorted[[int][Math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

# Runs each named script block once per repetition, in rotating order; returns the median seconds of each.
function Measure-SideBySide([System.Collections.Specialized.OrderedDictionary] $Cases, [int] $Repetitions, [scriptblock] $BeforeEach) {
    $times = @{}
    foreach ($name in $Cases.Keys) { $times[$name] = [Collections.Generic.List[double]]::new() }
    $names = @($Cases.Keys)
    for ($r = 0; $r -lt $Repetitions + 1; $r++) {
        for ($k = 0; $k -lt $names.Count; $k++) {
            $name = $names[($k + $r) % $names.Count]
            if ($BeforeEach) { & $BeforeEach $name }
            [GC]::Collect()
            $watch = [Diagnostics.Stopwatch]::StartNew()
            & $Cases[$name]
            $watch.Stop()
            if ($r -gt 0) { $times[$name].Add($watch.Elapsed.TotalSeconds) }   # repetition 0 warms up
        }
    }
    $medians = @{}
    foreach ($name in $names) { $medians[$name] = Get-Median $times[$name].ToArray() }
    $medians
}

$rows = [Collections.Generic.List[object]]::new()
function Add-Row([string] $Scenario, [string] $Ours, [string] $Baseline, [double] $Ratio, [string] $Target, [bool] $Met, [string] $Note = '') {
    $rows.Add([pscustomobject]@{ Scenario = $Scenario; Ours = $Ours; Baseline = $Baseline; Ratio = [Math]::Round($Ratio, 2); Target = $Target; Met = $Met; Note = $Note })
}
$us = { param($seconds, $count) '{0:n2} µs' -f ($seconds * 1e6 / $count) }

$secret = ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force
$keyBytes = [Text.Encoding]::UTF8.GetBytes('monApiSignature')
$objects = foreach ($i in 1..$items) {
    [pscustomobject]@{ amount = 100; cp = '75000'; age = 99; gender = 'M'; userId = "user-$i"; iat = 1700000000; notificationKey = "nk-$i" }
}

# The kind of function users write when they have no module.
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

Write-Host "1. Minting $items objects"
$script:tokens = $null
$mint = Measure-SideBySide ([ordered]@{
        floor = { $objects | Invoke-BindingFloor }
        ours  = { $script:tokens = $objects | New-InitializationToken -ApiSignature $secret }
        script = { $null = $objects[0..($scriptItems - 1)] | New-HandWrittenJwt -Key $keyBytes }
    }) $repetitions
$oursPer = $mint.ours / $items; $floorPer = $mint.floor / $items; $scriptPer = $mint.script / $scriptItems
Add-Row 'Mint: New-InitializationToken vs 7-parameter binding floor' (& $us $mint.ours $items) (& $us $mint.floor $items) ($oursPer / $floorPer) '≤ 1.0×' ($oursPer / $floorPer -le 1.0)
Add-Row 'Mint: hand-written PowerShell JWT vs New-InitializationToken' (& $us $mint.ours $items) (& $us $mint.script $scriptItems) ($scriptPer / $oursPer) '≥ 25× faster' ($scriptPer / $oursPer -ge 25) "script measured on $scriptItems items"

Write-Host "2. Verifying $items tokens"
$tokenStrings = @($script:tokens.Token)
$verify = Measure-SideBySide ([ordered]@{
        floor  = { $tokenStrings | Invoke-TokenFloor }
        ours   = { $null = $tokenStrings | Test-Token -ApiSignature $secret -ClockSkew ([timespan]::FromDays(36500)) }
        quiet  = { $null = $tokenStrings | Test-Token -ApiSignature $secret -Quiet -ClockSkew ([timespan]::FromDays(36500)) }
        script = { $null = $tokenStrings[0..($scriptItems - 1)] | Test-HandWrittenJwt -Key $keyBytes }
    }) $repetitions
$oursPer = $verify.ours / $items; $floorPer = $verify.floor / $items; $scriptPer = $verify.script / $scriptItems
Add-Row 'Verify: Test-Token vs 1-parameter binding floor' (& $us $verify.ours $items) (& $us $verify.floor $items) ($oursPer / $floorPer) '≤ 1.5×' ($oursPer / $floorPer -le 1.5)
Add-Row 'Verify: Test-Token -Quiet vs 1-parameter binding floor' (& $us $verify.quiet $items) (& $us $verify.floor $items) (($verify.quiet / $items) / $floorPer) '≤ 1.5×' ((($verify.quiet / $items) / $floorPer) -le 1.5)
Add-Row 'Verify: hand-written PowerShell verify vs Test-Token' (& $us $verify.ours $items) (& $us $verify.script $scriptItems) ($scriptPer / $oursPer) '(no target)' $true "script measured on $scriptItems items"

Write-Host "3. Engine (BenchmarkDotNet, short job)"
$engineArtifacts = Join-Path $out 'engine'
& dotnet (Join-Path $out 'engine-bin/ConvTokens.Bench.Engine.dll') $engineArtifacts | Out-Host
$report = Get-ChildItem -Recurse (Join-Path $engineArtifacts 'results') -Filter '*-report-brief.json' | Select-Object -First 1
$bdn = (Get-Content -Raw $report.FullName | ConvertFrom-Json).Benchmarks
function Get-Ns([string] $Description) { ($bdn | Where-Object { $_.Method -and $_.DisplayInfo -like "*$Description*" } | Select-Object -First 1).Statistics.Median }
foreach ($kind in 'sign', 'verify') {
    $engine = Get-Ns "$($kind): ConvTokens engine"; $limit = Get-Ns "$($kind): hand-rolled HS256"
    Add-Row "Engine $($kind) vs hand-rolled HS256 (no PowerShell)" ('{0:n0} ns' -f $engine) ('{0:n0} ns' -f $limit) ($engine / $limit) '≤ 2×' ($engine / $limit -le 2)
}

Write-Host "4. $exchanges exchanges at the local endpoint"
$endpoint = Start-TokenEndpoint -IdleTimeoutSeconds 600
try {
    $apiKeyText = ConvertFrom-SecureString $endpoint.ApiKey -AsPlainText
    $script:fresh = $null
    $exchange = Measure-SideBySide ([ordered]@{
            ours = { $null = $script:fresh | Get-SessionToken -BaseUri $endpoint.BaseUri -ApiKey $endpoint.ApiKey -ThrottleLimit 8 }
            loop = {
                foreach ($t in $script:fresh) {
                    $body = @{ grant_type = 'urn:ietf:params:oauth:grant-type:jwt-bearer'; client_id = $apiKeyText; assertion = $t.Token } | ConvertTo-Json -Compress
                    $null = Invoke-RestMethod -Method Post -Uri "$($endpoint.BaseUri)/token" -ContentType 'application/json' -Body $body
                }
            }
        }) $repetitions -BeforeEach {
        # Initialization tokens are one-time: every repetition gets fresh ones, minted outside the timing.
        $script:fresh = 1..$exchanges | ForEach-Object { [pscustomobject]@{ amount = $_ } } | New-InitializationToken -ApiSignature $endpoint.ApiSignature
    }
    Add-Row 'Exchange: Get-SessionToken -ThrottleLimit 8 vs Invoke-RestMethod loop' (& $us $exchange.ours $exchanges) (& $us $exchange.loop $exchanges) ($exchange.loop / $exchange.ours) '≥ 5× faster' ($exchange.loop / $exchange.ours -ge 5)
}
finally {
    Stop-TokenEndpoint -Endpoint $endpoint
    $apiKeyText = $null
}

Write-Host '5. Import-Module and the first token in a fresh pwsh'
$startRuns = if ($Quick) { 3 } else { 7 }
$empty = [Collections.Generic.List[double]]::new(); $import = [Collections.Generic.List[double]]::new()
$importScript = "Import-Module '$manifest'; `$null = New-InitializationToken -Amount 1 -ApiSignature (ConvertTo-SecureString x -AsPlainText -Force)"
for ($r = 0; $r -le $startRuns; $r++) {
    foreach ($which in @('empty', 'import') | Sort-Object { ($r + [int]($_ -eq 'import')) % 2 }) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        if ($which -eq 'empty') { & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command 'exit' } else { & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $importScript }
        $watch.Stop()
        if ($r -gt 0) { if ($which -eq 'empty') { $empty.Add($watch.Elapsed.TotalMilliseconds) } else { $import.Add($watch.Elapsed.TotalMilliseconds) } }
    }
}
$emptyMs = Get-Median $empty.ToArray(); $importMs = Get-Median $import.ToArray()
Add-Row 'Start: Import-Module + first token over an empty pwsh' ('{0:n0} ms' -f $importMs) ('{0:n0} ms' -f $emptyMs) ($importMs / $emptyMs) '≤ +60 ms' (($importMs - $emptyMs) -le 60) ('+{0:n0} ms' -f ($importMs - $emptyMs))

Write-Host "6. Get-Secret calls for a $items-item pipeline"
$savedPath = $env:PSModulePath
try {
    $env:PSModulePath = (Join-Path $repo 'tests/SecretManagementStandIn') + [IO.Path]::PathSeparator + $env:PSModulePath
    Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
    Reset-StandIn
    Register-SecretVault -Name Bench -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
    Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
    $minted = $objects | New-InitializationToken
    $afterMint = Get-StandInCallCount -Command Get-Secret
    $null = $minted | Test-Token -Quiet
    $afterVerify = Get-StandInCallCount -Command Get-Secret
    Add-Row "Secrets: Get-Secret calls, $items-item New-InitializationToken and Test-Token pipelines" "$afterMint + $($afterVerify - $afterMint)" '1 + 1' ($afterVerify / 2) 'exactly 1 per secret per pipeline' ($afterMint -eq 1 -and $afterVerify -eq 2)
}
finally {
    Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
    $env:PSModulePath = $savedPath
}

$machine = "$([Environment]::ProcessorCount) cores, $([Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version), PowerShell $($PSVersionTable.PSVersion)"
$result = [ordered]@{ date = (Get-Date).ToUniversalTime().ToString('u'); machine = $machine; items = $items; repetitions = $repetitions; rows = $rows }
$result | ConvertTo-Json -Depth 5 | Set-Content (Join-Path $out 'results.json') -Encoding utf8NoBOM

$md = [Text.StringBuilder]::new()
$null = $md.AppendLine("Measured $($result.date) on $machine; medians of $repetitions repetitions, each figure beside its baseline in the same run.").AppendLine()
$null = $md.AppendLine('| scenario | ConvTokens | baseline | ratio | target | met |').AppendLine('| --- | --- | --- | --- | --- | --- |')
foreach ($row in $rows) {
    $null = $md.AppendLine("| $($row.Scenario)$(if ($row.Note) { " ($($row.Note))" }) | $($row.Ours) | $($row.Baseline) | $($row.Ratio)× | $($row.Target) | $(if ($row.Met) { 'yes' } else { '**no**' }) |")
}
Set-Content (Join-Path $out 'PERFORMANCE.md') -Value $md.ToString() -Encoding utf8NoBOM
Write-Host ''
Write-Host $md.ToString()
Write-Host "Results: $(Join-Path $out 'results.json'), $(Join-Path $out 'PERFORMANCE.md')"
