# The SecretManagement stand-in (tests/SecretManagementStandIn) reproduces what DESIGN.md measured on the real
# SecretManagement 1.1.2 with SecretStore 1.0.6, section "One extension runspace per process, and whose host it
# holds": each row of its table, in the host where it happens, with direct SecretManagement calls (no ConvTokens);
# and SecretStore's LocalSecretStore surface that code may read without a prompt.
#
# Rows that need a process run in child pwsh processes with standard input closed (-File, -NonInteractive), or
# in a console in tmux. No test waits a fixed time: each waits for a state the child prints or the screen
# shows; the long waits are only safety nets that turn a regression into a failure instead of a hung suite.
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1

    # What every child script starts with: the stand-in first on the module path, one SecretStore vault Main
    # (the default) holding S = 'value', written from the main runspace (so the extension runspace already holds
    # the console host), and Lock-Main, which locks the store as a new process finds it.
    $script:Prelude = @"
`$PSStyle.OutputRendering = 'PlainText'
`$env:PSModulePath = '$StandInModulePath' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module Microsoft.PowerShell.SecretManagement
Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
function Lock-Main([string] `$Interaction = 'Prompt') {
    Set-StandInVaultLock -Vault Main -Locked `$true -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force) -Interaction `$Interaction
}

"@
    $script:WriteS = "Set-Secret -Name S -Secret 'value'`n"

    # Starts a child pwsh on a script (the prelude, then $Body) with standard input closed; its output lines
    # (stdout and stderr) are collected as they come. -NonInteractive goes to pwsh.
    function Start-Child([string] $Body, [switch] $NonInteractive, [switch] $NoPrelude) {
        $file = Join-Path $TestDrive ('child-{0}.ps1' -f [guid]::NewGuid().ToString('n'))
        Set-Content -LiteralPath $file -Value ($(if ($NoPrelude) { '' } else { $Prelude }) + $Body) -Encoding utf8NoBOM
        $psi = [Diagnostics.ProcessStartInfo]::new($PwshCommand[0])
        foreach ($argument in @($PwshCommand | Select-Object -Skip 1) + @('-NoProfile') + @(if ($NonInteractive) { '-NonInteractive' }) + @('-File', $file)) {
            $psi.ArgumentList.Add($argument)
        }
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.Environment['NO_COLOR'] = '1'
        $process = [Diagnostics.Process]::Start($psi)
        $process.StandardInput.Close()
        [pscustomobject]@{
            Process = $process; File = $file; Lines = [Collections.Generic.List[string]]::new()
            Out = $process.StandardOutput.ReadLineAsync(); Err = $process.StandardError.ReadLineAsync()
        }
    }

    # Takes in the lines the child has written so far (stdout and stderr); -ToEnd reads until both streams end.
    function Update-Child($Child, [switch] $ToEnd) {
        foreach ($stream in 'Out', 'Err') {
            while ($null -ne $Child.$stream -and ($ToEnd -or $Child.$stream.IsCompleted)) {
                $line = $Child.$stream.GetAwaiter().GetResult()
                if ($null -eq $line) { $Child.$stream = $null; break }
                $Child.Lines.Add($line)
                $Child.$stream = $(if ($stream -eq 'Out') { $Child.Process.StandardOutput } else { $Child.Process.StandardError }).ReadLineAsync()
            }
        }
    }

    function Get-ChildText($Child) { ($Child.Lines -join "`n") -replace "`r", '' }

    # Waits for the child to end; returns its output and exit code.
    function Wait-Child($Child) {
        try {
            if (-not $Child.Process.WaitForExit(180000)) { $Child.Process.Kill($true); throw "The child pwsh did not finish: $($Child.File)`n$(Get-ChildText $Child)" }
            $Child.Process.WaitForExit()
            Update-Child $Child -ToEnd
            [pscustomobject]@{ Output = Get-ChildText $Child; ExitCode = $Child.Process.ExitCode }
        }
        finally { Stop-Child $Child }
    }

    # Waits until the child has printed a line matching $Pattern (a state it reached); returns its output so far.
    function Wait-ChildLine($Child, [string] $Pattern) {
        for ($i = 0; $i -lt 1800; $i++) {
            Update-Child $Child
            $text = Get-ChildText $Child
            if ($text -match $Pattern) { return $text }
            if ($Child.Process.HasExited) { Update-Child $Child -ToEnd; $text = Get-ChildText $Child; if ($text -match $Pattern) { return $text }; throw "The child ended without printing /$Pattern/:`n$text" }
            Start-Sleep -Milliseconds 100
        }
        throw "The child never printed /$Pattern/:`n$(Get-ChildText $Child)"
    }

    function Stop-Child($Child) {
        if (-not $Child.Process.HasExited) { $Child.Process.Kill($true); $Child.Process.WaitForExit() }
        $Child.Process.Dispose()
    }

    function Invoke-Child([string] $Body, [switch] $NonInteractive, [switch] $NoPrelude) {
        Wait-Child (Start-Child $Body -NonInteractive:$NonInteractive -NoPrelude:$NoPrelude)
    }

    $script:PromptLines = 'Vault Main requires a password\.\nEnter password:\n'
}

Describe 'LocalSecretStore: what code can ask SecretStore without a prompt' {
    BeforeAll {
        $script:SavedModulePath = $env:PSModulePath
        $env:PSModulePath = $StandInModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
        Import-Module Microsoft.PowerShell.SecretStore
        $script:Store = [Microsoft.PowerShell.SecretStore.LocalSecretStore]
    }
    AfterAll {
        Reset-StandIn
        $env:PSModulePath = $SavedModulePath
    }
    BeforeEach {
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Register-SecretVault -Name Shop -ModuleName Microsoft.PowerShell.SecretStore
        Set-Secret -Name S -Secret 'value'
    }

    It 'has the real public static surface: AllowPrompting { get; } and GetInstance(SecureString password = null, PSCmdlet cmdlet = null)' {
        $Store.FullName | Should -BeExactly 'Microsoft.PowerShell.SecretStore.LocalSecretStore'
        $Store.Assembly | Should -Not -Be ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException].Assembly)
        $allow = $Store.GetProperty('AllowPrompting', [Reflection.BindingFlags] 'Public, Static')
        $allow.PropertyType | Should -Be ([bool])
        $allow.CanWrite | Should -BeFalse
        $get = $Store.GetMethod('GetInstance', [Reflection.BindingFlags] 'Public, Static')
        $get.ReturnType | Should -Be $Store
        @($get.GetParameters() | ForEach-Object { '{0} {1} = {2}' -f $_.ParameterType.Name, $_.Name, $(if ($null -eq $_.DefaultValue) { 'null' } else { $_.DefaultValue }) }) |
            Should -Be @('SecureString password = null', 'PSCmdlet cmdlet = null')
    }

    It 'AllowPrompting is True for -Interaction Prompt (the default) and False for None' {
        $Store::AllowPrompting | Should -BeTrue
        Set-StandInVaultLock -Vault Main -Locked $false -Interaction None
        $Store::AllowPrompting | Should -BeFalse
        Set-SecretStoreConfiguration -Interaction Prompt
        $Store::AllowPrompting | Should -BeTrue
    }

    It 'GetInstance($null, $null) on a locked store throws PasswordRequiredException and never prompts; unlocked, it returns the instance' {
        $Store::GetInstance($null, $null) | Should -BeOfType $Store
        Set-StandInVaultLock -Vault Main -Locked $true -Password (ConvertTo-TestSecureString 'pw')
        $shown = (Get-StandInPromptLog).Shown
        $thrown = $null
        try { $null = $Store::GetInstance($null, $null) } catch { $thrown = $_.Exception.InnerException }
        $thrown | Should -BeOfType ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException])
        (Get-StandInPromptLog).Shown | Should -Be $shown
        Unlock-SecretStore -Password (ConvertTo-TestSecureString 'pw')
        $Store::GetInstance($null, $null) | Should -BeOfType $Store
    }

    It 'one store per user: locking one SecretStore vault locks every vault of that module, and Unlock-SecretVault on one unlocks all' {
        Set-StandInVaultLock -Vault Shop -Locked $true -Password (ConvertTo-TestSecureString 'pw') -Interaction None
        (Get-SecretVault | Where-Object ModuleName -EQ 'Microsoft.PowerShell.SecretStore').Count | Should -Be 2
        { Get-Secret -Name S -Vault Main -ErrorAction Stop } | Should -Throw -ExceptionType ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException])
        Unlock-SecretVault -Name Shop -Password (ConvertTo-TestSecureString 'pw')
        Get-Secret -Name S -Vault Main -AsPlainText | Should -BeExactly 'value'
    }

    It 'after the PasswordTimeout passed: GetInstance still returns the instance and Get-SecretInfo lists without a prompt' {
        Set-StandInPasswordExpired
        $shown = (Get-StandInPromptLog).Shown
        $Store::GetInstance($null, $null) | Should -BeOfType $Store
        (Get-SecretInfo -Vault Main).Name | Should -Be @('S')
        (Get-StandInPromptLog).Shown | Should -Be $shown
    }

    It 'a vault of another module (OtherVault) has its own lock, which LocalSecretStore does not see' {
        Register-SecretVault -Name Ov -ModuleName OtherVault
        Set-Secret -Name O -Secret 'other' -Vault Ov
        Set-StandInVaultLock -Vault Ov -Locked $true -Interaction None
        $Store::GetInstance($null, $null) | Should -BeOfType $Store
        $errors = $null
        Get-Secret -Name O -Vault Ov -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].Exception.InnerException.InnerException | Should -BeOfType ([System.Security.Authentication.AuthenticationException])
        Get-Secret -Name S -Vault Main -AsPlainText | Should -BeExactly 'value'
    }
}

Describe 'The registry: Register-SecretVault and Get-SecretVault' {
    BeforeAll {
        $script:SavedModulePath = $env:PSModulePath
        $env:PSModulePath = $StandInModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
        Import-Module Microsoft.PowerShell.SecretManagement
    }
    AfterAll {
        Reset-StandIn
        $env:PSModulePath = $SavedModulePath
    }
    BeforeEach { Reset-StandIn }

    It 'keeps ModuleName and ModulePath, the folder named after the module (no version folder), for <Module>' -ForEach @(
        @{ Module = 'Microsoft.PowerShell.SecretStore' }
        @{ Module = 'OtherVault' }
    ) {
        Register-SecretVault -Name V -ModuleName $Module
        $info = Get-SecretVault -Name V
        $info | Should -BeOfType ([Microsoft.PowerShell.SecretManagement.SecretVaultInfo])
        $info.ModuleName | Should -BeExactly $Module
        $info.ModulePath | Should -BeExactly (Join-Path $StandInModulePath $Module)
        $info.IsDefault | Should -BeTrue
    }

    It 'takes a module by path too, and refuses a module it cannot find' {
        Register-SecretVault -Name ByPath -ModuleName (Join-Path $StandInModulePath 'OtherVault')
        (Get-SecretVault -Name ByPath).ModulePath | Should -BeExactly (Join-Path $StandInModulePath 'OtherVault')
        { Register-SecretVault -Name Nope -ModuleName 'No.Such.VaultModule' } | Should -Throw -ErrorId 'RegisterSecretVaultCantGetModuleInfo,Microsoft.PowerShell.SecretManagement.RegisterSecretVaultCommand'
    }

    It 'an unknown -Vault is the terminating "Vault not found in registry"' {
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore
        { Get-Secret -Name S -Vault Nope } | Should -Throw -ExceptionType ([Management.Automation.PSInvalidOperationException]) -ExpectedMessage 'Vault not found in registry: Nope'
    }
}

Describe 'Each row of DESIGN.md''s table, in a -File script whose input is closed' -Tag Slow {
    It 'LocalSecretStore is not loaded before a vault call reaches SecretStore; then it is, and GetInstance($null, $null) never prompts' {
        $run = Invoke-Child @'
'before any vault call: ' + [bool]('Microsoft.PowerShell.SecretStore.LocalSecretStore' -as [type])
Set-Secret -Name S -Secret 'value'
'after the first vault call: ' + [bool]('Microsoft.PowerShell.SecretStore.LocalSecretStore' -as [type])
Lock-Main
try { $null = [Microsoft.PowerShell.SecretStore.LocalSecretStore]::GetInstance($null, $null); 'no error' } catch { 'GetInstance: ' + $_.Exception.InnerException.GetType().Name }
'shown: ' + (Get-StandInPromptLog).Shown
'@
        $run.Output | Should -Match '(?m)^before any vault call: False$'
        $run.Output | Should -Match '(?m)^after the first vault call: True$'
        $run.Output | Should -Match '(?m)^GetInstance: PasswordRequiredException$'
        $run.Output | Should -Match '(?m)^shown: 0$'
        $run.Output | Should -Not -Match 'Enter password'
    }

    It 'a top-level Get-Secret prints the prompt through the console host, then the whole script ends silently: exit 0, finally runs, $Error empty' {
        $run = Invoke-Child ($WriteS + @'
Lock-Main
try {
    'before'
    Get-Secret -Name S
    'after'
}
finally { [Console]::Out.WriteLine("finally ran; errors: $($Error.Count)") }
'@)
        $run.Output | Should -Match "(?s)^before\n$PromptLines"
        $run.Output | Should -Match '(?m)^finally ran; errors: 0$'
        $run.Output | Should -Not -Match 'after'
        $run.ExitCode | Should -Be 0
    }

    It 'a nested-pipeline Get-Secret (as a cmdlet calls it) returns no output and no error' {
        $run = Invoke-Child ($WriteS + @'
Lock-Main
$ps = [powershell]::Create('CurrentRunspace')
$null = $ps.AddCommand('Get-Secret').AddParameter('Name', 'S')
$out = $ps.Invoke()
"nested: output $($out.Count), errors $($ps.Streams.Error.Count)"
'@)
        $run.Output | Should -Match "${PromptLines}nested: output 0, errors 0"
    }

    It '<Kind> after a main-runspace vault call: the prompt goes through the console host, then the whole script ends silently, exit 0' -ForEach @(
        @{ Kind = 'Get-SecretInfo from a host-less runspace'; Line = '$ps = [powershell]::Create(); $null = $ps.AddCommand(''Get-SecretInfo''); $r = $ps.Invoke()' }
        @{ Kind = 'a ThreadJob reading a secret'; Line = '$r = Start-ThreadJob { Get-Secret -Name S -AsPlainText } | Receive-Job -Wait -AutoRemoveJob' }
    ) {
        $run = Invoke-Child ($WriteS + @"
Lock-Main
try {
    'before'
    $Line
    'after'
}
finally { [Console]::Out.WriteLine("finally ran; errors: `$(`$Error.Count)") }
"@)
        $run.Output | Should -Match "(?s)^before\n$PromptLines"
        $run.Output | Should -Match '(?m)^finally ran; errors: 0$'
        $run.Output | Should -Not -Match 'after'
        $run.ExitCode | Should -Be 0
    }

    It 'a Start-Job child with its own locked store: the prompt is forwarded to the parent''s host with the remote-read warning, and the parent ends silently' {
        $run = Invoke-Child @"
try {
    'before'
    `$r = Start-Job {
        `$env:PSModulePath = '$StandInModulePath' + [IO.Path]::PathSeparator + `$env:PSModulePath
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Set-Secret -Name S -Secret 'value'
        Set-StandInVaultLock -Vault Main -Locked `$true -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
        'job host: ' + `$Host.Name
        Get-Secret -Name S -AsPlainText
    } | Receive-Job -Wait -AutoRemoveJob
    'after'
}
finally { [Console]::Out.WriteLine("finally ran") }
"@
        $run.Output | Should -Match "(?s)^before\n$PromptLines"
        $run.Output | Should -Match 'WARNING: A script or application on the remote computer \S+ is asking to read a line securely'
        $run.Output | Should -Match '(?m)^finally ran$'
        $run.Output | Should -Not -Match 'after'
        $run.ExitCode | Should -Be 0
    }

    It 'ForEach-Object -Parallel reading a secret hangs: the stop of the main pipeline was asked for and the read never returns' {
        # The read cannot wait for input (it is at its end): the console host fails it at once. What keeps it from
        # returning is PowerShell stopping the main pipeline from inside it, while that pipeline's ForEach-Object
        # waits for the very worker that is reading. A watcher in the child reports that state; the child is then
        # killed. (Watch-StandInPipelineStop, first in the pipeline, is asked to stop before ForEach-Object.)
        $child = Start-Child ($WriteS + @'
Lock-Main
$watch = [powershell]::Create()
$null = $watch.AddScript({
    while ($true) {
        $log = [SecretManagementStandIn.PromptLog]::Snapshot()
        if ($log.StopsRequested -ge 1 -and $log.InProgress -ge 1) {
            [Console]::Out.WriteLine("HANG: stop asked for $($log.StopsRequested), reads started $($log.ReadsStarted), still in the read $($log.InProgress)")
            break
        }
        [Threading.Thread]::Sleep(20)
    }
})
$null = $watch.BeginInvoke()
'before'
$r = 1 | Watch-StandInPipelineStop | ForEach-Object -Parallel { Get-Secret -Name S -AsPlainText }
[Console]::Out.WriteLine('after')
'@)
        try {
            $text = Wait-ChildLine $child '(?m)^HANG: '
            $text | Should -Match "(?s)before\n$PromptLines"
            $text | Should -Match '(?m)^HANG: stop asked for 1, reads started 1, still in the read 1$'
            $text | Should -Not -Match 'after'
            $child.Process.HasExited | Should -BeFalse
        }
        finally { Stop-Child $child }
    }

    It 'a host-less runspace first holds the Default Host, and the next caller with a real host re-creates it on the console host' {
        $run = Invoke-Child @'
$ps = [powershell]::Create(); $null = $ps.AddCommand('Set-Secret').AddParameter('Name', 'S').AddParameter('Secret', 'value'); $null = $ps.Invoke()
$c = Get-StandInExtensionContext; "first: $($c.HostName), created $($c.TimesCreated)"
$null = Get-SecretInfo
$c = Get-StandInExtensionContext; "then: $($c.HostName), created $($c.TimesCreated), by runspace $($c.CreatorRunspaceId)"
$ps = [powershell]::Create(); $null = $ps.AddCommand('Get-SecretInfo'); $null = $ps.Invoke()
$c = Get-StandInExtensionContext; "a host-less caller after it: $($c.HostName), created $($c.TimesCreated)"
'@
        $run.Output | Should -Match '(?m)^first: Default Host, created 1$'
        $run.Output | Should -Match '(?m)^then: ConsoleHost, created 2, by runspace 1$'
        $run.Output | Should -Match '(?m)^a host-less caller after it: ConsoleHost, created 2$'
    }

    It 'a registered vault whose module folder is gone: the non-terminating Modules_ModuleNotFound (FileNotFoundException), then GetSecretNotFound' {
        $run = Invoke-Child @'
Set-StandInVaultModulePath -Vault Main -ModulePath (Join-Path ([IO.Path]::GetTempPath()) 'no-such-folder/Microsoft.PowerShell.SecretStore')
Get-Secret -Name S -ErrorVariable errors -ErrorAction SilentlyContinue
foreach ($e in $errors) { 'error ' + $e.FullyQualifiedErrorId + ' ' + $e.Exception.GetType().Name }
'went on'
'@
        $lines = @($run.Output -split "`n" | Where-Object { $_ -like 'error *' })
        # Import-Module's error, written again by Get-Secret (so the id ends with Get-Secret's class, as SecretManagement relays it).
        $lines[0] | Should -BeExactly 'error Modules_ModuleNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand FileNotFoundException'
        $lines[-1] | Should -BeExactly 'error GetSecretNotFound,Microsoft.PowerShell.SecretManagement.GetSecretCommand ItemNotFoundException'
        $run.Output | Should -Match '(?m)^went on$'
    }

    It 'Interaction None: the PasswordRequiredException at once, no prompt (default vault: terminating; -Vault: non-terminating GetSecretException)' {
        $run = Invoke-Child ($WriteS + @'
Lock-Main None
try { Get-Secret -Name S; 'no error' } catch { 'default vault: ' + $_.Exception.GetType().Name; 'message: ' + $_.Exception.Message }
Get-Secret -Name S -Vault Main -ErrorVariable errors -ErrorAction SilentlyContinue
'named vault: ' + $errors[0].FullyQualifiedErrorId + ' ' + $errors[0].Exception.GetType().Name
'@)
        $run.Output | Should -Match '(?m)^default vault: PasswordRequiredException$'
        $run.Output | Should -Match '(?m)^message: A valid password is required to access the Microsoft\.PowerShell\.SecretStore vault\. Use the Unlock-SecretStore cmdlet to provide the required password to access the store\.$'
        $run.Output | Should -Match '(?m)^named vault: GetSecretException,Microsoft\.PowerShell\.SecretManagement\.GetSecretCommand PasswordRequiredException$'
        $run.Output | Should -Not -Match 'Enter password'
    }
}

Describe 'Each row of DESIGN.md''s table under pwsh -NonInteractive -File' -Tag Slow {
    It 'any of the above: the prompt text, then PasswordRequiredException (Get-Secret terminating, Get-SecretInfo a non-terminating GetSecretInfoException), and the script goes on' {
        $run = Invoke-Child -NonInteractive ($WriteS + @'
Lock-Main
try { Get-Secret -Name S; 'no error' } catch { 'main Get-Secret: ' + $_.Exception.GetType().Name }
$ps = [powershell]::Create(); $null = $ps.AddCommand('Get-SecretInfo'); $r = $ps.Invoke()
'host-less Get-SecretInfo: ' + $r.Count + ' ' + $ps.Streams.Error[0].FullyQualifiedErrorId + ' ' + $ps.Streams.Error[0].Exception.GetType().Name
$job = Start-ThreadJob { try { Get-Secret -Name S; 'no error' } catch { $_.Exception.GetType().Name } } | Receive-Job -Wait -AutoRemoveJob
'ThreadJob Get-Secret: ' + $job
$r = 1 | ForEach-Object -Parallel { try { Get-Secret -Name S; 'no error' } catch { $_.Exception.GetType().Name } }
'Parallel Get-Secret: ' + $r
'the script went on'
'@)
        $run.Output | Should -Match "${PromptLines}main Get-Secret: PasswordRequiredException"
        $run.Output | Should -Match '(?m)^host-less Get-SecretInfo: 0 GetSecretInfoException,Microsoft\.PowerShell\.SecretManagement\.GetSecretInfoCommand PasswordRequiredException$'
        $run.Output | Should -Match '(?m)^ThreadJob Get-Secret: PasswordRequiredException$'
        $run.Output | Should -Match '(?m)^Parallel Get-Secret: PasswordRequiredException$'
        $run.Output | Should -Match '(?m)^the script went on$'
        ([regex]::Matches($run.Output, 'Enter password:')).Count | Should -Be 4
    }

    It 'after the PasswordTimeout passed: Get-SecretInfo lists without a prompt, the next Get-Secret prompts (then non-terminating errors)' {
        $run = Invoke-Child -NonInteractive ($WriteS + @'
Set-StandInPasswordExpired
'listed: ' + ((Get-SecretInfo).Name -join ',')
'shown: ' + (Get-StandInPromptLog).Shown
Get-Secret -Name S -ErrorVariable errors -ErrorAction SilentlyContinue
foreach ($e in $errors) { 'error ' + $e.FullyQualifiedErrorId + ' ' + $e.Exception.GetType().Name }
'@)
        $run.Output | Should -Match '(?m)^listed: S\nshown: 0$'
        # The default vault listed the secret, so its value was asked for inside Get-Secret's catch-all: non-terminating.
        $run.Output | Should -Match ("${PromptLines}error GetSecretException,Microsoft\.PowerShell\.SecretManagement\.GetSecretCommand PasswordRequiredException\n" +
            'error GetSecretNotFound,Microsoft\.PowerShell\.SecretManagement\.GetSecretCommand ItemNotFoundException')
    }
}

Describe 'Each console row of DESIGN.md''s table, in a console (tmux)' -Skip:(-not (Get-Command tmux -ErrorAction Ignore)) -Tag Slow {
    BeforeAll {
        # A console with the stand-in, the store locked, and Read-VaultSecret, whose -Name completer lists the
        # secrets with Get-SecretInfo in a host-less runspace of its own, waiting at most a few seconds (as a
        # module's completer does). Sessions are numbered; each test starts its own.
        $script:Setup = Join-Path $TestDrive 'console-setup.ps1'
        Set-Content -LiteralPath $Setup -Encoding utf8NoBOM -Value @"
`$env:PSModulePath = '$StandInModulePath' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module Microsoft.PowerShell.SecretManagement
Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
if (`$env:STANDIN_WRITE_FIRST) { Set-Secret -Name S -Secret 'value' }
Set-StandInVaultLock -Vault Main -Locked `$true -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force)
function Read-VaultSecret {
    param(
        [ArgumentCompleter({
            param(`$command, `$parameter, `$word)
            `$ps = [powershell]::Create()
            `$null = `$ps.AddCommand('Get-SecretInfo').AddParameter('ErrorAction', 'Ignore')
            `$pending = `$ps.BeginInvoke()
            if (`$pending.AsyncWaitHandle.WaitOne(3000)) { `$ps.EndInvoke(`$pending) | ForEach-Object Name | Where-Object { `$_ -like "`$word*" } }
        })]
        [string] `$Name)
    Get-Secret -Name `$Name -AsPlainText
}
Set-PSReadLineOption -HistorySaveStyle SaveNothing -PredictionSource None
function prompt { 'PS> ' }
Clear-Host
"@
        . $PSScriptRoot/ConsoleSupport.ps1
        function Start-Console([switch] $WriteFirst) {
            Start-TmuxConsole -Name standin -SetupPath $Setup -Width 150 -Environment @{ STANDIN_WRITE_FIRST = $(if ($WriteFirst) { '1' } else { '' }) }
        }
    }
    AfterAll {
        Stop-TmuxConsole
    }

    It 'a fresh console, Tab first: no prompt, no names; the extension runspace holds the Default Host until the console calls' {
        Start-Console
        & tmux send-keys -t $Session -l 'Read-VaultSecret -Name '
        & tmux send-keys -t $Session Tab
        & tmux send-keys -t $Session -l '#tabbed'
        $screen = Wait-Screen '#tabbed'
        # No secret name: PowerShell falls back to completing a path when a completer offers nothing.
        $screen | Should -Match 'PS> Read-VaultSecret -Name \S*#tabbed'
        $screen | Should -Not -Match 'Read-VaultSecret -Name S'
        $screen | Should -Not -Match 'requires a password|Enter password'
        & tmux send-keys -t $Session C-c
        Send-Line '"held: " + (Get-StandInExtensionContext).HostName'
        $null = Wait-Screen '(?m)^held: Default Host'
        Send-Line 'Get-Secret -Name S'
        $screen = Wait-Screen 'Enter password:'
        $screen | Should -Match 'Vault Main requires a password\.\s*\nEnter password:'
    }

    It 'after Ctrl+C at an earlier prompt, Tab on a secret name prints the vault''s prompt inside the command line' {
        Start-Console -WriteFirst
        Send-Line 'Get-Secret -Name S'
        $null = Wait-Screen 'Enter password:'
        & tmux send-keys -t $Session C-c
        $null = Wait-Screen '(?m)Enter password:\s*\n(.*\n)*PS> $'
        & tmux send-keys -t $Session -l 'Read-VaultSecret -Name '
        & tmux send-keys -t $Session Tab
        $screen = Wait-Screen '(?s)PS> Read-VaultSecret -Name .*Enter password:'
        ([regex]::Matches($screen, 'Enter password:')).Count | Should -Be 2
        $screen | Should -Match '(?s)PS> Read-VaultSecret -Name [^\n]*\n?.*Vault Main requires a password\.'
    }

    It 'after the password was given and the PasswordTimeout passed, Tab lists the names without a prompt; the next Get-Secret prompts' {
        Start-Console -WriteFirst
        Send-Line "Unlock-SecretStore -Password (ConvertTo-SecureString 'store-password' -AsPlainText -Force); Set-StandInPasswordExpired; 'expired'"
        $null = Wait-Screen '(?m)^expired'
        & tmux send-keys -t $Session -l 'Read-VaultSecret -Name '
        & tmux send-keys -t $Session Tab
        & tmux send-keys -t $Session -l ' #tabbed'
        $screen = Wait-Screen '#tabbed'
        $screen | Should -Match 'PS> Read-VaultSecret -Name S #tabbed'
        $screen | Should -Not -Match 'Enter password'
        & tmux send-keys -t $Session C-c
        Send-Line 'Get-Secret -Name S -AsPlainText'
        $screen = Wait-Screen 'Enter password:'
        $screen | Should -Match 'Vault Main requires a password\.'
    }

    It '-Parallel reading a secret, Ctrl+C at the prompt: the console hangs (the stop was asked for, the read never returns, Ctrl+C is ignored)' {
        Start-Console -WriteFirst
        # A watcher in the console process writes the state to a file once the stop was asked for while the read is under way.
        $state = Join-Path $TestDrive ('console-state-{0}.txt' -f [guid]::NewGuid().ToString('n'))
        Send-Line ("`$w = [powershell]::Create(); `$null = `$w.AddScript({ param(`$f) while (`$true) { `$l = [SecretManagementStandIn.PromptLog]::Snapshot(); " +
            "if (`$l.StopsRequested -ge 1 -and `$l.InProgress -ge 1) { Set-Content -LiteralPath `$f -Value ('stop asked for ' + `$l.StopsRequested + ', still in the read ' + `$l.InProgress); break }; " +
            "[Threading.Thread]::Sleep(20) } }).AddArgument('$state'); `$null = `$w.BeginInvoke(); 'watching'")
        $null = Wait-Screen '(?m)^watching'
        Send-Line '1 | Watch-StandInPipelineStop | ForEach-Object -Parallel { Get-Secret -Name S -AsPlainText }; ''done'''
        $null = Wait-Screen 'Enter password:'
        & tmux send-keys -t $Session C-c
        for ($i = 0; $i -lt 900 -and -not (Test-Path -LiteralPath $state); $i++) { Start-Sleep -Milliseconds 100 }
        Get-Content -LiteralPath $state | Should -BeExactly 'stop asked for 1, still in the read 1'
    }
}
