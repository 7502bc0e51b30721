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
`$ConvTokensManifest = '$ModuleManifest'
`$StandInPath = '$StandInModulePath'
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
    It 'is SecretVaultLocked before the vault is asked: no prompt printed, nothing emitted, and the script goes on' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
$before = Get-StandInCallCount -Command Get-Secret
$emitted = 1..3 | ForEach-Object { [pscustomobject]@{ amount = $_ } } | New-InitializationToken | ForEach-Object { 'emitted ' + $_.Token }
"next statement: $($Error[0].FullyQualifiedErrorId)"
"emitted anything: $($null -ne $emitted)"
"vault asked: $((Get-StandInCallCount -Command Get-Secret) - $before)"
"message: $($Error[0].Exception.Message)"
'@
        $run.Output | Should -Match 'next statement: SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match 'emitted anything: False'
        $run.Output | Should -Match 'vault asked: 0'
        $run.Output | Should -Not -Match 'Enter password'
        $run.Output | Should -Not -Match 'requires a password'
        $run.Output | Should -Match "message: Cannot read the ApiSignature secret 'ConvTokens\.ApiSignature' in the default vault: the SecretStore is locked and would ask for its password, but this PowerShell's input is redirected .*The vault was not asked, so no prompt was shown.*'Unlock-SecretStore -Password \`$password'.*'Set-SecretStoreConfiguration -Interaction None'"
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
        $run.Output | Should -Not -Match 'Enter password'
    }

    It 'a secret stored as an empty string in an unlocked store is SecretEmpty, not SecretVaultLocked' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret ''
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'@
        $run.Output | Should -Match 'caught SecretEmpty,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match "is stored as an empty string: Get-Secret returned no value from the unlocked SecretStore\. Store its real value with 'Set-Secret -Name ConvTokens\.ApiSignature'"
    }

    It 'a thread job reading a secret after the script used the vault: SecretVaultLocked in the job, no prompt, and the script goes on' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
$said = Start-ThreadJob -ArgumentList $ConvTokensManifest {
    param($Manifest)
    Import-Module $Manifest
    try { $null = New-InitializationToken -Amount 1 -NotificationKey k; 'signed' } catch { 'caught ' + $_.FullyQualifiedErrorId }
} | Receive-Job -Wait -AutoRemoveJob
"job said: $said"
'next statement'
'@
        $run.Output | Should -Match 'job said: caught SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match '(?m)^next statement$'
        $run.Output | Should -Not -Match 'Enter password'
        $run.ExitCode | Should -Be 0
    }

    It 'ForEach-Object -Parallel reading a secret: SecretVaultLocked for each item, no prompt, no hang' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
$said = 1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
    Import-Module $using:ConvTokensManifest
    try { $null = New-InitializationToken -Amount $_ -NotificationKey "k$_"; 'signed' } catch { 'caught ' + $_.FullyQualifiedErrorId.Split(',')[0] }
}
"parallel said: $(($said | Sort-Object) -join ' ')"
'next statement'
'@
        $run.Output | Should -Match 'parallel said: caught SecretVaultLocked caught SecretVaultLocked caught SecretVaultLocked'
        $run.Output | Should -Match '(?m)^next statement$'
        $run.Output | Should -Not -Match 'Enter password'
    }

    It 'a Start-Job whose own store is locked: SecretVaultLocked in the job, no prompt forwarded to this host, and the script goes on' {
        $run = Invoke-ChildScript @'
$said = Start-Job -ArgumentList $ConvTokensManifest, $StandInPath {
    param($Manifest, $StandIn)
    $env:PSModulePath = $StandIn + [IO.Path]::PathSeparator + $env:PSModulePath
    Import-Module $Manifest
    Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
    Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
    Set-StandInVaultLock -Vault Main -Locked $true -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
    try { $null = New-InitializationToken -Amount 1 -NotificationKey k; 'signed' } catch { 'caught ' + $_.FullyQualifiedErrorId }
} | Receive-Job -Wait -AutoRemoveJob
"job said: $said"
'next statement'
'@
        $run.Output | Should -Match 'job said: caught SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match '(?m)^next statement$'
        $run.Output | Should -Not -Match 'Enter password'
        $run.Output | Should -Not -Match 'securely'
    }

    It 'an unlocked store is read as usual from a thread job and from -Parallel' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
$job = Start-ThreadJob -ArgumentList $ConvTokensManifest {
    param($Manifest)
    Import-Module $Manifest
    (New-InitializationToken -Amount 1 -NotificationKey k -IssuedAt ([DateTimeOffset]::FromUnixTimeSeconds(1700000000))).Token
} | Receive-Job -Wait -AutoRemoveJob
$parallel = 1 | ForEach-Object -Parallel {
    Import-Module $using:ConvTokensManifest
    (New-InitializationToken -Amount 1 -NotificationKey k -IssuedAt ([DateTimeOffset]::FromUnixTimeSeconds(1700000000))).Token
}
$here = (New-InitializationToken @Mint).Token
"same: $($job -eq $here) $($parallel -eq $here)"
'@
        $run.Output | Should -Match 'same: True True'
    }

    It 'a -noni given to the script, not to pwsh, does not make pwsh non-interactive' {
        $run = Invoke-ChildScript -ScriptArgument '-noni' @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'@
        $run.Output | Should -Match 'caught SecretVaultLocked,'
        $run.Output | Should -Match "this PowerShell's input is redirected"
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

    It 'with -Verbose, says what it saw of the vault before reading, and never the secret' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
New-InitializationToken @Mint -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object { 'verbose: ' + $_ }
'@
        $run.Output | Should -Match "verbose: Vault 'Main' \(Microsoft\.PowerShell\.SecretStore\): unlocked; reading the secret\."
        $run.Output | Should -Not -Match 'monApiSignature'
    }
}

Describe 'ConvTokens with a locked vault that prompts, under -NonInteractive' -Tag Slow {
    It 'is SecretVaultLocked before the vault is asked, so no prompt text lands in the log' {
        $run = Invoke-ChildScript -NonInteractive @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'next statement'
'@
        $run.Output | Should -Match 'caught SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match 'this PowerShell was started with -NonInteractive\. The vault was not asked'
        $run.Output | Should -Not -Match 'Enter password'
        $run.Output | Should -Not -Match 'requires a password'
        $run.Output | Should -Match '(?m)^next statement$'
    }

    It 'a store set not to prompt (-Interaction None) is asked, and its PasswordRequiredException becomes SecretVaultLocked' {
        $run = Invoke-ChildScript -NonInteractive @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Lock-Main None
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $chain = for ($e = $_.Exception.InnerException; $e; $e = $e.InnerException) { $e.GetType().FullName }; 'inner ' + ($chain -join ' > ') }
'@
        $run.Output | Should -Match 'caught SecretVaultLocked,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match 'inner .*Microsoft\.PowerShell\.SecretManagement\.PasswordRequiredException'
    }

    It 'a secret stored as an empty string is SecretEmpty (pwsh <Switch>)' -ForEach @(
        @{ Switch = '-NonInteractive' }
        @{ Switch = '-noni' }
    ) {
        $run = Invoke-ChildScript -PwshArgument $Switch @'
Set-Secret -Name ConvTokens.ApiSignature -Secret ''
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'@
        $run.Output | Should -Match 'caught SecretEmpty,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match "stored as an empty string"
    }
}

Describe 'A vault whose module folder is gone, in a child pwsh' -Tag Slow {
    It 'is SecretVaultModuleMissing before the vault is asked, with the reinstall fix' {
        $run = Invoke-ChildScript -NonInteractive @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Set-StandInVaultModulePath -Vault Main -ModulePath (Join-Path ([IO.Path]::GetTempPath()) 'convtokens-module-gone/Microsoft.PowerShell.SecretStore')
try { New-InitializationToken @Mint } catch { 'caught ' + $_.FullyQualifiedErrorId; $_.Exception.Message }
'@
        $run.Output | Should -Match 'caught SecretVaultModuleMissing,ConvTokens\.PowerShell\.Commands\.NewInitializationTokenCommand'
        $run.Output | Should -Match "vault 'Main' is registered with the module 'Microsoft\.PowerShell\.SecretStore', but that module's folder '.+' is gone\. Install the module again with 'Install-PSResource Microsoft\.PowerShell\.SecretStore'"
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
        $run.Output | Should -Not -Match 'There are currently no extension vaults registered'
        $run.Output | Should -Not -Match 'WARNING'
        $run.Output | Should -Not -Match 'At least one vault must be registered'
        @([regex]::Matches($run.Output, '(?m)^item ')).Count | Should -Be 1
    }
}

Describe 'Tab completion never asks a vault anything that can prompt' -Tag Slow {
    It 'a locked store offers nothing and prints no prompt in a -File script with closed input, which goes on (<Kind>)' -ForEach @(
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
"vault listed: $(Get-StandInCallCount -Command Get-SecretInfo)"
Unlock-SecretStore -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
'unlocked completions: ' + ((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText -join ',')
'@
        $run.Output | Should -Match '(?m)^completions: 0$'
        $run.Output | Should -Match '(?m)^completions in Main: 0$'
        $run.Output | Should -Match '(?m)^vault listed: 0$'
        $run.Output | Should -Match '(?m)^unlocked completions: ConvTokens\.ApiSignature$'
        $run.Output | Should -Not -Match 'Enter password'
        $run.Output | Should -Not -Match 'requires a password'
    }

    It 'a locked store offers the names this process already read, without asking the vault' {
        $run = Invoke-ChildScript @'
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Set-Secret -Name Other.Secret -Secret 'x'
$null = New-InitializationToken @Mint
Lock-Main
$before = Get-StandInCallCount -Command Get-SecretInfo
$line = 'New-InitializationToken -ApiSignatureSecretName '
'completions: ' + ((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText -join ',')
"vault listed: $((Get-StandInCallCount -Command Get-SecretInfo) - $before)"
'@
        $run.Output | Should -Match '(?m)^completions: ConvTokens\.ApiSignature$'
        $run.Output | Should -Match '(?m)^vault listed: 0$'
        $run.Output | Should -Not -Match 'Enter password'
    }

    It 'a vault of another module, whose lock cannot be seen, is not listed' {
        $run = Invoke-ChildScript @'
Register-SecretVault -Name Elsewhere -ModuleName OtherVault
Set-Secret -Name In.Elsewhere -Secret 'x' -Vault Elsewhere
$line = 'New-InitializationToken -Vault Elsewhere -ApiSignatureSecretName '
'completions: ' + (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.Count
$line = 'New-InitializationToken -Vault Main -ApiSignatureSecretName '
'completions in Main: ' + ((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText -join ',')
'@
        $run.Output | Should -Match '(?m)^completions: 0$'
        $run.Output | Should -Match '(?m)^completions in Main: $'
    }
}

Describe 'An interactive console (tmux)' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) -Tag Slow {
    BeforeAll {
        . $PSScriptRoot/ConsoleSupport.ps1
        function Start-Console([string] $Name) {
            $setup = Join-Path $TestDrive "$Name-setup.ps1"
            Set-Content -LiteralPath $setup -Encoding utf8NoBOM -Value @"
`$env:PSModulePath = '$StandInModulePath' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module '$ModuleManifest'
`$ConvTokensManifest = '$ModuleManifest'
Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
Set-Secret -Name ConvTokens.ApiSignature -Secret 'monApiSignature'
Set-StandInVaultLock -Vault Main -Locked `$true -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
Set-PSReadLineOption -HistorySaveStyle SaveNothing -PredictionSource None
function prompt { 'PS> ' }
Clear-Host
"@
            Start-TmuxConsole -Name $Name -SetupPath $setup
        }
    }
    AfterEach {
        Stop-TmuxConsole
    }

    It 'Tab on -ApiSignatureSecretName first offers nothing and leaves the command line as typed, with no prompt on the screen' {
        Start-Console 'tab-first'
        $screen = Send-Tab 'New-InitializationToken -ApiSignatureSecretName Conv' -Marker ' #tabbed'
        $screen | Should -Match 'PS> New-InitializationToken -ApiSignatureSecretName Conv #tabbed'
        $screen | Should -Not -Match 'Enter password'
        $screen | Should -Not -Match 'requires a password'
    }

    It 'Ctrl+C at the vault''s prompt is SecretReadCancelled; a Tab after it shows no prompt, and the next command reads every key' {
        Start-Console 'ctrlc'
        Send-Line 'New-InitializationToken -Amount 1'
        $null = Wait-Screen 'Enter password:'
        & tmux send-keys -t $Session C-c
        $screen = Wait-Screen '(?s)(SecretReadCancelled|got none).*\nPS> $'
        ($screen -replace '\s+', ' ') | Should -Match 'the vault asked for its password and got none \(the prompt was cancelled with Ctrl\+C'
        Clear-Console
        $screen = Send-Tab 'New-InitializationToken -ApiSignatureSecretName Conv' -Marker ' #tabbed'
        $screen | Should -Match 'PS> New-InitializationToken -ApiSignatureSecretName Conv #tabbed'
        $screen | Should -Not -Match 'Enter password'
        & tmux send-keys -t $Session C-c
        Clear-Console
        Send-Line "'every key: ' + 'abcdefghij'"
        $null = Wait-Screen '(?m)^every key: abcdefghij\s*$'
    }

    It 'a wrong password typed at the vault''s prompt is SecretVaultLocked, worded so that it agrees with that prompt, and a Tab after it shows no prompt' {
        Start-Console 'wrong'
        Send-Line 'New-InitializationToken -Amount 1'
        Send-Password 'wrong-password'
        $screen = Wait-Screen '(?s)asked for its password.*\nPS> $'
        $flat = $screen -replace '\s+', ' '
        $flat | Should -Match 'the vault is locked and Get-Secret got no valid password for it \(if the vault just asked for its password, the answer did not unlock it'
        $flat | Should -Not -Match 'wrong-password'
        Clear-Console
        $screen = Send-Tab 'New-InitializationToken -ApiSignatureSecretName Conv' -Marker ' #tabbed'
        $screen | Should -Not -Match 'Enter password'
    }

    It 'ForEach-Object -Parallel reading a secret is SecretVaultLocked for each item, with no prompt, and the console stays usable' {
        Start-Console 'parallel'
        Send-Line "1..2 | ForEach-Object -Parallel { Import-Module `$using:ConvTokensManifest; try { `$null = New-InitializationToken -Amount 1 } catch { 'caught ' + `$_.FullyQualifiedErrorId.Split(',')[0] } }; 'done'"
        $screen = Wait-Screen '(?m)^done\s*$'
        @([regex]::Matches($screen, '(?m)^caught SecretVaultLocked\s*$')).Count | Should -Be 2 -Because $screen
        $screen | Should -Not -Match 'Enter password'
    }

    It 'the right password typed at the prompt unlocks the vault and the command goes on; a Tab then lists the store' {
        Start-Console 'right'
        Send-Line '(New-InitializationToken -Amount 1).GetType().Name'
        Send-Password 'store-password'
        $screen = Wait-Screen '(?m)^InitializationToken\s*$'
        $screen | Should -Not -Match 'store-password'
        Clear-Console
        Send-Tab 'New-InitializationToken -ApiSignatureSecretName Conv'
        $null = Wait-Screen 'PS> New-InitializationToken -ApiSignatureSecretName ConvTokens\.ApiSignature'
    }

    It 'after the store''s password timeout passed, a Tab lists names with no prompt; the next read asks again' {
        Start-Console 'timeout'
        Send-Line 'Unlock-SecretStore -Password (ConvertTo-SecureString store-password -AsPlainText -Force); $null = New-InitializationToken -Amount 1; Set-StandInPasswordExpired; Clear-Host'
        $null = Wait-Screen '(?m)\APS> $'
        Send-Tab 'New-InitializationToken -ApiSignatureSecretName Conv'
        $screen = Wait-Screen 'PS> New-InitializationToken -ApiSignatureSecretName ConvTokens\.ApiSignature'
        $screen | Should -Not -Match 'Enter password'
        & tmux send-keys -t $Session C-c
        Clear-Console
        Send-Line '(New-InitializationToken -Amount 1).GetType().Name'
        Send-Password 'store-password'
        $null = Wait-Screen '(?m)^InitializationToken\s*$'
    }
}
