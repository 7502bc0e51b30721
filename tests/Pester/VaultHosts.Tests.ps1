# A locked SecretStore that prompts behaves differently in each kind of host (DESIGN.md, "Secrets"). These
# tests run the module and the stand-in in real child pwsh processes: -File with standard input closed (a
# scheduled task, CI, a runbook started without -NonInteractive), -NonInteractive, and an interactive
# console in tmux. The stand-in's own behaviour in each host is tested in StandIn.Tests.ps1.
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    # Runs $Body in a fresh pwsh -File whose standard input is closed, after importing ConvTokens and the
    # stand-in and registering the default vault Main. Returns what it printed (stdout and stderr) and its exit code.
    # -PwshArgument goes before -File (a pwsh switch), -ScriptArgument after the script (the script's own).
    function Invoke-ChildScript([string] $Body, [switch] $NonInteractive, [string[]] $PwshArgument = @(), [string[]] $ScriptArgument = @()) {
        $file = Join-Path $TestDrive ('child-{0}.ps1' -f [guid]::NewGuid().ToString('n'))
        $prelude = @"
`$PSStyle.OutputRendering = 'PlainText'
`$env:PSModulePath = '$StandInModulePath' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module '$ModuleManifest'
Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
function Lock-Main([string] `$Interaction = 'Prompt') {
    Set-StandInVaultLock -Vault Main -Locked `$true -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force) -Interaction `$Interaction
}
`$Mint = @{ Amount = 1; NotificationKey = 'k'; IssuedAt = [DateTimeOffset]::FromUnixTimeSeconds(1700000000) }

"@
        Set-Content -LiteralPath $file -Value ($prelude + $Body) -Encoding utf8NoBOM
        $psi = [Diagnostics.ProcessStartInfo]::new($PwshCommand[0])
        $arguments = @($PwshCommand | Select-Object -Skip 1) + @('-NoProfile') + @(if ($NonInteractive) { '-NonInteractive' }) + $PwshArgument + @('-File', $file) + $ScriptArgument
        foreach ($argument in $arguments) { $psi.ArgumentList.Add($argument) }
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.Environment['NO_COLOR'] = '1'
        $process = [Diagnostics.Process]::Start($psi)
        try {
            $process.StandardInput.Close()
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            # A safety net so that a regression cannot hang the suite; no test depends on how long this takes.
            if (-not $process.WaitForExit(180000)) { $process.Kill($true); throw "The child pwsh did not finish: $file" }
            $process.WaitForExit()
            [pscustomobject]@{ Output = ($stdout.Result + $stderr.Result) -replace "`r", ''; ExitCode = $process.ExitCode }
        }
        finally { $process.Dispose() }
    }
}

Describe 'ConvTokens with a locked vault that prompts, in a -File script whose input is closed' -Tag Slow {
    It 'is SecretVaultLocked with the unlock fix, emits nothing, and the script goes on to its next statement' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
$emitted = 1..3 | ForEach-Object { [pscustomobject]@{ amount = $_ } } | New-InitializationToken | ForEach-Object { 'emitted ' + $_.Token }
"next statement: $($Error[0].FullyQualifiedErrorId)"
"emitted anything: $($null -ne $emitted)"
"message: $($Error[0].Exception.Message)"
'@
        $run.Output | Should -Match 'next statement: SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match 'emitted anything: False'
        $run.Output | Should -Not -Match 'emitted eyJ'
        $run.Output | Should -Match "message: .*secret 'ConvTokens\.ApiSignature' in the default vault: Get-Secret returned no value and no error\..*locked vault.*'Unlock-SecretStore -Password \`$password'"
        $run.Output | Should -Match "If the vault was not locked, the secret is stored as an empty string: store its real value with 'Set-Secret -Name ConvTokens\.ApiSignature'"
        $run.Output | Should -Not -Match 'never prompts'
        $run.ExitCode | Should -Be 0
    }

    It 'Test-Token and Get-SessionToken say the same (<Command>)' -ForEach @(
        @{ Command = 'Test-Token'; Line = "'a.b.c' | Test-Token"; Id = 'TestTokenCommand'; Secret = 'ConvTokens.ApiSignature' }
        @{ Command = 'Get-SessionToken'; Line = "'a.b.c' | Get-SessionToken -BaseUri http://127.0.0.1:9"; Id = 'GetSessionTokenCommand'; Secret = 'ConvTokens.ApiKey' }
    ) {
        $run = Invoke-ChildScript @"
Set-Secret -Name $Secret -Secret 'value'
Lock-Main
$Line
"next statement: `$(`$Error[0].FullyQualifiedErrorId)"
"@
        $run.Output | Should -Match "next statement: SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.$Id"
    }

    It 'a secret stored as an empty string gives the same outward sign, and the message names both fixes' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret ''
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'@
        $run.Output | Should -Match 'caught SecretVaultLocked,'
        $run.Output | Should -Match 'Unlock-SecretStore -Password'
        $run.Output | Should -Match "store its real value with 'Set-Secret -Name ConvTokens\.ApiSignature'"
    }

    It 'a -noni given to the script, not to pwsh, does not make pwsh non-interactive' {
        $run = Invoke-ChildScript -ScriptArgument '-noni' @'
Set-Secret -Name ConvTokens.ApiSignature -Secret ''
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId }
'@
        $run.Output | Should -Match 'caught SecretVaultLocked,'
    }

    It 'after Unlock-SecretStore -Password the same script signs' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
Unlock-SecretStore -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
'signed: ' + (New-InitializationToken @Mint).GetType().Name
'@
        $run.Output | Should -Match 'signed: InitializationToken'
        $run.Output | Should -Not -Match 'Enter password'
    }
}

Describe 'ConvTokens with a locked vault that prompts, under -NonInteractive' -Tag Slow {
    It 'is SecretVaultLocked, and the message agrees with the prompt the vault printed' {
        $run = Invoke-ChildScript -NonInteractive @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $chain = for ($e = $_.Exception.InnerException; $e; $e = $e.InnerException) { $e.GetType().FullName }; 'inner ' + ($chain -join ' > '); $_.Exception.Message }
'next statement'
'@
        $run.Output | Should -Match 'Enter password:caught SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match 'inner .*Microsoft\.PowerShell\.SecretManagement\.PasswordRequiredException'
        $run.Output | Should -Match 'if the vault just asked for its password, the answer did not unlock it'
        $run.Output | Should -Match "Unlock-SecretStore -Password \`$password"
        $run.Output | Should -Not -Match 'never prompts'
        $run.Output | Should -Match '(?m)^next statement$'
    }

    It 'a secret stored as an empty string is SecretEmpty: a locked vault would have failed with an error here (pwsh <Switch>)' -ForEach @(
        @{ Switch = '-NonInteractive' }
        @{ Switch = '-noni' }
    ) {
        $run = Invoke-ChildScript -PwshArgument $Switch @'
Set-Secret -Name ConvTokens.ApiSignature -Secret ''
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'@
        $run.Output | Should -Match 'caught SecretEmpty,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match "started with -NonInteractive, a locked vault fails with an error instead, so the secret is stored as an empty string: store its real value with 'Set-Secret -Name ConvTokens\.ApiSignature'"
    }
}

Describe 'No vault registered, in a child pwsh' -Tag Slow {
    It 'is SecretVaultNotRegistered with the Register-SecretVault fix, and the warning reaches none of the user''s streams (<Kind>)' -ForEach @(
        @{ Kind = '-File'; NonInteractive = $false }
        @{ Kind = '-NonInteractive'; NonInteractive = $true }
    ) {
        $run = Invoke-ChildScript -NonInteractive:$NonInteractive @'
Unregister-SecretVault -Name Main
$all = & { try { New-InitializationToken @Mint } catch { $_ } } *>&1
foreach ($item in $all) { 'item ' + $item.GetType().Name + ': ' + $item }
'@
        $run.Output | Should -Match "item ErrorRecord: Cannot read the ApiSignature secret 'ConvTokens\.ApiSignature' in the default vault: no SecretManagement vault is registered"
        $run.Output | Should -Match "'Register-SecretVault -Name ConvTokens -ModuleName Microsoft\.PowerShell\.SecretStore -DefaultVault'"
        $run.Output | Should -Match 'Get-Secret warned: "There are currently no extension vaults registered\."'
        $run.Output | Should -Not -Match 'WARNING'
        $run.Output | Should -Not -Match 'At least one vault must be registered'
        @([regex]::Matches($run.Output, '(?m)^item ')).Count | Should -Be 1
    }
}

Describe 'Tab completion with a locked vault that prompts' -Tag Slow {
    It 'offers nothing and prints no prompt in a -File script with closed input, which goes on (<Kind>)' -ForEach @(
        @{ Kind = '-File'; NonInteractive = $false }
        @{ Kind = '-NonInteractive'; NonInteractive = $true }
    ) {
        $run = Invoke-ChildScript -NonInteractive:$NonInteractive @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
$line = 'New-InitializationToken -ApiSignatureSecretName '
'completions: ' + (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count
$line = 'New-InitializationToken -Vault Main -ApiSignatureSecretName Conv'
'completions in Main: ' + (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count
Unlock-SecretStore -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
'unlocked completions: ' + ((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText -join ',')
'@
        $run.Output | Should -Match '(?m)^completions: 0$'
        $run.Output | Should -Match '(?m)^completions in Main: 0$'
        $run.Output | Should -Match '(?m)^unlocked completions: ConvTokens\.ApiSignature$'
        $run.Output | Should -Not -Match 'Enter password'
        $run.Output | Should -Not -Match 'requires a password'
    }
}

Describe 'An interactive console (tmux)' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) -Tag Slow {
    BeforeAll {
        $script:Session = 'convtokens-vault-{0}' -f [guid]::NewGuid().ToString('n').Substring(0, 8)
        $setup = Join-Path $TestDrive 'interactive-setup.ps1'
        Set-Content -LiteralPath $setup -Encoding utf8NoBOM -Value @"
`$env:PSModulePath = '$StandInModulePath' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module '$ModuleManifest'
Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Set-StandInVaultLock -Vault Main -Locked `$true -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
Set-PSReadLineOption -HistorySaveStyle SaveNothing -PredictionSource None
function prompt { 'PS> ' }
Clear-Host
"@
        $command = (@($PwshCommand) + @('-NoProfile', '-NoExit', '-File', $setup) | ForEach-Object { "'$_'" }) -join ' '
        & tmux new-session -d -s $Session -x 120 -y 40 "env NO_COLOR=1 $command"

        function Get-Screen { ((& tmux capture-pane -p -J -t $Session) -join "`n").TrimEnd() + ' ' }
        # Waits until the screen shows the text (the console is a real process; this is not a timing assertion).
        function Wait-Screen([string] $Pattern) {
            for ($i = 0; $i -lt 600; $i++) {
                $screen = Get-Screen
                if ($screen -match $Pattern) { return $screen }
                Start-Sleep -Milliseconds 100
            }
            throw "The console never showed /$Pattern/. Screen:`n$screen"
        }
        function Send-Line([string] $Text) {
            & tmux send-keys -t $Session -l $Text
            & tmux send-keys -t $Session Enter
        }
        $null = Wait-Screen '(?m)^PS> $'
    }
    AfterAll {
        & tmux kill-session -t $Session 2>$null
    }

    It 'Tab on -ApiSignatureSecretName offers nothing and leaves the command line as typed, with no prompt on the screen' {
        & tmux send-keys -t $Session -l 'New-InitializationToken -ApiSignatureSecretName Conv'
        & tmux send-keys -t $Session Tab
        & tmux send-keys -t $Session -l ' #tabbed'
        $screen = Wait-Screen '#tabbed'
        $screen | Should -Match 'PS> New-InitializationToken -ApiSignatureSecretName Conv #tabbed'
        $screen | Should -Not -Match 'Enter password'
        $screen | Should -Not -Match 'requires a password'
        & tmux send-keys -t $Session C-c
        Send-Line 'Clear-Host'
        $null = Wait-Screen '(?m)^PS> $'
    }

    It 'a wrong password typed at the vault''s prompt is SecretVaultLocked, worded so that it agrees with that prompt' {
        Send-Line 'New-InitializationToken -Amount 1'
        $null = Wait-Screen 'Enter password:'
        Send-Line 'wrong-password'
        $screen = Wait-Screen '(?s)asked for its password.*\nPS> $'
        $flat = $screen -replace '\s+', ' '
        $flat | Should -Match 'the vault is locked and Get-Secret got no valid password for it \(if the vault just asked for its password, the answer did not unlock it'
        $flat | Should -Not -Match 'never prompts'
        $flat | Should -Not -Match 'wrong-password'
        Send-Line 'Clear-Host'
        $null = Wait-Screen '(?m)^PS> $'
    }

    It 'the right password typed at the prompt unlocks the vault and the command goes on' {
        Send-Line '(New-InitializationToken -Amount 1).GetType().Name'
        $null = Wait-Screen 'Enter password:'
        Send-Line 'store-password'
        $screen = Wait-Screen '(?m)^InitializationToken\s*$'
        $screen | Should -Not -Match 'store-password'
    }
}
