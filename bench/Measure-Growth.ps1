#Requires -Version 7.4
<#
.SYNOPSIS
    One size of the Bench task's growth figure, run by bench/Measure-ConvTokens.ps1 in a fresh pwsh.
.DESCRIPTION
    Times New-BenchRow -Count N | New-InitializationToken | Test-Token -Quiet | Measure-TrueCount, where
    New-BenchRow streams the rows (nothing is materialised up front) and Measure-TrueCount keeps only two
    counts, so the pipeline holds one row at a time unless ConvTokens holds more. The same pipeline runs
    first on the same number of warm-up rows whatever the size, and the process then idles a moment, so
    that every size's timed runs start from the same state, with code already compiled at its final
    tier: the figure is the steady cost per token at this size. Writes the
    elapsed seconds of every run, the seconds of a one-row pipeline (the fixed cost per pipeline) and this
    process's peak working set (the kernel's high-water mark) as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $FloorPath,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [string] $ResultPath,
    [int] $Runs = 1,
    [int] $WarmupRows = 10000
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
Import-Module $FloorPath

# A random apiSignature made in this process: the secret never travels on a command line.
$secret = [securestring]::new()
foreach ($c in [guid]::NewGuid().ToString('N').Substring(0, 15).ToCharArray()) { $secret.AppendChar($c) }

function Invoke-Pipeline([int] $Rows, [string] $Prefix) {
    New-BenchRow -Count $Rows -Prefix $Prefix | New-InitializationToken -ApiSignature $secret | Test-Token -Quiet -ApiSignature $secret | Measure-TrueCount
}

for ($w = 0; $w -lt 2; $w++) { $null = Invoke-Pipeline $WarmupRows "w$w" }
Start-Sleep -Seconds 1

# The fixed cost of one pipeline (begin and end of the four commands, one row), which every size's time
# per token carries divided by its row count: reported beside the sizes so that it can be told apart.
$fixed = [Collections.Generic.List[double]]::new()
for ($f = 0; $f -lt 5; $f++) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $null = Invoke-Pipeline 1 "f$f"
    $fixed.Add($watch.Elapsed.TotalSeconds)
}

$seconds = [Collections.Generic.List[double]]::new()
for ($r = 0; $r -lt $Runs; $r++) {
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $counts = Invoke-Pipeline $Count "r$r"
    $watch.Stop()
    if ($counts.Count -ne $Count -or $counts.True -ne $Count) {
        throw "Growth run at $Count rows: $($counts.True) of $($counts.Count) tokens verified; expected $Count of $Count."
    }
    $seconds.Add($watch.Elapsed.TotalSeconds)
}

$self = [Diagnostics.Process]::GetCurrentProcess()
$self.Refresh()
[ordered]@{ count = $Count; seconds = $seconds.ToArray(); onePipelineSeconds = $fixed.ToArray(); peakWorkingSet = $self.PeakWorkingSet64 } |
    ConvertTo-Json -Compress | Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
