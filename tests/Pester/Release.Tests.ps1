# The build and release path: the task plan, release notes from CHANGELOG.md, the manifest's data, the
# uncommitted-changes check, and Publish against local folder repositories in a PSResourceGet sandbox.
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/ReleaseSupport.ps1
    Import-Module (Join-Path $RepoRoot 'tools/BuildTools.psm1') -Force
    $script:Version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
}

Describe 'build.ps1 tasks' -Tag Slow {
    It 'runs each task once, after the tasks it needs: <Given> runs <Expected>' -ForEach @(
        @{ Given = 'Build,Test'; Package = $false; Expected = 'Build,Test' }
        @{ Given = 'Test,Build'; Package = $false; Expected = 'Build,Test' }
        @{ Given = 'Test'; Package = $true; Expected = 'Build,Package,Test' }
        @{ Given = 'Package,Test,Demo,Bench'; Package = $true; Expected = 'Build,Package,Test,Demo,Bench' }
        @{ Given = 'Clean,Build'; Package = $false; Expected = 'Clean,Build' }
        @{ Given = 'Publish'; Package = $false; Expected = 'Publish' }
    ) {
        (Resolve-TaskPlan -Task ($Given -split ',') -TestNeedsPackage:$Package) -join ',' | Should -BeExactly $Expected
    }

    It 'names an unknown task and lists the tasks' {
        { Resolve-TaskPlan -Task Deploy } | Should -Throw -ExpectedMessage "Unknown task 'Deploy'. Tasks: Clean, Build, Package, Test, Demo, Bench, Publish."
    }

    It 'packages for Test only when a selected test is tagged Package' {
        $dir = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'tags')
        Set-Content (Join-Path $dir 'Plain.Tests.ps1') "Describe 'plain' -Tag Slow { It 'a' -Tag Packages { } }"
        Set-Content (Join-Path $dir 'Listed.Tests.ps1') "Describe 'listed' -Tag 'Slow', 'Package' { It 'b' { } }"
        Test-PackageNeeded -Path (Join-Path $dir 'Plain.Tests.ps1') | Should -BeFalse
        Test-PackageNeeded -Path (Join-Path $dir 'Listed.Tests.ps1') | Should -BeTrue
        Test-PackageNeeded -Path $dir | Should -BeTrue
        Test-PackageNeeded -Path $dir -Tag Slow | Should -BeFalse
        Test-PackageNeeded -Path $dir -Tag Package | Should -BeTrue
        # The repository's own tests: the Gallery package test needs it, the token tests do not.
        Test-PackageNeeded -Path (Join-Path $RepoRoot 'tests/Pester/Module.Tests.ps1') | Should -BeTrue
        Test-PackageNeeded -Path (Join-Path $RepoRoot 'tests/Pester/TestToken.Tests.ps1') | Should -BeFalse
    }

    It 'wraps a refusal at words to the window width, keeping quoted names whole' {
        $text = "CHANGELOG.md's entry for ConvTokens 0.1.0 has 'unreleased' where the release date belongs."
        @(Format-WrappedText -Text $text -Width 39) | Should -Be @(
            "CHANGELOG.md's entry for ConvTokens",
            "0.1.0 has 'unreleased' where the",
            'release date belongs.')
        @(Format-WrappedText -Text ('a' * 50 + ' b') -Width 40) | Should -Be @(('a' * 50), 'b')
        @(Format-WrappedText -Text "Change its heading to '## 0.1.0 — 2026-12-01', commit it." -Width 30) | Should -Be @(
            'Change its heading to',
            "'## 0.1.0 — 2026-12-01',",
            'commit it.')
    }

    It 'Publish refuses before building anything: <Case> stops with <Id> and exit code 1' -ForEach @(
        @{ Case = 'an unreleased version'; Id = 'ReleaseChangelogUnreleased'; Heading = '## 0.1.0 — unreleased'; Dirty = $false }
        @{ Case = 'an uncommitted file'; Id = 'ReleaseTreeDirty'; Heading = '## 0.1.0 — 2026-11-30'; Dirty = $true }
    ) {
        # A throw-away repository holding only what build.ps1 reads before it builds.
        $tree = New-TestGitRepository (Join-Path $TestDrive "tree-$Id")
        Copy-Item (Join-Path $RepoRoot 'build.ps1'), (Join-Path $RepoRoot 'Directory.Build.props') $tree
        $null = New-Item -ItemType Directory (Join-Path $tree 'tools')
        Copy-Item (Join-Path $RepoRoot 'tools/BuildTools.psm1') (Join-Path $tree 'tools')
        Set-Content (Join-Path $tree '.gitignore') 'out/'
        [IO.File]::WriteAllText((Join-Path $tree 'CHANGELOG.md'), "# Changelog`n`n$Heading`n`n- Notes.`n")
        Invoke-TestGit $tree add .
        Invoke-TestGit $tree commit -q -m tree
        if ($Dirty) { Set-Content (Join-Path $tree 'Notes.txt') 'draft' }
        $out = & $PwshCommand[0] @($PwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $tree 'build.ps1') -Task Publish -Repository NotRegistered 2>&1 |
            ForEach-Object { "$_" -replace '\x1b\[[0-9;]*m' }
        $LASTEXITCODE | Should -Be 1
        $out[0] | Should -BeExactly "build.ps1 stopped ($Id):"
        Test-Path (Join-Path $tree 'out') | Should -BeFalse
    }

    It 'has no function named like the Invoke-Build tool, documents every task, and takes no API key as text' {
        $script = Join-Path $RepoRoot 'build.ps1'
        $ast = [Management.Automation.Language.Parser]::ParseFile($script, [ref] $null, [ref] $null)
        $functions = $ast.FindAll({ param($n) $n -is [Management.Automation.Language.FunctionDefinitionAst] }, $true).Name
        $functions | Should -Not -Contain 'Invoke-Build'
        $functions | Should -Contain 'Build-Module'
        $description = (Get-Help $script).Description.Text -join "`n"
        foreach ($task in 'Clean', 'Build', 'Package', 'Test', 'Demo', 'Bench', 'Publish') { $description | Should -Match "(?m)^\s*$task\s{2,}" }
        $parameters = (Get-Command $script).Parameters.Keys
        foreach ($name in 'Repository', 'ApiKeySecretName', 'Vault', 'WhatIf', 'ProjectUri', 'IconUri') { $parameters | Should -Contain $name }
        @($parameters | Where-Object { $_ -like '*Key*' }) | Should -Be @('ApiKeySecretName')
        # The key comes from a vault, never from an environment variable.
        Select-String -Path $script, (Join-Path $RepoRoot 'tools/BuildTools.psm1') -Pattern '\$env:\w*(key|token|secret)' | Should -BeNullOrEmpty
    }
}

Describe 'CHANGELOG entries' -Tag Slow {
    BeforeAll {
        function Write-Changelog([string] $Text) {
            $path = Join-Path $TestDrive 'CHANGELOG.md'
            [IO.File]::WriteAllText($path, $Text)
            $path
        }
    }

    It 'reads a dated entry: its date, and its text up to the next version heading' {
        $path = Write-Changelog "# Changelog`n`nIntro.`n`n## 0.2.0 — 2026-12-01`n`n### Added`n- It's new.`n`n## 0.1.0 — 2026-11-01`n`n- Old.`n"
        $entry = Get-ChangelogEntry -Path $path -Version 0.2.0
        $entry.IsReleased | Should -BeTrue
        $entry.ReleaseDate | Should -Be ([datetime]'2026-12-01')
        $entry.Notes | Should -BeExactly "### Added`n- It's new."
        (Get-ChangelogEntry -Path $path -Version 0.1.0).Notes | Should -BeExactly '- Old.'
    }

    It 'reads the last entry of the file, with CRLF line ends, as the lead appends it' {
        $path = Write-Changelog "# Changelog`r`n`r`n## 0.1.0 — unreleased`r`n`r`n- First.`r`n`r`n## 0.2.0 — 2027-01-15`r`n`r`n### Fixed`r`n- Second.`r`n"
        $entry = Get-ChangelogEntry -Path $path -Version 0.2.0
        $entry.IsReleased | Should -BeTrue
        $entry.Notes | Should -BeExactly "### Fixed`n- Second."
    }

    It 'marks an entry <When> as not released' -ForEach @(
        @{ When = 'unreleased'; Heading = '## 0.3.0 — unreleased' }
        @{ When = 'Unreleased'; Heading = '## 0.3.0 - Unreleased' }
        @{ When = 'an impossible date'; Heading = '## 0.3.0 — 2026-13-01' }
        @{ When = 'without a date'; Heading = '## 0.3.0' }
    ) {
        $entry = Get-ChangelogEntry -Path (Write-Changelog "$Heading`n`n- Notes.`n") -Version 0.3.0
        $entry.IsReleased | Should -BeFalse
        $entry.ReleaseDate | Should -BeNullOrEmpty
        $entry.Notes | Should -BeExactly '- Notes.'
    }

    It 'is $null for a version without an entry, and never matches a longer version' {
        Get-ChangelogEntry -Path (Write-Changelog "## 0.1.0 — 2026-11-01`n- a`n## 0.1.10 — 2026-11-02`n- b`n") -Version 0.1.1 | Should -BeNullOrEmpty
    }

    It 'refuses two entries for one version (ChangelogEntryDuplicate) and a missing file (ChangelogNotFound)' {
        { Get-ChangelogEntry -Path (Write-Changelog "## 0.1.0 — 2026-11-01`n- a`n## 0.1.0 — unreleased`n- b`n") -Version 0.1.0 } |
            Should -Throw -ErrorId 'ChangelogEntryDuplicate'
        { Get-ChangelogEntry -Path (Join-Path $TestDrive 'missing.md') -Version 0.1.0 } | Should -Throw -ErrorId 'ChangelogNotFound'
    }

    It 'makes the release notes from the entry, or none when the version has no entry' {
        $path = Write-Changelog "## 0.1.0 — unreleased`n`n- Soon.`n`n## 0.2.0 — 2027-01-15`n`n### Fixed`n- It.`n"
        Get-ManifestReleaseNote -ChangelogPath $path -Version 0.2.0 | Should -BeExactly "0.2.0 — 2027-01-15`n`n### Fixed`n- It.`n`nEvery version: CHANGELOG.md in the module folder."
        Get-ManifestReleaseNote -ChangelogPath $path -Version 0.1.0 | Should -BeExactly "0.1.0 — unreleased`n`n- Soon.`n`nEvery version: CHANGELOG.md in the module folder."
        Get-ManifestReleaseNote -ChangelogPath $path -Version 0.3.0 | Should -BeExactly ''
    }

    It "has an entry for the repository's own version (the built manifest's release notes)" {
        $props = [xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))
        $version = @($props.Project.PropertyGroup.VersionPrefix | Where-Object { $_ })[0].Trim()
        $entry = Get-ChangelogEntry -Path (Join-Path $RepoRoot 'CHANGELOG.md') -Version $version
        $entry | Should -Not -BeNullOrEmpty
        $entry.Notes | Should -Not -BeNullOrEmpty
    }
}

Describe 'Manifest release data' -Tag Slow {
    BeforeEach {
        $script:Manifest = Join-Path $TestDrive 'ConvTokens.psd1'
        Copy-Item (Join-Path $RepoRoot 'ConvTokens.psd1') $Manifest -Force
    }

    It 'stamps the version and release notes exactly, quotes of every kind included, and no project or icon address' {
        $notes = "1.2.3 — 2026-12-01`n`n- Don't ‘break’ ‚this‛: `$HOME, `"q`", @'`n'@"
        Set-ManifestReleaseData -Path $Manifest -Version 1.2.3 -ReleaseNotes $notes
        $data = Import-PowerShellDataFile $Manifest
        $data.ModuleVersion | Should -BeExactly '1.2.3'
        $data.PrivateData.PSData.ReleaseNotes | Should -BeExactly $notes
        $data.PrivateData.PSData.ContainsKey('ProjectUri') | Should -BeFalse
        $data.PrivateData.PSData.ContainsKey('IconUri') | Should -BeFalse
        $data.PrivateData.PSData.LicenseUri | Should -BeExactly 'https://opensource.org/licenses/MIT'
    }

    It 'adds the project and icon addresses only when given' {
        Set-ManifestReleaseData -Path $Manifest -Version 1.2.3 -ReleaseNotes 'n' -ProjectUri 'https://example.org/convtokens' -IconUri 'https://example.org/icon.png'
        $data = (Import-PowerShellDataFile $Manifest).PrivateData.PSData
        $data.ProjectUri | Should -BeExactly 'https://example.org/convtokens'
        $data.IconUri | Should -BeExactly 'https://example.org/icon.png'
    }

    It 'leaves the release notes out when there are none' {
        Set-ManifestReleaseData -Path $Manifest -Version 1.2.3 -ReleaseNotes ''
        (Import-PowerShellDataFile $Manifest).PrivateData.PSData.ContainsKey('ReleaseNotes') | Should -BeFalse
    }

    It 'refuses a -<Name> that is not an absolute https address (ManifestUriInvalid)' -ForEach @(
        @{ Name = 'ProjectUri'; Value = 'http://example.org/convtokens' }
        @{ Name = 'IconUri'; Value = 'icon.png' }
    ) {
        $address = @{ $Name = $Value }
        { Set-ManifestReleaseData -Path $Manifest -Version 1.2.3 @address } | Should -Throw -ErrorId 'ManifestUriInvalid'
        { Set-ManifestReleaseData -Path $Manifest -Version 1.2.3 @address } | Should -Throw -ExpectedMessage "-$Name '$Value' is not an absolute https address*"
    }
}

Describe 'Uncommitted changes' -Tag Slow {
    BeforeAll { $script:Repo = New-TestGitRepository (Join-Path $TestDrive 'tree') }

    It 'finds none in a clean tree, and lists modified, staged and untracked files but not ignored ones' {
        Get-UncommittedChange -Path $Repo | Should -BeNullOrEmpty
        Set-Content (Join-Path $Repo '.gitignore') 'out/'
        Invoke-TestGit $Repo add .gitignore
        Invoke-TestGit $Repo commit -q -m ignore
        New-Item -ItemType Directory (Join-Path $Repo 'out') | Out-Null
        Set-Content (Join-Path $Repo 'out/built.dll') 'x'
        Get-UncommittedChange -Path $Repo | Should -BeNullOrEmpty
        Add-Content (Join-Path $Repo 'README.md') 'changed'
        Set-Content (Join-Path $Repo 'new.cs') 'class C {}'
        @(Get-UncommittedChange -Path $Repo) | Should -Be @(' M README.md', '?? new.cs')
        Invoke-TestGit $Repo add new.cs
        @(Get-UncommittedChange -Path $Repo) | Should -Be @(' M README.md', 'A  new.cs')
    }

    It 'says that a folder outside git cannot be checked (ReleaseGitUnavailable)' {
        $plain = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'plain')
        { Get-UncommittedChange -Path $plain } | Should -Throw -ErrorId 'ReleaseGitUnavailable'
        { Get-UncommittedChange -Path $plain } | Should -Throw -ExpectedMessage "'$plain' is not a git working tree*Publish from a clone*"
    }
}

Describe 'PSResourceGet sandbox' -Tag Slow {
    It "tells when PSResourceGet's store or user scope lies outside the folder (here: this test process's own)" {
        $state = Get-SandboxState -Root $TestDrive
        $state.Contained | Should -BeFalse
        $state.RepositoryStore | Should -BeExactly ([Environment]::GetFolderPath('LocalApplicationData'))
    }

    It 'moves both under the folder for a child pwsh on this OS, before PSResourceGet loads' {
        $root = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'probe')).FullName
        $out = Invoke-SandboxedPwsh -Root $root -Script "'loaded:' + [bool](Get-Module Microsoft.PowerShell.PSResourceGet); `$s = Get-SandboxState -Root '$root'; 'store:' + `$s.RepositoryStore; 'scope:' + `$s.CurrentUserScope" -PwshCommand $PwshCommand
        $out | Should -Contain 'sandbox:ok'
        $out | Should -Contain 'loaded:False'
        $store = ($out | Where-Object { $_ -like 'store:*' }) -replace '^store:'
        $scope = ($out | Where-Object { $_ -like 'scope:*' }) -replace '^scope:'
        $store | Should -BeLike "$root*"
        $scope | Should -BeLike "$root*"
    }
}

Describe 'Publish' -Tag Slow {
    BeforeAll {
        # What this process's (the developer's) PowerShell has, to show the sandboxed run left it alone.
        function Get-RealPSResourceState {
            $store = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet/PSResourceRepository.xml'
            $scope = if ($IsWindows) { Join-Path ([Environment]::GetFolderPath('MyDocuments')) 'PowerShell/Modules/ConvTokens' } else { Join-Path $HOME '.local/share/powershell/Modules/ConvTokens' }
            $storeState = if (Test-Path $store) { (Get-FileHash $store).Hash + '@' + (Get-Item $store).LastWriteTimeUtc.Ticks } else { 'absent' }
            "$storeState|$(Test-Path $scope)"
        }
        $script:RealBefore = Get-RealPSResourceState
        $script:ApiKey = 'ct-test-api-key-5d1f0b'
        $script:Sandbox = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'publish')).FullName
        $script:Output = Invoke-ReleaseSandbox -Root $Sandbox -Version $Version -Script @"
Register-SecretVault -Name ReleaseTest -ModuleName Microsoft.PowerShell.SecretStore
Set-Secret -Name ConvTokens.GalleryApiKey -Secret '$ApiKey' -Vault ReleaseTest
`$feed = (New-Item -ItemType Directory (Join-Path `$Work 'feed')).FullName
Register-PSResourceRepository -Name ConvTokensRelease -Uri `$feed -Trusted
try {
    `$clone = New-ReleaseClone 'clone' "## `$Version — 2026-11-30``n``n### Added``n- Everything.``n"
    `$plan = Publish-Release -RepositoryRoot `$clone -Version `$Version -Repository ConvTokensRelease -Vault ReleaseTest -NewPackage `$NewPackage -WhatIf -Verbose *>&1 | ForEach-Object { "`$_" }
    `$plan
    'whatif-feed:' + @(Get-ChildItem `$feed).Count
    # Published from inside the clone, as build.ps1 does; without a user config folder NuGet would
    # write NuGet/NuGet.Config into the process's directory.
    if (`$env:XDG_CONFIG_HOME) { Remove-Item -Recurse -Force `$env:XDG_CONFIG_HOME }
    Set-Location `$clone; [Environment]::CurrentDirectory = `$clone
    `$release = Publish-Release -RepositoryRoot `$clone -Version `$Version -Repository ConvTokensRelease -Vault ReleaseTest -NewPackage `$NewPackage -Verbose *>&1 |
        ForEach-Object { if (`$_ -is [psobject] -and `$_.PSObject.TypeNames -contains 'ConvTokens.Build.Release') { `$released = `$_ } else { "`$_" } }
    `$release
    'published:' + `$released.Published
    'clone-clean:' + (-not (git -C `$clone status --porcelain --untracked-files=all))
    Set-Location `$Root; [Environment]::CurrentDirectory = `$Root
    'feed:' + ((Get-ChildItem `$feed -Name) -join ',')
    Install-PSResource -Name ConvTokens -Repository ConvTokensRelease -Scope CurrentUser -TrustRepository -Quiet
    `$module = Import-Module ConvTokens -PassThru
    'base-in-sandbox:' + `$module.ModuleBase.StartsWith(`$Root)
    'files:' + ((Get-ChildItem `$module.ModuleBase -Name | Sort-Object) -join ',')
    'notes:' + (`$module.PrivateData.PSData.ReleaseNotes -eq (Import-PowerShellDataFile `$ModuleManifest).PrivateData.PSData.ReleaseNotes)
    `$s = ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force
    'valid:' + (New-InitializationToken -Amount 3 -ApiSignature `$s | Test-Token -ApiSignature `$s -Quiet)
}
finally {
    Unregister-PSResourceRepository -Name ConvTokensRelease
    'unregistered:' + (-not (Get-PSResourceRepository -Name ConvTokensRelease -ErrorAction Ignore))
}
"@
    }
    It '-WhatIf says what would be published, with the key from the vault, and publishes nothing' {
        Skip-WhenSandboxEscaped $Output
        $Output | Should -Contain "What if: publishing ConvTokens $Version ($Sandbox$([IO.Path]::DirectorySeparatorChar)packages$([IO.Path]::DirectorySeparatorChar)ConvTokens.$Version.nupkg) to repository 'ConvTokensRelease' ($([uri]::new((Join-Path $Sandbox 'feed'), [UriKind]::Absolute).AbsoluteUri)) with the API key from secret 'ConvTokens.GalleryApiKey' in vault 'ReleaseTest'. Nothing was published."
        $Output | Should -Contain 'whatif-feed:0'
    }

    It 'publishes to a local folder repository, installs from it into a clean user scope, imports by name and mints' {
        Skip-WhenSandboxEscaped $Output
        $Output | Should -Contain 'published:True'
        $Output | Should -Contain 'clone-clean:True'
        $Output | Should -Contain "feed:ConvTokens.$Version.nupkg"
        $Output | Should -Contain "Published ConvTokens $Version to repository 'ConvTokensRelease' ($([uri]::new((Join-Path $Sandbox 'feed'), [UriKind]::Absolute).AbsoluteUri))."
        $Output | Should -Contain 'base-in-sandbox:True'
        $Output | Should -Contain 'notes:True'
        $Output | Should -Contain 'valid:True'
    }

    It 'ships LICENSE and CHANGELOG.md in the package beside the module' {
        Skip-WhenSandboxEscaped $Output
        $files = ($Output | Where-Object { $_ -like 'files:*' }) -replace '^files:' -split ','
        $files | Should -Contain 'LICENSE'
        $files | Should -Contain 'CHANGELOG.md'
        $files | Should -Contain 'ConvTokens.psd1'
        $files | Should -Contain 'Dependencies'
    }

    It "leaves this user's own repository store and module folder as they were" {
        Skip-WhenSandboxEscaped $Output
        Get-RealPSResourceState | Should -BeExactly $RealBefore
    }

    It 'unregisters the repository it registered, and never shows the API key, even with -Verbose' {
        Skip-WhenSandboxEscaped $Output
        $Output | Should -Contain 'unregistered:True'
        ($Output -join "`n") | Should -Not -Match ([regex]::Escape($ApiKey))
    }
}

Describe 'Publish to a remote repository' -Tag Slow {
    BeforeAll {
        $script:ApiKey = 'ct-remote-api-key-93c2aa'
        $script:Sandbox = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'remote')).FullName
        # A loopback NuGet v2 feed: it answers the version look-up with an empty feed and takes the upload,
        # recording whether the upload carried the API key (never the key itself). At most 6 requests, 60 s.
        $script:Output = Invoke-ReleaseSandbox -Root $Sandbox -Version $Version -Script @"
Register-SecretVault -Name Release -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
Set-Secret -Name ConvTokens.GalleryApiKey -Secret '$ApiKey'
`$probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); `$probe.Start(); `$port = `$probe.LocalEndpoint.Port; `$probe.Stop()
`$listener = [Net.HttpListener]::new()
`$listener.Prefixes.Add("http://127.0.0.1:`$port/")
`$listener.Start()
`$seen = [Collections.Concurrent.ConcurrentQueue[string]]::new()
`$feed = Start-ThreadJob -ArgumentList `$listener, `$seen, `$port, '$ApiKey' -ScriptBlock {
    param(`$listener, `$seen, `$port, `$expected)
    `$deadline = [datetime]::UtcNow.AddSeconds(60)
    for (`$i = 0; `$i -lt 6 -and [datetime]::UtcNow -lt `$deadline -and `$listener.IsListening; `$i++) {
        try { `$next = `$listener.GetContextAsync(); if (-not `$next.Wait(30000)) { break }; `$context = `$next.Result } catch { break }
        `$request = `$context.Request
        `$seen.Enqueue("`$(`$request.HttpMethod) `$(`$request.Url.AbsolutePath) key-matches:`$(`$request.Headers['X-NuGet-ApiKey'] -ceq `$expected)")
        if (`$request.HttpMethod -eq 'GET') {
            `$body = [Text.Encoding]::UTF8.GetBytes("<?xml version='1.0' encoding='utf-8'?><feed xml:base='http://127.0.0.1:`$port/api/v2' xmlns='http://www.w3.org/2005/Atom' xmlns:d='http://schemas.microsoft.com/ado/2007/08/dataservices' xmlns:m='http://schemas.microsoft.com/ado/2007/08/dataservices/metadata'><m:count>0</m:count><id>http://127.0.0.1/api/v2/Packages</id><title /><updated>2026-12-01T00:00:00Z</updated><author><name /></author></feed>")
            `$context.Response.ContentType = 'application/atom+xml;type=feed;charset=utf-8'
            `$context.Response.OutputStream.Write(`$body, 0, `$body.Length)
        }
        else { `$request.InputStream.CopyTo([IO.Stream]::Null); `$context.Response.StatusCode = 201 }
        `$context.Response.Close()
    }
}
Register-PSResourceRepository -Name ConvTokensRemote -Uri "http://127.0.0.1:`$port/api/v2" -Trusted
try {
    `$clone = New-ReleaseClone 'clone' "## `$Version — 2026-11-30``n``n- Everything.``n"
    Publish-Release -RepositoryRoot `$clone -Version `$Version -Repository ConvTokensRemote -NewPackage `$NewPackage -WhatIf *>&1 | ForEach-Object { "`$_" }
    `$release = `$null
    Publish-Release -RepositoryRoot `$clone -Version `$Version -Repository ConvTokensRemote -NewPackage `$NewPackage -Verbose -Debug *>&1 |
        ForEach-Object { if (`$_.PSObject.TypeNames -contains 'ConvTokens.Build.Release') { `$release = `$_ } else { "`$_" } }
    'published:' + `$release.Published
}
finally {
    `$listener.Stop()
    `$null = `$feed | Wait-Job -Timeout 10
    `$seen.ToArray() | ForEach-Object { 'feed-saw:' + `$_ }
    Unregister-PSResourceRepository -Name ConvTokensRemote
    'unregistered:' + (-not (Get-PSResourceRepository -Name ConvTokensRemote -ErrorAction Ignore))
}
"@
    }

    It '-WhatIf names the secret and the default vault the key would come from' {
        Skip-WhenSandboxEscaped $Output
        $Output | Where-Object { $_ -like 'What if: *' } |
            Should -BeLike "What if: publishing ConvTokens $Version (*) to repository 'ConvTokensRemote' (http://127.0.0.1:*/api/v2) with the API key from secret 'ConvTokens.GalleryApiKey' in the default vault. Nothing was published."
    }

    It 'checks the version, then uploads with the API key read from the default vault' {
        Skip-WhenSandboxEscaped $Output
        $Output | Should -Contain 'published:True'
        # One look-up per Publish-Release (-WhatIf included), one upload, which carried the key.
        @($Output | Where-Object { $_ -like 'feed-saw:*' }) | Should -Be @(
            'feed-saw:GET /api/v2/FindPackagesById() key-matches:False'
            'feed-saw:GET /api/v2/FindPackagesById() key-matches:False'
            'feed-saw:PUT /api/v2/package/ key-matches:True')
        $Output | Should -Contain 'unregistered:True'
    }

    It 'never shows the API key, even with -Verbose and -Debug' {
        Skip-WhenSandboxEscaped $Output
        $Output | Where-Object { $_ -like 'In PublishPSResource::PushNupkg()*' } | Should -Not -BeNullOrEmpty
        ($Output -join "`n") | Should -Not -Match ([regex]::Escape($ApiKey))
    }
}

Describe 'Publish refusals' -Tag Slow {
    BeforeAll {
        $script:Sandbox = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'refusals')).FullName
        # Each case prints 'case|<error id>|<message>|packaged:<n>|feed:<n>'; the packaging step counts its calls.
        $script:Output = Invoke-ReleaseSandbox -Root $Sandbox -Version $Version -Script @"
Register-SecretVault -Name Empty -ModuleName Microsoft.PowerShell.SecretStore
Register-SecretVault -Name Odd -ModuleName Microsoft.PowerShell.SecretStore
Set-Secret -Name Blank -Secret ([securestring]::new()) -Vault Odd
Set-Secret -Name Table -Secret @{ key = 'x' } -Vault Odd
`$feed = (New-Item -ItemType Directory (Join-Path `$Work 'feed')).FullName
`$seeded = (New-Item -ItemType Directory (Join-Path `$Work 'seeded')).FullName
`$listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); `$listener.Start(); `$port = `$listener.LocalEndpoint.Port; `$listener.Stop()
Register-PSResourceRepository -Name ConvTokensRelease -Uri `$feed -Trusted
Register-PSResourceRepository -Name ConvTokensSeeded -Uri `$seeded -Trusted
Register-PSResourceRepository -Name ConvTokensOffline -Uri "http://127.0.0.1:`$port/api/v2" -Trusted
try {
    `$dated = "## `$Version — 2026-11-30``n``n- Everything.``n"
    `$clean = New-ReleaseClone 'clean' `$dated
    `$modified = New-ReleaseClone 'modified' `$dated; Add-Content (Join-Path `$modified 'README.md') 'edited'
    `$untracked = New-ReleaseClone 'untracked' `$dated; Set-Content (Join-Path `$untracked 'Extra.cs') 'class Extra {}'
    `$missing = New-ReleaseClone 'missing' "## 0.0.1 — 2026-01-01``n``n- Older.``n"
    `$unreleased = New-ReleaseClone 'unreleased' "## 0.0.1 — 2026-01-01``n``n- Older.``n``n## `$Version — unreleased``n``n- Soon.``n"
    `$empty = New-ReleaseClone 'empty' "## `$Version — 2026-11-30``n``n## 0.0.1 — 2026-01-01``n``n- Older.``n"
    & `$NewPackage | Out-Null; Publish-PSResource -NupkgPath (Get-ChildItem (Join-Path `$Work 'packages') -Filter *.nupkg).FullName -Repository ConvTokensSeeded
    `$global:Packaged = 0
    `$cases = [ordered]@{
        modified    = @{ RepositoryRoot = `$modified; Repository = 'ConvTokensRelease' }
        untracked   = @{ RepositoryRoot = `$untracked; Repository = 'ConvTokensRelease' }
        missing     = @{ RepositoryRoot = `$missing; Repository = 'ConvTokensRelease' }
        unreleased  = @{ RepositoryRoot = `$unreleased; Repository = 'ConvTokensRelease' }
        empty       = @{ RepositoryRoot = `$empty; Repository = 'ConvTokensRelease' }
        unknownrepo = @{ RepositoryRoot = `$clean; Repository = 'NoSuchRepository' }
        offline     = @{ RepositoryRoot = `$clean; Repository = 'ConvTokensOffline' }
        exists      = @{ RepositoryRoot = `$clean; Repository = 'ConvTokensSeeded' }
        nokey       = @{ RepositoryRoot = `$clean; Repository = 'ConvTokensRelease'; Vault = 'Empty' }
        novault     = @{ RepositoryRoot = `$clean; Repository = 'ConvTokensRelease'; Vault = 'NoSuchVault' }
        blankkey    = @{ RepositoryRoot = `$clean; Repository = 'ConvTokensRelease'; Vault = 'Odd'; ApiKeySecretName = 'Blank' }
        tablekey    = @{ RepositoryRoot = `$clean; Repository = 'ConvTokensRelease'; Vault = 'Odd'; ApiKeySecretName = 'Table' }
        whatif      = @{ RepositoryRoot = `$modified; Repository = 'ConvTokensRelease'; WhatIf = `$true }
    }
    foreach (`$case in `$cases.Keys) {
        `$arguments = `$cases[`$case]
        try { Publish-Release -Version `$Version -NewPackage `$NewPackage @arguments | Out-Null; `$id = 'none'; `$message = '' }
        catch { `$id = `$_.FullyQualifiedErrorId; `$message = `$_.Exception.Message }
        "`$case|`$id|`$message|packaged:`$global:Packaged|feed:`$(@(Get-ChildItem `$feed).Count)"
    }
    # Without SecretManagement at all (only pwsh's own modules on the path).
    Remove-Module Microsoft.PowerShell.SecretManagement
    `$env:PSModulePath = Join-Path `$PSHOME 'Modules'
    if (Get-Command Get-Secret -ErrorAction Ignore) { 'nosecretmanagement|skipped' }
    else {
        try { Publish-Release -RepositoryRoot `$clean -Version `$Version -Repository ConvTokensRelease -Vault Any -NewPackage `$NewPackage | Out-Null; `$id = 'none'; `$message = '' }
        catch { `$id = `$_.FullyQualifiedErrorId; `$message = `$_.Exception.Message }
        "nosecretmanagement|`$id|`$message|packaged:`$global:Packaged|feed:0"
    }
    # A local folder needs no key: with no -Vault, the empty vault is never asked.
    `$plain = Publish-Release -RepositoryRoot `$clean -Version `$Version -Repository ConvTokensRelease -NewPackage `$NewPackage
    "plain|`$(`$plain.Published)|`$(`$plain.ApiKey)|feed:`$(@(Get-ChildItem `$feed).Count)"
}
finally {
    Unregister-PSResourceRepository -Name ConvTokensRelease, ConvTokensSeeded, ConvTokensOffline
    'unregistered:' + (@(Get-PSResourceRepository -Name ConvTokens* -ErrorAction Ignore).Count -eq 0)
}
"@
        function Get-Case([string] $Name) {
            $line = $Output | Where-Object { $_ -like "$Name|*" } | Select-Object -First 1
            if (-not $line) { throw "The sandbox printed no line for case '$Name':`n$($Output -join "`n")" }
            $parts = $line -split '\|'
            [pscustomobject]@{ Id = $parts[1]; Message = $parts[2]; Packaged = $parts[3]; Feed = $parts[4] }
        }
    }
    It 'refuses <Case> with <Id>, before packaging or uploading anything' -ForEach @(
        @{ Case = 'modified'; Id = 'ReleaseTreeDirty'; Message = "*has 1 uncommitted change(s): README.md (modified). A release is built from committed sources only: commit or stash them, then publish again. Nothing was published." }
        @{ Case = 'untracked'; Id = 'ReleaseTreeDirty'; Message = '*has 1 uncommitted change(s): Extra.cs (untracked).*commit or stash them*' }
        @{ Case = 'missing'; Id = 'ReleaseChangelogMissing'; Message = "CHANGELOG.md has no entry for ConvTokens <v>. Add a '## <v> — ????-??-??' section with what changed, commit it, then publish again. Nothing was published." }
        @{ Case = 'unreleased'; Id = 'ReleaseChangelogUnreleased'; Message = "CHANGELOG.md's entry for ConvTokens <v> has 'unreleased' where the release date belongs. Change its heading to '## <v> — ????-??-??', commit it, then publish again. Nothing was published." }
        @{ Case = 'empty'; Id = 'ReleaseChangelogEmpty'; Message = "CHANGELOG.md's entry for ConvTokens <v> says nothing under its heading*" }
        @{ Case = 'unknownrepo'; Id = 'ReleaseRepositoryNotRegistered'; Message = "No PSResourceGet repository named 'NoSuchRepository' is registered (registered: *ConvTokensRelease*). Register it with Register-PSResourceRepository*" }
        @{ Case = 'offline'; Id = 'ReleaseRepositoryUnavailable'; Message = "Could not check whether ConvTokens <v> is already in repository 'ConvTokensOffline' (http://127.0.0.1:*/api/v2): *Nothing was published." }
        @{ Case = 'exists'; Id = 'ReleaseVersionExists'; Message = "ConvTokens <v> is already in repository 'ConvTokensSeeded' (file:///*), and a version is published once. Raise VersionPrefix in Directory.Build.props*" }
        @{ Case = 'nokey'; Id = 'ReleaseApiKeyNotFound'; Message = "There is no secret 'ConvTokens.GalleryApiKey' in vault 'Empty', so there is no API key for 'ConvTokensRelease'. Store the key with 'Set-Secret -Name ConvTokens.GalleryApiKey -Vault Empty'*" }
        @{ Case = 'whatif'; Id = 'ReleaseTreeDirty'; Message = '*uncommitted change(s): README.md (modified).*' }
        @{ Case = 'novault'; Id = 'ReleaseApiKeyUnavailable'; Message = "The API key for 'ConvTokensRelease' could not be read from secret 'ConvTokens.GalleryApiKey' in vault 'NoSuchVault': Vault not found in registry: NoSuchVault Nothing was published." }
        @{ Case = 'blankkey'; Id = 'ReleaseApiKeyEmpty'; Message = "Secret 'Blank' in vault 'Odd' is empty; store the API key for 'ConvTokensRelease' with 'Set-Secret -Name Blank -Vault Odd', then publish again. Nothing was published." }
        @{ Case = 'tablekey'; Id = 'ReleaseApiKeyTypeUnsupported'; Message = "Secret 'Table' in vault 'Odd' holds a Hashtable; an API key is stored as a string or SecureString ('Set-Secret -Name Table -Vault Odd'). Nothing was published." }
    ) {
        Skip-WhenSandboxEscaped $Output
        $result = Get-Case $Case
        $result.Id | Should -BeExactly $Id
        $result.Message | Should -BeLike ($Message -replace '<v>', $Version)
        $result.Packaged | Should -BeExactly 'packaged:0'
        $result.Feed | Should -BeExactly 'feed:0'
    }

    It 'says how to install SecretManagement when a key is needed and it is missing (ReleaseSecretManagementMissing)' {
        Skip-WhenSandboxEscaped $Output
        if ($Output -contains 'nosecretmanagement|skipped') { Set-ItResult -Skipped -Because "a SecretManagement module is installed in pwsh's own module folder" }
        $result = Get-Case 'nosecretmanagement'
        $result.Id | Should -BeExactly 'ReleaseSecretManagementMissing'
        $result.Message | Should -BeLike "Publishing to 'ConvTokensRelease' reads its API key with Get-Secret, but Microsoft.PowerShell.SecretManagement is not installed. Install it (Install-PSResource Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore), register a vault, store the key with 'Set-Secret -Name ConvTokens.GalleryApiKey -Vault Any', then publish again."
        $result.Packaged | Should -BeExactly 'packaged:0'
    }

    It 'publishes to a local folder without a key, never asking a vault or SecretManagement' {
        Skip-WhenSandboxEscaped $Output
        $Output | Should -Contain 'plain|True|no API key (a local folder repository)|feed:1'
    }

    It 'unregisters every repository it registered' {
        Skip-WhenSandboxEscaped $Output
        $Output | Should -Contain 'unregistered:True'
    }
}
