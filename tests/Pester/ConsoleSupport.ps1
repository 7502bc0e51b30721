# Dot-sourced by the test files that drive a real interactive pwsh console in tmux: start one, read its
# screen, wait for what it shows, type into it. Waiting is for a state the screen proves, never a fixed time.

$script:ConsoleSessions = [Collections.Generic.List[string]]::new()

# Starts pwsh -NoExit on $SetupPath in a detached tmux session of the given size and waits for its 'PS> ' prompt
# (the setup script defines it). The session becomes the one the other functions talk to.
function Start-TmuxConsole([string] $Name, [string] $SetupPath, [int] $Width = 120, [hashtable] $Environment = @{}) {
    $session = '{0}-{1}' -f $Name, [guid]::NewGuid().ToString('n').Substring(0, 8)
    $ConsoleSessions.Add($session)
    $command = (@($PwshCommand) + @('-NoProfile', '-NoExit', '-File', $SetupPath) | ForEach-Object { "'$_'" }) -join ' '
    $variables = (@('NO_COLOR=1') + @($Environment.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" })) -join ' '
    & tmux new-session -d -s $session -x $Width -y 50 "env $variables $command"
    $script:Session = $session
    $null = Wait-Screen '(?m)^PS> $'
}

function Stop-TmuxConsole {
    foreach ($name in $ConsoleSessions) { & tmux kill-session -t $name 2>$null }
    $ConsoleSessions.Clear()
}

function Get-Screen { ((& tmux capture-pane -p -J -t $Session) -join "`n").TrimEnd() + ' ' }

# Waits until the screen shows the text (the console is a real process; this is not a timing assertion).
function Wait-Screen([string] $Pattern) {
    for ($i = 0; $i -lt 900; $i++) {
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

# Types a password at the vault's prompt one character at a time, each one seen masked on the screen before
# the next is sent: the read is proven to be listening, whenever it started.
function Send-Password([string] $Text) {
    $null = Wait-Screen 'Enter password:'
    $count = { ([regex]::Match((Get-Screen), '(?s).*Enter password:\s*(\**)').Groups[1].Value).Length }
    $typed = 0
    while ($typed -lt $Text.Length) {
        & tmux send-keys -t $Session -l $Text[$typed]
        for ($i = 0; $i -lt 600 -and (& $count) -le $typed; $i++) { Start-Sleep -Milliseconds 50 }
        $seen = & $count
        if ($seen -gt $typed + 1) { throw "The vault's read shows $seen characters after $($typed + 1) were typed." }
        $typed = $seen
    }
    & tmux send-keys -t $Session Enter
}

# Types a partial command line and presses Tab; with -Marker, types the marker after it and returns the screen
# once the marker shows (so the Tab has been handled, whatever it did).
function Send-Tab([string] $Line, [string] $Marker) {
    & tmux send-keys -t $Session -l $Line
    & tmux send-keys -t $Session Tab
    if ($Marker) {
        & tmux send-keys -t $Session -l $Marker
        Wait-Screen ([regex]::Escape($Marker))
    }
}

function Clear-Console {
    Send-Line 'Clear-Host'
    $null = Wait-Screen '(?m)\APS> $'
}
