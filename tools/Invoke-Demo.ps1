#Requires -Version 7.4
<#
.SYNOPSIS
    The main job end to end against the local token endpoint: mint -> exchange -> verify.
.DESCRIPTION
    Started by 'build.ps1 -Task Demo' in a fresh pwsh. Starts the loopback /token endpoint with fresh
    secrets, stores its apiSignature and apiKey in a SecretManagement vault, mints one initialization
    token per user of demo-users.csv, exchanges them for session tokens, verifies them, prints the
    results, and stops the endpoint. The secrets never leave memory.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $EndpointPath
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent $PSScriptRoot
$demoVault = 'ConvTokensDemo'

# A vault: the real SecretManagement when it is installed and the user registered a vault named
# ConvTokensDemo for this; otherwise the in-memory stand-in the tests use, which touches nothing on disk.
$real = Get-Module -ListAvailable Microsoft.PowerShell.SecretManagement | Where-Object { $_.ModuleBase -notlike "$repo*" } | Select-Object -First 1
$useReal = $false
if ($real) {
    Import-Module $real
    $useReal = [bool](Get-SecretVault -Name $demoVault -ErrorAction SilentlyContinue)
    if (-not $useReal) {
        Write-Host "SecretManagement $($real.Version) is installed, but no vault named '$demoVault' is registered; using the in-memory test stand-in instead."
        Remove-Module Microsoft.PowerShell.SecretManagement
    }
}
if (-not $useReal) {
    $env:PSModulePath = (Join-Path $repo 'tests/SecretManagementStandIn') + [IO.Path]::PathSeparator + $env:PSModulePath
    Import-Module Microsoft.PowerShell.SecretManagement -RequiredVersion 1.1.2
    Register-SecretVault -Name $demoVault -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
    Write-Host "Vault: the SecretManagement stand-in from tests/ (in memory; the real module is not installed here)."
}
else {
    Write-Host "Vault: '$demoVault' in the real SecretManagement $($real.Version)."
}

Import-Module (Join-Path $repo 'tests/Support/TokenEndpoint.psm1')
Import-Module $ModulePath
$endpoint = Start-TokenEndpoint -Path $EndpointPath
try {
    Write-Host "Local token endpoint: $($endpoint.BaseUri)"
    Set-Secret -Name 'ConvTokens.ApiSignature' -SecureStringSecret $endpoint.ApiSignature -Vault $demoVault
    Set-Secret -Name 'ConvTokens.ApiKey' -SecureStringSecret $endpoint.ApiKey -Vault $demoVault

    $users = Import-Csv (Join-Path $PSScriptRoot 'demo-users.csv')
    $tokens = $users | New-InitializationToken -Vault $demoVault
    $verified = $tokens | Test-Token -Vault $demoVault
    $sessions = $tokens | Get-SessionToken -BaseUri $endpoint.BaseUri -Vault $demoVault -ThrottleLimit 4

    Write-Host "`nInitialization tokens ($($tokens.Count)):"
    $tokens | Format-Table | Out-Host
    Write-Host "Verified with the apiSignature:"
    $verified | Format-Table | Out-Host
    Write-Host "Session tokens from $($endpoint.BaseUri)/token:"
    $sessions | Format-Table | Out-Host

    $again = $tokens[0] | Get-SessionToken -BaseUri $endpoint.BaseUri -Vault $demoVault -ErrorAction SilentlyContinue -ErrorVariable refused
    Write-Host "Sending the first initialization token a second time: $($refused[0].FullyQualifiedErrorId.Split(',')[0]) ($($refused[0].Exception.OAuthErrorDescription))"

    $ok = $tokens.Count -eq $users.Count -and ($verified | Where-Object IsValid).Count -eq $users.Count -and $sessions.Count -eq $users.Count -and -not $again
    Write-Host ("`nDemo {0}: {1} users, {2} tokens minted, {3} verified, {4} session tokens." -f ($(if ($ok) { 'passed' } else { 'FAILED' }), $users.Count, $tokens.Count, ($verified | Where-Object IsValid).Count, $sessions.Count))
    if (-not $ok) { exit 1 }
}
finally {
    if ($useReal) {
        Remove-Secret -Name 'ConvTokens.ApiSignature' -Vault $demoVault -ErrorAction SilentlyContinue
        Remove-Secret -Name 'ConvTokens.ApiKey' -Vault $demoVault -ErrorAction SilentlyContinue
    }
    Stop-TokenEndpoint -Endpoint $endpoint
}
