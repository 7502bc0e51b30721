BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession
    $script:Secret = 'monApiSignature'
    $script:SecretSS = ConvertTo-TestSecureString $Secret
    $script:Now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $script:Header = '{"alg":"HS256","typ":"JWT"}'
    function Test-Payload([string] $PayloadJson, [string] $HeaderJson = $Header, [string] $Hmac = 'HMACSHA256', [hashtable] $Options = @{}) {
        New-HandMadeToken $HeaderJson $PayloadJson $Secret $Hmac | Test-Token -ApiSignature $SecretSS @Options
    }
    $script:GoodPayload = "{`"amount`":100,`"cp`":`"75000`",`"age`":99,`"gender`":`"M`",`"userId`":`"u1`",`"iat`":$Now,`"notificationKey`":`"k1`"}"
    $script:Good = New-HandMadeToken $Header $GoodPayload $Secret
}

Describe 'Test-Token on valid tokens' {
    It 'accepts a token from New-InitializationToken and returns a typed result with the decoded parts' {
        $r = New-InitializationToken -Amount 12.5 -UserId 'u9' -NotificationKey 'k9' -ApiSignature $SecretSS | Test-Token -ApiSignature $SecretSS
        $r | Should -BeOfType ([ConvTokens.PowerShell.TokenValidationResult])
        $r.IsValid | Should -BeTrue
        $r.Reason | Should -BeExactly 'None'
        $r.Message | Should -BeNullOrEmpty
        $r.Algorithm | Should -BeExactly 'HS256'
        $r.UserId | Should -BeExactly 'u9'
        $r.NotificationKey | Should -BeExactly 'k9'
        $r.Amount | Should -Be 12.5
        $r.Amount | Should -BeOfType [decimal]
        $r.Claims['iat'] | Should -BeOfType [long]
        $r.Header['typ'] | Should -BeExactly 'JWT'
    }

    It 'accepts a hand-made token signed with the unpadded 15-byte secret' {
        (Test-Payload $GoodPayload).IsValid | Should -BeTrue
    }

    It 'accepts plain strings and objects with a Token property from the pipeline, in order' {
        $objects = @($Good, [pscustomobject]@{ Token = 'a.b' }, [pscustomobject]@{ Token = $Good })
        @($objects | Test-Token -ApiSignature $SecretSS | ForEach-Object IsValid) | Should -Be @($true, $false, $true)
    }

    It 'takes an array on the command line and reports input that is no token as TokenInputInvalid, going on' {
        $errors = $null
        $out = Test-Token -Token $Good, 42, ([pscustomobject]@{ Name = 'x' }), $Good -ApiSignature $SecretSS -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -Be @($true, $false, $false, $true)  # one boolean per input; the two non-tokens also write their errors
        @($errors.FullyQualifiedErrorId) | Should -Be @('TokenInputInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand', 'TokenInputInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand')
        $errors[0].TargetObject | Should -Be 42
        $errors[0].Exception.Message | Should -Match '^Input #2: '
    }

    It 'says that a piped SessionToken is a session token signed by the API, not that it has no Token property' {
        # The only test here that needs the endpoint starts it, so the rest of the file runs without one.
        $ep = Initialize-TestSession -Endpoint -NoModule
        try {
            $session = New-InitializationToken -Amount 1 -ApiSignature $ep.ApiSignature | Get-SessionToken -BaseUri $ep.BaseUri -ApiKey $ep.ApiKey
        }
        finally { Complete-TestSession -Endpoint $ep }
        $session | Should -BeOfType ([ConvTokens.PowerShell.SessionToken])
        $errors = $null
        $out = $session | Test-Token -ApiSignature $SecretSS -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'TokenInputInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand'
        $errors[0].Exception.Message | Should -BeExactly ('Input #1: a SessionToken is a session token, signed by the API and not with your apiSignature; ' +
            'Test-Token checks, and Get-SessionToken exchanges, initialization tokens (from New-InitializationToken).')
        $errors[0].Exception.Message | Should -Not -Match 'Token property'
    }

    It 'refuses a token text that starts with "Bearer " with a Malformed result that names the prefix' {
        $r = "Bearer $Good", "bearer $Good" | Test-Token -ApiSignature $SecretSS
        @($r.IsValid) | Should -Be @($false, $false)
        @($r.Reason) | Should -Be @('Malformed', 'Malformed')
        $r[0].Message | Should -BeExactly "the text starts with 'Bearer ', the scheme of an Authorization header value; pass the compact token without it (an initialization token starts with eyJ)."
        $r[1].Message | Should -Match "^the text starts with 'bearer ',"
    }

    It 'names the input type with the right article (<Name>)' -ForEach @(
        @{ Name = 'an Int32'; Value = 42 }, @{ Name = 'a DateTime'; Value = [datetime]'2020-01-01' }, @{ Name = 'an Object\[\]'; Value = (, @(1)) }) {
        $errors = $null
        $null = Test-Token -Token $Value -ApiSignature $SecretSS -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].Exception.Message | Should -Match "^Input #1: $Name is neither a token string nor an object with a Token property\.$"
    }

    It 'takes a byte[] as one input with one error, not one error per byte' {
        $errors = $null
        $bytes = [byte[]]::new(100000)
        $out = Test-Token -Token $bytes -ApiSignature $SecretSS -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'TokenInputInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand'
        $errors[0].Exception.Message | Should -BeExactly 'Input #1: a byte[] of 100000 bytes is not a token; pass the token as text (for a file: Get-Content -Raw).'
        , $bytes | Test-Token -ApiSignature $SecretSS -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
    }

    It 'reads the Token key of a hashtable (any case), and says so when there is none' {
        $errors = $null
        $r = @(@{ Token = $Good }, @{ token = $Good }, [ordered]@{ Name = 'x' }) | Test-Token -ApiSignature $SecretSS -ErrorVariable errors -ErrorAction SilentlyContinue
        @($r.IsValid) | Should -Be @($true, $true)
        $errors.Count | Should -Be 1
        $errors[0].Exception.Message | Should -BeExactly 'Input #3: an OrderedDictionary has no Token key holding a token string.'
    }

    It 'gives $null its own error and its own input number' {
        $errors = $null
        $out = @($Good, $null, $Good) | Test-Token -ApiSignature $SecretSS -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -Be @($true, $false, $true)  # one boolean per input
        $errors.Count | Should -Be 1
        $errors[0].Exception.Message | Should -BeExactly 'Input #2: the input is $null; pipe InitializationToken objects or token strings.'
    }

    It 'returns only booleans with -Quiet' {
        $out = @($Good, 'x.y.z') | Test-Token -ApiSignature $SecretSS -Quiet
        $out | Should -Be @($true, $false)
        $out[0] | Should -BeOfType [bool]
    }

    It 'explains a failure through -Verbose' {
        $verbose = 'x.y.z' | Test-Token -ApiSignature $SecretSS -Quiet -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'Token #1 is invalid \(Malformed\)'
    }
}

Describe 'Test-Token rejects' {
    It 'alg none (an unsigned token) as UnsupportedAlgorithm' {
        $payload = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($GoodPayload))
        $r = "$(ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes('{"alg":"none","typ":"JWT"}'))).$payload." | Test-Token -ApiSignature $SecretSS
        $r.IsValid | Should -BeFalse
        $r.Reason | Should -BeExactly 'UnsupportedAlgorithm'
        $r.Message | Should -Match "alg is 'none'"
    }

    It '<Alg> signed with the same secret as UnsupportedAlgorithm' -ForEach @(
        @{ Alg = 'HS384'; Hmac = 'HMACSHA384' }, @{ Alg = 'HS512'; Hmac = 'HMACSHA512' }, @{ Alg = 'RS256'; Hmac = 'HMACSHA256' }, @{ Alg = 'hs256'; Hmac = 'HMACSHA256' }) {
        $r = Test-Payload $GoodPayload "{`"alg`":`"$Alg`",`"typ`":`"JWT`"}" $Hmac
        $r.Reason | Should -BeExactly 'UnsupportedAlgorithm'
        $r.Message | Should -Match "alg is '$Alg'"
    }

    It 'a flipped signature bit as InvalidSignature' {
        $parts = $Good.Split('.')
        $sig = ConvertFrom-Base64Url $parts[2]
        $sig[5] = $sig[5] -bxor 0x10
        $r = "$($parts[0]).$($parts[1]).$(ConvertTo-Base64Url $sig)" | Test-Token -ApiSignature $SecretSS
        $r.Reason | Should -BeExactly 'InvalidSignature'
        $r.Claims['userId'] | Should -BeExactly 'u1'
    }

    It 'a changed payload as InvalidSignature' {
        $parts = $Good.Split('.')
        $forged = ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($GoodPayload.Replace('"amount":100', '"amount":900')))
        ("$($parts[0]).$forged.$($parts[2])" | Test-Token -ApiSignature $SecretSS).Reason | Should -BeExactly 'InvalidSignature'
    }

    It 'the wrong secret as InvalidSignature' {
        ($Good | Test-Token -ApiSignature (ConvertTo-TestSecureString 'myApiSignature')).Reason | Should -BeExactly 'InvalidSignature'
    }

    It 'a secret that differs only by zero padding is the same HMAC key (RFC 2104), so this is not a false accept' {
        # Documented HMAC property: keys shorter than the block are zero-padded.
        ($Good | Test-Token -ApiSignature (ConvertTo-TestSecureString "$Secret$([char]0)")).IsValid | Should -BeTrue
    }

    It 'a truncated token as Malformed or InvalidSignature: <Case>' -ForEach @(
        @{ Case = 'no signature segment'; Cut = { param($t) $t.Substring(0, $t.LastIndexOf('.')) }; Reason = 'Malformed' }
        @{ Case = 'signature cut to 30 bytes'; Cut = { param($t) $t.Substring(0, $t.Length - 3) }; Reason = 'InvalidSignature' }
        @{ Case = 'empty signature'; Cut = { param($t) $t.Substring(0, $t.LastIndexOf('.') + 1) }; Reason = 'InvalidSignature' }
        @{ Case = 'payload cut'; Cut = { param($t) $p = $t.Split('.'); "$($p[0]).$($p[1].Substring(0, 10)).$($p[2])" }; Reason = 'Malformed' }
        @{ Case = 'only a header'; Cut = { param($t) $t.Split('.')[0] }; Reason = 'Malformed' }
        @{ Case = 'empty string'; Cut = { param($t) '' }; Reason = 'Malformed' }
    ) {
        $r = (& $Cut $Good) | Test-Token -ApiSignature $SecretSS
        $r.IsValid | Should -BeFalse
        $r.Reason | Should -BeExactly $Reason
    }

    It 'a signature with non-canonical base64url trailing bits as Malformed' {
        $parts = $Good.Split('.')
        $last = $parts[2][-1]
        $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
        $twin = $alphabet[$alphabet.IndexOf($last) -bxor 1]
        ("$($parts[0]).$($parts[1]).$($parts[2].Substring(0, $parts[2].Length - 1))$twin" | Test-Token -ApiSignature $SecretSS).Reason | Should -BeExactly 'Malformed'
    }

    It 'a crit header as CriticalHeader' {
        (Test-Payload $GoodPayload '{"alg":"HS256","typ":"JWT","crit":["exp"]}').Reason | Should -BeExactly 'CriticalHeader'
    }

    It 'duplicate claims as Malformed' {
        $r = Test-Payload "{`"amount`":1,`"amount`":1000,`"iat`":$Now,`"notificationKey`":`"k`"}"
        $r.Reason | Should -BeExactly 'Malformed'
        $r.Message | Should -Match "'amount' more than once"
    }

    It 'a signed payload with invalid UTF-8 inside a claim value as Malformed (found by the fuzz test)' {
        $payload = [Text.Encoding]::UTF8.GetBytes("{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"kX`"}")
        $payload[$payload.Length - 3] = 0xFA
        $signingInput = (ConvertTo-Base64Url ([Text.Encoding]::UTF8.GetBytes($Header))) + '.' + (ConvertTo-Base64Url $payload)
        $mac = [Security.Cryptography.HMACSHA256]::HashData([Text.Encoding]::UTF8.GetBytes($Secret), [Text.Encoding]::ASCII.GetBytes($signingInput))
        $r = "$signingInput.$(ConvertTo-Base64Url $mac)" | Test-Token -ApiSignature $SecretSS
        $r.Reason | Should -BeExactly 'Malformed'
        $r.Message | Should -Match 'not valid UTF-8'
    }

    It 'an unpaired surrogate escape in <Where> as Malformed, without stopping the pipeline (found by the fuzz test)' -ForEach @(
        @{ Where = 'alg'; Token = { 'eyJhbGciOiJcdUQ4MDAifQ.e30.AAAA' } }
        @{ Where = 'a signed claim'; Token = { New-HandMadeToken $Header "{`"amount`":5,`"iat`":$Now,`"notificationKey`":`"\uD800`"}" $Secret } }
    ) {
        $results = @((& $Token), $Good) | Test-Token -ApiSignature $SecretSS
        $results.Count | Should -Be 2
        $results[0].Reason | Should -BeExactly 'Malformed'
        $results[0].Message | Should -Match 'not valid Unicode'
        $results[1].IsValid | Should -BeTrue
    }

    It 'an exp of the largest 64-bit value as valid, not as an overflowed Expired (found by the fuzz test)' {
        (Test-Payload "{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"k`",`"exp`":9223372036854775807}").IsValid | Should -BeTrue
        (Test-Payload "{`"amount`":1,`"iat`":-9223372036854775808,`"notificationKey`":`"k`"}" -Options @{ MaximumAge = 60 }).Reason | Should -BeExactly 'TooOld'
    }

    It 'an amount beyond any sum of money (<Amount>) as InvalidClaim' -ForEach @(@{ Amount = '1e400' }, @{ Amount = '99999999999999999999999999999999999' }) {
        $r = Test-Payload "{`"amount`":$Amount,`"iat`":$Now,`"notificationKey`":`"k`"}"
        $r.Reason | Should -BeExactly 'InvalidClaim'
        $r.Message | Should -Match 'out of range'
    }

    It 'a payload that is not JSON as Malformed' {
        (Test-Payload 'not json').Reason | Should -BeExactly 'Malformed'
    }

    It 'a token over the size limit as TooLarge without decoding it' {
        (('a' * 70000) | Test-Token -ApiSignature $SecretSS).Reason | Should -BeExactly 'TooLarge'
    }

    It 'a missing <Claim> as MissingClaim' -ForEach @(@{ Claim = 'amount' }, @{ Claim = 'iat' }, @{ Claim = 'notificationKey' }) {
        $claims = [ordered]@{ amount = 1; iat = $Now; notificationKey = 'k' }
        $claims.Remove($Claim)
        $r = Test-Payload ($claims | ConvertTo-Json -Compress)
        $r.Reason | Should -BeExactly 'MissingClaim'
        $r.Message | Should -Match "'$Claim' is missing"
    }

    It 'a claim of the wrong type as InvalidClaim: <Json>' -ForEach @(
        @{ Json = '"amount":"100"' }, @{ Json = '"amount":-1' }, @{ Json = '"cp":75000' }, @{ Json = '"age":"99"' }, @{ Json = '"age":-3' },
        @{ Json = '"gender":"X"' }, @{ Json = '"userId":42' }, @{ Json = '"forceManualConfirm":"true"' }, @{ Json = '"exp":"soon"' }) {
        $name = ($Json -split ':')[0].Trim('"')
        $claims = [ordered]@{ amount = 1; iat = $Now; notificationKey = 'k' }
        $payload = ($claims | ConvertTo-Json -Compress)
        $payload = if ($claims.Contains($name)) { $payload -replace "`"$name`":[^,}]+", $Json } else { $payload.TrimEnd('}') + ",$Json}" }
        (Test-Payload $payload).Reason | Should -BeExactly 'InvalidClaim'
    }

    It 'an iat that is not a whole number as InvalidClaim' {
        (Test-Payload '{"amount":1,"iat":1700000000.5,"notificationKey":"k"}').Reason | Should -BeExactly 'InvalidClaim'
    }

    It 'an iat beyond the clock skew in the future as IssuedInFuture, and within it as valid' {
        (Test-Payload "{`"amount`":1,`"iat`":$($Now + 600),`"notificationKey`":`"k`"}").Reason | Should -BeExactly 'IssuedInFuture'
        (Test-Payload "{`"amount`":1,`"iat`":$($Now + 30),`"notificationKey`":`"k`"}").IsValid | Should -BeTrue
        (Test-Payload "{`"amount`":1,`"iat`":$($Now + 600),`"notificationKey`":`"k`"}" -Options @{ ClockSkew = [timespan]::FromMinutes(15) }).IsValid | Should -BeTrue
        # A bare number is seconds, not ticks.
        (Test-Payload "{`"amount`":1,`"iat`":$($Now + 600),`"notificationKey`":`"k`"}" -Options @{ ClockSkew = 900 }).IsValid | Should -BeTrue
        (Test-Payload "{`"amount`":1,`"iat`":$($Now + 30),`"notificationKey`":`"k`"}" -Options @{ ClockSkew = 10 }).Reason | Should -BeExactly 'IssuedInFuture'
    }

    It 'a token older than -MaximumAge as TooOld' {
        $old = "{`"amount`":1,`"iat`":$($Now - 3600),`"notificationKey`":`"k`"}"
        (Test-Payload $old -Options @{ MaximumAge = [timespan]::FromMinutes(10) }).Reason | Should -BeExactly 'TooOld'
        (Test-Payload $old -Options @{ MaximumAge = 600 }).Reason | Should -BeExactly 'TooOld'
        (Test-Payload $old -Options @{ MaximumAge = 7200 }).IsValid | Should -BeTrue
        (Test-Payload $old).IsValid | Should -BeTrue
    }

    It 'an expired exp as Expired and a future nbf as NotYetValid' {
        (Test-Payload "{`"amount`":1,`"iat`":$($Now - 7200),`"notificationKey`":`"k`",`"exp`":$($Now - 3600)}").Reason | Should -BeExactly 'Expired'
        (Test-Payload "{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"k`",`"exp`":$($Now + 3600)}").IsValid | Should -BeTrue
        (Test-Payload "{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"k`",`"nbf`":$($Now + 3600)}").Reason | Should -BeExactly 'NotYetValid'
    }

    It 'refuses a negative -ClockSkew with ClockSkewInvalid' {
        { $Good | Test-Token -ApiSignature $SecretSS -ClockSkew ([timespan]::FromSeconds(-1)) } |
            Should -Throw -ErrorId 'ClockSkewInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand'
    }

    It 'refuses a zero -MaximumAge with MaximumAgeInvalid' {
        { $Good | Test-Token -ApiSignature $SecretSS -MaximumAge 0 } |
            Should -Throw -ErrorId 'MaximumAgeInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand'
    }
}

Describe 'Test-Token: review findings' {
    BeforeAll {
        $script:Sig = ConvertTo-TestSecureString 'monApiSignature'
    }

    It 'gives one boolean per input with -Quiet, $false (and the error) for an input that is no token' {
        $tok = New-InitializationToken -Amount 1 -ApiSignature $Sig
        $errors = $null
        $out = @($tok.Token, $null, 42, $tok) | Test-Token -ApiSignature $Sig -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -Be @($true, $false, $false, $true)
        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'TokenInputInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand'
    }

    It 'refuses a -MaximumAge under one second instead of reading it as none: <Value>' -ForEach @(@{ Value = 0.5 }, @{ Value = '00:00:00.5' }) {
        { 'x' | Test-Token -ApiSignature $Sig -MaximumAge $Value -ErrorAction Stop } |
            Should -Throw -ErrorId 'MaximumAgeInvalid,ConvTokens.PowerShell.Commands.TestTokenCommand'
    }

    It 'says what -ClockSkew takes when given <Value>' -ForEach @(@{ Value = '0,5' }, @{ Value = 1e20 }) {
        $err = $null
        try { 'x' | Test-Token -ApiSignature $Sig -ClockSkew $Value -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        $err.Exception.Message | Should -Match "seconds \(30"
    }
}

Describe 'Test-Token reads what a token says exactly, by the rules New-InitializationToken signs by (issue 16)' {
    It 'shows each number in Claims as the type that holds it exactly: <Json> as [<Type>]' -ForEach @(
        @{ Json = '5e-324'; Type = 'double'; Value = 5e-324 }
        @{ Json = '1.5e-24'; Type = 'decimal'; Value = [decimal] '0.0000000000000000000000015' }
        @{ Json = '1.23456789e-25'; Type = 'double'; Value = 1.23456789e-25 }
        @{ Json = '1e+21'; Type = 'decimal'; Value = [decimal] '1000000000000000000000' }
        @{ Json = '9223372036854775807'; Type = 'long'; Value = [long]::MaxValue }
        @{ Json = '12.5'; Type = 'decimal'; Value = [decimal] 12.5 }
    ) {
        $r = Test-Payload "{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"k`",`"n`":$Json}"
        $r.IsValid | Should -BeTrue
        $r.Claims.n | Should -BeOfType ([type] $Type)
        $r.Claims.n | Should -Be $Value
    }

    It 'calls an amount with more than 28 decimal places InvalidClaim instead of rounding it: <Amount>' -ForEach @(
        @{ Amount = '1.23456789e-25' }, @{ Amount = '1e-30' }, @{ Amount = '0.00000000000000000000000000001' }) {
        $r = Test-Payload "{`"amount`":$Amount,`"iat`":$Now,`"notificationKey`":`"k`"}"
        $r.Reason | Should -BeExactly 'InvalidClaim'
        $r.Message | Should -BeExactly "amount $Amount has more than 28 decimal places, more than an amount is read with; it would be rounded."
    }

    It 'calls a nested object with member names that differ only in case Malformed (New-InitializationToken refuses to sign one)' {
        $r = Test-Payload "{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"k`",`"obj`":{`"key`":1,`"KEY`":2}}"
        $r.Reason | Should -BeExactly 'Malformed'
        $r.Message | Should -BeExactly "the payload has the member 'KEY' more than once."
    }

    It 'takes 31 levels in a claim value (32 with the payload object) and calls 32 Malformed' {
        (Test-Payload "{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"k`",`"d`":$('[' * 31)$(']' * 31)}").IsValid | Should -BeTrue
        $r = Test-Payload "{`"amount`":1,`"iat`":$Now,`"notificationKey`":`"k`",`"d`":$('[' * 32)$(']' * 32)}"
        $r.Reason | Should -BeExactly 'Malformed'
        $r.Message | Should -BeExactly 'the payload is not valid UTF-8 JSON (or nests deeper than 32 levels).'
    }
}
