BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession
    $script:Seed = @{ amount = 100; cp = '75000'; age = 99; gender = 'M'; userId = '99'; iat = 1700000000; notificationKey = 'a3f1c2d4-0001' }
    $script:SeedSecret = ConvertTo-TestSecureString 'monApiSignature'
    # What Node's jsonwebtoken jwt.sign(criteria, 'monApiSignature') printed for the seed criteria.
    $script:SeedToken = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhbW91bnQiOjEwMCwiY3AiOiI3NTAwMCIsImFnZSI6OTksImdlbmRlciI6Ik0iLCJ1c2VySWQiOiI5OSIsImlhdCI6MTcwMDAwMDAwMCwibm90aWZpY2F0aW9uS2V5IjoiYTNmMWMyZDQtMDAwMSJ9.nir7ClvgOAPGbFoQL8hOIFJYJsV28px7t2oBh1eS7XU'
    function New-SeedToken { param([hashtable] $Extra = @{}) 
        $p = @{ Amount = 100; ZipCode = '75000'; Age = 99; Gender = 'M'; UserId = '99'; NotificationKey = 'a3f1c2d4-0001'
            IssuedAt = [DateTimeOffset]::FromUnixTimeSeconds(1700000000); ApiSignature = $SeedSecret }
        foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
        New-InitializationToken @p
    }
}

Describe 'New-InitializationToken token bytes' {
    It 'signs the seed example byte for byte as Node jsonwebtoken does' {
        (New-SeedToken).Token | Should -BeExactly $SeedToken
    }

    It 'produces the same bytes from a piped object with CSV-style string values' {
        $row = [pscustomobject]@{ amount = '100'; cp = '75000'; age = '99'; gender = 'M'; userId = '99'; iat = '1700000000'; notificationKey = 'a3f1c2d4-0001' }
        ($row | New-InitializationToken -ApiSignature $SeedSecret).Token | Should -BeExactly $SeedToken
    }

    It 'writes the header exactly as {"alg":"HS256","typ":"JWT"}' {
        Get-TokenPart (New-SeedToken).Token 0 | Should -BeExactly '{"alg":"HS256","typ":"JWT"}'
    }

    It 'signs with a 15-byte secret exactly as an unpadded HMAC-SHA256 does' {
        $token = (New-SeedToken).Token
        $parts = $token.Split('.')
        $hmac = [Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes('monApiSignature'))
        $expected = ConvertTo-Base64Url $hmac.ComputeHash([Text.Encoding]::ASCII.GetBytes("$($parts[0]).$($parts[1])"))
        $parts[2] | Should -BeExactly $expected
    }

    It 'signs with a 1-byte and a 100-byte secret as an unpadded HMAC does' -ForEach @(@{ Secret = 'k' }, @{ Secret = 'x' * 100 }) {
        $token = (New-InitializationToken -Amount 1 -NotificationKey 'n' -IssuedAt ([DateTimeOffset]::FromUnixTimeSeconds(1)) -ApiSignature (ConvertTo-TestSecureString $Secret)).Token
        $token | Should -BeExactly (New-HandMadeToken '{"alg":"HS256","typ":"JWT"}' '{"amount":1,"iat":1,"notificationKey":"n"}' $Secret)
    }

    It 'writes the claims in the seed order with the vendor types' {
        Get-TokenPart (New-SeedToken @{ ForceManualConfirm = $true; AdditionalClaims = [ordered]@{ campaign = 'noël'; tier = 2 } }).Token 1 |
            Should -BeExactly '{"amount":100,"cp":"75000","age":99,"gender":"M","userId":"99","iat":1700000000,"notificationKey":"a3f1c2d4-0001","forceManualConfirm":true,"campaign":"noël","tier":2}'
    }

    It 'leaves out every optional claim the caller did not give and adds no exp or nbf' {
        $t = New-InitializationToken -Amount 12.5 -NotificationKey 'k' -IssuedAt ([DateTimeOffset]::FromUnixTimeSeconds(1700000000)) -ApiSignature $SeedSecret
        Get-TokenPart $t.Token 1 | Should -BeExactly '{"amount":12.5,"iat":1700000000,"notificationKey":"k"}'
    }

    It 'keeps the leading zeros of a zip code and writes it as a string' {
        Get-TokenPart (New-SeedToken @{ ZipCode = '01000' }).Token 1 | Should -Match '"cp":"01000"'
    }

    It 'writes amounts as JavaScript numbers: <In> -> <Json>' -ForEach @(
        @{ In = '100.00'; Json = '100' }, @{ In = '12.50'; Json = '12.5' }, @{ In = '0.01'; Json = '0.01' }, @{ In = '007'; Json = '7' }, @{ In = ' 12.5 '; Json = '12.5' }) {
        $row = [pscustomobject]@{ amount = $In; notificationKey = 'k'; iat = 1 }
        Get-TokenPart ($row | New-InitializationToken -ApiSignature $SeedSecret).Token 1 | Should -BeExactly "{`"amount`":$Json,`"iat`":1,`"notificationKey`":`"k`"}"
    }

    It 'writes iat as a 64-bit number of Unix seconds (after 2038)' {
        $t = New-SeedToken @{ IssuedAt = [DateTimeOffset]::FromUnixTimeSeconds(4102444800) }
        Get-TokenPart $t.Token 1 | Should -Match '"iat":4102444800,'
        $t.IssuedAtUnixSeconds | Should -Be 4102444800
    }

    It 'takes -IssuedAt as whole Unix seconds on the command line' {
        $t = New-InitializationToken -Amount 1 -NotificationKey k -IssuedAt 1700000000 -ApiSignature $SeedSecret
        Get-TokenPart $t.Token 1 | Should -BeExactly '{"amount":1,"iat":1700000000,"notificationKey":"k"}'
    }

    It 'sets iat to now when IssuedAt is omitted' {
        $before = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $t = New-InitializationToken -Amount 1 -ApiSignature $SeedSecret
        $t.IssuedAtUnixSeconds | Should -BeGreaterOrEqual $before
        $t.IssuedAtUnixSeconds | Should -BeLessOrEqual ([DateTimeOffset]::UtcNow.ToUnixTimeSeconds())
    }

    It 'generates a unique notificationKey when none is given' {
        $keys = 1..500 | ForEach-Object { [pscustomobject]@{ amount = 1 } } | New-InitializationToken -ApiSignature $SeedSecret | ForEach-Object NotificationKey
        $keys.Count | Should -Be 500
        ($keys | Sort-Object -Unique).Count | Should -Be 500
        $keys[0] | Should -Match '^[0-9a-f]{32}$'
    }
}

Describe 'New-InitializationToken output' {
    It 'returns a typed InitializationToken carrying the claims with their types' {
        $t = New-SeedToken
        $t | Should -BeOfType ([ConvTokens.PowerShell.InitializationToken])
        $t.Amount | Should -BeOfType [decimal]
        $t.Amount | Should -Be 100
        $t.ZipCode | Should -BeExactly '75000'
        $t.Age | Should -Be 99
        $t.Gender | Should -BeExactly 'M'
        $t.UserId | Should -BeExactly '99'
        $t.NotificationKey | Should -BeExactly 'a3f1c2d4-0001'
        $t.IssuedAt | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds(1700000000))
        $t.ForceManualConfirm | Should -BeNullOrEmpty
        @($t.Claims.Keys) | Should -Be @('amount', 'cp', 'age', 'gender', 'userId', 'iat', 'notificationKey')
        "$t" | Should -BeExactly $SeedToken
    }

    It 'normalises gender m/f to M/F' {
        ([pscustomobject]@{ amount = 1; gender = 'f' } | New-InitializationToken -ApiSignature $SeedSecret).Gender | Should -BeExactly 'F'
    }

    It 'lets command-line values win over the piped object''s' {
        $t = [pscustomobject]@{ amount = 5; age = 40 } | New-InitializationToken -Age 41 -ForceManualConfirm -ApiSignature $SeedSecret
        $t.Age | Should -Be 41
        $t.Amount | Should -Be 5
        $t.ForceManualConfirm | Should -BeTrue
    }

    It 'takes the parameter name''s column when a row has both it and its alias (ZipCode over cp, IssuedAt over iat)' {
        $t = [pscustomobject]@{ cp = '11111'; amount = 1; ZipCode = '22222'; iat = 5; IssuedAt = 7 } | New-InitializationToken -ApiSignature $SeedSecret
        $t.ZipCode | Should -BeExactly '22222'
        $t.IssuedAtUnixSeconds | Should -Be 7
    }

    It 'reads hashtables piped in by key' {
        (@{ amount = 3; userId = 'h1' } | New-InitializationToken -ApiSignature $SeedSecret).UserId | Should -BeExactly 'h1'
    }

    It 'writes a hashtable of additional claims in a stable (sorted) order and an ordered one as given' {
        Get-TokenPart (New-SeedToken @{ AdditionalClaims = @{ zeta = 1; alpha = 'a'; mid = $true } }).Token 1 | Should -Match '"alpha":"a","mid":true,"zeta":1}$'
        Get-TokenPart (New-SeedToken @{ AdditionalClaims = [ordered]@{ zeta = 1; alpha = 'a' } }).Token 1 | Should -Match '"zeta":1,"alpha":"a"}$'
    }

    It 'escapes strings exactly as JSON.stringify (quotes, control characters, non-ASCII kept)' {
        $t = New-SeedToken @{ UserId = "Zoë `"Z`" <ø>`n$([char]1)😀" }
        Get-TokenPart $t.Token 1 | Should -Match ([regex]::Escape('"userId":"Zoë \"Z\" <ø>\n\u0001😀"'))
    }
}

Describe 'New-InitializationToken bad input' {
    It 'writes <Id> for <Case>, names the input, and goes on with the rest of the pipeline' -ForEach @(
        @{ Case = 'a negative amount'; Row = @{ amount = '-5'; userId = 'u-bad' }; Id = 'AmountInvalid' }
        @{ Case = 'a zero amount'; Row = @{ amount = 0; userId = 'u-bad' }; Id = 'AmountInvalid' }
        @{ Case = 'an amount that is not a number'; Row = @{ amount = 'ten'; userId = 'u-bad' }; Id = 'AmountInvalid' }
        @{ Case = 'no amount'; Row = @{ userId = 'u-bad' }; Id = 'AmountMissing' }
        @{ Case = 'a gender other than M/F'; Row = @{ amount = 1; gender = 'X'; userId = 'u-bad' }; Id = 'GenderInvalid' }
        @{ Case = 'a negative age'; Row = @{ amount = 1; age = '-1'; userId = 'u-bad' }; Id = 'AgeInvalid' }
        @{ Case = 'a fractional age'; Row = @{ amount = 1; age = '30.5'; userId = 'u-bad' }; Id = 'AgeInvalid' }
        @{ Case = 'an iat that is not a date'; Row = @{ amount = 1; iat = 'yesterday-ish'; userId = 'u-bad' }; Id = 'IssuedAtInvalid' }
        @{ Case = 'a blank notificationKey'; Row = @{ amount = 1; notificationKey = '  '; userId = 'u-bad' }; Id = 'NotificationKeyInvalid' }
        @{ Case = 'a forceManualConfirm that is not boolean'; Row = @{ amount = 1; forceManualConfirm = 'maybe'; userId = 'u-bad' }; Id = 'ForceManualConfirmInvalid' }
        @{ Case = 'an additional claim named like a reserved one'; Row = @{ amount = 1; additionalClaims = @{ Amount = 2 }; userId = 'u-bad' }; Id = 'AdditionalClaimReserved' }
        @{ Case = 'an additional claim that has no JSON form'; Row = @{ amount = 1; additionalClaims = @{ when = [datetime]::Now }; userId = 'u-bad' }; Id = 'AdditionalClaimInvalid' }
        @{ Case = 'additional claims that are not a dictionary'; Row = @{ amount = 1; additionalClaims = 'x=1'; userId = 'u-bad' }; Id = 'AdditionalClaimInvalid' }
    ) {
        $rows = @([pscustomobject]@{ amount = 1; userId = 'before' }, [pscustomobject]$Row, [pscustomobject]@{ amount = 2; userId = 'after' })
        $errors = $null
        $out = $rows | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out.UserId) | Should -Be @('before', 'after')
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "$Id,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].TargetObject | Should -Be $rows[1]
        $errors[0].Exception.Message | Should -Match "^Input #2 \(userId 'u-bad'\): "
    }

    It 'refuses a reserved claim name through -AdditionalClaims on a direct call' {
        { New-SeedToken @{ AdditionalClaims = @{ iat = 5 } } -ErrorAction Stop } |
            Should -Throw -ErrorId 'AdditionalClaimReserved,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
    }

    It 'never prompts for a missing amount: it is an error' {
        $out = Invoke-FreshPwsh "Import-Module '$ModuleManifest'; New-InitializationToken -ApiSignature (ConvertTo-SecureString x -AsPlainText -Force) -ErrorAction Continue; 'done'"
        $out | Should -Contain 'done'
        ($out -join "`n") | Should -Match 'amount is required'
    }
}

Describe 'New-InitializationToken with a CSV file' {
    It 'mints one token per row of a 1000-row CSV, each carrying its own row' {
        $csv = Join-Path $TestDrive 'users.csv'
        $lines = @('amount,cp,age,gender,userId,notificationKey') + (1..1000 | ForEach-Object { "$_.5,0$(1000 + $_),$($_ % 90),$(('M', 'F')[$_ % 2]),user-$_,nk-$_" })
        Set-Content -Path $csv -Value $lines
        $tokens = Import-Csv $csv | New-InitializationToken -ApiSignature $SeedSecret
        $tokens.Count | Should -Be 1000
        $results = $tokens | Test-Token -ApiSignature $SeedSecret
        ($results | Where-Object IsValid).Count | Should -Be 1000
        $mismatches = for ($i = 1; $i -le 1000; $i++) {
            $t = $tokens[$i - 1]
            if ($t.UserId -cne "user-$i" -or $t.Claims['notificationKey'] -cne "nk-$i" -or $t.Claims['cp'] -cne "0$(1000 + $i)" -or
                $t.Claims['amount'] -ne [decimal]"$i.5" -or $t.Claims['age'] -ne ($i % 90)) { $i }
        }
        $mismatches | Should -BeNullOrEmpty
        Get-TokenPart $tokens[41].Token 1 | Should -Match '^\{"amount":42.5,"cp":"01042","age":42,"gender":"M","userId":"user-42","iat":\d+,"notificationKey":"nk-42"\}$'
    }
}

Describe 'Numbers as people type them (one strict rule on every path, in every culture)' {
    BeforeAll {
        # Each path the same text can take into New-InitializationToken.
        function Invoke-AmountPath([string] $Path, [object] $Value, [string] $Claim = 'amount') {
            $errors = $null
            $common = @{ ApiSignature = $SeedSecret; ErrorVariable = 'errors'; ErrorAction = 'SilentlyContinue' }
            $other = if ($Claim -eq 'amount') { @{} } else { @{ amount = 1 } }
            $out = switch ($Path) {
                'command line' { if ($Claim -eq 'amount') { New-InitializationToken -Amount $Value @common } else { New-InitializationToken -Amount 1 -Age $Value @common } }
                'CSV row' {
                    $header = (@($other.Keys) + $Claim) -join ','
                    $line = (@($other.Values) + "`"$Value`"") -join ','
                    "$header`n$line" | ConvertFrom-Csv | New-InitializationToken @common
                }
                'hashtable' { $h = @{} + $other; $h[$Claim] = $Value; $h | New-InitializationToken @common }
                'object' { $h = [ordered]@{} ; foreach ($k in $other.Keys) { $h[$k] = $other[$k] }; $h[$Claim] = $Value; [pscustomobject]$h | New-InitializationToken @common }
            }
            [pscustomobject]@{ Output = @($out); Errors = @($errors) }
        }
        $script:Paths = 'command line', 'CSV row', 'hashtable', 'object'
        $script:Cultures = 'fr-FR', 'de-DE', ''
        function Use-Culture([string] $Name, [scriptblock] $Body) {
            $saved = [cultureinfo]::CurrentCulture
            try { [cultureinfo]::CurrentCulture = [cultureinfo]::GetCultureInfo($Name); & $Body } finally { [cultureinfo]::CurrentCulture = $saved }
        }
    }

    It 'refuses the amount text <Text> with AmountInvalid on every path in every culture, quoting it and showing <Hint>' -ForEach @(
        @{ Text = '12,5'; Hint = 'Use 12.5.' }
        @{ Text = '1,5'; Hint = 'Use 1.5.' }
        @{ Text = '1,000'; Hint = 'Use 1.000 if you mean 1, or 1000 if you mean 1000.' }
        @{ Text = '1,234,567'; Hint = 'Use 1234567.' }
        @{ Text = '12 500'; Hint = 'Use 12500.' }
        @{ Text = "12$([char]0x202F)500,50"; Hint = 'e.g. 12.5' }
        @{ Text = '1e3'; Hint = 'e.g. 12.5' }
        @{ Text = '.5'; Hint = 'e.g. 12.5' }
        @{ Text = '12.'; Hint = 'e.g. 12.5' }
        @{ Text = '+5'; Hint = 'e.g. 12.5' }
        @{ Text = '0x10'; Hint = 'e.g. 12.5' }
        @{ Text = '١٢'; Hint = 'e.g. 12.5' }
        @{ Text = '12.5.1'; Hint = 'e.g. 12.5' }
    ) {
        foreach ($culture in $Cultures) {
            Use-Culture $culture {
                foreach ($path in $Paths) {
                    $r = Invoke-AmountPath $path $Text
                    $r.Output.Count | Should -Be 0 -Because "'$Text' by $path in culture '$culture' must not sign a token"
                    $r.Errors.Count | Should -Be 1 -Because "$path in culture '$culture'"
                    $r.Errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
                    $r.Errors[0].Exception.Message | Should -BeLike "*amount '$Text'*"
                    $r.Errors[0].Exception.Message | Should -BeLike "*$Hint*"
                }
            }
        }
    }

    It 'reads the amount text <Text> as <Json> on every path in every culture' -ForEach @(
        @{ Text = '12.5'; Json = '12.5' }, @{ Text = '100'; Json = '100' }, @{ Text = '0.01'; Json = '0.01' }, @{ Text = '1000.10'; Json = '1000.1' }) {
        foreach ($culture in $Cultures) {
            Use-Culture $culture {
                foreach ($path in $Paths) {
                    $r = Invoke-AmountPath $path $Text
                    $r.Errors.Count | Should -Be 0 -Because "$path in culture '$culture'"
                    Get-TokenPart $r.Output[0].Token 1 | Should -BeLike "{`"amount`":$Json,*"
                    $r.Output[0].Amount | Should -Be ([decimal]::Parse($Text, [cultureinfo]::InvariantCulture))
                }
            }
        }
    }

    It 'keeps numbers given as numbers as they are in every culture: <Value>' -ForEach @(
        @{ Value = 12.5; Json = '12.5' }, @{ Value = 100; Json = '100' }, @{ Value = ([decimal]::Parse('0.10', [cultureinfo]::InvariantCulture)); Json = '0.1' }, @{ Value = [long]5000000000; Json = '5000000000' }) {
        foreach ($culture in $Cultures) {
            Use-Culture $culture {
                foreach ($path in 'command line', 'hashtable', 'object') {
                    $r = Invoke-AmountPath $path $Value
                    $r.Errors.Count | Should -Be 0
                    Get-TokenPart $r.Output[0].Token 1 | Should -BeLike "{`"amount`":$Json,*"
                }
            }
        }
    }

    It 'refuses an unquoted -Amount 12,5 (a list to PowerShell) and says to write 12.5' {
        $errors = $null
        $out = New-InitializationToken -Amount 12,5 -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike '*list of 2 values (12, 5)*12.5*'
    }

    It 'refuses an amount it cannot carry unchanged (more than 15 significant digits), never rounding it' {
        foreach ($value in 1234567890.1234567, [decimal]::Parse('0.1234567890123456', [cultureinfo]::InvariantCulture), '1234567890.1234567') {
            $errors = $null
            New-InitializationToken -Amount $value -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
            $errors[0].Exception.Message | Should -BeLike '*more than 15 significant digits*'
        }
    }

    It 'refuses the age <Value> with AgeInvalid on every path in every culture instead of rounding it' -ForEach @(
        @{ Value = 34.5 }, @{ Value = 35.5 }, @{ Value = '34.5' }, @{ Value = '35.5' }, @{ Value = '34,5' }, @{ Value = '3 4' }, @{ Value = 'trente' }) {
        foreach ($culture in $Cultures) {
            Use-Culture $culture {
                foreach ($path in $Paths) {
                    $r = Invoke-AmountPath $path $Value -Claim age
                    $r.Output.Count | Should -Be 0 -Because "age $Value by $path in culture '$culture' must not be rounded"
                    $r.Errors[0].FullyQualifiedErrorId | Should -BeExactly 'AgeInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
                    $r.Errors[0].Exception.Message | Should -BeLike "*age*$Value*"
                }
            }
        }
    }

    It 'takes whole ages as numbers or text on every path: <Value>' -ForEach @(@{ Value = 34 }, @{ Value = '34' }, @{ Value = '34.0' }, @{ Value = 34.0 }) {
        foreach ($path in $Paths) {
            $r = Invoke-AmountPath $path $Value -Claim age
            $r.Errors.Count | Should -Be 0
            $r.Output[0].Age | Should -Be 34
            Get-TokenPart $r.Output[0].Token 1 | Should -BeLike '*"age":34,*'
        }
    }
}

Describe 'New-InitializationToken explains a row it cannot read' {
    It 'names the columns a row has when it has no amount' {
        $errors = $null
        [pscustomobject]@{ montant = '12.5'; cp = '75000' } | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountMissing,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike "*no amount column; its columns are 'montant', 'cp'.*"
    }

    It 'suggests Import-Csv -Delimiter when a column name holds <Delimiter>' -ForEach @(@{ Delimiter = ';' }, @{ Delimiter = '|' }) {
        $csv = Join-Path $TestDrive 'semicolons.csv'
        Set-Content -Path $csv -Value @("amount${Delimiter}cp${Delimiter}age", "12.5${Delimiter}75000${Delimiter}30", "3${Delimiter}01000${Delimiter}40")
        $errors = $null
        $out = Import-Csv $csv | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountMissing,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike "*its columns are 'amount${Delimiter}cp${Delimiter}age'*Import-Csv -Delimiter '$Delimiter'*"
        (Import-Csv $csv -Delimiter $Delimiter | New-InitializationToken -ApiSignature $SeedSecret).Amount | Should -Be @(12.5, 3)
    }

    It 'shows how to convert a column written with decimal commas, and the conversion it shows works' {
        $errors = $null
        $rows = "amount;userId`n12,5;u1`n3;u2" | ConvertFrom-Csv -Delimiter ';'
        $out = $rows | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out.UserId) | Should -Be @('u2')
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $hint = $errors[0].Exception.Message -replace '^.*convert the column on the way in: ', ''
        $hint | Should -BeLike "Select-Object *"
        $converted = & ([scriptblock]::Create("`$args[0] | $hint")) $rows | New-InitializationToken -ApiSignature $SeedSecret
        @($converted.Amount) | Should -Be @(12.5, 3)
    }

    It 'says the amount cell is empty when the column exists' {
        $errors = $null
        "amount,userId`n,u1" | ConvertFrom-Csv | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountMissing,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike "Input #1 (userId 'u1'): *this row's amount is empty*"
    }

    It 'says a piped string is not an object with an amount' {
        $errors = $null
        '12.5' | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountMissing,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike "*the input is a String '12.5', not an object with an amount property*"
    }

    It 'lists the columns no parameter reads once per pipeline in -Verbose' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ amount = $_; montant = $_; Email = "u$_@example.com" } }
        $verbose = $rows | New-InitializationToken -ApiSignature $SeedSecret -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $ignored = @($verbose | Where-Object Message -like '*no parameter reads*')
        $ignored.Count | Should -Be 1
        $ignored[0].Message | Should -BeLike "*'montant', 'Email'*"
    }
}

Describe 'New-InitializationToken: one rule for every path (review findings)' {
    It 'takes the parameter name''s key over its alias in a hashtable too, whatever the key order' {
        $t = [ordered]@{ Amount = 1; cp = '01000'; ZipCode = '75000'; iat = 1000000000; IssuedAt = 1738317600 } | New-InitializationToken -ApiSignature $SeedSecret
        $t.ZipCode | Should -BeExactly '75000'
        $t.IssuedAtUnixSeconds | Should -Be 1738317600
        $t = [ordered]@{ Amount = 1; ZipCode = '75000'; cp = '' } | New-InitializationToken -ApiSignature $SeedSecret
        $t.ZipCode | Should -BeExactly '75000'
    }

    It 'names the userId of a hashtable input in its error' {
        $errors = $null
        @{ userId = 'u9'; Amount = 'x' } | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].Exception.Message | Should -BeLike "Input #1 (userId 'u9'): amount 'x'*"
    }

    It 'shows the column conversion only for an unambiguous decimal comma, never for ''1,000'' or a hashtable' {
        $errors = $null
        "amount`n`"1,000`"" | ConvertFrom-Csv | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].Exception.Message | Should -Not -BeLike '*convert the column*'
        @{ amount = '12,5' } | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].Exception.Message | Should -Not -BeLike '*convert the column*'
    }

    It 'says a negative amount must be positive: <Value>' -ForEach @(@{ Value = '-5' }, @{ Value = -5 }) {
        $errors = $null
        New-InitializationToken -Amount $Value -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike '*amount must be a positive number; got -5.'
    }

    It 'refuses the iat <Value> with IssuedAtInvalid on the command line and in a row alike, in fr-FR' -ForEach @(
        @{ Value = 0 }, @{ Value = 1738317600.5 }, @{ Value = 'garbage' }, @{ Value = '01/02/2025' }, @{ Value = '1,738,317,600' }) {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'fr-FR'
            foreach ($call in { New-InitializationToken -Amount 1 -IssuedAt $Value -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue },
                { [pscustomobject]@{ amount = 1; iat = $Value } | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue }) {
                $errors = $null
                . $call | Should -BeNullOrEmpty
                $errors[0].FullyQualifiedErrorId | Should -BeExactly 'IssuedAtInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
            }
        }
        finally { [cultureinfo]::CurrentCulture = $saved }
    }

    It 'reads ISO 8601 date text and Unix seconds as text for iat: <Value>' -ForEach @(
        @{ Value = '2025-01-31T10:00:00Z'; Unix = 1738317600 }, @{ Value = '2025-01-31T11:00:00+01:00'; Unix = 1738317600 }, @{ Value = '1738317600'; Unix = 1738317600 }) {
        (New-InitializationToken -Amount 1 -IssuedAt $Value -ApiSignature $SeedSecret).IssuedAtUnixSeconds | Should -Be $Unix
        ([pscustomobject]@{ amount = 1; iat = $Value } | New-InitializationToken -ApiSignature $SeedSecret).IssuedAtUnixSeconds | Should -Be $Unix
    }
}

Describe 'New-InitializationToken: the same input signs the same bytes, in every process' {
    It 'signs nested hashtables in ordinal key order and ordered ones as given, the same bytes in two fresh processes' {
        # Ten and more keys per hashtable: .NET seeds string hash codes anew in every process, so a hashtable's
        # own order differs between processes; only a fixed order gives the same bytes in both.
        $script = @"
Import-Module '$ModuleManifest'
`$secret = ConvertTo-SecureString 'monApiSignature' -AsPlainText -Force
`$claims = @{
    outer = @{ delta = 4; alpha = 1; Charlie = 3; bravo = 2; foxtrot = 6; golf = 7; hotel = 8; india = 9; juliett = 10; kilo = 11
        echo = @{ zulu = 1; yankee = 2; xray = @(@{ two = 2; one = 1; three = 3; four = 4; five = 5; six = 6; seven = 7; eight = 8 }) } }
    kept = [ordered]@{ zeta = 1; alpha = 2; mike = [pscustomobject]@{ z = 1; a = 2; m = 3 } }
}
(New-InitializationToken -Amount 1 -IssuedAt 1700000000 -NotificationKey k -AdditionalClaims `$claims -ApiSignature `$secret).Token
"@
        $first = @(Invoke-FreshPwsh $script)
        $second = @(Invoke-FreshPwsh $script)
        $first.Count | Should -Be 1
        $first[0] | Should -BeExactly $second[0]
        Get-TokenPart $first[0] 1 | Should -BeExactly ('{"amount":1,"iat":1700000000,"notificationKey":"k",' +
            '"kept":{"zeta":1,"alpha":2,"mike":{"z":1,"a":2,"m":3}},' +
            '"outer":{"Charlie":3,"alpha":1,"bravo":2,"delta":4,"echo":{"xray":[{"eight":8,"five":5,"four":4,"one":1,"seven":7,"six":6,"three":3,"two":2}],"yankee":2,"zulu":1},' +
            '"foxtrot":6,"golf":7,"hotel":8,"india":9,"juliett":10,"kilo":11}}')
    }
}

Describe 'New-InitializationToken: what it signs, Test-Token verifies alike (issue 16 classes)' {
    BeforeAll {
        $script:Now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        function Test-SignedClaims([hashtable] $Claims) {
            $t = New-InitializationToken -Amount 1 -NotificationKey k -AdditionalClaims $Claims -ApiSignature $SeedSecret -ErrorAction Stop
            $r = $t | Test-Token -ApiSignature $SeedSecret
            $r.IsValid | Should -BeTrue -Because $r.Message
            $r.Claims
        }
        function Get-SigningError([hashtable] $Parameters) {
            $errors = $null
            $out = @([pscustomobject]@{ amount = 1; userId = 'before' }, [pscustomobject]@{ amount = 2; userId = 'after' }) |
                New-InitializationToken @Parameters -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
            @($out).Count | Should -Be 0 -Because 'command-line values apply to every row'
            $errors.Count | Should -Be 2
            $errors[0]
        }
    }

    It 'reads tiny additional numbers back unchanged: 5e-324 as that [double], 1.5e-24 as that [decimal]' {
        $claims = Test-SignedClaims @{ tiny = 5e-324; small = 1.5e-24; mid = 1.23456789e-25 }
        $claims.tiny | Should -BeOfType [double]
        $claims.tiny | Should -Be 5e-324
        $claims.small | Should -BeOfType [decimal]
        $claims.small | Should -Be ([decimal]'0.0000000000000000000000015')
        $claims.mid | Should -BeExactly 1.23456789e-25
    }

    It 'refuses a [double] amount no decimal holds, showing the amount, and goes on: <Value>' -ForEach @(
        @{ Value = 1.23456789e-25; Shown = 'amount 1.23456789E-25 has more than 28 decimal places, so it cannot be signed unchanged (it would become 0.0000000000000000000000001235)' }
        @{ Value = 1e-30; Shown = 'amount 1E-30 has more than 28 decimal places, so it cannot be signed unchanged (it would become 0)' }
        @{ Value = '0.00000000000000000000000000001'; Shown = "amount '0.00000000000000000000000000001' has more than 28 decimal places or is beyond 7.9e28" }
    ) {
        $errors = $null
        $out = @([pscustomobject]@{ amount = 1 }, [pscustomobject]@{ amount = $Value; userId = 'u-tiny' }, [pscustomobject]@{ amount = 2 }) |
            New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out.Amount) | Should -Be @(1, 2)
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'AmountInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike "Input #2 (userId 'u-tiny'): $([WildcardPattern]::Escape($Shown))*"
        $errors[0].TargetObject.userId | Should -BeExactly 'u-tiny'
        $errors[0].Exception.Message | Should -Not -BeLike '*got 0.*'
    }

    It 'takes a [double] amount a decimal holds exactly (1e-20), and Test-Token reads the same amount' {
        $r = New-InitializationToken -Amount 1e-20 -ApiSignature $SeedSecret | Test-Token -ApiSignature $SeedSecret
        $r.IsValid | Should -BeTrue
        $r.Claims.amount | Should -Be ([decimal]'0.00000000000000000001')
    }

    It 'refuses a userId cut in the middle of an emoji (Substring) with UserIdInvalid, and goes on' {
        # (Import-Csv and ConvertFrom-Csv turn half a character into U+FFFD themselves; a script's Substring keeps it.)
        $cut = 'Zoë 😀'.Substring(0, 5)
        $rows = @([pscustomobject]@{ amount = 1; userId = 'before' }, [pscustomobject]@{ amount = 2; userId = $cut }, [pscustomobject]@{ amount = 3; userId = 'after' })
        $errors = $null
        $out = $rows | New-InitializationToken -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out.UserId) | Should -Be @('before', 'after')
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'UserIdInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].TargetObject | Should -Be $rows[1]
        $errors[0].Exception.Message | Should -BeLike "Input #2 (userId '*'): userId holds half of a character at position 5 (a lone UTF-16 surrogate, U+D83D), as text cut in the middle of an emoji does. Verifiers, Test-Token included, refuse a token that carries one (Malformed), so it is never signed: give the whole character, or leave the half out."
    }

    It 'refuses a lone surrogate in an additional claim with AdditionalClaimInvalid: <Where>' -ForEach @(
        @{ Where = 'a value'; Claims = { @{ tag = "x$([char]0xDC00)" } } }
        @{ Where = 'a name'; Claims = { @{ "x$([char]0xD800)" = 1 } } }
        @{ Where = 'a nested key'; Claims = { @{ tag = @(1, @{ "k$([char]0xD800)" = 2 }) } } }
    ) {
        $e = Get-SigningError @{ AdditionalClaims = (& $Claims) }
        $e.FullyQualifiedErrorId | Should -BeExactly 'AdditionalClaimInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $e.Exception.Message | Should -BeLike '*holds half of a character at position 2*'
    }

    It 'signs an additional claim nested 31 levels (32 with the payload) that Test-Token verifies, and refuses 32' {
        $value = 'leaf'
        foreach ($i in 1..31) { $value = , $value }
        $claims = Test-SignedClaims @{ deep = $value }
        $depth = 0
        for ($v = $claims.deep; $v -is [object[]]; $v = $v[0]) { $depth++ }
        $depth | Should -Be 31
        $e = Get-SigningError @{ AdditionalClaims = @{ deep = , $value } }
        $e.FullyQualifiedErrorId | Should -BeExactly 'AdditionalClaimInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $e.Exception.Message | Should -BeLike "*additional claim 'deep' nests more than 31 levels of arrays and dictionaries. A token's JSON may nest 32 levels, the payload object being the first*"
    }

    It 'refuses <Name> = <Shown> with AdditionalClaimInvalid, saying it must be whole Unix seconds' -ForEach @(
        @{ Name = 'exp'; Value = 'soon'; Shown = "the text 'soon'" }
        @{ Name = 'exp'; Value = $true; Shown = 'the boolean true' }
        @{ Name = 'nbf'; Value = $null; Shown = 'null' }
        @{ Name = 'nbf'; Value = 1700000000.5; Shown = '1700000000.5' }
        @{ Name = 'exp'; Value = [datetime]'2030-01-01'; Shown = 'a value of type System.DateTime' }
    ) {
        $e = Get-SigningError @{ AdditionalClaims = @{ $Name = $Value } }
        $e.FullyQualifiedErrorId | Should -BeExactly 'AdditionalClaimInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $e.Exception.Message | Should -BeLike "Input #1 (userId 'before'): additional claim '$Name' is the JWT * which every verifier (Test-Token included) reads as whole Unix seconds: it must be a whole number from 1 to 253402300799 (the year 9999); got $([WildcardPattern]::Escape($Shown)). Give seconds, e.g. *"
    }

    It 'signs whole exp and nbf seconds that Test-Token reads as the expiry and not-before time' {
        $claims = Test-SignedClaims @{ exp = $Now + 3600; nbf = [double]($Now - 60) }
        $claims.exp | Should -BeOfType [long]
        $claims.exp | Should -Be ($Now + 3600)
        $claims.nbf | Should -Be ($Now - 60)
        $expired = New-InitializationToken -Amount 1 -AdditionalClaims @{ exp = $Now - 3600 } -ApiSignature $SeedSecret | Test-Token -ApiSignature $SeedSecret
        $expired.Reason | Should -BeExactly 'Expired'
    }

    It 'refuses claims that make a token longer than Test-Token and Get-SessionToken take with ClaimsTooLarge' {
        $e = Get-SigningError @{ AdditionalClaims = @{ notes = 'x' * 50000 } }
        $e.FullyQualifiedErrorId | Should -BeExactly 'ClaimsTooLarge,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $e.Exception.Message | Should -BeLike "Input #1 (userId 'before'): the claims make a token of 66,* characters; Test-Token and Get-SessionToken take tokens of at most 65,536. Shorten the claims*"
        'ClaimsTooLarge' | Should -BeIn ([ConvTokens.PowerShell.ErrorCatalog]::All.Id)
    }

    It 'names a userId too long for a token by its first 64 characters, not whole, in the ClaimsTooLarge message' {
        # A half character at the cut: the message keeps neither half.
        $userId = ('u' * 63) + [char]::ConvertFromUtf32(0x1F600) + ('v' * 70000)
        $errors = $null
        $null = New-InitializationToken -Amount 1 -UserId $userId -ApiSignature $SeedSecret -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly 'ClaimsTooLarge,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $errors[0].Exception.Message | Should -BeLike "Input #1 (userId '$('u' * 63)…'): the claims make a token of 93,* characters; *"
        $errors[0].Exception.Message.Length | Should -BeLessThan 400
    }

    It 'refuses nested keys that differ only in case, which Test-Token would call ambiguous' {
        $nested = [Collections.Specialized.OrderedDictionary]::new()
        $nested.Add('key', 1)
        $nested.Add('KEY', 2)
        $e = Get-SigningError @{ AdditionalClaims = @{ obj = $nested } }
        $e.FullyQualifiedErrorId | Should -BeExactly 'AdditionalClaimInvalid,ConvTokens.PowerShell.Commands.NewInitializationTokenCommand'
        $e.Exception.Message | Should -BeLike "*additional claim 'obj' has the members 'key' and 'KEY' in one object*"
    }
}

Describe 'The claim schema and the cmdlet' {
    It 'has a New-InitializationToken parameter for every claim of the engine''s schema, with the schema''s aliases' {
        # The engine lives in the module's own load context, loaded by the first token; the schema is read from there.
        $null = New-InitializationToken -Amount 1 -ApiSignature $SeedSecret
        $engine = @([System.Runtime.Loader.AssemblyLoadContext]::All.Assemblies | Where-Object { $_.GetName().Name -eq 'ConvTokens.Engine' })
        $engine.Count | Should -Be 1
        $claims = @($engine[0].GetType('ConvTokens.Engine.ClaimSchema', $true).GetField('All').GetValue($null))
        @($claims.Name) | Should -Be @('amount', 'cp', 'age', 'gender', 'userId', 'iat', 'notificationKey', 'forceManualConfirm')
        $parameters = (Get-Command New-InitializationToken).Parameters
        foreach ($claim in $claims) {
            $parameter = $parameters[$claim.Parameter]
            $parameter | Should -Not -BeNullOrEmpty -Because "the schema reads $($claim.Name) from -$($claim.Parameter), and its errors tell the user to give -$($claim.Parameter)"
            $parameter.Name | Should -BeExactly $claim.Parameter
            (@($parameter.Aliases) -join ',') | Should -BeExactly (@($claim.Aliases) -join ',') -Because "a row's $($claim.Name) column binds by the same names"
            # Only InputObject binds from the pipeline: a claim parameter bound by property name would read rows a second way.
            @($parameter.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName }).Count | Should -Be 0
        }
    }
}
