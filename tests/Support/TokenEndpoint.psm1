#Requires -Version 7.4
# Starts, steers and stops the local token endpoint (tests/TokenEndpoint) for tests.
# Secrets reach the endpoint on its stdin only; the returned object keeps them as SecureString.

Set-StrictMode -Version 3.0

$script:RepoRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
$script:DefaultDll = Join-Path $script:RepoRoot 'out/TokenEndpoint/ConvTokens.TokenEndpoint.dll'
# Process id -> Task[string] collecting the endpoint's stderr (read to the end so the pipe never fills).
$script:StandardErrorTasks = @{}

function New-RandomSecretText([int] $Length) {
    $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    -join (1..$Length | ForEach-Object { $alphabet[[System.Security.Cryptography.RandomNumberGenerator]::GetInt32($alphabet.Length)] })
}

function ConvertTo-PlainSecret([object] $Value) {
    if ($Value -is [securestring]) { return [System.Net.NetworkCredential]::new('', $Value).Password }
    [string] $Value
}

function Get-DotnetHost {
    if ($env:DOTNET_HOST_PATH -and (Test-Path -LiteralPath $env:DOTNET_HOST_PATH)) { return $env:DOTNET_HOST_PATH }
    # The pinned pwsh tool runs as 'dotnet pwsh.dll'.
    $processPath = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($processPath) -eq 'dotnet') { return $processPath }
    $command = Get-Command -Name dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $command) { throw 'Start-TokenEndpoint: cannot find the dotnet host (not on PATH, DOTNET_HOST_PATH unset).' }
    $command.Source
}

function Get-EndpointStandardError([System.Diagnostics.Process] $Process, [int] $WaitMilliseconds = 2000) {
    $task = $script:StandardErrorTasks[$Process.Id]
    if (-not $task) { return '' }
    if ($task.Wait($WaitMilliseconds)) { return $task.Result.Trim() }
    '(stderr still open)'
}

function Assert-TokenEndpoint([object] $Endpoint) {
    if ($null -eq $Endpoint -or -not ($Endpoint.PSObject.TypeNames -contains 'ConvTokens.Test.TokenEndpoint')) {
        throw 'Expected an endpoint object from Start-TokenEndpoint.'
    }
}

function Invoke-ControlRequest([object] $Endpoint, [string] $Method, [string] $Path, [object] $Body) {
    Assert-TokenEndpoint $Endpoint
    $request = @{ Uri = "$($Endpoint.BaseUri)$Path"; Method = $Method; NoProxy = $true; TimeoutSec = 30 }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $request.Body = ConvertTo-Json -InputObject $Body -Depth 10 -Compress
        $request.ContentType = 'application/json'
    }
    Invoke-RestMethod @request
}

function Start-TokenEndpoint {
    <#
    .SYNOPSIS
        Starts the local token endpoint on a free loopback port and returns a handle to it.
    .DESCRIPTION
        Runs 'dotnet <dll>', writes the secrets as one JSON line to its stdin and keeps stdin open
        (closing it, or this process going away, is what stops the endpoint), then
        reads the {"port","baseUri"} line from its stdout. Secrets not given are random; the
        default apiSignature is 15 characters so that short HMAC keys are always exercised.
    #>
    [CmdletBinding()]
    [OutputType('ConvTokens.Test.TokenEndpoint')]
    param(
        [string] $Path = $script:DefaultDll,

        # String or SecureString.
        [ValidateScript({ $_ -is [string] -or $_ -is [securestring] })]
        [object] $ApiSignature,

        [ValidateScript({ $_ -is [string] -or $_ -is [securestring] })]
        [object] $ApiKey,

        [ValidateScript({ $_ -is [string] -or $_ -is [securestring] })]
        [object] $ClientSecret,

        [ValidateRange(1, 600)]
        [int] $StartTimeoutSeconds = 30
    )

    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) {
        throw "Start-TokenEndpoint: '$Path' does not exist. Build it: dotnet build tests/TokenEndpoint -c Release -o out/TokenEndpoint"
    }

    $plain = [ordered]@{
        apiSignature = if ($PSBoundParameters.ContainsKey('ApiSignature')) { ConvertTo-PlainSecret $ApiSignature } else { New-RandomSecretText 15 }
        apiKey       = if ($PSBoundParameters.ContainsKey('ApiKey')) { ConvertTo-PlainSecret $ApiKey } else { New-RandomSecretText 32 }
        clientSecret = if ($PSBoundParameters.ContainsKey('ClientSecret')) { ConvertTo-PlainSecret $ClientSecret } else { New-RandomSecretText 32 }
    }
    if (-not $plain.apiSignature -or -not $plain.apiKey) { throw 'Start-TokenEndpoint: ApiSignature and ApiKey must not be empty.' }
    $secure = @{}
    foreach ($name in @($plain.Keys)) {
        $secure[$name] = if ($plain[$name]) { ConvertTo-SecureString -String $plain[$name] -AsPlainText -Force } else { $null }
    }

    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new()
    $startInfo.FileName = Get-DotnetHost
    $startInfo.ArgumentList.Add((Resolve-Path -LiteralPath $Path).ProviderPath)
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.StandardInputEncoding = $utf8
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8

    $process = [System.Diagnostics.Process]::Start($startInfo)
    $script:StandardErrorTasks[$process.Id] = $process.StandardError.ReadToEndAsync()
    $info = $null
    $failure = $null
    try {
        $process.StandardInput.AutoFlush = $true
        $process.StandardInput.NewLine = "`n"
        $process.StandardInput.WriteLine((ConvertTo-Json -InputObject $plain -Compress))

        $lineTask = $process.StandardOutput.ReadLineAsync()
        if (-not $lineTask.Wait([TimeSpan]::FromSeconds($StartTimeoutSeconds))) {
            $failure = "no port line within $StartTimeoutSeconds s"
        }
        elseif ($null -eq $lineTask.Result) {
            $failure = 'it exited before printing its port line'
        }
        else {
            $info = ConvertFrom-Json -InputObject $lineTask.Result
            if (-not ($info.PSObject.Properties.Name -contains 'port') -or [int] $info.port -le 0) {
                $failure = 'its first stdout line was not {"port":N,"baseUri":"..."}'
            }
        }
    }
    catch {
        $failure = "starting it failed: $($_.Exception.GetBaseException().Message)"
    }
    finally {
        $plain.Clear()
    }

    if ($failure) {
        if (-not $process.HasExited) { $process.Kill($true); [void] $process.WaitForExit(5000) }
        $stderr = Get-EndpointStandardError $process
        $script:StandardErrorTasks.Remove($process.Id)
        $exit = if ($process.HasExited) { " (exit code $($process.ExitCode))" } else { '' }
        throw "Start-TokenEndpoint: the endpoint did not start: $failure$exit. stderr: $stderr"
    }

    [pscustomobject]@{
        PSTypeName   = 'ConvTokens.Test.TokenEndpoint'
        BaseUri      = [string] $info.baseUri
        Port         = [int] $info.port
        Process      = $process
        ApiSignature = $secure.apiSignature
        ApiKey       = $secure.apiKey
        ClientSecret = $secure.clientSecret
    }
}

function Set-TokenEndpointFault {
    <#
    .SYNOPSIS
        Replaces the endpoint's fault plan (POST /_control/faults).
    .EXAMPLE
        Set-TokenEndpointFault $ep -Faults @{ kind = 'status429'; retryAfter = 2; count = 3 }, @{ kind = 'drop' }
    .EXAMPLE
        Set-TokenEndpointFault $ep -Faults @() -Mix @{ seed = 1; status503 = 0.1; drop = 0.05 }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [object] $Endpoint,

        # Each: kind (slow|status429|status503|status500AfterConsume|drop|dropAfterConsume|malformed|html|shape|redirect|raw),
        # count (default 1; -1 = every later request), delayMs, retryAfter, shape, location.
        # 'raw' is a hostile server that answers exactly as told, before the grant: status, reason (the reason
        # phrase), contentType, body (text) or bodyBase64, fill (each "{fill}" in the body becomes that many 'A'),
        # retryAfter, location.
        [Parameter(Position = 1)]
        [AllowEmptyCollection()]
        [System.Collections.IDictionary[]] $Faults = @(),

        # seed, slowDelayMs, retryAfter, and a probability per kind; used once the list is exhausted.
        [System.Collections.IDictionary] $Mix,

        # Default shape of successful answers: oauth, sessionToken or token.
        [ValidateSet('oauth', 'sessionToken', 'token')]
        [string] $Shape
    )
    process {
        $body = [ordered]@{ faults = @($Faults) }
        if ($PSBoundParameters.ContainsKey('Mix')) { $body.mix = $Mix }
        if ($PSBoundParameters.ContainsKey('Shape')) { $body.shape = $Shape }
        Invoke-ControlRequest $Endpoint POST '/_control/faults' $body
    }
}

function Reset-TokenEndpoint {
    <# .SYNOPSIS Clears the fault plan and the statistics (spent assertions stay spent). #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $Endpoint)
    process { [void] (Invoke-ControlRequest $Endpoint POST '/_control/reset') }
}

function Get-TokenEndpointStats {
    <#
    .SYNOPSIS
        GET /_control/stats: requests, issued, rejected, consumedThenResent, resentAfterConsume
        (notificationKeys), inFlight, maxInFlight, faultsInjected, consumed.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $Endpoint)
    process { Invoke-ControlRequest $Endpoint GET '/_control/stats' }
}

function Stop-TokenEndpoint {
    <# .SYNOPSIS Closes the endpoint's stdin (which stops it), waits up to 5 s, then kills it. Safe to repeat. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $Endpoint)
    process {
        Assert-TokenEndpoint $Endpoint
        $process = $Endpoint.Process
        try { $process.StandardInput.Close() } catch { }
        if (-not $process.WaitForExit(5000)) {
            try { $process.Kill($true) } catch { }
            [void] $process.WaitForExit(5000)
        }
        [void] (Get-EndpointStandardError $process 1000)
        $script:StandardErrorTasks.Remove($process.Id)
    }
}

Export-ModuleMember -Function Start-TokenEndpoint, Stop-TokenEndpoint, Set-TokenEndpointFault, Reset-TokenEndpoint,
    Get-TokenEndpointStats
