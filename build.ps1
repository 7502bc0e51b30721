<#
.SYNOPSIS
    The front door for building, testing, running and publishing ConvTokens.
.DESCRIPTION
    Tasks (each runs once, after the tasks it needs: -Task Build,Test
    builds once):

    Clean    removes out/.
    Build    builds the module into out/ConvTokens (the manifest with the
             version from Directory.Build.props and the release notes from
             CHANGELOG.md, the cmdlet dll, format and help files, LICENSE,
             CHANGELOG.md, Dependencies/) and the local token endpoint into
             out/TokenEndpoint, then writes the help (tools/Build-Help.ps1:
             syntax from the cmdlets, error ids and fixes from the catalog).
    Package  Build, then Compress-PSResource the module into
             out/packages/ConvTokens.<version>.nupkg (the package the
             Gallery takes), in a pwsh whose PSResourceGet settings live
             under out/.
    Test     Build (and Package when a selected test is tagged 'Package'),
             run the in-process xunit tests (tests/ConvTokens.Engine.Tests,
             tests/ConvTokens.PowerShell.Tests), restore the pinned Pester
             from NuGet and the Node interop packages, run the Pester tests
             in fresh pwsh processes against out/ConvTokens, and print
             "Pester: N passed, N failed" last. -Fast skips the suites
             tagged Slow: the inner loop.
    Demo     Build, then mint -> exchange -> verify against the local token
             endpoint.
    Bench    Build, then measure every figure beside its baseline (five to
             seven minutes on a shared two-core machine; not part of Test);
             writes out/bench/results.json and out/bench/PERFORMANCE.md.
    Publish  Check, Build, Package, then Publish-PSResource the package to
             -Repository (PSGallery by default). Refuses, before building
             or uploading anything: uncommitted changes, a version without
             a dated CHANGELOG.md entry, a version the repository already
             has. The API key is read with Get-Secret (-ApiKeySecretName,
             -Vault); a local folder repository needs none. -WhatIf runs
             the checks but one, builds and packages, says what would be
             published, and publishes nothing. It does not read the API
             key, so a missing or locked key secret (ReleaseApiKeyNotFound,
             ReleaseApiKeyUnavailable) shows only in the real run.

    Run it through the pinned PowerShell tool:
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -TestPath tests/Pester/Help.Tests.ps1
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -Fast
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Publish -WhatIf
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Publish -Repository PSGallery -Vault Release `
        -ProjectUri https://github.com/<owner>/ConvTokens
#>
#Requires -Version 7.4
[CmdletBinding()]
param(
    # One or more tasks; 'Build,Test' works from 'pwsh -File' too.
    [ArgumentCompletions('Clean', 'Build', 'Package', 'Test', 'Demo', 'Bench', 'Publish')]
    [string[]] $Task = @('Build'),

    # The dotnet build configuration of the module and the tests.
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Limits Test to these test files or folders.
    [string[]] $TestPath = @(),

    # Limits Test to tests carrying these tags.
    [string[]] $TestTag = @(),

    # Test: the inner loop. Skips the Pester suites tagged Slow (child
    # processes, fault mixes, releases) and packaging; the xunit tests and
    # every other suite run. CI runs everything.
    [switch] $Fast,

    # Publish: the registered PSResourceGet repository to publish to.
    [string] $Repository = 'PSGallery',

    # Publish: the SecretManagement secret that holds the repository's NuGet
    # API key.
    [string] $ApiKeySecretName = 'ConvTokens.GalleryApiKey',

    # Publish: the vault holding that secret (default: the default vault).
    [string] $Vault,

    # Publish: check, build and package, say what would be published,
    # publish nothing.
    [switch] $WhatIf,

    # Build: the project's web address for the manifest (only an address
    # that exists; left out when not given).
    [uri] $ProjectUri,

    # Build: the address of the module's icon for the manifest (left out
    # when not given).
    [uri] $IconUri
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutDir 'ConvTokens'
$EndpointOut = Join-Path $OutDir 'TokenEndpoint'
$ToolsOut = Join-Path $OutDir 'tools'
$PesterVersion = '5.7.1'
Import-Module (Join-Path $RepoRoot 'tools/BuildTools.psm1') -Force

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

function Remove-BuildOutput {
    if (Test-Path $OutDir) { Remove-Item -Recurse -Force $OutDir }
}

function Build-Module {
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
    # The Gallery's conventions: the licence and the change history travel in the package.
    Copy-Item (Join-Path $RepoRoot 'LICENSE'), (Join-Path $RepoRoot 'CHANGELOG.md') $ModuleOut

    $changelog = Join-Path $RepoRoot 'CHANGELOG.md'
    $notes = Get-ManifestReleaseNote -ChangelogPath $changelog -Version $version
    if (-not $notes) { Write-Warning "CHANGELOG.md has no entry for ${version}: the manifest carries no release notes, and Publish will refuse this version." }
    $manifest = Join-Path $ModuleOut 'ConvTokens.psd1'
    Copy-Item (Join-Path $RepoRoot 'ConvTokens.psd1') $manifest
    $addresses = @{}
    if ($ProjectUri) { $addresses.ProjectUri = $ProjectUri }
    if ($IconUri) { $addresses.IconUri = $IconUri }
    Set-ManifestReleaseData -Path $manifest -Version $version -ReleaseNotes $notes @addresses

    $endpointProject = Join-Path $RepoRoot 'tests/TokenEndpoint/ConvTokens.TokenEndpoint.csproj'
    if (Test-Path $endpointProject) {
        Invoke-Native dotnet @('build', $endpointProject, '-c', $Configuration, '-o', $EndpointOut, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
    }
    Write-Host "Module: $ModuleOut"
}

# The help files in out/ConvTokens/en-US, written from their sources and the built module (tools/Build-Help.ps1):
# syntax and parameter attributes from the cmdlets, error ids and their fixes from the ErrorCatalog.
# A fresh pwsh, so this session never loads the module it builds.
function Build-ModuleHelp {
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'tools/Build-Help.ps1') `
        -ModuleManifest (Join-Path $ModuleOut 'ConvTokens.psd1') -Source (Join-Path $RepoRoot 'src/ConvTokens.PowerShell/en-US') `
        -Destination (Join-Path $ModuleOut 'en-US') | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Writing the help failed (tools/Build-Help.ps1, exit code $LASTEXITCODE)." }
    Write-Host "Help: $(Join-Path $ModuleOut 'en-US')"
}

function New-ModulePackage {
    $packages = Join-Path $OutDir 'packages'
    if (Test-Path $packages) { Remove-Item -Recurse -Force $packages }
    New-Item -ItemType Directory -Force $packages | Out-Null
    # Compress-PSResource registers and installs nothing, but loading PSResourceGet reads (and, when
    # missing, creates) the user's repository store: a child pwsh whose store lives under out/ instead.
    $sandbox = Join-Path $OutDir 'package-home'
    if (Test-Path $sandbox) { Remove-Item -Recurse -Force $sandbox }
    $script = "Compress-PSResource -Path '$($ModuleOut.Replace("'", "''"))' -DestinationPath '$($packages.Replace("'", "''"))'"
    $out = Invoke-SandboxedPwsh -Root (New-Item -ItemType Directory -Force $sandbox).FullName -Script $script -PwshCommand (Get-PwshCommand)
    $exit = $LASTEXITCODE
    $out | Where-Object { $_ -ne 'sandbox:ok' } | Out-Host
    if ($exit -eq 3) { Write-Warning "PSResourceGet's folders could not be moved under out/ on this machine; Compress-PSResource ran without the sandbox." }
    elseif ($exit -ne 0) { throw "Compress-PSResource failed with exit code $exit." }
    if ($exit -eq 3) {
        # Compress-PSResource only reads the repository store; run it unsandboxed rather than not at all.
        $pwsh = Get-PwshCommand
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'Stop'; $script" | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "Compress-PSResource failed with exit code $LASTEXITCODE." }
    }
    $nupkg = Get-ChildItem $packages -Filter "ConvTokens.$(Get-ModuleVersion).nupkg" | Select-Object -First 1
    if (-not $nupkg) { throw "Compress-PSResource left no ConvTokens package in $packages." }
    Write-Host "Package: $($nupkg.FullName)"
    $nupkg.FullName
}

function Restore-TestTool {
    # Pester comes from NuGet at a pinned version, into out/tools, never from what a machine has installed.
    $pester = Join-Path $ToolsOut "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pester) -or -not (Test-Path (Join-Path $ToolsOut 'system.identitymodel.tokens.jwt'))) {
        Invoke-Native dotnet @('restore', (Join-Path $RepoRoot 'tests/TestTools.csproj'), '--packages', $ToolsOut, '--nologo', '-v', 'quiet')
    }
    # The hostile-token generator the fuzz tests share, built from its project in the solution.
    Invoke-Native dotnet @('build', (Join-Path $RepoRoot 'tests/Fuzz/ConvTokens.Tests.Fuzz.csproj'), '-c', $Configuration, '-o', (Join-Path $OutDir 'tests/fuzz'),
        '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
    # The embedded host (the PowerShell SDK, a runspace pool, no console) that tests/Pester/EmbeddedHost.Tests.ps1 drives.
    Invoke-Native dotnet @('build', (Join-Path $RepoRoot 'tests/EmbeddedHost/ConvTokens.Tests.EmbeddedHost.csproj'), '-c', $Configuration,
        '-o', (Join-Path $OutDir 'tests/embedded-host'), '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
    $nodeDir = Join-Path $RepoRoot 'tests/node'
    if ((Test-Path (Join-Path $nodeDir 'package-lock.json')) -and -not (Test-Path (Join-Path $nodeDir 'node_modules'))) {
        if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { throw 'npm is needed for the Node interop tests (tests/node).' }
        Invoke-Native npm @('ci', '--no-audit', '--no-fund', '--loglevel=error') -WorkingDirectory $nodeDir
    }
    $pester
}

function Get-SelectedTestPath {
    if ($TestPath) { $TestPath | ForEach-Object { (Resolve-Path $_).Path } } else { @(Join-Path $RepoRoot 'tests/Pester') }
}

# Starts the in-process xunit tests, the engine's (no PowerShell) and the PowerShell layer's (on the PowerShell
# SDK), each in its own dotnet test process. They run with the whole suite, or when -TestPath names their folder.
function Start-EngineTest {
    $projects = @('tests/ConvTokens.Engine.Tests', 'tests/ConvTokens.PowerShell.Tests') | ForEach-Object { Join-Path $RepoRoot $_ } |
        Where-Object { $project = $_; -not $TestPath -or @($TestPath | Where-Object { (Resolve-Path $_).Path.StartsWith($project) }).Count -gt 0 }
    # Built one after the other (they share the engine's project), then run side by side with --no-build.
    foreach ($project in $projects) {
        Invoke-Native dotnet @('build', $project, '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly;NoSummary')
    }
    @(foreach ($project in $projects) {
        $log = Join-Path $OutDir ("xunit-{0}.log" -f (Split-Path $project -Leaf))
        $process = Start-Process -FilePath dotnet -NoNewWindow -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err" `
            -ArgumentList @('test', $project, '-c', $Configuration, '--nologo', '--no-build')
        [pscustomobject]@{ Process = $process; Log = $log }
    })
}

# Waits for the xunit runs Start-EngineTest began, shows their output, and sums their counts ($null when none ran).
function Complete-EngineTest([object[]] $Started) {
    if ($Started.Count -eq 0) { return $null }
    $passed = 0; $failed = 0
    foreach ($run in $Started) {
        $run.Process.WaitForExit()
        $captured = @(Get-Content -LiteralPath $run.Log, "$($run.Log).err" -ErrorAction SilentlyContinue)
        $captured | Out-Host
        $summary = $captured | Select-String -Pattern 'Failed:\s*(\d+),\s*Passed:\s*(\d+)' | Select-Object -Last 1
        $passed += if ($summary) { [int] $summary.Matches[0].Groups[2].Value } else { 0 }
        $projectFailed = if ($summary) { [int] $summary.Matches[0].Groups[1].Value } else { 1 }
        if ($run.Process.ExitCode -ne 0 -and $projectFailed -eq 0) { $projectFailed = 1 }
        $failed += $projectFailed
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

# The xunit runs go on beside the Pester workers (they share nothing); the Pester line is printed last.
function Invoke-Test {
    $pesterPaths = @(Get-SelectedTestPath | Where-Object { -not $_.StartsWith((Join-Path $RepoRoot 'tests/ConvTokens.Engine.Tests')) -and -not $_.StartsWith((Join-Path $RepoRoot 'tests/ConvTokens.PowerShell.Tests')) })
    $runPester = -not $TestPath -or $pesterPaths.Count -gt 0
    # The test tools build the fuzzer project the engine tests also reference: built before, not beside them.
    $pester = if ($runPester) { Restore-TestTool }
    $xunit = @(Start-EngineTest)
    $counts = if ($runPester) { Invoke-PesterWorker -PesterManifest $pester -Path $pesterPaths }
    $engine = Complete-EngineTest $xunit
    if ($engine) { Write-Host "In-process tests (xunit): $($engine.Passed) passed, $($engine.Failed) failed" }
    $engineFailed = $engine -and ($engine.Failed -gt 0 -or $engine.Passed -eq 0)
    if ($null -eq $counts) {
        if (-not $engine -or $engineFailed) { exit 1 }
        return
    }
    $line = "Pester: $($counts.Passed) passed, $($counts.Failed) failed"
    if ($counts.Skipped -gt 0) { $line += ", $($counts.Skipped) skipped" }
    Write-Host $line
    if ($counts.Failed -gt 0 -or $counts.Passed -eq 0 -or $engineFailed) {
        exit 1
    }
}

# Runs the Pester files in a few fresh pwsh processes at once (no profile, nothing this session imported, the
# built module only), the files shared out by their usual run time so the workers end together: most of a
# test file's time is spent waiting for the child processes and servers it starts. Each worker's output is
# shown whole once it ends; the counts are summed. A worker that ends without its summary counts as a failure.
function Invoke-PesterWorker([string] $PesterManifest, [string[]] $Path) {
    $files = @(foreach ($item in $Path) {
        if (Test-Path -LiteralPath $item -PathType Container) { Get-ChildItem -LiteralPath $item -Recurse -Filter '*.Tests.ps1' | ForEach-Object FullName }
        else { $item }
    })
    # Seconds each file took in a full run here; a file not listed counts as a short one.
    $seconds = @{ VaultHosts = 110; StandIn = 70; Reliability = 50; Release = 45; EmbeddedHost = 21; HelpExamples = 17; GetSessionToken = 17; Isolation = 10; RoundTrip = 10; HostileServer = 7; Fuzz = 6 }
    $workerCount = [Math]::Min($files.Count, [Math]::Min(4, [Environment]::ProcessorCount + 1))
    $buckets = @(for ($i = 0; $i -lt $workerCount; $i++) { [pscustomobject]@{ Files = [Collections.Generic.List[string]]::new(); Load = 0 } })
    $weighed = $files | Sort-Object { $name = [IO.Path]::GetFileName($_) -replace '\.Tests\.ps1$'; if ($seconds.ContainsKey($name)) { -$seconds[$name] } else { -3 } }
    foreach ($file in $weighed) {
        $name = [IO.Path]::GetFileName($file) -replace '\.Tests\.ps1$'
        $bucket = $buckets | Sort-Object Load | Select-Object -First 1
        $bucket.Files.Add($file)
        $bucket.Load += if ($seconds.ContainsKey($name)) { $seconds[$name] } else { 3 }
    }

    $runner = Join-Path $RepoRoot 'tests/Invoke-PesterRun.ps1'
    $pwsh = Get-PwshCommand
    $workers = @(for ($i = 0; $i -lt $workerCount; $i++) {
        $settings = Join-Path $OutDir "test-settings-$i.json"
        $summary = Join-Path $OutDir "test-summary-$i.json"
        Remove-Item $summary -ErrorAction SilentlyContinue
        [ordered]@{
            PesterManifest = $PesterManifest; Path = @($buckets[$i].Files); Tag = @($TestTag); ExcludeTag = @(if ($Fast) { 'Slow', 'Package' })
            SummaryPath = $summary
            ResultPath = (Join-Path $OutDir "test-results-$i.xml")
        } | ConvertTo-Json | Set-Content -Path $settings -Encoding utf8NoBOM
        $log = Join-Path $OutDir "test-output-$i.log"
        $process = Start-Process -FilePath $pwsh[0] -NoNewWindow -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err" `
            -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $runner, '-SettingsPath', $settings))
        [pscustomobject]@{ Process = $process; Summary = $summary; Log = $log }
    })
    $total = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($worker in $workers) {
        $worker.Process.WaitForExit()
        Get-Content -LiteralPath $worker.Log, "$($worker.Log).err" -ErrorAction SilentlyContinue | Out-Host
        if (-not (Test-Path $worker.Summary)) {
            Write-Host "A Pester worker ended (exit code $($worker.Process.ExitCode)) without writing its summary."
            $total.Failed += 1
            continue
        }
        $counts = Get-Content -Raw $worker.Summary | ConvertFrom-Json
        $total.Passed += $counts.Passed
        $total.Failed += $counts.Failed + [int]($worker.Process.ExitCode -ne 0 -and $counts.Failed -eq 0)
        $total.Skipped += $counts.Skipped
    }
    $total
}

function Invoke-Bench {
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'bench/Measure-ConvTokens.ps1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Demo {
    $pwsh = Get-PwshCommand
    & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'tools/Invoke-Demo.ps1') -ModulePath (Join-Path $ModuleOut 'ConvTokens.psd1') -EndpointPath (Join-Path $EndpointOut 'ConvTokens.TokenEndpoint.dll')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

# Publish checks the tree, the CHANGELOG and the repository before anything is built; Build and
# Package then run inside it (once: skipped when this run already did them).
function Publish-Module {
    $release = @{ RepositoryRoot = $RepoRoot; Version = (Get-ModuleVersion); Repository = $Repository; WhatIf = $WhatIf }
    if ($script:ApiKeySecretNameGiven) { $release.ApiKeySecretName = $ApiKeySecretName }
    if ($Vault) { $release.Vault = $Vault }
    $release.NewPackage = {
        foreach ($step in 'Build', 'Package') { Invoke-Task $step }
        $script:PackagePath
    }
    $null = Publish-Release @release
}

$script:ApiKeySecretNameGiven = $PSBoundParameters.ContainsKey('ApiKeySecretName')
$script:Done = [Collections.Generic.HashSet[string]]::new()
$script:PackagePath = $null
function Invoke-Task([string] $Name) {
    if (-not $script:Done.Add($Name)) { return }
    switch ($Name) {
        'Clean' { Remove-BuildOutput }
        'Build' { Build-Module; Build-ModuleHelp }
        'Package' { $script:PackagePath = New-ModulePackage }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Publish' { Publish-Module }
    }
}

# 'pwsh -File' passes 'a,b' as one string: lists are split here.
$Task = @($Task -split ',' | ForEach-Object Trim | Where-Object { $_ })
$TestPath = @($TestPath -split ',' | ForEach-Object Trim | Where-Object { $_ })
$TestTag = @($TestTag -split ',' | ForEach-Object Trim | Where-Object { $_ })
if ($ProjectUri) { Assert-ManifestAddress -Name ProjectUri -Value $ProjectUri }
if ($IconUri) { Assert-ManifestAddress -Name IconUri -Value $IconUri }
$needsPackage = ($Task -contains 'Test') -and -not $Fast -and (Test-PackageNeeded -Path (Get-SelectedTestPath) -Tag $TestTag)
try {
    foreach ($name in (Resolve-TaskPlan -Task $Task -TestNeedsPackage:$needsPackage)) { Invoke-Task $name }
}
catch {
    # A refusal of our own is a message to act on, not a script failure: its id, then the text
    # wrapped at words to the window (PowerShell's error view breaks long lines inside words).
    if ($_.FullyQualifiedErrorId -notmatch '^(Release|Changelog|Manifest)[A-Za-z]+$') { throw }
    $width = try { [Math]::Max(40, $Host.UI.RawUI.WindowSize.Width - 1) } catch { 100 }
    Write-Host "build.ps1 stopped ($($_.FullyQualifiedErrorId)):" -ForegroundColor Red
    Format-WrappedText -Text $_.Exception.Message -Width $width | ForEach-Object { Write-Host $_ -ForegroundColor Red }
    exit 1
}
