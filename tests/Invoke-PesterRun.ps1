#Requires -Version 7.4
<#
.SYNOPSIS
    Runs Pester in this (fresh) process and writes the counts for build.ps1 to report.
#>
param(
    # JSON written by build.ps1: PesterManifest, Path[], Tag[], ExcludeTag[], SummaryPath, ResultPath.
    [Parameter(Mandatory)] [string] $SettingsPath
)
$ErrorActionPreference = 'Stop'
$settings = Get-Content -Raw $SettingsPath | ConvertFrom-Json
$PesterManifest = $settings.PesterManifest
$Path = @($settings.Path)
$Tag = @($settings.Tag)
$ExcludeTag = @($settings.ExcludeTag | Where-Object { $_ })
$SummaryPath = $settings.SummaryPath
$ResultPath = $settings.ResultPath
Import-Module $PesterManifest -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Run.Exit = $false
$configuration.Output.Verbosity = 'Normal'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = $ResultPath
$configuration.TestResult.OutputFormat = 'NUnitXml'
if ($Tag) { $configuration.Filter.Tag = $Tag }
if ($ExcludeTag) { $configuration.Filter.ExcludeTag = $ExcludeTag }

$result = Invoke-Pester -Configuration $configuration
# Failures outside any test (a broken BeforeAll, a file that does not parse) count as failures too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8NoBOM
exit ([int]($failed -gt 0))
