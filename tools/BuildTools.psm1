# The helper module behind build.ps1: the task plan, the manifest's release data, the PSResourceGet
# sandbox, and the release checks and upload of the Publish task. Everything here takes its paths as
# parameters, so the tests run it against temporary folders and repositories, never the real tree.
Set-StrictMode -Version 3.0

#region Task plan

# What each task needs first. Package is added to Test only when a selected test needs the package;
# Publish builds and packages itself once its checks have passed.
$script:TaskDependencies = [ordered]@{
    Clean   = @()
    Build   = @()
    Package = @('Build')
    Test    = @('Build')
    Demo    = @('Build')
    Bench   = @('Build')
    Publish = @()
}

<#
.SYNOPSIS
    The tasks to run, in order, each once: every task after the tasks it needs.
#>
function Resolve-TaskPlan {
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory)] [string[]] $Task,
        # Test needs Package too (a selected test installs or reads the package).
        [switch] $TestNeedsPackage
    )
    $plan = [Collections.Generic.List[string]]::new()
    $visit = {
        param([string] $Name)
        if ($plan.Contains($Name)) { return }
        $needs = @($script:TaskDependencies[$Name])
        if ($Name -eq 'Test' -and $TestNeedsPackage) { $needs += 'Package' }
        foreach ($need in $needs) { & $visit $need }
        $plan.Add($Name)
    }
    foreach ($name in $Task) {
        if (-not $script:TaskDependencies.Contains($name)) { throw "Unknown task '$name'. Tasks: $($script:TaskDependencies.Keys -join ', ')." }
        & $visit $name
    }
    , $plan.ToArray()
}

<#
.SYNOPSIS
    True when a test selected by these paths and tags carries the tag 'Package' (it needs out/packages).
#>
function Test-PackageNeeded {
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)] [string[]] $Path,
        [string[]] $Tag = @()
    )
    if ($Tag.Count -gt 0 -and $Tag -notcontains 'Package') { return $false }
    $files = foreach ($item in $Path) {
        if (Test-Path -LiteralPath $item -PathType Container) { Get-ChildItem -LiteralPath $item -Recurse -Filter '*.Tests.ps1' }
        else { Get-Item -LiteralPath $item }
    }
    foreach ($file in $files) {
        $ast = [Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $null, [ref] $null)
        # A -Tag argument of Describe/Context/It whose value is, or lists, 'Package'.
        $tagged = $ast.FindAll({
                param($node)
                $node -is [Management.Automation.Language.CommandParameterAst] -and $node.ParameterName -eq 'Tag' -and
                $node.Parent -is [Management.Automation.Language.CommandAst] -and
                $node.Parent.GetCommandName() -in 'Describe', 'Context', 'It'
            }, $true) |
            Where-Object {
                $values = if ($_.Argument) { $_.Argument } else {
                    $elements = $_.Parent.CommandElements
                    $elements[$elements.IndexOf($_) + 1]
                }
                $values.FindAll({ param($n) $n -is [Management.Automation.Language.StringConstantExpressionAst] -and $n.Value -eq 'Package' }, $true)
            }
        if ($tagged) { return $true }
    }
    $false
}

#endregion

#region Release notes and manifest

<#
.SYNOPSIS
    The CHANGELOG.md entry of one version: a '## <version> — <yyyy-MM-dd or unreleased>' heading and
    the text up to the next '## ' heading. $null when the file has no entry for that version.
#>
function Get-ChangelogEntry {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Version
    )
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        throw [Management.Automation.ErrorRecord]::new(
            [IO.FileNotFoundException]::new("There is no changelog at '$Path'. Releases take their notes from CHANGELOG.md at the repository root."),
            'ChangelogNotFound', [Management.Automation.ErrorCategory]::ObjectNotFound, $Path)
    }
    $lines = (Get-Content -LiteralPath $Path -Raw -Encoding utf8) -replace "`r`n?", "`n" -split "`n"
    # '## 1.2.3 — 2026-12-01', '## 1.2.3 — unreleased'; the dash may be an em dash, an en dash or a hyphen.
    $heading = '^##\s+\[?v?(?<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]?(?:\s+[\u2014\u2013-]\s*(?<when>.*?))?\s*$'
    $entries = [Collections.Generic.List[object]]::new()
    $current = $null
    foreach ($line in $lines) {
        if ($line -match '^##\s') {
            $current = $null
            if ($line -match $heading -and $Matches.version -eq $Version) {
                $when = if ($Matches.ContainsKey('when')) { $Matches.when } else { '' }
                $current = [pscustomobject]@{ Version = $Matches.version; When = $when; Lines = [Collections.Generic.List[string]]::new() }
                $entries.Add($current)
            }
            continue
        }
        if ($null -ne $current) { $current.Lines.Add($line) }
    }
    if ($entries.Count -eq 0) { return $null }
    if ($entries.Count -gt 1) {
        throw [Management.Automation.ErrorRecord]::new(
            [InvalidOperationException]::new("CHANGELOG.md has $($entries.Count) entries for $Version; keep one '## $Version — <date>' heading."),
            'ChangelogEntryDuplicate', [Management.Automation.ErrorCategory]::InvalidData, $Path)
    }
    $entry = $entries[0]
    $date = [datetime]::MinValue
    $released = [datetime]::TryParseExact($entry.When, 'yyyy-MM-dd', [Globalization.CultureInfo]::InvariantCulture,
        [Globalization.DateTimeStyles]::None, [ref] $date)
    [pscustomobject]@{
        PSTypeName  = 'ConvTokens.Build.ChangelogEntry'
        Version     = $entry.Version
        When        = $entry.When
        IsReleased  = $released
        ReleaseDate = if ($released) { $date } else { $null }
        Notes       = ($entry.Lines -join "`n").Trim("`n", ' ', "`t")
    }
}

<#
.SYNOPSIS
    Refuses a manifest address (-ProjectUri, -IconUri) that is not an absolute https address.
#>
function Assert-ManifestAddress {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [uri] $Value)
    if (-not ($Value.IsAbsoluteUri -and $Value.Scheme -eq 'https')) {
        throw [Management.Automation.ErrorRecord]::new(
            [ArgumentException]::new("-$Name '$Value' is not an absolute https address. Give the address of a page that exists, e.g. https://github.com/<owner>/ConvTokens, or leave it out."),
            'ManifestUriInvalid', [Management.Automation.ErrorCategory]::InvalidArgument, $Value)
    }
}

<#
.SYNOPSIS
    Stamps the version, the release notes and the optional project and icon addresses into a module
    manifest copied from the source ConvTokens.psd1 (which holds ModuleVersion = '0.0.0' and ReleaseNotes = '').
#>
function Set-ManifestReleaseData {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Version,
        # Empty: the manifest carries no release notes.
        [AllowEmptyString()] [string] $ReleaseNotes = '',
        [uri] $ProjectUri,
        [uri] $IconUri
    )
    if ($ProjectUri) { Assert-ManifestAddress -Name ProjectUri -Value $ProjectUri }
    if ($IconUri) { Assert-ManifestAddress -Name IconUri -Value $IconUri }
    $text = Get-Content -LiteralPath $Path -Raw -Encoding utf8
    $versionPattern = "(?m)^(\s*)ModuleVersion\s*=\s*'[^']*'"
    $notesPattern = "(?m)^(\s*)ReleaseNotes\s*=\s*''[ \t]*\r?\n"
    if ($text -notmatch $versionPattern -or $text -notmatch $notesPattern) {
        throw "'$Path' must hold the lines ModuleVersion = '...' and ReleaseNotes = '' for the build to stamp."
    }
    $quote = { param([string] $s) "'" + [Management.Automation.Language.CodeGeneration]::EscapeSingleQuotedStringContent($s) + "'" }
    $text = [regex]::Replace($text, $versionPattern, { param($m) "$($m.Groups[1].Value)ModuleVersion          = $(& $quote $Version)" }, 'None', [timespan]::FromSeconds(1))
    $text = [regex]::Replace($text, $notesPattern, {
            param($m)
            $indent = $m.Groups[1].Value
            $stamped = ''
            if ($ReleaseNotes) { $stamped += "${indent}ReleaseNotes = $(& $quote ($ReleaseNotes -replace "`r`n?", "`n"))`n" }
            if ($ProjectUri) { $stamped += "${indent}ProjectUri   = $(& $quote $ProjectUri.AbsoluteUri)`n" }
            if ($IconUri) { $stamped += "${indent}IconUri      = $(& $quote $IconUri.AbsoluteUri)`n" }
            $stamped
        }, 'None', [timespan]::FromSeconds(1))
    Set-Content -LiteralPath $Path -Value $text -Encoding utf8NoBOM -NoNewline
    # A manifest that no longer parses must fail the build here, not at the Gallery.
    $null = Import-PowerShellDataFile -LiteralPath $Path
}

<#
.SYNOPSIS
    The release notes the build stamps into the manifest: the version's CHANGELOG.md entry.
#>
function Get-ManifestReleaseNote {
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $ChangelogPath,
        [Parameter(Mandatory)] [string] $Version
    )
    $entry = Get-ChangelogEntry -Path $ChangelogPath -Version $Version
    if (-not $entry -or -not $entry.Notes) { return '' }
    $state = if ($entry.IsReleased) { $entry.ReleaseDate.ToString('yyyy-MM-dd', [Globalization.CultureInfo]::InvariantCulture) } else { $entry.When }
    "$Version — $state`n`n$($entry.Notes)`n`nEvery version: CHANGELOG.md in the module folder."
}

#endregion

#region PSResourceGet sandbox

<#
.SYNOPSIS
    Environment variables that put PSResourceGet's repository store and its CurrentUser install scope
    (and PowerShell's per-user caches) under Root, for a child pwsh started with them.
.DESCRIPTION
    PSResourceGet 1.x keeps its repository list in
    [Environment]::GetFolderPath('LocalApplicationData')/PSResourceGet/PSResourceRepository.xml and
    installs -Scope CurrentUser under [Environment]::GetFolderPath('MyDocuments')/PowerShell on Windows
    and $HOME/.local/share/powershell on Linux and macOS. .NET derives LocalApplicationData from
    XDG_DATA_HOME (else $HOME/.local/share) on Linux, from the home folder (Library/Application
    Support) on macOS, and from the shell's known-folder API on Windows, which reads the user's
    registry and may or may not follow USERPROFILE/LOCALAPPDATA. Get-SandboxState (run first in the
    child by Invoke-SandboxedPwsh) checks the result, so a machine where the redirection does not hold
    is detected before anything is touched.
#>
function Get-SandboxEnvironment {
    [OutputType([Collections.Specialized.OrderedDictionary])]
    param([Parameter(Mandatory)] [string] $Root)
    $userHome = (New-Item -ItemType Directory -Force (Join-Path $Root 'home')).FullName
    $variables = [ordered]@{
        HOME                      = $userHome
        PSModuleAnalysisCachePath = Join-Path $userHome 'ModuleAnalysisCache'
        # PowerShell and the NuGet libraries in PSResourceGet look at these too.
        NUGET_PACKAGES            = Join-Path $userHome 'nuget-packages'
        POWERSHELL_TELEMETRY_OPTOUT = '1'
    }
    if ($IsWindows) {
        $variables.USERPROFILE = $userHome
        $variables.LOCALAPPDATA = (New-Item -ItemType Directory -Force (Join-Path $userHome 'AppData/Local')).FullName
        $variables.APPDATA = (New-Item -ItemType Directory -Force (Join-Path $userHome 'AppData/Roaming')).FullName
        $null = New-Item -ItemType Directory -Force (Join-Path $userHome 'Documents')
    }
    elseif ($IsMacOS) {
        # .NET 8+ on macOS: LocalApplicationData is the user's Library/Application Support, found from
        # HOME, or through Foundation, whose home CoreFoundation takes from CFFIXED_USER_HOME when set.
        $variables.CFFIXED_USER_HOME = $userHome
        $null = New-Item -ItemType Directory -Force (Join-Path $userHome 'Library/Application Support')
    }
    else {
        # .NET reports a special folder only once it exists; without it PSResourceGet would write into the current directory.
        $variables.XDG_DATA_HOME = (New-Item -ItemType Directory -Force (Join-Path $userHome '.local/share')).FullName
        $variables.XDG_CONFIG_HOME = (New-Item -ItemType Directory -Force (Join-Path $userHome '.config')).FullName
        $variables.XDG_CACHE_HOME = (New-Item -ItemType Directory -Force (Join-Path $userHome '.cache')).FullName
    }
    $variables
}

<#
.SYNOPSIS
    In the sandboxed child, before PSResourceGet is loaded: the folders PSResourceGet will use for its
    repository store and CurrentUser scope, and whether both lie under Root.
#>
function Get-SandboxState {
    param([Parameter(Mandatory)] [string] $Root)
    $store = [Environment]::GetFolderPath([Environment+SpecialFolder]::LocalApplicationData)
    $userScope = if ($IsWindows) { [Environment]::GetFolderPath([Environment+SpecialFolder]::MyDocuments) } else { Join-Path $HOME '.local/share/powershell' }
    $rootFull = [IO.Path]::GetFullPath($Root).TrimEnd([IO.Path]::DirectorySeparatorChar) + [IO.Path]::DirectorySeparatorChar
    $comparison = if ($IsWindows -or $IsMacOS) { [StringComparison]::OrdinalIgnoreCase } else { [StringComparison]::Ordinal }
    $inside = { param([string] $p) $p -and ([IO.Path]::GetFullPath($p) + [IO.Path]::DirectorySeparatorChar).StartsWith($rootFull, $comparison) }
    [pscustomobject]@{
        RepositoryStore = $store
        CurrentUserScope = $userScope
        Contained = [bool]((& $inside $store) -and (& $inside $userScope))
    }
}

<#
.SYNOPSIS
    Runs a script in a fresh pwsh whose PSResourceGet store and user scope live under Root. The script
    starts only once the child has checked that they do; otherwise the child prints
    'sandbox:escaped <store> | <user scope>' and exits 3 without running it. Returns the output lines.
#>
function Invoke-SandboxedPwsh {
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $Script,
        # The child's PSModulePath; the pwsh's own modules are always appended.
        [string[]] $ModulePath = @(),
        # The pwsh to start, as a command line (the pinned tool runs as 'dotnet pwsh.dll').
        [string[]] $PwshCommand = @([Environment]::ProcessPath)
    )
    $variables = Get-SandboxEnvironment -Root $Root
    $variables.PSModulePath = (@($ModulePath) + (Join-Path $PSHOME 'Modules')) -join [IO.Path]::PathSeparator
    $variables.NO_COLOR = '1'
    $prelude = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$((Join-Path $PSScriptRoot 'BuildTools.psm1').Replace("'", "''"))'
`$sandbox = Get-SandboxState -Root '$($Root.Replace("'", "''"))'
if (-not `$sandbox.Contained) { "sandbox:escaped `$(`$sandbox.RepositoryStore) | `$(`$sandbox.CurrentUserScope)"; exit 3 }
'sandbox:ok'
"@
    $saved = @{}
    foreach ($name in $variables.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $location = Get-Location
    try {
        foreach ($name in $variables.Keys) { [Environment]::SetEnvironmentVariable($name, $variables[$name]) }
        Set-Location -LiteralPath $Root
        & $PwshCommand[0] @($PwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive -Command ($prelude + "`n" + $Script) 2>&1 | ForEach-Object { "$_" }
    }
    finally {
        Set-Location $location
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

#endregion

#region Publish

<#
.SYNOPSIS
    Text broken into lines of at most Width characters at spaces, never inside a 'quoted' command or
    name (a longer word keeps its own line).
#>
function Format-WrappedText {
    [OutputType([string])]
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text, [ValidateRange(20, 10000)] [int] $Width = 80)
    $line = ''
    $words = [regex]::Matches($Text, "(?<=^|\s)'[^']*'[,.;:)]*(?=\s|$)|\S+").Value
    foreach ($word in $words) {
        if ($line -and $line.Length + 1 + $word.Length -gt $Width) { $line; $line = $word }
        elseif ($line) { $line += " $word" }
        else { $line = $word }
    }
    if ($line) { $line }
}

function New-ReleaseError([string] $Id, [string] $Message, [object] $Target, [Management.Automation.ErrorCategory] $Category = 'InvalidOperation') {
    [Management.Automation.ErrorRecord]::new([InvalidOperationException]::new($Message), $Id, $Category, $Target)
}

<#
.SYNOPSIS
    The files git would see as changed in the working tree at Path (modified, staged, untracked; not
    ignored), one 'XY path' line each. Empty when the tree is clean.
#>
function Get-UncommittedChange {
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Path)
    if (-not (Get-Command git -CommandType Application -ErrorAction Ignore)) {
        throw (New-ReleaseError 'ReleaseGitUnavailable' "git is not installed, so the working tree at '$Path' cannot be checked for uncommitted changes. Install git and publish from a clone." $Path 'NotInstalled')
    }
    # git's warnings (stderr) are never taken for changed files.
    $output = & git -C $Path status --porcelain=v1 --untracked-files=all 2>&1
    $problems = @($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
    if ($LASTEXITCODE -ne 0) {
        throw (New-ReleaseError 'ReleaseGitUnavailable' "'$Path' is not a git working tree ($(@($problems)[0])). Publish from a clone of the repository." $Path 'ObjectNotFound')
    }
    $output | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] } | ForEach-Object { "$_" } | Where-Object { $_ }
}

# The API key as a SecureString, from the vault; every failure is an error that names the secret and the vault.
function Read-ApiKey([string] $SecretName, [string] $Vault, [string] $Repository) {
    $where = if ($Vault) { "vault '$Vault'" } else { 'the default vault' }
    $store = if ($Vault) { "Set-Secret -Name $SecretName -Vault $Vault" } else { "Set-Secret -Name $SecretName" }
    if (-not (Get-Command Get-Secret -ErrorAction Ignore)) {
        throw (New-ReleaseError 'ReleaseSecretManagementMissing' ("Publishing to '$Repository' reads its API key with Get-Secret, but Microsoft.PowerShell.SecretManagement is not installed. " +
                "Install it (Install-PSResource Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore), register a vault, store the key with '$store', then publish again.") $SecretName 'NotInstalled')
    }
    $arguments = @{ Name = $SecretName; ErrorAction = 'Stop' }
    if ($Vault) { $arguments.Vault = $Vault }
    try { $secret = Get-Secret @arguments }
    catch {
        if ($_.FullyQualifiedErrorId -like 'GetSecretNotFound*' -or $_.Exception -is [Management.Automation.ItemNotFoundException]) {
            throw (New-ReleaseError 'ReleaseApiKeyNotFound' "There is no secret '$SecretName' in $where, so there is no API key for '$Repository'. Store the key with '$store' (or name another secret with -ApiKeySecretName), then publish again. Nothing was published." $SecretName 'ObjectNotFound')
        }
        throw (New-ReleaseError 'ReleaseApiKeyUnavailable' "The API key for '$Repository' could not be read from secret '$SecretName' in ${where}: $($_.Exception.Message) Nothing was published." $SecretName 'ResourceUnavailable')
    }
    $key = switch ($secret) {
        { $_ -is [securestring] } { $_; break }
        { $_ -is [pscredential] } { $_.Password; break }
        { $_ -is [string] } { ConvertTo-SecureString -String $_ -AsPlainText -Force; break }
        default { $null }
    }
    if ($null -eq $secret -or ($null -ne $key -and $key.Length -eq 0)) {
        throw (New-ReleaseError 'ReleaseApiKeyEmpty' "Secret '$SecretName' in $where is empty; store the API key for '$Repository' with '$store', then publish again. Nothing was published." $SecretName 'InvalidData')
    }
    if ($null -eq $key) {
        throw (New-ReleaseError 'ReleaseApiKeyTypeUnsupported' "Secret '$SecretName' in $where holds a $($secret.GetType().Name); an API key is stored as a string or SecureString ('$store'). Nothing was published." $SecretName 'InvalidType')
    }
    $key
}

<#
.SYNOPSIS
    Publishes one version of the module to a registered PSResourceGet repository, after refusing what
    must not be published. The package is made by NewPackage only once every check has passed.
.DESCRIPTION
    Refuses, before packaging or uploading anything: a working tree with uncommitted changes, a version
    with no dated CHANGELOG.md entry, a repository that is not registered, a version the repository
    already has, and (where a key is needed) a key that cannot be read. The API key is read with
    Get-Secret for any repository that is not a local folder, or when -ApiKeySecretName or -Vault is
    given; it is passed to Publish-PSResource only and never written anywhere.
#>
function Publish-Release {
    [CmdletBinding()]
    param(
        # The repository's working tree: checked with git, and its CHANGELOG.md read.
        [Parameter(Mandatory)] [string] $RepositoryRoot,
        [Parameter(Mandatory)] [string] $Version,
        # Builds and packages the module once the checks pass; returns the .nupkg path.
        [Parameter(Mandatory)] [scriptblock] $NewPackage,
        [string] $Name = 'ConvTokens',
        [string] $Repository = 'PSGallery',
        [string] $ApiKeySecretName = 'ConvTokens.GalleryApiKey',
        [string] $Vault,
        [switch] $WhatIf
    )
    $ErrorActionPreference = 'Stop'
    $changes = @(Get-UncommittedChange -Path $RepositoryRoot)
    if ($changes.Count -gt 0) {
        $shown = ($changes | Select-Object -First 10 | ForEach-Object {
                $state = switch -Regex ($_.Substring(0, 2)) { '\?\?' { 'untracked' } 'D' { 'deleted' } 'R' { 'renamed' } 'A' { 'added' } default { 'modified' } }
                "$($_.Substring(3)) ($state)"
            }) -join ', '
        $more = if ($changes.Count -gt 10) { "; and $($changes.Count - 10) more" } else { '' }
        throw (New-ReleaseError 'ReleaseTreeDirty' "The working tree at '$RepositoryRoot' has $($changes.Count) uncommitted change(s): $shown$more. A release is built from committed sources only: commit or stash them, then publish again. Nothing was published." $RepositoryRoot)
    }

    $entry = Get-ChangelogEntry -Path (Join-Path $RepositoryRoot 'CHANGELOG.md') -Version $Version
    $today = [datetime]::UtcNow.ToString('yyyy-MM-dd', [Globalization.CultureInfo]::InvariantCulture)
    if (-not $entry) {
        throw (New-ReleaseError 'ReleaseChangelogMissing' "CHANGELOG.md has no entry for $Name $Version. Add a '## $Version — $today' section with what changed, commit it, then publish again. Nothing was published." $Version 'ObjectNotFound')
    }
    if (-not $entry.IsReleased) {
        $said = if ($entry.When) { "'$($entry.When)'" } else { 'no date' }
        throw (New-ReleaseError 'ReleaseChangelogUnreleased' "CHANGELOG.md's entry for $Name $Version has $said where the release date belongs. Change its heading to '## $Version — $today', commit it, then publish again. Nothing was published." $Version 'InvalidData')
    }
    if (-not $entry.Notes) {
        throw (New-ReleaseError 'ReleaseChangelogEmpty' "CHANGELOG.md's entry for $Name $Version says nothing under its heading; the release notes come from it. Write what changed, commit it, then publish again. Nothing was published." $Version 'InvalidData')
    }

    $target = Get-PSResourceRepository -Name $Repository -ErrorAction Ignore | Where-Object Name -EQ $Repository
    if (-not $target) {
        $registered = (Get-PSResourceRepository -ErrorAction Ignore).Name -join ', '
        throw (New-ReleaseError 'ReleaseRepositoryNotRegistered' "No PSResourceGet repository named '$Repository' is registered (registered: $(if ($registered) { $registered } else { 'none' })). Register it with Register-PSResourceRepository (the Gallery: Register-PSResourceRepository -PSGallery), or name another with -Repository. Nothing was published." $Repository 'ObjectNotFound')
    }
    $findErrors = @()
    $existing = Find-PSResource -Name $Name -Version $Version -Repository $Repository -ErrorAction SilentlyContinue -ErrorVariable findErrors
    if ($existing) {
        throw (New-ReleaseError 'ReleaseVersionExists' "$Name $Version is already in repository '$Repository' ($($target.Uri)), and a version is published once. Raise VersionPrefix in Directory.Build.props, add that version's CHANGELOG.md entry, commit, then publish again. Nothing was published." $Version 'ResourceExists')
    }
    $failures = @($findErrors | Where-Object { $_.FullyQualifiedErrorId -notlike 'PackageNotFound*' })
    if ($failures) {
        throw (New-ReleaseError 'ReleaseRepositoryUnavailable' "Could not check whether $Name $Version is already in repository '$Repository' ($($target.Uri)): $($failures[0].Exception.Message) Check the address and the network, then publish again. Nothing was published." $Repository 'ConnectionError')
    }

    $needsKey = -not $target.Uri.IsFile -or $PSBoundParameters.ContainsKey('ApiKeySecretName') -or $PSBoundParameters.ContainsKey('Vault')
    $keySource = if (-not $needsKey) { 'no API key (a local folder repository)' }
    elseif ($Vault) { "the API key from secret '$ApiKeySecretName' in vault '$Vault'" }
    else { "the API key from secret '$ApiKeySecretName' in the default vault" }
    $apiKey = if ($needsKey -and -not $WhatIf) { Read-ApiKey -SecretName $ApiKeySecretName -Vault $Vault -Repository $Repository } else { $null }

    $package = @(& $NewPackage) | Select-Object -Last 1
    if (-not $package -or -not (Test-Path -LiteralPath $package -PathType Leaf)) { throw "Packaging produced no .nupkg ($package); nothing was published." }
    $package = (Resolve-Path -LiteralPath $package).ProviderPath
    $result = [pscustomobject]@{
        PSTypeName = 'ConvTokens.Build.Release'
        Name       = $Name
        Version    = $Version
        Repository = $Repository
        Uri        = $target.Uri
        Package    = $package
        ApiKey     = $keySource
        Published  = $false
    }
    if ($WhatIf) {
        Write-Host "What if: publishing $Name $Version ($package) to repository '$Repository' ($($target.Uri)) with $keySource. Nothing was published."
        return $result
    }
    $publish = @{ NupkgPath = $package; Repository = $Repository; ErrorAction = 'Stop' }
    if ($apiKey) { $publish.ApiKey = [Net.NetworkCredential]::new('', $apiKey).Password }
    # NuGet writes its user settings file relative to the process's directory when the user has no
    # application-data folder: keep such a stray file in the package folder, out of the working tree.
    $directory = [Environment]::CurrentDirectory
    try {
        [Environment]::CurrentDirectory = Split-Path $package
        Publish-PSResource @publish
    }
    finally {
        [Environment]::CurrentDirectory = $directory
        $publish.Remove('ApiKey')
    }
    $result.Published = $true
    Write-Host "Published $Name $Version to repository '$Repository' ($($target.Uri))."
    $result
}

#endregion

Export-ModuleMember -Function Format-WrappedText, Resolve-TaskPlan, Test-PackageNeeded, Get-ChangelogEntry, Assert-ManifestAddress, Set-ManifestReleaseData, Get-ManifestReleaseNote,
    Get-SandboxEnvironment, Get-SandboxState, Invoke-SandboxedPwsh, Get-UncommittedChange, Publish-Release
