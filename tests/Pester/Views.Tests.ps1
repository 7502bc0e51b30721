#Requires -Version 7.4
# What people see: the default table and list views of InitializationToken, SessionToken and
# TokenValidationResult, rendered at 80 and 120 columns as a console of that width renders them.

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:Ep = Initialize-TestSession -Endpoint
    $script:Sig = $Ep.ApiSignature

    # Tokens that look alike on purpose: same user, amount and second of issue.
    $issuedAt = [DateTimeOffset]::FromUnixTimeSeconds([DateTimeOffset]::UtcNow.ToUnixTimeSeconds())
    $script:Tokens = @(
        1..3 | ForEach-Object { New-InitializationToken -Amount 100 -UserId 'anonymous-0004' -IssuedAt $issuedAt -ApiSignature $Sig }
        New-InitializationToken -Amount 1234567.89 -UserId 'someone-with-a-long-user-id-0005' -ZipCode '01000' -IssuedAt $issuedAt -ApiSignature $Sig
    )
    $script:Sessions = @($Tokens | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey $Ep.ApiKey -AsPlainText)

    $other = ConvertTo-TestSecureString 'not the apiSignature'
    $plainSig = [Net.NetworkCredential]::new('', $Sig).Password
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $script:Results = @(
        $Tokens[0] | Test-Token -ApiSignature $Sig
        $Tokens[1] | Test-Token -ApiSignature $other
        'not-a-token' | Test-Token -ApiSignature $Sig
        New-HandMadeToken '{"alg":"HS256","typ":"JWT"}' "{`"amount`":`"100`",`"iat`":$now,`"notificationKey`":`"k1`",`"userId`":`"partner-17`"}" $plainSig |
            Test-Token -ApiSignature $Sig
        New-HandMadeToken '{"alg":"HS384","typ":"JWT"}' "{`"amount`":5,`"iat`":$now,`"notificationKey`":`"k2`"}" $plainSig 'HMACSHA384' |
            Test-Token -ApiSignature $Sig
        New-HandMadeToken '{"alg":"HS256","typ":"JWT"}' "{`"amount`":5,`"iat`":$($now - 7200),`"notificationKey`":`"k3`",`"userId`":`"late`"}" $plainSig |
            Test-Token -ApiSignature $Sig -MaximumAge 600
        # Valid, like the first one, for the same user and amount, issued in the same second.
        $Tokens[2] | Test-Token -ApiSignature $Sig
    )

    $script:Types = @{
        InitializationToken   = [ConvTokens.PowerShell.InitializationToken]
        SessionToken          = [ConvTokens.PowerShell.SessionToken]
        TokenValidationResult = [ConvTokens.PowerShell.TokenValidationResult]
    }
    $script:Samples = @{ InitializationToken = $Tokens; SessionToken = $Sessions; TokenValidationResult = $Results }

    # The labels a view shows, in order: a table's headers or a list's items.
    function Get-ViewLabel([string] $TypeName, [string] $Control) {
        $view = (Get-FormatData -TypeName "ConvTokens.PowerShell.$TypeName").FormatViewDefinition |
            Where-Object { $_.Control.GetType().Name -eq $Control } | Select-Object -First 1
        if (-not $view) { return @() }
        if ($Control -eq 'TableControl') {
            @($view.Control.Headers | ForEach-Object { $_.Label })
        }
        else {
            @($view.Control.Entries[0].Items | ForEach-Object { if ($_.Label) { $_.Label } else { $_.DisplayEntry.Value } })
        }
    }

    # Renders the default view as a console of that width shows it and splits it into lines.
    function Get-Screen([object[]] $InputObject, [int] $Width, [switch] $List) {
        $text = if ($List) { $InputObject | Format-List | Out-String -Width $Width } else { $InputObject | Out-String -Width $Width }
        @($text -split '\r?\n')
    }

    # The header line (the line above the dashes) and the rows below them.
    function Split-Table([string[]] $Lines) {
        $dashes = [Array]::FindIndex($Lines, [Predicate[string]] { param($line) $line -match '^-[- ]*$' })
        if ($dashes -lt 1) { throw "no header underline in:`n$($Lines -join "`n")" }
        [pscustomobject]@{
            Above  = $Lines[$dashes - 2]
            Header = $Lines[$dashes - 1]
            Dashes = $Lines[$dashes]
            Rows   = @($Lines | Select-Object -Skip ($dashes + 1) | Where-Object { $_.Trim() })
        }
    }

    # name: value pairs of a Format-List screen (continuation lines joined to their value).
    function ConvertFrom-ListScreen([string[]] $Lines) {
        $records = [Collections.Generic.List[object]]::new()
        $current = $null
        $last = $null
        foreach ($line in $Lines) {
            if (-not $line.Trim()) { if ($current) { $records.Add($current); $current = $null }; continue }
            if ($line -match '^(?<name>\S+)\s*: ?(?<value>.*)$') {
                if (-not $current) { $current = [ordered]@{} }
                $last = $Matches.name
                $current[$last] = $Matches.value.TrimEnd()
            }
            else { $current[$last] += $line.Trim() }
        }
        if ($current) { $records.Add($current) }
        $records
    }
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
}

Describe 'Default views of <TypeName>' -ForEach @(
    @{ TypeName = 'InitializationToken' }
    @{ TypeName = 'SessionToken' }
    @{ TypeName = 'TokenValidationResult' }
) {
    It 'has a table view and a list view whose labels are property names' {
        $type = $Types[$TypeName]
        $properties = @($type.GetProperties().Name)
        foreach ($control in 'TableControl', 'ListControl') {
            $labels = Get-ViewLabel $TypeName $control
            $labels | Should -Not -BeNullOrEmpty -Because "$TypeName needs a $control view"
            foreach ($label in $labels) { $properties | Should -Contain $label -Because "the $control label '$label' of $TypeName must name a property" }
        }
    }

    It 'keeps every header on one line, with every column, at <_> columns' -ForEach 80, 120 {
        $labels = Get-ViewLabel $TypeName 'TableControl'
        $lines = Get-Screen $Samples[$TypeName] -Width $_
        $table = Split-Table $lines
        $table.Header | Should -Match ('^' + ($labels -join '\s+') + '\s*$') -Because "the header at $_ columns is '$($table.Header)'"
        $table.Above | Should -BeNullOrEmpty -Because 'a label split over two lines leaves its start above the header line'
        $width = $_
        @($lines | Where-Object { $_.Length -gt $width }).Count | Should -Be 0
        $table.Rows.Count | Should -BeGreaterOrEqual $Samples[$TypeName].Count
    }

    It 'tells rows apart at <_> columns' -ForEach 80, 120 {
        $table = Split-Table (Get-Screen $Samples[$TypeName] -Width $_)
        # A wrapped row continues on lines that start with blanks; keep each row's first line.
        $first = @($table.Rows | Where-Object { $_ -match '^\S' })
        $first.Count | Should -Be $Samples[$TypeName].Count
        @($first | Sort-Object -Unique).Count | Should -Be $first.Count -Because "rows must differ:`n$($first -join "`n")"
    }
}

Describe 'Objects of different types in one output' {
    It 'lists an object that arrives under another type''s table by its table columns, never with the whole token' {
        # PowerShell lists such an object out of band, with its default display properties.
        $text = & { $Sessions[0]; $Tokens[0]; $Results[1] } | Out-String -Width 200
        $text | Should -Not -Match 'eyJ'
        $records = @(ConvertFrom-ListScreen (($text -split '\r?\n') | Select-Object -Skip 4))
        $records.Count | Should -Be 2
        @($records[0].Keys) | Should -Be @('UserId', 'Amount', 'IssuedAt', 'NotificationKey')
        $records[0].NotificationKey | Should -BeExactly $Tokens[0].NotificationKey
        @($records[1].Keys) | Should -Be @('IsValid', 'Reason', 'UserId', 'Message')
        $records[1].Reason | Should -BeExactly 'InvalidSignature'
        $text = & { $Tokens[0]; $Sessions[0] } | Out-String -Width 200
        @(@(ConvertFrom-ListScreen (($text -split '\r?\n') | Select-Object -Skip 4))[0].Keys) | Should -Be @('UserId', 'Amount', 'ExpiresOn', 'IsExpired', 'NotificationKey')
    }
}

Describe 'InitializationToken views' {
    It 'shows the end of each token in the table, never its shared start or the whole token' {
        foreach ($width in 80, 120) {
            $text = (Get-Screen $Tokens -Width $width) -join "`n"
            $text | Should -Not -Match 'eyJ'
            foreach ($token in $Tokens) {
                $text | Should -Not -Match ([regex]::Escape($token.Token))
                $text | Should -Match ([regex]::Escape('…' + $token.Token.Substring($token.Token.Length - 10)))
            }
        }
    }

    It 'lists the properties the help promises, with the payload as signed and only the end of the token' {
        $records = @(ConvertFrom-ListScreen (Get-Screen $Tokens[3] -Width 120 -List))
        $records.Count | Should -Be 1
        $record = $records[0]
        @($record.Keys) | Should -Be @('UserId', 'Amount', 'ZipCode', 'Age', 'Gender', 'IssuedAt', 'IssuedAtUnixSeconds', 'NotificationKey',
            'ForceManualConfirm', 'Claims', 'Token')
        $record.UserId | Should -BeExactly 'someone-with-a-long-user-id-0005'
        $record.ZipCode | Should -BeExactly '01000'
        $record.IssuedAt | Should -BeExactly $Tokens[3].IssuedAt.UtcDateTime.ToString('u')
        $record.IssuedAtUnixSeconds | Should -BeExactly ([string] $Tokens[3].IssuedAtUnixSeconds)
        $record.Claims | Should -BeExactly (Get-TokenPart $Tokens[3].Token 1)
        $record.Token | Should -BeExactly ('…' + $Tokens[3].Token.Substring($Tokens[3].Token.Length - 10))
        ($Tokens[3] | Format-List | Out-String -Width 80) | Should -Not -Match 'eyJ'
    }
}

Describe 'SessionToken views' {
    It 'labels the expiry flag with its property name, IsExpired' {
        $table = Split-Table (Get-Screen $Sessions -Width 80)
        $table.Header | Should -Match '\bIsExpired\b'
        $table.Header | Should -Not -Match '\bExpired\b'
    }

    It 'lists what the session is, and of a plain-text token only its end' {
        $session = $Sessions[0]
        $records = @(ConvertFrom-ListScreen (Get-Screen $session -Width 120 -List))
        $record = $records[0]
        @($record.Keys) | Should -Be @('UserId', 'Amount', 'NotificationKey', 'GrantType', 'TokenType', 'IssuedOn', 'ExpiresOn', 'ExpirySource',
            'IsExpired', 'TokenEndpoint', 'Token', 'PlainTextToken')
        $record.GrantType | Should -BeExactly 'jwt-bearer'
        $record.ExpiresOn | Should -BeExactly $session.ExpiresOn.UtcDateTime.ToString('u')
        $record.TokenEndpoint | Should -BeExactly "$($Ep.BaseUri)/token"
        $record.Token | Should -BeExactly 'System.Security.SecureString'
        $record.PlainTextToken | Should -BeExactly ('…' + $session.PlainTextToken.Substring($session.PlainTextToken.Length - 8))
        $all = ($Sessions | Format-List | Out-String -Width 120) + ($Sessions | Out-String -Width 120)
        foreach ($s in $Sessions) { $all | Should -Not -Match ([regex]::Escape($s.PlainTextToken.Substring(0, 20))) }
    }
}

Describe 'TokenValidationResult views' {
    It 'covers several reasons' {
        @($Results.Reason) | Should -Be @('None', 'InvalidSignature', 'Malformed', 'InvalidClaim', 'UnsupportedAlgorithm', 'TooOld', 'None')
    }

    It 'shows each reason''s message whole at <_> columns' -ForEach 80, 120 {
        $table = Split-Table (Get-Screen $Results -Width $_)
        $column = $table.Header.IndexOf('Message')
        $column | Should -BeGreaterThan 0
        # Rows start with True/False; their wrapped lines follow. Gather each row's Message cell.
        $cells = [Collections.Generic.List[string]]::new()
        foreach ($line in $table.Rows) {
            $cell = if ($line.Length -gt $column) { $line.Substring($column) } else { '' }
            if ($line -match '^(True|False)\b') { $cells.Add($cell) } else { $cells[$cells.Count - 1] += $cell }
        }
        $cells.Count | Should -Be $Results.Count
        for ($i = 0; $i -lt $Results.Count; $i++) {
            # Wrapped at word or character boundaries, depending on the culture: compare without white space.
            ($cells[$i] -replace '\s', '') | Should -BeExactly ("$($Results[$i].Message)" -replace '\s', '') -Because "row $i at $_ columns"
        }
    }

    It 'lists the properties the help promises, the decoded header and claims, and only the end of the token' {
        $records = @(ConvertFrom-ListScreen (Get-Screen $Results -Width 200 -List))
        $records.Count | Should -Be $Results.Count
        foreach ($record in $records) {
            @($record.Keys) | Should -Be @('IsValid', 'Reason', 'Message', 'Algorithm', 'UserId', 'Amount', 'IssuedAt', 'NotificationKey', 'Header',
                'Claims', 'Token')
        }
        $records[1].Reason | Should -BeExactly 'InvalidSignature'
        $records[1].Header | Should -BeExactly '{"alg":"HS256","typ":"JWT"}'
        $records[1].Claims | Should -BeExactly (Get-TokenPart $Tokens[1].Token 1)
        $records[1].IssuedAt | Should -BeExactly $Tokens[1].IssuedAt.UtcDateTime.ToString('u')
        $records[1].Token | Should -BeExactly ('…' + $Tokens[1].Token.Substring($Tokens[1].Token.Length - 10))
        $records[3].Claims | Should -Match '"amount":"100"'
        # Input that is not a token may be anything, a secret pasted by mistake included: none of it is shown.
        $records[2].Reason | Should -BeExactly 'Malformed'
        $records[2].Token | Should -BeNullOrEmpty
        $records[2].Header | Should -BeNullOrEmpty
        ($Results | Format-List | Out-String -Width 200) | Should -Not -Match 'not-a-token'
    }
}

Describe 'Amounts and dates in <_>' -ForEach 'fr-FR', 'de-DE', 'en-US' {
    BeforeAll {
        $script:SavedCulture = [cultureinfo]::CurrentCulture
        [cultureinfo]::CurrentCulture = $_
    }
    AfterAll { [cultureinfo]::CurrentCulture = $SavedCulture }

    It 'shows the amount as signed and the dates in UTC, in every table and list, at <_> columns' -ForEach 80, 120 {
        $width = $_
        # $Tokens[3], $Sessions[3] and the valid $Results[0] carry 1234567.89 and 100.
        $tokenRow = (Split-Table (Get-Screen $Tokens -Width $width)).Rows[3]
        $tokenRow | Should -Match '\b1234567\.89\b'
        $tokenRow | Should -Match ([regex]::Escape($Tokens[3].IssuedAt.UtcDateTime.ToString('u')))
        $sessionRow = (Split-Table (Get-Screen $Sessions -Width $width)).Rows[3]
        $sessionRow | Should -Match '\b1234567\.89\b'
        $sessionRow | Should -Match ([regex]::Escape($Sessions[3].ExpiresOn.UtcDateTime.ToString('u')))

        $token = @(ConvertFrom-ListScreen (Get-Screen $Tokens[3] -Width $width -List))[0]
        $token.Amount | Should -BeExactly '1234567.89'
        $token.IssuedAt | Should -BeExactly $Tokens[3].IssuedAt.UtcDateTime.ToString('u')
        $session = @(ConvertFrom-ListScreen (Get-Screen $Sessions[3] -Width $width -List))[0]
        $session.Amount | Should -BeExactly '1234567.89'
        $session.IssuedOn | Should -BeExactly $Sessions[3].IssuedOn.UtcDateTime.ToString('u')
        $session.ExpiresOn | Should -BeExactly $Sessions[3].ExpiresOn.UtcDateTime.ToString('u')
        $result = @(ConvertFrom-ListScreen (Get-Screen $Results[0] -Width $width -List))[0]
        $result.Amount | Should -BeExactly '100'
        $result.IssuedAt | Should -BeExactly $Tokens[0].IssuedAt.UtcDateTime.ToString('u')
    }
}

Describe 'Help describes the default views' {
    It 'names every table column of <TypeName> in the description of its output type' -ForEach @(
        @{ TypeName = 'InitializationToken'; Cmdlet = 'New-InitializationToken' }
        @{ TypeName = 'SessionToken'; Cmdlet = 'Get-SessionToken' }
        @{ TypeName = 'TokenValidationResult'; Cmdlet = 'Test-Token' }
    ) {
        $returnValue = (Get-Help -Name $Cmdlet -Full).returnValues.returnValue |
            Where-Object { "$($_.type.name)".Trim() -eq "ConvTokens.PowerShell.$TypeName" } | Select-Object -First 1
        $returnValue | Should -Not -BeNullOrEmpty
        $description = @($returnValue.description.Text) -join ' '
        $description | Should -Match 'default table'
        foreach ($label in Get-ViewLabel $TypeName 'TableControl') { $description | Should -Match "\b$label\b" }
    }
}
