#Requires -Version 7.4
# Round trips: the module's own outputs come back to it. One Amount on every output; a token minted
# again after its exchange failed, against the local endpoint; objects that cross Start-Job and
# Export-Clixml (rebuilt, dated, shown by the views, accepted by the cmdlets); Export-Csv/Import-Csv in
# en-US, fr-FR and de-DE; the retry filter on errors that came back from a job.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:Ep = Initialize-TestSession -Endpoint
    $script:Sig = $Ep.ApiSignature
    $script:Key = $Ep.ApiKey
    $script:Base = $Ep.BaseUri
    $script:Invariant = [cultureinfo]::InvariantCulture

    # The payload with its iat taken out: what minting again must keep.
    function Get-PayloadWithoutIat([string] $Token) { (Get-TokenPart $Token 1) -replace '"iat":\d+,', '' }
    function Get-Iat([string] $Token) { [long]((Get-TokenPart $Token 1) -replace '^.*"iat":(\d+),.*$', '$1') }

    function Use-Culture([string] $Name, [scriptblock] $Script) {
        $saved = [cultureinfo]::CurrentCulture
        try { [cultureinfo]::CurrentCulture = $Name; & $Script }
        finally { [cultureinfo]::CurrentCulture = $saved }
    }

    $script:Extra = [ordered]@{ campaign = 'spring'; nested = [ordered]@{ list = @(1, 'two', $true, $null); price = 2.5 } }
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
}

Describe 'One Amount on every output' {
    It 'is the signed [decimal] on InitializationToken, TokenValidationResult and SessionToken: <Given> is <Signed>' -ForEach @(
        @{ Given = '12.50'; Signed = '12.5' }
        @{ Given = '100.00'; Signed = '100' }
        @{ Given = '100'; Signed = '100' }
    ) {
        $token = New-InitializationToken -Amount $Given -UserId 'amount' -ApiSignature $Sig
        Get-TokenPart $token.Token 1 | Should -Match ('^\{"amount":' + [regex]::Escape($Signed) + ',')
        $result = $token | Test-Token -ApiSignature $Sig
        $session = $token | Get-SessionToken -BaseUri $Base -ApiKey $Key
        foreach ($amount in $token.Amount, $token.Claims['amount'], $result.Amount, $session.Amount) {
            $amount | Should -BeOfType [decimal]
            $amount.ToString($Invariant) | Should -BeExactly $Signed
        }
    }
}

Describe 'Minting again' {
    It 'mints the help''s example again after the first token was spent: a fresh iat, the same claims and notificationKey, accepted by the endpoint' {
        $first = New-InitializationToken -Amount 12.5 -ZipCode '01000' -Age 34 -Gender F -UserId 'again-1' -ForceManualConfirm -AdditionalClaims $Extra -ApiSignature $Sig
        $session = $first | Get-SessionToken -BaseUri $Base -ApiKey $Key
        $session.NotificationKey | Should -BeExactly $first.NotificationKey
        $first | Get-SessionToken -BaseUri $Base -ApiKey $Key -ErrorAction SilentlyContinue -ErrorVariable failed | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeExactly 'SessionTokenInvalidGrant,ConvTokens.PowerShell.Commands.GetSessionTokenCommand'

        # Example 7 of New-InitializationToken, as written there.
        $remint = '^SessionToken(ServerError|OutcomeUnknown|ResponseInvalid|' +
            'InvalidGrant),'
        $again = @($failed | Where-Object FullyQualifiedErrorId -match $remint |
            ForEach-Object TargetObject | New-InitializationToken -ApiSignature $Sig)
        $again.Count | Should -Be 1
        $again[0].Token | Should -Not -BeExactly $first.Token
        Get-PayloadWithoutIat $again[0].Token | Should -BeExactly (Get-PayloadWithoutIat $first.Token)
        $again[0].IssuedAtUnixSeconds | Should -BeGreaterThan $first.IssuedAtUnixSeconds
        $again[0].NotificationKey | Should -BeExactly $first.NotificationKey
        @($again[0].Claims.Keys) | Should -Be @('amount', 'cp', 'age', 'gender', 'userId', 'iat', 'notificationKey', 'forceManualConfirm', 'campaign', 'nested')

        $renewed = @($again | Get-SessionToken -BaseUri $Base -ApiKey $Key)
        $renewed.Count | Should -Be 1
        $renewed[0].NotificationKey | Should -BeExactly $first.NotificationKey
        $renewed[0].Amount | Should -Be 12.5
    }

    It 'never signs the bytes of a token signed in this same second' {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $first = New-InitializationToken -Amount 5 -IssuedAt $now -NotificationKey 'same-second' -ApiSignature $Sig
        $again = $first | New-InitializationToken -ApiSignature $Sig
        $again.Token | Should -Not -BeExactly $first.Token
        $again.IssuedAtUnixSeconds | Should -BeGreaterThan $now
        Get-PayloadWithoutIat $again.Token | Should -BeExactly (Get-PayloadWithoutIat $first.Token)
    }

    It 'takes command-line values over the token''s, and the compact token text as input' {
        $first = New-InitializationToken -Amount 7 -UserId 'cli' -AdditionalClaims $Extra -ApiSignature $Sig
        $again = $first.Token | New-InitializationToken -NotificationKey 'new-key' -Amount 8 -AdditionalClaims ([ordered]@{ only = 1 }) -ApiSignature $Sig
        Get-TokenPart $again.Token 1 | Should -BeExactly ('{"amount":8,"userId":"cli","iat":' + $again.IssuedAtUnixSeconds + ',"notificationKey":"new-key","only":1}')
    }

    It 'refuses a token another apiSignature signed, and a row whose claim column says otherwise' {
        $foreign = New-InitializationToken -Amount 3 -UserId 'foreign' -ApiSignature (ConvertTo-TestSecureString 'another apiSignature')
        $foreign | New-InitializationToken -ApiSignature $Sig -ErrorAction SilentlyContinue -ErrorVariable bad | Should -BeNullOrEmpty
        $bad[0].FullyQualifiedErrorId | Should -BeExactly 'TokenToMintAgainInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $bad[0].Exception.Message | Should -Match 'InvalidSignature'

        $row = New-InitializationToken -Amount 12.5 -UserId 'edited' -ApiSignature $Sig | Select-Object Token, Amount, UserId
        $row.Amount = '15'
        $row | New-InitializationToken -ApiSignature $Sig -ErrorAction SilentlyContinue -ErrorVariable conflict | Should -BeNullOrEmpty
        $conflict[0].FullyQualifiedErrorId | Should -BeExactly 'TokenToMintAgainConflict,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $conflict[0].Exception.Message | Should -Match "Amount '15' disagrees with the token it carries \(its token carries amount 12\.5\)"
        ($row | New-InitializationToken -Amount 15 -ApiSignature $Sig).Amount | Should -Be 15
    }
}

Describe 'Export-Csv and Import-Csv in <_>' -ForEach 'en-US', 'fr-FR', 'de-DE' {
    BeforeAll {
        $script:Culture = $_
        $script:Folder = Join-Path ([IO.Path]::GetTempPath()) ("convtokens-csv-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $Folder | Out-Null
    }
    AfterAll { Remove-Item -LiteralPath $Folder -Recurse -Force -ErrorAction Ignore }

    It 'feeds exported tokens back to New-InitializationToken, Test-Token and Get-SessionToken, and shows them alike' {
        Use-Culture $Culture {
            $path = Join-Path $Folder 'tokens.csv'
            $tokens = @(
                New-InitializationToken -Amount 12.5 -UserId 'csv-1' -ZipCode '01000' -AdditionalClaims $Extra -ApiSignature $Sig
                New-InitializationToken -Amount '1234.50' -UserId 'csv-2' -Age 41 -ApiSignature $Sig
            )
            $tokens | Export-Csv -LiteralPath $path
            $decimalMark = [cultureinfo]::CurrentCulture.NumberFormat.NumberDecimalSeparator
            (Get-Content -LiteralPath $path -Raw) | Should -Match ([regex]::Escape("`"12${decimalMark}5`""))

            $again = @(Import-Csv -LiteralPath $path | New-InitializationToken -ApiSignature $Sig)
            $again.Count | Should -Be 2
            for ($i = 0; $i -lt 2; $i++) {
                Get-PayloadWithoutIat $again[$i].Token | Should -BeExactly (Get-PayloadWithoutIat $tokens[$i].Token)
            }
            $again[1].Amount | Should -Be 1234.5

            # The views show what was signed, in this culture too.
            $table = $again | Out-String -Width 80
            $table | Should -Match '\b12\.5\b'
            $table | Should -Match '\b1234\.5\b'
            $table | Should -Match ([regex]::Escape($again[0].IssuedAt.UtcDateTime.ToString('u')))
            $table | Should -Not -Match 'eyJ'
            ($again[1] | Format-List | Out-String -Width 120) | Should -Match 'Amount\s+: 1234\.5\r?\n'

            @(Import-Csv -LiteralPath $path | Test-Token -ApiSignature $Sig -Quiet) | Should -Be @($true, $true)
            $sessions = @(Import-Csv -LiteralPath $path | Get-SessionToken -BaseUri $Base -ApiKey $Key)
            $sessions.Count | Should -Be 2
            $sessions[1].Amount | Should -BeOfType [decimal]
            $sessions[1].Amount | Should -Be 1234.5
            ($sessions | Out-String -Width 80) | Should -Match ([regex]::Escape($sessions[0].ExpiresOn.UtcDateTime.ToString('u')))
        }
    }

    It 'feeds exported Test-Token results back to Test-Token' {
        Use-Culture $Culture {
            $path = Join-Path $Folder 'results.csv'
            New-InitializationToken -Amount 9.99 -UserId 'result' -ApiSignature $Sig | Test-Token -ApiSignature $Sig | Export-Csv -LiteralPath $path
            $result = Import-Csv -LiteralPath $path | Test-Token -ApiSignature $Sig
            $result.IsValid | Should -BeTrue
            $result.Amount.ToString($Invariant) | Should -BeExactly '9.99'
        }
    }
}

Describe 'Objects that cross Start-Job' -Tag 'Slow' {
    BeforeAll {
        # The job signs, verifies and exchanges on its own side, and spends one token twice.
        $job = Start-Job -ScriptBlock {
            param($Manifest, $Base, $Sig, $Key)
            Import-Module $Manifest
            $token = New-InitializationToken -Amount 12.5 -UserId 'job-1' -AdditionalClaims ([ordered]@{ campaign = 'job' }) -ApiSignature $Sig
            $token
            $token | Test-Token -ApiSignature $Sig
            $token | Get-SessionToken -BaseUri $Base -ApiKey $Key
            $token | Get-SessionToken -BaseUri $Base -ApiKey $Key
        } -ArgumentList $ModuleManifest, $Base, $Sig, $Key
        $script:Received = @($job | Receive-Job -Wait -AutoRemoveJob -ErrorAction SilentlyContinue -ErrorVariable jobErrors)
        $script:JobErrors = @($jobErrors)
        $script:Token, $script:Result, $script:Session = $Received
    }

    It 'comes back as the live types, with dates that compare as dates' {
        $Received.Count | Should -Be 3
        $Token | Should -BeOfType [ConvTokens.PowerShell.InitializationToken]
        $Result | Should -BeOfType [ConvTokens.PowerShell.TokenValidationResult]
        $Session | Should -BeOfType [ConvTokens.PowerShell.SessionToken]
        $Token.IssuedAt | Should -BeOfType [DateTimeOffset]
        $Token.IssuedAt.ToUnixTimeSeconds() | Should -Be (Get-Iat $Token.Token)
        $Result.IssuedAt | Should -Be $Token.IssuedAt
        $Session.ExpiresOn | Should -BeOfType [DateTimeOffset]
        # A session expires within the hour: never after a date a year away, never before now.
        $Session.ExpiresOn -gt [datetime]::UtcNow.AddYears(1) | Should -BeFalse
        $Session.ExpiresOn -gt [DateTimeOffset]::UtcNow | Should -BeTrue
        $Session.IsExpired | Should -BeFalse
        $Token.Amount | Should -BeOfType [decimal]
        $Session.Amount | Should -BeOfType [decimal]
        $Token.Claims['campaign'] | Should -BeExactly 'job'
    }

    It 'shows through the module''s views in <_>, without the whole token' -ForEach 'fr-FR', 'de-DE' {
        Use-Culture $_ {
            $text = ($Token | Out-String -Width 80) + ($Session | Out-String -Width 80) +
                (($Token, $Result, $Session | ForEach-Object { $_ | Format-List | Out-String -Width 120 }) -join '')
            $text | Should -Not -Match 'eyJ'
            $text | Should -Match '\b12\.5\b'
            $text | Should -Not -Match '12,5'
            $text | Should -Match ([regex]::Escape($Token.IssuedAt.UtcDateTime.ToString('u')))
            $text | Should -Match ([regex]::Escape($Session.ExpiresOn.UtcDateTime.ToString('u')))
        }
    }

    It 'gets the same results from Test-Token and Get-SessionToken as the live objects do' {
        ($Token | Test-Token -ApiSignature $Sig).IsValid | Should -BeTrue
        $Session | Test-Token -ApiSignature $Sig -ErrorAction SilentlyContinue -ErrorVariable viaJob | Out-Null
        $live = New-InitializationToken -Amount 1 -ApiSignature $Sig | Get-SessionToken -BaseUri $Base -ApiKey $Key
        $live | Test-Token -ApiSignature $Sig -ErrorAction SilentlyContinue -ErrorVariable viaLive | Out-Null
        $viaJob[0].Exception.Message | Should -BeExactly $viaLive[0].Exception.Message
        $viaJob[0].FullyQualifiedErrorId | Should -BeExactly $viaLive[0].FullyQualifiedErrorId
        # The job spent its token: sending the copy again is refused as it would be for the original.
        $Token | Get-SessionToken -BaseUri $Base -ApiKey $Key -ErrorAction SilentlyContinue -ErrorVariable spent | Should -BeNullOrEmpty
        $spent[0].FullyQualifiedErrorId | Should -BeLike 'SessionTokenInvalidGrant,*'
    }

    It 'brings errors back whose id, not exception type, tells what to do, and whose target mints again' {
        $JobErrors.Count | Should -Be 1
        $JobErrors[0].Exception -is [ConvTokens.PowerShell.SessionTokenException] | Should -BeFalse -Because 'the documented filter reads the id'
        $JobErrors[0].FullyQualifiedErrorId | Should -BeExactly 'SessionTokenInvalidGrant,ConvTokens.PowerShell.Commands.GetSessionTokenCommand'
        $renewed = @($JobErrors | Where-Object FullyQualifiedErrorId -match '^SessionToken(ServerError|OutcomeUnknown|ResponseInvalid|InvalidGrant),' |
            ForEach-Object TargetObject | New-InitializationToken -ApiSignature $Sig | Get-SessionToken -BaseUri $Base -ApiKey $Key)
        $renewed.Count | Should -Be 1
        $renewed[0].NotificationKey | Should -BeExactly $Token.NotificationKey
    }
}

Describe 'Copies received before the module was imported' -Tag 'Slow' {
    It 'are shown by the views, read by the cmdlets, and say so for a SessionToken, once ConvTokens is imported' {
        $sigText = [Net.NetworkCredential]::new('', $Sig).Password
        $keyText = [Net.NetworkCredential]::new('', $Key).Password
        $script = @"
`$ErrorActionPreference = 'Stop'
`$sig = ConvertTo-SecureString '$sigText' -AsPlainText -Force
`$key = ConvertTo-SecureString '$keyText' -AsPlainText -Force
`$job = Start-Job -ScriptBlock { param(`$m, `$b, `$s, `$k) Import-Module `$m
    `$t = New-InitializationToken -Amount 12.5 -UserId 'bag' -ApiSignature `$s; `$t; `$t | Get-SessionToken -BaseUri `$b -ApiKey `$k
} -ArgumentList '$ModuleManifest', '$Base', `$sig, `$key
`$copies = @(`$job | Receive-Job -Wait -AutoRemoveJob)
'types=' + ((`$copies | ForEach-Object { `$_.PSObject.TypeNames[0] }) -join ',')
'plain=' + [bool]((`$copies[0] | Out-String -Width 400) -match 'eyJ')
'hidden=' + [bool]((`$copies[0] | Select-Object * -ExcludeProperty Token | Out-String -Width 400) -match 'eyJ')
Import-Module '$ModuleManifest'
'view=' + [bool]((`$copies | Out-String -Width 120) -match 'eyJ')
'valid=' + (`$copies[0] | Test-Token -ApiSignature `$sig).IsValid
`$copies[1] | Test-Token -ApiSignature `$sig -ErrorAction SilentlyContinue -ErrorVariable e | Out-Null
'session=' + `$e[0].Exception.Message
"@
        $lines = @(Invoke-FreshPwsh -Script $script)
        $lines | Should -Contain 'types=Deserialized.ConvTokens.PowerShell.InitializationToken,Deserialized.ConvTokens.PowerShell.SessionToken'
        # Without the module PowerShell lists every property of a copy: the documented limit, and its fix.
        $lines | Should -Contain 'plain=True'
        $lines | Should -Contain 'hidden=False'
        $lines | Should -Contain 'view=False'
        $lines | Should -Contain 'valid=True'
        $lines | Should -Contain ('session=Input #1: a SessionToken is a session token, signed by the API and not with your apiSignature; ' +
            'Test-Token checks, and Get-SessionToken exchanges, initialization tokens (from New-InitializationToken).')
    }
}

Describe 'Export-Clixml and Import-Clixml' {
    It 'reads back live objects whose dates compare, and stores a session token readable where SecureString is not encrypted' {
        $path = Join-Path ([IO.Path]::GetTempPath()) ("convtokens-" + [guid]::NewGuid().ToString('N') + '.xml')
        try {
            $token = New-InitializationToken -Amount 12.5 -UserId 'clixml' -ApiSignature $Sig
            $session = $token | Get-SessionToken -BaseUri $Base -ApiKey $Key -AsPlainText
            $token, $session | Export-Clixml -LiteralPath $path
            $back = @(Import-Clixml -LiteralPath $path)
            $back[0] | Should -BeOfType [ConvTokens.PowerShell.InitializationToken]
            $back[0].Token | Should -BeExactly $token.Token
            $back[0].IssuedAt | Should -Be $token.IssuedAt
            $back[1] | Should -BeOfType [ConvTokens.PowerShell.SessionToken]
            $back[1].ExpiresOn | Should -Be $session.ExpiresOn
            $back[1].ExpiresOn -lt [DateTimeOffset]::UtcNow.AddHours(2) | Should -BeTrue
            [Net.NetworkCredential]::new('', $back[1].Token).Password | Should -BeExactly $session.PlainTextToken
            if (-not $IsWindows) {
                # What the docs say about storing session tokens: PowerShell writes the SecureString as UTF-16 hex.
                $hex = -join ([Text.Encoding]::Unicode.GetBytes($session.PlainTextToken) | ForEach-Object { $_.ToString('x2') })
                (Get-Content -LiteralPath $path -Raw) | Should -Match $hex
            }
        }
        finally { Remove-Item -LiteralPath $path -ErrorAction Ignore }
    }
}

Describe 'A piped byte[]' {
    It 'is one input and one error in <Cmdlet>, as it is given to -Token' -ForEach @(
        @{ Cmdlet = 'Test-Token' }
        @{ Cmdlet = 'Get-SessionToken' }
    ) {
        $bytes = [Text.Encoding]::UTF8.GetBytes('eyJ.not.token')
        $common = if ($Cmdlet -eq 'Test-Token') { @{ ApiSignature = $Sig } } else { @{ ApiKey = $Key; BaseUri = $Base } }
        $out = @($bytes | & $Cmdlet @common -ErrorAction SilentlyContinue -ErrorVariable problems)
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'TokenInputInvalid,*'
        $problems[0].Exception.Message | Should -BeExactly "Input #1: $($bytes.Length) bytes arrived one at a time (PowerShell unrolls a piped byte[]); bytes are not a token. Pass the token as text (for a file: Get-Content -Raw)."
        $out.Count | Should -Be 0
        @($bytes | Test-Token -ApiSignature $Sig -Quiet -ErrorAction SilentlyContinue) | Should -Be @($false)
    }
}
