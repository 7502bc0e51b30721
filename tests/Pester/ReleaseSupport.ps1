# Dot-sourced after TestSupport.ps1 by the tests that use PSResourceGet or git: a sandboxed pwsh for
# PSResourceGet (tools/BuildTools.psm1, Invoke-SandboxedPwsh) and throw-away git repositories.

# git with no system or user configuration (no signing, hooks or templates of the developer's).
function Invoke-TestGit([string] $Path, [Parameter(ValueFromRemainingArguments)] [string[]] $Arguments) {
    $saved = @{ GIT_CONFIG_NOSYSTEM = $env:GIT_CONFIG_NOSYSTEM; GIT_CONFIG_GLOBAL = $env:GIT_CONFIG_GLOBAL }
    try {
        $env:GIT_CONFIG_NOSYSTEM = '1'
        $env:GIT_CONFIG_GLOBAL = [IO.Path]::Combine($TestDrive, 'no-gitconfig')
        $out = & git -C $Path -c user.name='ConvTokens tests' -c user.email='tests@example.invalid' -c commit.gpgsign=false @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "git $($Arguments -join ' ') failed in '$Path': $out" }
    }
    finally {
        foreach ($name in $saved.Keys) { if ($null -eq $saved[$name]) { Remove-Item "env:$name" -ErrorAction Ignore } else { Set-Item "env:$name" $saved[$name] } }
    }
}

# A committed git repository holding README.md; returns its path.
function New-TestGitRepository([string] $Path) {
    $null = New-Item -ItemType Directory -Force $Path
    Invoke-TestGit $Path init -q
    Set-Content (Join-Path $Path 'README.md') 'ConvTokens'
    Invoke-TestGit $Path add README.md
    Invoke-TestGit $Path commit -q -m 'first'
    (Resolve-Path $Path).ProviderPath
}

# Runs Script in a fresh pwsh whose PSResourceGet store, CurrentUser scope and git configuration live
# under Root. The script sees $Root, $Work (= $Root), $Version, $ModuleManifest, the SecretManagement
# stand-in imported, New-ReleaseClone <name> <changelog text> (a committed clone with that
# CHANGELOG.md), and $NewPackage (packages a copy of the built module into $Work/packages, counting
# its calls in $global:Packaged). Returns the output lines, the first being 'sandbox:ok' or 'sandbox:escaped ...'.
function Invoke-ReleaseSandbox([string] $Root, [string] $Version, [string] $Script) {
    $quote = { param([string] $s) "'" + $s.Replace("'", "''") + "'" }
    $prelude = @"
`$Root = $(& $quote $Root)
`$Work = `$Root
`$Version = $(& $quote $Version)
`$ModuleManifest = $(& $quote $ModuleManifest)
`$env:PSModulePath = $(& $quote $StandInModulePath) + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
`$env:GIT_CONFIG_NOSYSTEM = '1'
function Invoke-Git([string] `$Path) {
    `$out = & git -C `$Path -c user.name='ConvTokens tests' -c user.email='tests@example.invalid' -c commit.gpgsign=false @args 2>&1
    if (`$LASTEXITCODE -ne 0) { throw "git `$args failed: `$out" }
}
function New-ReleaseClone([string] `$Name, [string] `$Changelog) {
    `$path = (New-Item -ItemType Directory (Join-Path `$Work `$Name)).FullName
    Invoke-Git `$path init -q
    Set-Content (Join-Path `$path 'README.md') 'ConvTokens'
    [IO.File]::WriteAllText((Join-Path `$path 'CHANGELOG.md'), "# Changelog``n``n`$Changelog")
    Invoke-Git `$path add README.md CHANGELOG.md
    Invoke-Git `$path commit -q -m 'release'
    `$path
}
`$moduleCopy = (New-Item -ItemType Directory (Join-Path `$Work 'module')).FullName
Copy-Item -Recurse (Split-Path `$ModuleManifest) `$moduleCopy
`$moduleCopy = Join-Path `$moduleCopy 'ConvTokens'
`$global:Packaged = 0
`$NewPackage = {
    `$global:Packaged++
    `$packages = Join-Path `$Work 'packages'
    if (Test-Path `$packages) { Remove-Item -Recurse -Force `$packages }
    `$null = New-Item -ItemType Directory `$packages
    Compress-PSResource -Path `$moduleCopy -DestinationPath `$packages
    (Get-ChildItem `$packages -Filter *.nupkg).FullName
}
"@
    Invoke-SandboxedPwsh -Root $Root -Script ($prelude + "`n" + $Script) -PwshCommand $PwshCommand
}

# Marks the current test skipped where PSResourceGet's folders could not be moved into the sandbox
# (the test would otherwise register repositories and install into the developer's own PowerShell).
function Skip-WhenSandboxEscaped([string[]] $Output) {
    $escaped = $Output | Where-Object { $_ -like 'sandbox:escaped*' } | Select-Object -First 1
    if ($escaped) {
        Set-ItResult -Skipped -Because "on this machine PSResourceGet's repository store or CurrentUser scope stays outside the sandbox ($($escaped -replace '^sandbox:escaped ')), so the test would touch the real ones"
        return
    }
    if ($Output -notcontains 'sandbox:ok') { throw "The sandboxed pwsh did not start:`n$($Output -join "`n")" }
}
