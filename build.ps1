#Requires -Version 7.4
<#
.SYNOPSIS
    The front door for building, testing and running ConvTokens.
.DESCRIPTION
    Tasks:
      Clean    removes out/.
      Package  Build, then Publish-PSResource the module into the local file repository out/packages
               (the .nupkg the Gallery takes), with PSResourceGet's settings kept under out/.
      Build    builds the module into out/ConvTokens (manifest, cmdlet dll, format and help files,
               Dependencies/) and the local token endpoint into out/TokenEndpoint.
      Test     Build, restore the pinned Pester from NuGet and the Node interop packages, run every
               Pester test in a fresh pwsh against out/ConvTokens, print "Pester: N passed, N failed".
      Demo     Build, then mint -> exchange -> verify against the local token endpoint.
    Run it through the pinned PowerShell tool: dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -TestPath tests/Pester/NewInitializationToken.Tests.ps1
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Package', 'Test', 'Demo', 'Bench')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Limits Test to these test files or folders.
    [string[]] $TestPath = @(),

    # Limits Test to tests carrying these tags.
    [string[]] $TestTag = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutDir 'ConvTokens'
$EndpointOut = Join-Path $OutDir 'TokenEndpoint'
$ToolsOut = Join-Path $OutDir 'tools'
$PesterVersion = '5.7.1'

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [string] $WorkingDirectory = $RepoRoot)
    Push-Location $WorkingDirectory
    try {
        # Tool output goes to the host, never into a function's return value.
        & $FilePath @ArgumentList | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE." }
    }
    finally { Pop-Location }
}

# The pwsh that runs this script, as a command line: the pinned tool runs as 'dotnet pwsh.dll'.
function Get-PwshCommand {
    $processPath = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') { @($processPath, (Join-Path $PSHOME 'pwsh.dll')) } else { @($processPath) }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))
    $version = $props.Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'Directory.Build.props has no VersionPrefix.' }
    $version.Trim()
}

function Invoke-Clean {
    if (Test-Path $OutDir) { Remove-Item -Recurse -Force $OutDir }
}

function Invoke-Build {
    $version = Get-ModuleVersion
    Write-Host "Building ConvTokens $version ($Configuration)"
    $staging = Join-Path $OutDir 'build'
    Invoke-Native dotnet @('build', (Join-Path $RepoRoot 'src/ConvTokens.PowerShell/ConvTokens.PowerShell.csproj'),
        '-c', $Configuration, '-o', $staging, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')

    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $dependencies = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'Dependencies')
    # Only the cmdlet assembly sits in the module root; the engine and IdentityModel load from Dependencies/
    # into the module's own load context (see src/ConvTokens.PowerShell/ModuleInitializer.cs).
    Copy-Item (Join-Path $staging 'ConvTokens.PowerShell.dll') $ModuleOut
    Get-ChildItem $staging -Filter *.dll |
        Where-Object { $_.Name -notin 'ConvTokens.PowerShell.dll', 'System.Management.Automation.dll' } |
        Copy-Item -Destination $dependencies
    Copy-Item (Join-Path $RepoRoot 'src/ConvTokens.PowerShell/ConvTokens.format.ps1xml') $ModuleOut
    Copy-Item (Join-Path $RepoRoot 'src/ConvTokens.PowerShell/ConvTokens.types.ps1xml') $ModuleOut
    $helpSource = Join-Path $RepoRoot 'src/ConvTokens.PowerShell/en-US'
    if (Test-Path $helpSource) { Copy-Item -Recurse $helpSource $ModuleOut }
    Copy-Item (Join-Path $RepoRoot 'LICENSE') $ModuleOut -ErrorAction SilentlyContinue

    $manifest = Get-Content -Raw (Join-Path $RepoRoot 'ConvTokens.psd1')
    $stamped = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion          = '$version'"
    Set-Content -Path (Join-Path $ModuleOut 'ConvTokens.psd1') -Value $stamped -Encoding utf8NoBOM

    $endpointProject = Join-Path $RepoRoot 'tests/TokenEndpoint/ConvTokens.TokenEndpoint.csproj'
    if (Test-Path $endpointProject) {
        Invoke-Native dotnet @('build', $endpointProject, '-c', $Configuration, '-o', $EndpointOut, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
    }
    Write-Host "Module: $ModuleOut"
}

function Invoke-Package {
    $packages = Join-Path $OutDir 'packages'
    if (Test-Path $packages) { Remove-Item -Recurse -Force $packages }
    New-Item -ItemType Directory -Force $packages | Out-Null
    # PSResourceGet keeps its repository list under XDG_DATA_HOME: point it into out/ so packaging
    # never changes the user's own repositories.
    $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ConvTokensLocal -Uri '$packages' -Trusted -Force
Publish-PSResource -Path '$ModuleOut' -Repository ConvTokensLocal
"@
    $saved = $env:XDG_DATA_HOME
    try {
        # The folder must exist: .NET reports no LocalApplicationData otherwise, and PSResourceGet then writes into the current directory.
        $env:XDG_DATA_HOME = (New-Item -ItemType Directory -Force (Join-Path $OutDir 'package-home')).FullName
        $pwsh = Get-PwshCommand
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "Publish-PSResource failed with exit code $LASTEXITCODE." }
    }
    finally { $env:XDG_DATA_HOME = $saved }
    $nupkg = Get-ChildItem $packages -Filter 'ConvTokens.*.nupkg' | Select-Object -First 1
    if (-not $nupkg) { throw "Publish-PSResource left no ConvTokens package in $packages." }
    Write-Host "Package: $($nupkg.FullName)"
}

function Restore-TestTool {
    # Pester comes from NuGet at a pinned version, into out/tools, never from what a machine has installed.
    $pester = Join-Path $ToolsOut "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pester) -or -not (Test-Path (Join-Path $ToolsOut 'system.identitymodel.tokens.jwt'))) {
        Invoke-Native dotnet @('restore', (Join-Path $RepoRoot 'tests/TestTools.csproj'), '--packages', $ToolsOut, '--nologo', '-v', 'quiet')
    }
    $nodeDir = Join-Path $RepoRoot 'tests/node'
    if ((Test-Path (Join-Path $nodeDir 'package-lock.json')) -and -not (Test-Path (Join-Path $nodeDir 'node_modules'))) {
        if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { throw 'npm is needed for the Node interop tests (tests/node).' }
        Invoke-Native npm @('ci', '--no-audit', '--no-fund', '--loglevel=error') -WorkingDirectory $nodeDir
    }
    $pester
}

function Invoke-Test {
    Invoke-Build
    Invoke-Package
    $pester = Restore-TestTool
    $summary = Join-Path $OutDir 'test-summary.json'
    Remove-Item $summary -ErrorAction SilentlyContinue
    $paths = if ($TestPath) { $TestPath | ForEach-Object { (Resolve-Path $_).Path } } else { @(Join-Path $RepoRoot 'tests/Pester') }

    $runner = Join-Path $RepoRoot 'tests/Invoke-PesterRun.ps1'
    $pwsh = Get-PwshCommand
    # A fresh pwsh: no profile, nothing this session imported, the built module only.
    $settings = Join-Path $OutDir 'test-settings.json'
    [ordered]@{
        PesterManifest = $pester; Path = @($paths); Tag = @($TestTag); SummaryPath = $summary
        ResultPath = (Join-Path $OutDir 'test-results.xml')
    } | ConvertTo-Json | Set-Content -Path $settings -Encoding utf8NoBOM
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $runner -SettingsPath $settings
    $runnerExit = $LASTEXITCODE

    if (-not (Test-Path $summary)) {
        Write-Host 'Pester: 0 passed, 1 failed'
        throw "The Pester run ended (exit code $runnerExit) without writing its summary."
    }
    $counts = Get-Content -Raw $summary | ConvertFrom-Json
    $line = "Pester: $($counts.Passed) passed, $($counts.Failed) failed"
    if ($counts.Skipped -gt 0) { $line += ", $($counts.Skipped) skipped" }
    Write-Host $line
    if ($counts.Failed -gt 0 -or $counts.Passed -eq 0 -or $runnerExit -ne 0) {
        exit 1
    }
}

function Invoke-Bench {
    Invoke-Build
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'bench/Measure-ConvTokens.ps1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Demo {
    Invoke-Build
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'tools/Invoke-Demo.ps1') -ModulePath (Join-Path $ModuleOut 'ConvTokens.psd1') -EndpointPath (Join-Path $EndpointOut 'ConvTokens.TokenEndpoint.dll')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

foreach ($name in $Task) {
    switch ($name) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Package' { Invoke-Build; Invoke-Package }
        'Bench' { Invoke-Bench }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
    }
}
