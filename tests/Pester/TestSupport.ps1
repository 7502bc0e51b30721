# Dot-sourced by every test file's BeforeAll: paths, the shared set-up (Initialize-TestSession) and small helpers.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ModuleManifest = Join-Path $RepoRoot 'out/ConvTokens/ConvTokens.psd1'
$script:StandInModulePath = Join-Path $RepoRoot 'tests/SecretManagementStandIn'
$script:NodeInterop = Join-Path $RepoRoot 'tests/node/jwt-interop.js'
# Set by Initialize-TestSession -SecretManagement: the PSModulePath to restore (kept when this file is dot-sourced again).
if (-not (Test-Path variable:script:TestSessionModulePath)) { $script:TestSessionModulePath = $null }
# The pinned pwsh tool runs as 'dotnet pwsh.dll'; a child pwsh is started the same way.
$script:PwshCommand = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') {
    @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll'))
} else { @([Environment]::ProcessPath) }

<#
.SYNOPSIS
    The set-up a test file's BeforeAll (or a Describe's) starts with, in one place.
.DESCRIPTION
    In this order: with -SecretManagement, puts the stand-in SecretManagement 1.1.2 (tests/SecretManagementStandIn)
    first on PSModulePath and imports it afresh; unless -NoModule, imports the built module (out/ConvTokens); with
    -Endpoint, imports tests/Support/TokenEndpoint.psm1 (Reset-TokenEndpoint and the rest), starts the local token
    endpoint with -EndpointParameter and returns it. One endpoint per file: start it in the file's BeforeAll and
    Reset-TokenEndpoint it in BeforeEach where tests change its mode. Complete-TestSession undoes it all in AfterAll.
.EXAMPLE
    BeforeAll { . $PSScriptRoot/TestSupport.ps1; $script:Ep = Initialize-TestSession -Endpoint }
    AfterAll { Complete-TestSession -Endpoint $Ep }
#>
function Initialize-TestSession {
    param(
        [switch] $Endpoint,
        # Start-TokenEndpoint's parameters, such as secrets a test must know as text (-ApiKey 'k3y+...').
        [hashtable] $EndpointParameter = @{},
        [switch] $SecretManagement,
        # For files whose tests import the module elsewhere (a child pwsh, an embedded host).
        [switch] $NoModule
    )
    if ($SecretManagement) {
        if ($null -eq $script:TestSessionModulePath) { $script:TestSessionModulePath = $env:PSModulePath }
        $env:PSModulePath = $StandInModulePath + [IO.Path]::PathSeparator + $env:PSModulePath
        # A stand-in SecretStore left loaded by an earlier file holds on to the old SecretManagement: both go first.
        Remove-Module Microsoft.PowerShell.SecretStore, Microsoft.PowerShell.SecretManagement -ErrorAction Ignore
        Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2 -Force -ErrorAction Stop
    }
    if (-not $NoModule) { Import-Module $ModuleManifest -Force -ErrorAction Stop }
    if ($Endpoint) {
        Import-Module (Join-Path $RepoRoot 'tests/Support/TokenEndpoint.psm1') -Force -ErrorAction Stop
        Start-TokenEndpoint @EndpointParameter
    }
}

# Undoes Initialize-TestSession: stops the endpoint given, and removes the stand-in SecretManagement and
# restores PSModulePath when the session put them there.
function Complete-TestSession([object] $Endpoint) {
    if ($Endpoint) { Stop-TokenEndpoint -Endpoint $Endpoint }
    if ($null -ne $script:TestSessionModulePath) {
        Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
        $env:PSModulePath = $script:TestSessionModulePath
        $script:TestSessionModulePath = $null
    }
}

function ConvertFrom-Base64Url([string] $Text) {
    $b64 = $Text.Replace('-', '+').Replace('_', '/')
    switch ($b64.Length % 4) { 2 { $b64 += '==' } 3 { $b64 += '=' } }
    [Convert]::FromBase64String($b64)
}

function ConvertTo-Base64Url([byte[]] $Bytes) {
    [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

function Get-TokenPart([string] $Token, [int] $Index) {
    [Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url $Token.Split('.')[$Index]))
}

function ConvertTo-TestSecureString([string] $Text) { ConvertTo-SecureString -String $Text -AsPlainText -Force }

# Signs header.payload JSON text with HMAC of the given algorithm and raw (unpadded) key: the reference.
function New-HandMadeToken([string] $HeaderJson, [string] $PayloadJson, [string] $Secret, [string] $Hmac = 'HMACSHA256') {
    $signingInput = (ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($HeaderJson))) + '.' +
        (ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($PayloadJson)))
    $mac = New-Object "System.Security.Cryptography.$Hmac" (, [Text.Encoding]::UTF8.GetBytes($Secret))
    try { $signingInput + '.' + (ConvertTo-Base64Url $mac.ComputeHash([Text.Encoding]::ASCII.GetBytes($signingInput))) }
    finally { $mac.Dispose() }
}

# Runs jobs through Node's jsonwebtoken (tests/node); secrets travel on stdin only.
function Invoke-NodeJwt([object[]] $Jobs) {
    $json = ConvertTo-Json -InputObject @($Jobs) -Depth 10 -Compress
    $out = $json | & node $NodeInterop
    if ($LASTEXITCODE -ne 0) { throw "node failed with exit code $LASTEXITCODE" }
    ConvertFrom-Json -InputObject ($out -join '') -NoEnumerate
}

# Runs a script in a fresh pwsh (plain-text output) with the given PSModulePath and, with -UserHome,
# a home folder of its own (so user-scope installs and settings land there); returns its output lines.
function Invoke-FreshPwsh([string] $Script, [string] $ModulePath, [string] $UserHome) {
    $saved = @{ PSModulePath = $env:PSModulePath; NO_COLOR = $env:NO_COLOR; HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME }
    try {
        $env:NO_COLOR = '1'
        if ($PSBoundParameters.ContainsKey('ModulePath')) { $env:PSModulePath = $ModulePath }
        if ($UserHome) {
            $env:HOME = $UserHome
            # .NET reports a special folder only once it exists; without it PSResourceGet would write into the current directory.
            $env:XDG_DATA_HOME = (New-Item -ItemType Directory -Force (Join-Path $UserHome '.local/share')).FullName
            $env:XDG_CONFIG_HOME = (New-Item -ItemType Directory -Force (Join-Path $UserHome '.config')).FullName
        }
        & $PwshCommand[0] @($PwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $Script 2>&1 | ForEach-Object { "$_" }
    }
    finally {
        foreach ($name in $saved.Keys) {
            if ($null -eq $saved[$name]) { Remove-Item -Path "env:$name" -ErrorAction Ignore } else { Set-Item -Path "env:$name" -Value $saved[$name] }
        }
    }
}
