#Requires -Version 7.4
# ConvTokens in an application that embeds PowerShell, as Azure Automation and the Azure Functions PowerShell
# worker run runbooks: tests/EmbeddedHost (the PowerShell SDK, a runspace pool of four, the module imported
# through InitialSessionState, no host and no console) in a process of its own, against the local endpoint.
# The host reports every stream of every runbook and whatever reached its own Console; these tests assert it.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    # The host imports the module itself, into its own runspaces.
    $script:Ep = Initialize-TestSession -Endpoint -NoModule
    $script:HostDll = Join-Path $RepoRoot 'out/tests/embedded-host/ConvTokens.Tests.EmbeddedHost.dll'
    if (-not (Test-Path -LiteralPath $HostDll)) {
        throw "The embedded test host is not built ($HostDll): run build.ps1 -Task Test, which builds tests/EmbeddedHost."
    }
    $script:DotnetHost = if ([IO.Path]::GetFileNameWithoutExtension($PwshCommand[0]) -eq 'dotnet') { $PwshCommand[0] }
        elseif ($env:DOTNET_HOST_PATH) { $env:DOTNET_HOST_PATH }
        else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    $script:Plain = @{
        ApiSignature = [Net.NetworkCredential]::new('', $Ep.ApiSignature).Password
        ApiKey       = [Net.NetworkCredential]::new('', $Ep.ApiKey).Password
    }
    $script:GetId = 'ConvTokens.PowerShell.Commands.GetSessionTokenCommand'
    $script:NewId = 'ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'

    # One runbook for the host: its script, its parameters, and the two secrets passed directly as SecureString.
    function New-Runbook([string] $Name, [string] $Script, [hashtable] $Parameters = @{}) {
        @{
            name = $Name; script = $Script
            parameters = @{ Name = $Name; BaseUri = $Ep.BaseUri } + $Parameters
            secureParameters = $Plain
        }
    }

    # Runs the runbooks at once in a fresh host process (stdin: the plan, then EOF; nobody can answer a prompt).
    function Invoke-EmbeddedHost([object[]] $Runbooks, [hashtable] $Stop, [hashtable] $Environment = @{}) {
        $plan = [ordered]@{ runbooks = @($Runbooks); statsUri = "$($Ep.BaseUri)/_control/stats" }
        if ($Stop) { $plan.stop = $Stop }
        $utf8 = [Text.UTF8Encoding]::new($false)
        $start = [Diagnostics.ProcessStartInfo]::new($DotnetHost)
        $start.ArgumentList.Add($HostDll)
        $start.ArgumentList.Add($ModuleManifest)
        $start.UseShellExecute = $false
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.StandardInputEncoding = $utf8
        $start.StandardOutputEncoding = $utf8
        $start.StandardErrorEncoding = $utf8
        foreach ($name in $Environment.Keys) { $start.Environment[$name] = $Environment[$name] }
        $process = [Diagnostics.Process]::Start($start)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            $process.StandardInput.WriteLine((ConvertTo-Json -InputObject $plan -Depth 10 -Compress))
            $process.StandardInput.Close()
            # A guard against a hang only: the host itself gives each runbook three minutes.
            if (-not $process.WaitForExit(300000)) { throw 'The embedded host did not end within five minutes.' }
            $process.WaitForExit()
            [pscustomobject]@{
                ExitCode       = $process.ExitCode
                StandardOutput = $stdout.Result
                StandardError  = $stderr.Result
                Report         = ConvertFrom-Json -InputObject $stdout.Result
            }
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            $process.Dispose()
        }
    }

    # What every run must show: the report and nothing else on stdout, nothing on stderr or the Console.
    function Assert-QuietHost([object] $Run) {
        $Run.ExitCode | Should -Be 0
        $Run.StandardError | Should -BeExactly ''
        @($Run.StandardOutput.TrimEnd("`n") -split "`n").Count | Should -Be 1
        $Run.Report.console | Should -BeExactly ''
    }

    function Get-Runbook([object] $Run, [string] $Name) { $Run.Report.runbooks | Where-Object name -EQ $Name }

    # The progress rule as a host sees it: one activity, a record only when something changed (never the
    # same record twice in a row), and each batch that showed a line ends with its Completed record.
    function Assert-ProgressRule([object] $Runbook, [string[]] $Completed) {
        $records = @($Runbook.progress)
        $records.Count | Should -BeGreaterThan 0
        foreach ($record in $records) {
            $record.activity | Should -BeExactly 'Exchanging tokens'
            $record.percent | Should -Be -1
            if ($record.recordType -eq 'Processing') {
                $record.status | Should -Match '^\d+/\d+ answered, \d+([.,]\d)?/s, \d+ failed, \d+ in flight$'
            }
        }
        for ($i = 1; $i -lt $records.Count; $i++) {
            "$($records[$i].status)|$($records[$i].recordType)" | Should -Not -BeExactly "$($records[$i - 1].status)|$($records[$i - 1].recordType)" -Because "record $i of $($Runbook.name) repeats the one before it"
        }
        @($records | Where-Object recordType -EQ 'Completed' | ForEach-Object status) | Should -Be $Completed
        $records[-1].recordType | Should -Be 'Completed'
        $records[0].recordType | Should -Be 'Processing'
    }
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
}

Describe 'An embedded host: the PowerShell SDK, a runspace pool of four, the module through InitialSessionState, no console' -Tag Slow {
    It 'runs five runbooks at once: exact outputs, error ids with their targets, one progress record per change and a completion per batch, nothing on the console' {
        Reset-TokenEndpoint $Ep
        # Every answer takes two seconds: each batch runs long enough to show progress, and while the answers are
        # awaited nothing changes (where each record used to be written again twice a second).
        $null = Set-TokenEndpointFault $Ep -Faults @{ kind = 'slow'; delayMs = 2000; count = -1 }
        $script = @'
param([string] $Name, [string] $BaseUri, [securestring] $ApiSignature, [securestring] $ApiKey)
"$Name runs in $($Host.Name)"
$rows = @(1..3 | ForEach-Object { [pscustomobject]@{ amount = "$_.5"; cp = '01000'; userId = "$Name-u$_"; notificationKey = "$Name-n$_" } }) +
    [pscustomobject]@{ amount = '12,5'; userId = "$Name-u4"; notificationKey = "$Name-n4" }
$tokens = @($rows | New-InitializationToken -ApiSignature $ApiSignature)
$tokens | Test-Token -ApiSignature $ApiSignature | ForEach-Object { "$Name verified $($_.NotificationKey): $($_.IsValid), amount $($_.Amount)" }
@($tokens[0], 'not-a-jwt', $tokens[1], $tokens[2]) | Get-SessionToken -BaseUri $BaseUri -ApiKey $ApiKey |
    ForEach-Object { "$Name exchanged $($_.NotificationKey) for $($_.UserId): $($_.TokenType), $($_.GrantType)" }
# One time only: the same token again is refused.
$tokens[0] | Get-SessionToken -BaseUri $BaseUri -ApiKey $ApiKey | ForEach-Object { "$Name exchanged $($_.NotificationKey) twice" }
"$Name done"
'@
        $run = Invoke-EmbeddedHost -Runbooks @(1..5 | ForEach-Object { New-Runbook "rb$_" $script })
        Assert-QuietHost $run
        @($run.Report.runbooks.name) | Should -Be @('rb1', 'rb2', 'rb3', 'rb4', 'rb5')
        foreach ($name in 'rb1', 'rb2', 'rb3', 'rb4', 'rb5') {
            $runbook = Get-Runbook $run $name
            $runbook.state | Should -Be 'Completed'
            @($runbook.outputs) | Should -Be @(
                "$name runs in Default Host"
                "$name verified $name-n1: True, amount 1.5"
                "$name verified $name-n2: True, amount 2.5"
                "$name verified $name-n3: True, amount 3.5"
                "$name exchanged $name-n1 for $name-u1: Bearer, jwt-bearer"
                "$name exchanged $name-n2 for $name-u2: Bearer, jwt-bearer"
                "$name exchanged $name-n3 for $name-u3: Bearer, jwt-bearer"
                "$name done"
            )
            @($runbook.errors.id) | Should -Be @("AmountInvalid,$NewId", "TokenInputInvalid,$GetId", "SessionTokenInvalidGrant,$GetId")
            @($runbook.errors.target) | Should -Be @("$name-n4", 'not-a-jwt', "$name-n1")
            @($runbook.errors.targetType) | Should -Be @('System.Management.Automation.PSCustomObject', 'System.String', 'ConvTokens.PowerShell.InitializationToken')
            Assert-ProgressRule $runbook -Completed @('Done: 4/4 answered, 1 failed', 'Done: 1/1 answered, 1 failed')
            @($runbook.warnings) | Should -HaveCount 0
            @($runbook.information) | Should -HaveCount 0
        }
        $stats = Get-TokenEndpointStats $Ep
        $stats.requests | Should -Be 20
        $stats.issued | Should -Be 15
        # The one deliberate resend per runbook, and no other.
        $stats.consumedThenResent | Should -Be 5
        @($stats.resentAfterConsume | Sort-Object) | Should -Be @('rb1-n1', 'rb2-n1', 'rb3-n1', 'rb4-n1', 'rb5-n1')
    }

    It 'a batch that ends in an error (-ErrorAction Stop) still completes its progress, unless progress is switched off' {
        Reset-TokenEndpoint $Ep
        $null = Set-TokenEndpointFault $Ep -Faults @{ kind = 'slow'; delayMs = 2000; count = -1 }
        $script = @'
param([string] $Name, [string] $BaseUri, [securestring] $ApiSignature, [securestring] $ApiKey, [bool] $Quiet)
if ($Quiet) { $ProgressPreference = 'SilentlyContinue' }
$tokens = @(1..2 | ForEach-Object { New-InitializationToken -Amount $_ -UserId "$Name-u$_" -NotificationKey "$Name-n$_" -ApiSignature $ApiSignature })
try {
    @($tokens[0], 'not-a-jwt', $tokens[1]) | Get-SessionToken -BaseUri $BaseUri -ApiKey $ApiKey -ErrorAction Stop |
        ForEach-Object { "$Name exchanged $($_.NotificationKey)" }
}
catch { "$Name stopped by $($_.FullyQualifiedErrorId)" }
'@
        # The same runbook with progress switched off: the completion written on the way out honours it too.
        $run = Invoke-EmbeddedHost -Runbooks @((New-Runbook 'strict' $script), (New-Runbook 'quiet' $script @{ Quiet = $true }))
        Assert-QuietHost $run
        $runbook = Get-Runbook $run 'strict'
        $runbook.state | Should -Be 'Completed'
        @($runbook.outputs) | Should -Be @('strict exchanged strict-n1', "strict stopped by TokenInputInvalid,$GetId")
        @($runbook.errors) | Should -HaveCount 0
        Assert-ProgressRule $runbook -Completed @('Ended early: 2/3 answered, 1 failed')
        $silent = Get-Runbook $run 'quiet'
        @($silent.outputs) | Should -Be @('quiet exchanged quiet-n1', "quiet stopped by TokenInputInvalid,$GetId")
        @($silent.progress) | Should -HaveCount 0
    }

    It 'a batch stopped with PowerShell.Stop() mid-way stops within seconds, sends nothing after the stop, and completes its progress; the pool goes on' {
        Reset-TokenEndpoint $Ep
        $null = Set-TokenEndpointFault $Ep -Faults @{ kind = 'slow'; delayMs = 2000; count = -1 }
        $long = @'
param([string] $Name, [string] $BaseUri, [securestring] $ApiSignature, [securestring] $ApiKey)
$tokens = @(1..40 | ForEach-Object { New-InitializationToken -Amount $_ -UserId "$Name-u$_" -NotificationKey "$Name-n$_" -ApiSignature $ApiSignature })
"$Name minted $($tokens.Count)"
$tokens | Get-SessionToken -BaseUri $BaseUri -ApiKey $ApiKey -ThrottleLimit 4 | ForEach-Object { "$Name exchanged $($_.NotificationKey)" }
"$Name done"
'@
        $beside = @'
param([string] $Name, [string] $BaseUri, [securestring] $ApiSignature, [securestring] $ApiKey)
$token = New-InitializationToken -Amount 7 -UserId "$Name-u" -NotificationKey "$Name-n" -ApiSignature $ApiSignature
"$Name verified: $($token | Test-Token -ApiSignature $ApiSignature -Quiet)"
'@
        # Stopped once its first progress record is out: a second into the batch, four requests awaiting answers.
        $run = Invoke-EmbeddedHost -Runbooks @((New-Runbook 'long' $long), (New-Runbook 'beside' $beside)) -Stop @{ runbook = 'long'; afterProgressRecords = 1 }
        Assert-QuietHost $run
        $run.Report.stop.progressSeen | Should -BeTrue
        # Bounded: the requests in flight get two seconds in all to see the cancellation (a hang guard, not a speed test).
        $run.Report.stop.stopMilliseconds | Should -BeLessThan 15000
        $atStop = $run.Report.stop.statsAfterStop
        $atStop.requests | Should -BeGreaterThan 0
        $atStop.requests | Should -BeLessThan 40
        # Nothing was sent after Stop() returned: the endpoint has seen no request since, and none resent.
        $after = Get-TokenEndpointStats $Ep
        $after.requests | Should -Be $atStop.requests
        $after.consumedThenResent | Should -Be 0

        $runbook = Get-Runbook $run 'long'
        $runbook.state | Should -Be 'Stopped'
        @($runbook.outputs)[0] | Should -BeExactly 'long minted 40'
        @($runbook.outputs) | Should -Not -Contain 'long done'
        @($runbook.errors) | Should -HaveCount 0
        $records = @($runbook.progress)
        $records[-1].recordType | Should -Be 'Completed'
        $records[-1].status | Should -Match '^Stopped: \d+/\d+ answered, 0 failed$'
        @($records | Where-Object recordType -EQ 'Completed') | Should -HaveCount 1
        for ($i = 1; $i -lt $records.Count; $i++) { $records[$i].status | Should -Not -BeExactly $records[$i - 1].status }

        $other = Get-Runbook $run 'beside'
        $other.state | Should -Be 'Completed'
        @($other.outputs) | Should -Be @('beside verified: True')
    }

    It 'with no vault and no SecretManagement at all: direct secrets work, a vault read is SecretManagementNotInstalled and the runbook goes on' {
        Reset-TokenEndpoint $Ep
        $empty = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'no-modules')).FullName
        $userHome = (New-Item -ItemType Directory -Force (Join-Path $TestDrive 'home')).FullName
        $script = @'
param([string] $Name, [string] $BaseUri, [securestring] $ApiSignature, [securestring] $ApiKey)
"$Name finds SecretManagement: $(@(Get-Module -ListAvailable -Name Microsoft.PowerShell.SecretManagement).Count)"
$token = New-InitializationToken -Amount 5 -UserId "$Name-u" -NotificationKey "$Name-n" -ApiSignature $ApiSignature
"$Name verified: $($token | Test-Token -ApiSignature $ApiSignature -Quiet)"
$token | Get-SessionToken -BaseUri $BaseUri -ApiKey $ApiKey | ForEach-Object { "$Name exchanged $($_.NotificationKey): $($_.TokenType)" }
New-InitializationToken -Amount 5 -UserId "$Name-vault" | ForEach-Object { "$Name signed from a vault" }
"$Name goes on"
'@
        $environment = @{ PSModulePath = $empty; HOME = $userHome; XDG_DATA_HOME = (Join-Path $userHome '.local/share'); XDG_CONFIG_HOME = (Join-Path $userHome '.config') }
        $run = Invoke-EmbeddedHost -Runbooks @((New-Runbook 'bare1' $script), (New-Runbook 'bare2' $script)) -Environment $environment
        Assert-QuietHost $run
        foreach ($name in 'bare1', 'bare2') {
            $runbook = Get-Runbook $run $name
            $runbook.state | Should -Be 'Completed'
            @($runbook.outputs) | Should -Be @(
                "$name finds SecretManagement: 0"
                "$name verified: True"
                "$name exchanged $name-n: Bearer"
                "$name goes on"
            )
            @($runbook.errors.id) | Should -Be @("SecretManagementNotInstalled,$NewId")
            @($runbook.errors.target) | Should -Be @('ConvTokens.ApiSignature')
            @($runbook.warnings) | Should -HaveCount 0
            @($runbook.progress) | Should -HaveCount 0
        }
    }
}
