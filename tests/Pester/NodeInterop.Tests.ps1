BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession
    $script:Secret = 'monApiSignature'
    $script:SecretSS = ConvertTo-TestSecureString $Secret
}

Describe 'Interop with Node jsonwebtoken (the vendor samples'' library)' {
    It 'signs the seed criteria to the same bytes as jwt.sign(criteria, secret)' {
        $criteria = [ordered]@{ amount = 100; cp = '75000'; age = 99; gender = 'M'; userId = '99'; iat = 1700000000; notificationKey = 'a3f1c2d4-0001' }
        $node = Invoke-NodeJwt @(@{ sign = $criteria; secret = $Secret })
        $ours = [pscustomobject]$criteria | New-InitializationToken -ApiSignature $SecretSS
        $ours.Token | Should -BeExactly $node[0].token
    }

    It 'matches Node byte for byte on non-ASCII, escapes, fractional amounts and additional claims' {
        $userId = "Zoë `"Z`" <ø>`n$([char]1)😀"
        $criteria = [ordered]@{ amount = 12.5; cp = '01000'; age = 34; gender = 'F'; userId = $userId; iat = 4102444800; notificationKey = 'k-2'; forceManualConfirm = $true
            campaign = 'noël'; tags = @('a', 1, $null, [ordered]@{ x = $false }); ratio = 0.1 }
        $node = Invoke-NodeJwt @(@{ sign = $criteria; secret = 'myApiSignature' })
        $ours = New-InitializationToken -Amount 12.5 -ZipCode '01000' -Age 34 -Gender F -UserId $userId -IssuedAt ([DateTimeOffset]::FromUnixTimeSeconds(4102444800)) `
            -NotificationKey 'k-2' -ForceManualConfirm -AdditionalClaims ([ordered]@{ campaign = 'noël'; tags = @('a', 1, $null, [ordered]@{ x = $false }); ratio = 0.1 }) `
            -ApiSignature (ConvertTo-TestSecureString 'myApiSignature')
        $ours.Token | Should -BeExactly $node[0].token
    }

    It 'writes very small and very large numbers as JSON.stringify does (1e-7, 1e+21), amounts and additional claims alike' {
        $cases = @(
            @{ Amount = ([decimal]::Parse('0.0000001', [cultureinfo]::InvariantCulture)); Extra = [ordered]@{ tiny = 1e-7; small = 0.00001; big = 1.5e300; neg = -2.5e-8; whole = 1e21; edge = 123456789012345680000.0 } }
            @{ Amount = ([decimal]::Parse('0.000001', [cultureinfo]::InvariantCulture)); Extra = [ordered]@{ m = ([decimal]::Parse('0.00000012', [cultureinfo]::InvariantCulture)); n = ([decimal]::Parse('1000000000000000000000', [cultureinfo]::InvariantCulture)) } }
            @{ Amount = ([decimal]::Parse('1000000000000000000000', [cultureinfo]::InvariantCulture)); Extra = [ordered]@{ x = 1 } }
            @{ Amount = ([decimal]::Parse('12300000000000000000000', [cultureinfo]::InvariantCulture)); Extra = [ordered]@{ x = 1 } }
            @{ Amount = ([decimal]::Parse('100000000000000000000', [cultureinfo]::InvariantCulture)); Extra = [ordered]@{ x = 1 } }
        )
        foreach ($case in $cases) {
            $criteria = [ordered]@{ amount = $case.Amount; iat = 1700000000; notificationKey = 'k' }
            foreach ($key in $case.Extra.Keys) { $criteria[$key] = $case.Extra[$key] }
            $node = Invoke-NodeJwt @(@{ sign = $criteria; secret = $Secret })
            $ours = New-InitializationToken -Amount $case.Amount -IssuedAt 1700000000 -NotificationKey k -AdditionalClaims $case.Extra -ApiSignature $SecretSS
            Get-TokenPart $ours.Token 1 | Should -BeExactly (Get-TokenPart $node[0].token 1)
            $ours.Token | Should -BeExactly $node[0].token
        }
    }

    It 'mints tokens that jsonwebtoken verifies with the short secret, claims intact' {
        $tokens = 1..50 | ForEach-Object { [pscustomobject]@{ amount = "$_.25"; cp = '75000'; age = 30; gender = 'M'; userId = "u$_" } } |
            New-InitializationToken -ApiSignature $SecretSS
        $results = Invoke-NodeJwt @($tokens | ForEach-Object { @{ verify = $_.Token; secret = $Secret } })
        $results.Count | Should -Be 50
        for ($i = 0; $i -lt 50; $i++) {
            $results[$i].valid | Should -BeTrue
            $results[$i].payload.userId | Should -BeExactly "u$($i + 1)"
            $results[$i].payload.amount | Should -Be ($i + 1.25)
            $results[$i].payload.notificationKey | Should -BeExactly $tokens[$i].NotificationKey
        }
    }

    It 'refuses, in Node, our token checked with another secret' {
        $t = New-InitializationToken -Amount 1 -ApiSignature $SecretSS
        (Invoke-NodeJwt @(@{ verify = $t.Token; secret = 'myApiSignature' }))[0].valid | Should -BeFalse
    }

    It 'accepts in Test-Token the tokens jsonwebtoken mints, and rejects them under another secret' {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $jobs = 1..20 | ForEach-Object { @{ sign = [ordered]@{ amount = $_; cp = '99'; age = 99; gender = 'F'; userId = "n$_"; iat = $now; notificationKey = "nk$_" }; secret = $Secret } }
        $tokens = (Invoke-NodeJwt $jobs).token
        $results = $tokens | Test-Token -ApiSignature $SecretSS
        ($results | Where-Object IsValid).Count | Should -Be 20
        $results[4].UserId | Should -BeExactly 'n5'
        ($tokens | Test-Token -ApiSignature (ConvertTo-TestSecureString 'myApiSignature') -Quiet) | Should -Not -Contain $true
    }
}
