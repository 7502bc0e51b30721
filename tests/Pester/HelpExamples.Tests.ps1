#Requires -Version 7.4
# Every example of the built help runs, offline, and does what its text says.
#
# The examples are read from the built module at run time, never copied here: the EXAMPLES of each
# exported cmdlet (Get-Help -Full), and the code blocks of about_ConvTokens. In about_ConvTokens a code
# block is a group of lines indented 8 or more spaces after a blank line, that parses as PowerShell and
# whose commands are all either known to this session or Verb-Noun names (prose and tables fail that:
# their first words are not commands). The blocks of one section run in order in one session, as a
# reader would type them; each cmdlet example runs in a session of its own.
#
# Each session is a fresh runspace with stand-ins for what a test run cannot reach:
#   - the vault: the SecretManagement stand-in under tests/SecretManagementStandIn, with a default vault
#     ConvTokens holding ConvTokens.ApiSignature, ConvTokens.ApiKey and ConvTokens.ClientSecret (unless the
#     example registers its vault itself), a vault Shops with ShopB.ApiSignature and a vault
#     ConvTokensLocal; the default vault is locked when the example unlocks it (Unlock-SecretStore), and
#     a module Microsoft.PowerShell.SecretStore with Set-SecretStoreConfiguration is provided;
#   - the API: the local token endpoint (tests/Support/TokenEndpoint.psm1). Get-SessionToken's -BaseUri
#     defaults to it ($PSDefaultParameterValues), and a -BaseUri to https://api.jackpot-io.com/v2 or to a
#     loopback address in an example is rewritten to it. Invoke-RestMethod and Invoke-WebRequest to
#     api.jackpot-io.com answer locally, after checking that a session token was sent as the bearer;
#   - people and schedulers: Read-Host -AsSecureString answers the secret its prompt names,
#     Get-AutomationPSCredential gives the vault password, Install-PSResource / Install-Module only check
#     that the modules they name exist;
#   - the files and variables examples assume: ./users.csv (from the "# users.csv:" comment of an example
#     when there is one), ./received-tokens.txt, $token and $tokens (unspent InitializationTokens),
#     $received (a token string), $text (a token whose amount is the string "100") and $rows.
# A block that runs build.ps1 is not run (it would rebuild the module under test): its -Task values are
# checked against build.ps1 instead.
#
# An example passes when it throws nothing and writes no error or warning. A comment that shows what a
# plain expression outputs ("$result.Reason  # InvalidClaim", or a comment line right after it) is
# compared with that output, dictionaries written as "key = value, ...", and "..." ending a prefix.

BeforeDiscovery {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession

    $cmdletExamples = foreach ($name in (Import-PowerShellDataFile -Path $ModuleManifest).CmdletsToExport) {
        foreach ($example in @((Get-Help -Name $name -Full).examples.example)) {
            @{
                Source = $name
                Title  = ($example.title -replace '^[-\s]*|[-\s]*$', '')
                Blocks = @([string] $example.code)
            }
        }
    }

    function Test-CodeBlock([string] $Code) {
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        if ($errors.Count -gt 0) { return $false }
        $commands = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true))
        foreach ($command in $commands) {
            $commandName = $command.GetCommandName()
            if (-not $commandName) { return $false }
            if ($commandName -match '^[A-Za-z]+-[A-Za-z]+$' -and (Get-Verb -Verb ($commandName -split '-')[0])) { continue }
            if (-not (Get-Command -Name $commandName -ErrorAction Ignore)) { return $false }
        }
        $true
    }

    $aboutPath = Join-Path (Split-Path -Parent $ModuleManifest) 'en-US/about_ConvTokens.help.txt'
    $aboutLines = @(Get-Content -LiteralPath $aboutPath)
    $sections = [ordered]@{}
    $section = $null
    for ($i = 0; $i -lt $aboutLines.Count; $i++) {
        $line = $aboutLines[$i]
        if ($line -match '^[A-Z][A-Z ]+$') { $section = $line.Trim(); continue }
        $startsBlock = $line -match '^ {8,}\S' -and ($i -eq 0 -or -not $aboutLines[$i - 1].Trim())
        if (-not $startsBlock) { continue }
        $block = [Collections.Generic.List[string]]::new()
        while ($i -lt $aboutLines.Count -and $aboutLines[$i] -match '^ {8,}\S') { $block.Add($aboutLines[$i]); $i++ }
        $indent = ($block | ForEach-Object { ($_ -replace '^( *).*$', '$1').Length } | Measure-Object -Minimum).Minimum
        $code = ($block | ForEach-Object { $_.Substring($indent) }) -join "`n"
        if (Test-CodeBlock $code) {
            if (-not $sections.Contains($section)) { $sections[$section] = [Collections.Generic.List[string]]::new() }
            $sections[$section].Add($code)
        }
    }
    $aboutExamples = foreach ($entry in $sections.GetEnumerator()) {
        @{ Source = 'about_ConvTokens'; Title = $entry.Key; Blocks = @($entry.Value) }
    }
    $allExamples = @($cmdletExamples) + @($aboutExamples)
    $found = @{ Count = $allExamples.Count; AboutSections = @($aboutExamples.Title); AboutCode = (@($aboutExamples.Blocks) -join "`n") }
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    # The examples import the module by name, from the folders set up below.
    $script:Ep = Initialize-TestSession -Endpoint -NoModule
    $script:VaultPassword = ConvertTo-TestSecureString 'vault password for the examples'

    # A folder the examples run in, and the module folders they import from by name.
    $script:WorkDir = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'work')).FullName
    $modules = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'modules')
    New-Item -ItemType SymbolicLink -Path (Join-Path $modules 'ConvTokens') -Target (Split-Path -Parent $ModuleManifest) | Out-Null
    # Only out/TokenEndpoint, which nothing writes while tests run: Pester's TestDrive cleanup enumerates
    # through links and deletes every file that appeared since the block began, so a link to all of out/
    # deleted the summaries other Pester workers wrote there meanwhile (a passing run reported failures).
    $workOut = New-Item -ItemType Directory -Force (Join-Path $WorkDir 'out')
    New-Item -ItemType SymbolicLink -Path (Join-Path $workOut 'TokenEndpoint') -Target (Join-Path $RepoRoot 'out/TokenEndpoint') | Out-Null
    $script:ExtraModules = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'extra-modules')).FullName
    $script:SavedModulePath = $env:PSModulePath
    $env:PSModulePath = (@($StandInModulePath, $modules.FullName, $ExtraModules) -join [IO.Path]::PathSeparator) + [IO.Path]::PathSeparator + $env:PSModulePath
    if (-not (Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretStore)) {
        # Only what the examples call; Unlock-SecretStore comes with the SecretManagement stand-in.
        $store = New-Item -ItemType Directory -Force (Join-Path $ExtraModules 'Microsoft.PowerShell.SecretStore')
        Set-Content -LiteralPath (Join-Path $store 'Microsoft.PowerShell.SecretStore.psm1') -Value @'
function Set-SecretStoreConfiguration {
    [CmdletBinding()]
    param(
        [ValidateSet('CurrentUser', 'AllUsers')] [string] $Scope,
        [ValidateSet('None', 'Password')] [string] $Authentication,
        [ValidateSet('None', 'Prompt')] [string] $Interaction,
        [int] $PasswordTimeout,
        [securestring] $Password,
        [switch] $Confirm
    )
}
'@
    }

    # users.csv as an example shows it, when one does.
    $csv = $null
    foreach ($name in (Import-PowerShellDataFile -Path $ModuleManifest).CmdletsToExport) {
        foreach ($example in @((Get-Help -Name $name -Full).examples.example)) {
            $lines = ([string] $example.code) -split '\r?\n'
            $at = [Array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^#\s*users\.csv:\s*$' })
            if ($at -ge 0 -and -not $csv) {
                $csv = @($lines | Select-Object -Skip ($at + 1) | ForEach-Object { if ($_ -match '^#\s?(.+)$') { $Matches[1] } else { $null } } |
                    ForEach-Object -Begin { $open = $true } -Process { if ($null -eq $_) { $open = $false }; if ($open) { $_ } })
            }
        }
    }
    if (-not $csv) { $csv = 'amount,cp,age,gender,userId', '100,75000,34,F,user-0001', '25.5,01000,41,M,user-0002' }
    $script:UsersCsv = $csv
    Set-Content -LiteralPath (Join-Path $WorkDir 'users.csv') -Value $csv

    $script:Secrets = @{
        ApiSignature = [Net.NetworkCredential]::new('', $Ep.ApiSignature).Password
        ApiKey       = [Net.NetworkCredential]::new('', $Ep.ApiKey).Password
        ClientSecret = [Net.NetworkCredential]::new('', $Ep.ClientSecret).Password
    }

    # Runs in every example's session before the example.
    $script:Setup = @'
param($Settings)
$ErrorActionPreference = 'Stop'
Import-Module ConvTokens, Microsoft.PowerShell.SecretManagement
Reset-StandIn
$secure = @{}
foreach ($key in $Settings.Secrets.Keys) { $secure[$key] = ConvertTo-SecureString -String $Settings.Secrets[$key] -AsPlainText -Force }
if (-not $Settings.RegistersVault) {
    Register-SecretVault -Name ConvTokens -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
    Set-Secret -Name ConvTokens.ApiSignature -SecureStringSecret $secure.ApiSignature -Vault ConvTokens
    Set-Secret -Name ConvTokens.ApiKey -SecureStringSecret $secure.ApiKey -Vault ConvTokens
    Set-Secret -Name ConvTokens.ClientSecret -SecureStringSecret $secure.ClientSecret -Vault ConvTokens
    Register-SecretVault -Name Shops -ModuleName Microsoft.PowerShell.SecretStore
    Set-Secret -Name ShopB.ApiSignature -SecureStringSecret $secure.ApiSignature -Vault Shops
    Register-SecretVault -Name ConvTokensLocal -ModuleName Microsoft.PowerShell.SecretStore
    Set-Secret -Name ConvTokens.ApiSignature -SecureStringSecret $secure.ApiSignature -Vault ConvTokensLocal
    Set-Secret -Name ConvTokens.ApiKey -SecureStringSecret $secure.ApiKey -Vault ConvTokensLocal
}
$global:PSDefaultParameterValues['Get-SessionToken:BaseUri'] = $Settings.BaseUri

# What the examples assume.
$global:token = New-InitializationToken -Amount 100 -UserId 'user-0001' -ApiSignature $secure.ApiSignature
$global:tokens = 1..3 | ForEach-Object { New-InitializationToken -Amount (10 * $_) -UserId "user-000$_" -ApiSignature $secure.ApiSignature }
$global:received = (New-InitializationToken -Amount 42 -UserId 'partner-0001' -ApiSignature $secure.ApiSignature).Token
$global:rows = Import-Csv ./users.csv
function ConvertTo-Segment([string] $Json) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Json)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
$signingInput = (ConvertTo-Segment '{"alg":"HS256","typ":"JWT"}') + '.' + (ConvertTo-Segment '{"amount":"100","iat":1738317600,"notificationKey":"5d1c7a0e"}')
$mac = [Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($Settings.Secrets.ApiSignature))
$global:text = $signingInput + '.' + [Convert]::ToBase64String($mac.ComputeHash([Text.Encoding]::ASCII.GetBytes($signingInput))).TrimEnd('=').Replace('+', '-').Replace('/', '_')
$mac.Dispose()
$other = ConvertTo-SecureString 'a partner''s other secret' -AsPlainText -Force
Set-Content -LiteralPath ./received-tokens.txt -Value @(
    $global:tokens.Token
    (New-InitializationToken -Amount 5 -UserId 'partner-0002' -ApiSignature $other).Token
    $global:text
)

# People and schedulers.
$global:StandInSecrets = $secure
function global:Read-Host {
    param([Parameter(Position = 0)] [object] $Prompt, [switch] $AsSecureString, [switch] $MaskInput)
    if (-not $AsSecureString) { throw "Read-Host stand-in: the examples only read secrets (-AsSecureString); prompt '$Prompt'." }
    switch -Regex ("$Prompt") {
        'apiSignature' { return $global:StandInSecrets.ApiSignature }
        'apiKey' { return $global:StandInSecrets.ApiKey }
        'client secret' { return $global:StandInSecrets.ClientSecret }
        default { throw "Read-Host stand-in: no secret known for the prompt '$Prompt'." }
    }
}
$global:StandInVaultPassword = $Settings.VaultPassword
function global:Get-AutomationPSCredential {
    param([Parameter(Mandatory)] [string] $Name)
    [pscredential]::new($Name, $global:StandInVaultPassword)
}
function global:Install-PSResource {
    param([Parameter(Mandatory, Position = 0)] [string[]] $Name, [Parameter(ValueFromRemainingArguments)] $Rest)
    foreach ($module in $Name) {
        if (-not (Get-Module -ListAvailable -Name $module)) { throw "Install-PSResource stand-in: there is no module '$module'." }
    }
}
function global:Install-Module {
    param([Parameter(Mandatory, Position = 0)] [string[]] $Name, [Parameter(ValueFromRemainingArguments)] $Rest)
    Install-PSResource -Name $Name
}

# The API's other calls: answered here once the bearer is a session token (a JWT with exp).
function global:Assert-SessionBearer([string] $Bearer, [string] $Uri) {
    $claims = $null
    if ($Bearer -match '^[\w-]+\.(?<payload>[\w-]+)\.[\w-]+$') {
        $payload = $Matches.payload.Replace('-', '+').Replace('_', '/')
        try { $claims = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($payload + '=' * ((4 - $payload.Length % 4) % 4))) | ConvertFrom-Json } catch { }
    }
    if (-not ($claims -and $claims.PSObject.Properties['exp'])) { throw "API stand-in: the bearer sent to $Uri is not a session token (a JWT with exp)." }
}
function global:Invoke-RestMethod {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [uri] $Uri, [string] $Authentication, [securestring] $Token, [System.Collections.IDictionary] $Headers,
        [Parameter(ValueFromRemainingArguments)] $Rest)
    if ($Uri.Host -ne 'api.jackpot-io.com') { return Microsoft.PowerShell.Utility\Invoke-RestMethod @PSBoundParameters }
    if ($Authentication -ne 'Bearer' -or -not $Token) { throw "API stand-in: $Uri needs -Authentication Bearer -Token <session token>." }
    Assert-SessionBearer ([Net.NetworkCredential]::new('', $Token).Password) $Uri
    [pscustomobject]@{ ok = $true }
}
function global:Invoke-WebRequest {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [uri] $Uri, [System.Collections.IDictionary] $Headers, [Parameter(ValueFromRemainingArguments)] $Rest)
    if ($Uri.Host -ne 'api.jackpot-io.com') { return Microsoft.PowerShell.Utility\Invoke-WebRequest @PSBoundParameters }
    $authorization = if ($Headers) { [string] $Headers['Authorization'] }
    if ($authorization -notmatch '^Bearer (?<token>\S+)$') { throw "API stand-in: $Uri needs an Authorization: Bearer <session token> header." }
    Assert-SessionBearer $Matches.token $Uri
    [pscustomobject]@{ StatusCode = 200; Content = '{"ok":true}' }
}
if ($Settings.LocksVault) { Set-StandInVaultLock -Vault ConvTokens -Locked $true -Password $Settings.VaultPassword }
$ErrorActionPreference = 'Continue'
'@

    # The task names build.ps1 offers for -Task completion (it checks them itself, so it takes 'Build,Test' too).
    $script:BuildTasks = @((Get-Command (Join-Path $RepoRoot 'build.ps1')).Parameters['Task'].Attributes |
            Where-Object { $_ -is [System.Management.Automation.ArgumentCompletionsAttribute] } |
            ForEach-Object { $_.CompleteArgument('build.ps1', 'Task', '', $null, @{}) } | ForEach-Object CompletionText)
    if ($BuildTasks.Count -lt 5) { throw "build.ps1's -Task offers no task names to check examples against." }

    # Plain expressions followed by a comment that shows their output.
    function Get-ShownOutput([string] $Code) {
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        $comments = @($tokens | Where-Object Kind -eq Comment)
        foreach ($statement in $ast.EndBlock.Statements) {
            if ($statement -isnot [System.Management.Automation.Language.PipelineAst] -or $statement.PipelineElements.Count -ne 1) { continue }
            $element = $statement.PipelineElements[0]
            if ($element -isnot [System.Management.Automation.Language.CommandExpressionAst]) { continue }
            $expression = $element.Expression
            if ($expression -is [System.Management.Automation.Language.InvokeMemberExpressionAst] -or
                $expression -isnot [System.Management.Automation.Language.MemberExpressionAst] -and
                $expression -isnot [System.Management.Automation.Language.BinaryExpressionAst] -and
                $expression -isnot [System.Management.Automation.Language.VariableExpressionAst]) { continue }
            $line = $statement.Extent.EndLineNumber
            $comment = $comments | Where-Object { $_.Extent.StartLineNumber -eq $line -and $_.Extent.StartOffset -ge $statement.Extent.EndOffset } | Select-Object -First 1
            if (-not $comment) {
                $comment = $comments | Where-Object { $_.Extent.StartLineNumber -eq $line + 1 -and $_.Extent.StartColumnNumber -eq 1 } | Select-Object -First 1
            }
            if ($comment) {
                [pscustomobject]@{ Expression = $statement.Extent.Text; Shown = $comment.Text.TrimStart('#').Trim() }
            }
        }
    }

    function ConvertTo-ShownText([object[]] $Output) {
        @(foreach ($item in $Output) {
                if ($item -is [System.Collections.IDictionary]) { (@($item.GetEnumerator() | ForEach-Object { "$($_.Key) = $($_.Value)" }) -join ', ') }
                else { "$item" }
            }) -join ', '
    }

    function Invoke-Example([string[]] $Blocks) {
        $all = $Blocks -join "`n"
        $settings = @{
            Secrets        = $Secrets
            BaseUri        = $Ep.BaseUri
            VaultPassword  = $VaultPassword
            RegistersVault = $all -match '\bRegister-SecretVault\b'
            LocksVault     = $all -match '\bUnlock-Secret(Store|Vault)\b'
        }
        $runspace = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
        $runspace.Open()
        $problems = [Collections.Generic.List[string]]::new()
        # The process's own directory is not the session's location, as after a 'cd' in a console: a
        # relative path handed to .NET (ProcessStartInfo, File APIs) is resolved elsewhere.
        $savedDirectory = [Environment]::CurrentDirectory
        [Environment]::CurrentDirectory = $TestDrive
        try {
            $runspace.SessionStateProxy.Path.SetLocation($WorkDir) | Out-Null
            $ps = [powershell]::Create()
            $ps.Runspace = $runspace
            [void] $ps.AddScript($Setup).AddArgument($settings)
            $null = $ps.Invoke()
            if ($ps.Streams.Error.Count) { throw "the stand-ins did not start: $($ps.Streams.Error[0])" }
            foreach ($block in $Blocks) {
                if ($block -match '\bbuild\.ps1\b') {
                    foreach ($task in [regex]::Matches($block, '-Task\s+(?<task>\w+)')) {
                        if ($task.Groups['task'].Value -notin $BuildTasks) { $problems.Add("build.ps1 has no task '$($task.Groups['task'].Value)': $block") }
                    }
                    continue
                }
                $code = $block -replace '(?<=-BaseUri\s+)([''"]?)(https://api\.jackpot-io\.com/v2|http://127\.0\.0\.1:\d+)\1', "'$($Ep.BaseUri)'"
                $ps.Commands.Clear(); $ps.Streams.ClearStreams()
                [void] $ps.AddScript($code, $false)
                try { $null = $ps.Invoke() }
                catch { $problems.Add("threw: $($_.Exception.GetBaseException().Message)`n--- in:`n$block") }
                foreach ($e in $ps.Streams.Error) { $problems.Add("wrote the error $($e.FullyQualifiedErrorId): $e`n--- in:`n$block") }
                foreach ($w in $ps.Streams.Warning) { $problems.Add("wrote the warning: $w`n--- in:`n$block") }
                foreach ($shown in @(Get-ShownOutput $block)) {
                    $ps.Commands.Clear(); $ps.Streams.ClearStreams()
                    $actual = ConvertTo-ShownText @($ps.AddScript($shown.Expression, $false).Invoke())
                    $expected = $shown.Shown
                    $matches = if ($expected -match '^(?<prefix>.*?)\s*(\.\.\.|…)$') { $actual.StartsWith($Matches.prefix) } else { $actual -ceq $expected }
                    if (-not $matches) { $problems.Add("$($shown.Expression) shows '$expected' but outputs '$actual'") }
                }
            }
        }
        finally {
            [Environment]::CurrentDirectory = $savedDirectory
            $runspace.Dispose()
        }
        @($problems)
    }
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
    if ($null -ne $SavedModulePath) { $env:PSModulePath = $SavedModulePath }
}

Describe 'The examples found in the built help' -ForEach $found {
    It 'include every cmdlet example and the code of about_ConvTokens' {
        # Guards the extraction: if the help's layout changes so that examples are no longer found,
        # this fails instead of the example tests silently disappearing.
        $Count | Should -BeGreaterOrEqual 20
        foreach ($section in 'THE HANDSHAKE', 'SECRETS AND VAULTS', 'UNATTENDED RUNBOOKS', 'LOCAL TOKEN ENDPOINT', 'PERFORMANCE', 'TROUBLESHOOTING') {
            $AboutSections | Should -Contain $section
        }
        foreach ($known in 'Unlock-SecretStore -Password $pw', 'foreach ($row in $rows)', 'Register-SecretVault', '$endpoint.StandardInput.Close()') {
            $AboutCode | Should -Match ([regex]::Escape($known))
        }
        $AboutCode | Should -Not -Match 'claim\s+JSON type' -Because 'tables are not code'
    }
}

Describe '<Source>: <Title>' -ForEach $allExamples {
    It 'runs as written and shows what it outputs' {
        $problems = Invoke-Example $Blocks
        $problems | Should -BeNullOrEmpty -Because ($problems -join "`n`n")
    }
}
