# Get-SessionToken against hostile servers on loopback: the local endpoint's 'raw' fault answers exactly as a
# test tells it (status, reason phrase, headers, body), before any grant; raw sockets stand in for a full
# accept queue and for a proxy. Every server here listens on 127.0.0.1 only and stops by itself.
BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    # Characters that every encoding changes: + / = & < > (JSON-escaped as \u002B \u0026 \u003C \u003E).
    $script:KeyText = 'k3y+AbCdEf/GhIj=KlMn&oP<q>Rs'
    $script:ClientSecretText = 'cl1ent+Secret/Value=XyZ'
    $script:Ep = Initialize-TestSession -Endpoint -EndpointParameter @{ ApiKey = $KeyText; ClientSecret = $ClientSecretText }
    $script:Exchange = @{ BaseUri = $Ep.BaseUri; ApiKey = $Ep.ApiKey }
    $script:CmdId = 'ConvTokens.PowerShell.Commands.GetSessionTokenCommand'

    function New-Token([int] $Count = 1) {
        1..$Count | ForEach-Object { New-InitializationToken -Amount $_ -UserId "h$_" -ApiSignature $Ep.ApiSignature }
    }

    # Every form a server could echo a secret in.
    function Get-SecretForm([string] $Text) {
        $bytes = [Text.Encoding]::UTF8.GetBytes($Text)
        # As System.Text.Json writes it by default (the request body's form).
        $json = [Text.Encodings.Web.JavaScriptEncoder]::Default.Encode($Text)
        $url = [Uri]::EscapeDataString($Text)
        [ordered]@{
            raw          = $Text
            json         = $json
            jsonLower    = [regex]::Replace($json, '\\u([0-9A-F]{4})', { '\u' + $args[0].Groups[1].Value.ToLowerInvariant() })
            url          = $url
            urlLower     = [regex]::Replace($url, '%([0-9A-F]{2})', { '%' + $args[0].Groups[1].Value.ToLowerInvariant() })
            base64       = [Convert]::ToBase64String($bytes)
            base64url    = ConvertTo-Base64Url $bytes
        }
    }
    $script:KeyForms = Get-SecretForm $KeyText
    $script:SecretForms = Get-SecretForm $ClientSecretText

    # Everything a user can see of a run: output, every stream, each error's message, exception and properties.
    function Get-VisibleText([object[]] $Captured) {
        $texts = foreach ($item in $Captured) {
            if ($null -eq $item) { continue }
            "$item"
            $item | Format-List * -Force | Out-String
            if ($item -is [Management.Automation.ErrorRecord]) {
                $item.Exception.ToString()
                $item.Exception | Format-List * -Force | Out-String
            }
        }
        $texts -join "`n"
    }

    function Assert-NoSecret([string] $Text, [Collections.IDictionary[]] $Forms = @($KeyForms, $SecretForms)) {
        foreach ($forms in $Forms) {
            foreach ($name in $forms.Keys) {
                $form = $forms[$name]
                $Text.Contains($form) | Should -BeFalse -Because "the $name form of a secret must not be shown"
                # Nor any 8-character piece of it (a secret cut by a clip).
                for ($i = 0; $i -le $form.Length - 8; $i++) {
                    $Text.Contains($form.Substring($i, 8)) | Should -BeFalse -Because "no piece of the $name form ('$($form.Substring($i, 8))') may be shown"
                }
            }
        }
    }

    function Invoke-Exchange([object[]] $Tokens, [hashtable] $Extra = @{}) {
        $errors = $null
        $captured = @($Tokens | Get-SessionToken @Exchange @Extra -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue *>&1)
        [pscustomobject]@{ Captured = $captured; Errors = @($errors); Text = (Get-VisibleText $captured) }
    }
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
}

Describe 'A server that echoes the credentials' {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'withholds the apiKey echoed in its <Form> form in the OAuth error, its description and the reason phrase, and keeps the rest' -ForEach @(
        @{ Form = 'raw' }, @{ Form = 'json' }, @{ Form = 'jsonLower' }, @{ Form = 'url' }, @{ Form = 'urlLower' }, @{ Form = 'base64' }, @{ Form = 'base64url' }) {
        $echo = $KeyForms[$Form]
        $body = ConvertTo-Json -Compress @{ error = $echo; error_description = "client_id $echo is unknown" }
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 400; reason = "Bad client_id $($KeyForms.url)"; contentType = 'application/json'; body = $body }
        $run = Invoke-Exchange (New-Token)
        $run.Errors.Count | Should -Be 1
        $e = $run.Errors[0]
        $e.FullyQualifiedErrorId | Should -BeExactly "SessionTokenRejected,$CmdId"
        $e.Exception.StatusCode | Should -Be 400
        $e.Exception.OAuthError | Should -BeExactly '[credential withheld]'
        $e.Exception.OAuthErrorDescription | Should -BeExactly 'client_id [credential withheld] is unknown'
        $e.Exception.Message | Should -Match ' answered 400 \[credential withheld\]: client_id \[credential withheld\] is unknown\.$'
        @($run.Captured | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -match '-> 400 Bad client_id \[credential withheld\] in' }).Count | Should -Be 1
        Assert-NoSecret $run.Text
    }

    It 'withholds the apiKey inside a longer base64 value (offset <Prefix>)' -ForEach @(@{ Prefix = 'a' }, @{ Prefix = 'ab' }, @{ Prefix = 'abc' }) {
        $blob = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("${Prefix}:$KeyText;trailer"))
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 400; contentType = 'application/json'; body = (ConvertTo-Json -Compress @{ error = 'invalid_request'; error_description = "credentials $blob" }) }
        $run = Invoke-Exchange (New-Token)
        # Left: only the characters made of the prefix's bits alone; right: only those of the trailer's.
        $before = [Text.Encoding]::UTF8.GetByteCount("${Prefix}:")
        $end = $before + [Text.Encoding]::UTF8.GetByteCount($KeyText)
        $left = $blob.Substring(0, [Math]::Floor($before * 8 / 6))
        $right = $blob.Substring([Math]::Floor(($end * 8 - 1) / 6) + 1)
        $run.Errors[0].Exception.OAuthErrorDescription | Should -BeExactly "credentials $left[credential withheld]$right"
        Assert-NoSecret $run.Text
    }

    It 'withholds a key echoed with mixed escapes that no single form matches' {
        $mixed = $KeyText.Replace('/', '%2F').Replace('<', '\u003c')
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 400; reason = "Bad client $($KeyText.Replace('/', '%2F')) here"; contentType = 'application/json'
            body = (ConvertTo-Json -Compress @{ error = 'invalid_client'; error_description = "client $mixed rejected" }) }
        $run = Invoke-Exchange (New-Token)
        $run.Errors[0].Exception.OAuthErrorDescription | Should -BeExactly 'client [credential withheld] rejected'
        @($run.Captured | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -match '-> 400 Bad client \[credential withheld\] here in' }).Count | Should -Be 1
        Assert-NoSecret $run.Text
    }

    It 'withholds the client secret echoed in a client-credentials error' {
        $body = ConvertTo-Json -Compress @{ error = 'invalid_client'; error_description = "secret $($SecretForms.json) / $($SecretForms.base64) refused" }
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 401; contentType = 'application/json'; body = $body }
        $errors = $null
        $captured = @(Get-SessionToken -ClientCredentials -ClientSecret $Ep.ClientSecret @Exchange -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue *>&1)
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenInvalidClient,$CmdId"
        $errors[0].Exception.OAuthErrorDescription | Should -BeExactly 'secret [credential withheld] / [credential withheld] refused'
        Assert-NoSecret (Get-VisibleText $captured)
    }

    It 'redacts before clipping: a key across the 300-character clip leaves no piece behind' {
        $description = ('x' * 290) + $KeyText + ('y' * 50)
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 400; contentType = 'application/json'; body = (ConvertTo-Json -Compress @{ error = 'invalid_request'; error_description = $description }) }
        $run = Invoke-Exchange (New-Token)
        $expected = (('x' * 290) + '[credential withheld]' + ('y' * 50)).Substring(0, 300) + '…'
        $run.Errors[0].Exception.OAuthErrorDescription | Should -BeExactly $expected
        Assert-NoSecret $run.Text
    }

    It 'withholds a key the server cut short at the end of its text (<Length> characters of it)' -ForEach @(@{ Length = 6 }, @{ Length = 20 }) {
        $description = 'your client_id starts with ' + $KeyText.Substring(0, $Length)
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 400; contentType = 'application/json'; body = (ConvertTo-Json -Compress @{ error = 'invalid_request'; error_description = $description }) }
        $run = Invoke-Exchange (New-Token)
        $run.Errors[0].Exception.OAuthErrorDescription | Should -BeExactly 'your client_id starts with [credential withheld]'
    }

    It 'keeps the status and "<Wording>" in a redacted <Status> message' -ForEach @(
        @{ Status = 503; Wording = 'was not spent and can be sent again'; Id = 'SessionTokenServiceUnavailable' },
        @{ Status = 500; Wording = 'may be spent, so mint a new one'; Id = 'SessionTokenServerError' }) {
        $body = ConvertTo-Json -Compress @{ error = 'server_error'; error_description = "upstream refused $KeyText" }
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = $Status; contentType = 'application/json'; body = $body; count = 2 }
        $run = Invoke-Exchange (New-Token) @{ MaximumRetryCount = 1; RetryIntervalSec = 0 }
        $e = $run.Errors[0]
        $e.FullyQualifiedErrorId | Should -BeExactly "$Id,$CmdId"
        $e.Exception.Message | Should -Match "answered $Status"
        $e.Exception.Message | Should -Match 'upstream refused \[credential withheld\]'
        $e.Exception.Message | Should -Match ([regex]::Escape($Wording))
        Assert-NoSecret $run.Text
    }

    It 'withholds the key echoed in the token_type of a successful answer' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 200; contentType = 'application/json'; body = "{`"access_token`":`"a.b.c`",`"token_type`":`"$($KeyForms.url)`"}" }
        $run = Invoke-Exchange (New-Token)
        $s = @($run.Captured | Where-Object { $_ -is [ConvTokens.PowerShell.SessionToken] })
        $s.Count | Should -Be 1
        $s[0].TokenType | Should -BeExactly '[credential withheld]'
        Assert-NoSecret $run.Text
    }

    It 'withholds the key from a redirect URL in the verbose lines' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'redirect'; location = "$($Ep.BaseUri)/token?client_id=$($KeyForms.url)&b=$($KeyForms.base64url)" }
        $run = Invoke-Exchange (New-Token)
        @($run.Captured | Where-Object { $_ -is [ConvTokens.PowerShell.SessionToken] }).Count | Should -Be 1
        @($run.Captured | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -match '/token\?client_id=\[credential withheld\]&b=\[credential withheld\] -> 200' }).Count | Should -Be 1
        Assert-NoSecret $run.Text
    }
}

Describe 'Plain http to loopback never goes through a proxy' {
    It 'sends nothing to HTTP_PROXY and exchanges at the endpoint itself' {
        $proxy = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $proxy.Start()
        $names = 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'CT_KEY', 'CT_TOKEN'
        $saved = [Collections.Generic.Dictionary[string, string]]::new([StringComparer]::Ordinal)
        foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        try {
            Reset-TokenEndpoint -Endpoint $Ep
            foreach ($name in 'HTTP_PROXY', 'http_proxy') { [Environment]::SetEnvironmentVariable($name, "http://127.0.0.1:$($proxy.LocalEndpoint.Port)") }
            foreach ($name in 'NO_PROXY', 'no_proxy') { [Environment]::SetEnvironmentVariable($name, $null) }
            # Test secrets only, handed to the child through its environment.
            $env:CT_KEY = $KeyText
            $env:CT_TOKEN = (New-Token).Token
            $script = @"
Import-Module '$ModuleManifest'
`$s = `$env:CT_TOKEN | Get-SessionToken -BaseUri '$($Ep.BaseUri)' -ApiKey (ConvertTo-SecureString `$env:CT_KEY -AsPlainText -Force) -TimeoutSec 5 -MaximumRetryCount 0 -ErrorAction SilentlyContinue -ErrorVariable e
if (`$s) { 'EXCHANGED' } else { 'FAILED ' + `$e[0].FullyQualifiedErrorId }
"@
            $out = & $PwshCommand[0] @($PwshCommand | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" }
            $out | Should -Contain 'EXCHANGED'
            $proxy.Pending() | Should -BeFalse -Because 'no connection may reach the proxy'
            (Get-TokenEndpointStats -Endpoint $Ep).issued | Should -Be 1
        }
        finally {
            $proxy.Stop()
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}

Describe 'No input lost: every input answered, numbered and in order' {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'makes a session token over 65,536 characters that input''s error, and goes on' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 200; contentType = 'application/json'; body = '{"access_token":"{fill}","token_type":"Bearer"}'; fill = 70000 }
        $tokens = New-Token 3
        $errors = $null
        $out = $tokens | Get-SessionToken @Exchange -ThrottleLimit 1 -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out.UserId) | Should -Be @('h2', 'h3')
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenResponseInvalid,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeTrue
        $errors[0].Exception.Message | Should -Match "^Input #1 \(notificationKey '[^']+', userId 'h1'\): POST .* answered 200 but its access_token is 70,000 characters long, more than the 65,536 a session token may have"
    }

    It 'writes an invalid input''s error after the results of the inputs before it' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'slow'; delayMs = 1000 }
        $t = New-Token 2
        $all = @(@($t[0], 'not-a-jwt', $t[1]) | Get-SessionToken @Exchange -ErrorAction Continue 2>&1)
        $all.Count | Should -Be 3
        $all[0] | Should -BeOfType ([ConvTokens.PowerShell.SessionToken])
        $all[1] | Should -BeOfType ([Management.Automation.ErrorRecord])
        $all[1].Exception.Message | Should -BeExactly 'Input #2: the token is not a compact JWT (three base64url segments separated by dots).'
        $all[2] | Should -BeOfType ([ConvTokens.PowerShell.SessionToken])
    }

    It 'gives $null the module''s error and its own input number; later inputs keep theirs' {
        $t = New-Token 2
        $errors = $null
        $out = @($t[0], $null, 'x', $t[1]) | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out.UserId) | Should -Be @('h1', 'h2')
        @($errors.FullyQualifiedErrorId) | Should -Be @("TokenInputInvalid,$CmdId", "TokenInputInvalid,$CmdId")
        $errors[0].Exception.Message | Should -BeExactly 'Input #2: the input is $null; pipe InitializationToken objects or token strings.'
        $errors[1].Exception.Message | Should -Match '^Input #3: '
        $errors = $null
        $null = Get-SessionToken -InitializationToken $null @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "TokenInputInvalid,$CmdId"
    }
}

Describe 'The truth about spent tokens' {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'reports a connection that never completes (full accept queue) as not spent, and retries it' {
        $listener = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::InterNetwork, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Tcp)
        $fillers = [Collections.Generic.List[Net.Sockets.Socket]]::new()
        try {
            $listener.Bind([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
            $listener.Listen(0)
            $port = $listener.LocalEndPoint.Port
            # Fill the accept queue (never accepted) until one more connection stays in SYN-SENT.
            for ($i = 0; $i -lt 16; $i++) {
                $filler = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::InterNetwork, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Tcp)
                $fillers.Add($filler)
                if (-not $filler.ConnectAsync([Net.IPAddress]::Loopback, $port).Wait(500)) { break }
            }
            $errors = $null
            $log = New-Token | Get-SessionToken -BaseUri "http://127.0.0.1:$port" -ApiKey $Ep.ApiKey -TimeoutSec 1 -MaximumRetryCount 1 -RetryIntervalSec 0 `
                -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenConnectionFailed,$CmdId"
            $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
            $errors[0].Exception.Attempts | Should -Be 2
            $errors[0].Exception.Message | Should -Match '; nothing was sent\. Gave up after 2 attempts; the initialization token was not spent and can be sent again\.$'
            # Linux drops the SYN of a full queue (SYN-SENT until the timeout); other systems may refuse it at once.
            if ($IsLinux) { $errors[0].Exception.Message | Should -Match 'no connection within 1 s; nothing was sent' }
            @($log | Where-Object { "$_" -match 'Retrying in 0 ms' }).Count | Should -Be 1
        }
        finally {
            foreach ($filler in $fillers) { $filler.Dispose() }
            $listener.Dispose()
        }
    }

    It 'decides a <Status> by its status, not by a body over 1 MiB: retried, and not spent' -ForEach @(
        @{ Status = 429; Id = 'SessionTokenRateLimited' }, @{ Status = 503; Id = 'SessionTokenServiceUnavailable' }) {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = $Status; retryAfter = 0; contentType = 'text/plain'; body = '{fill}'; fill = 1200000; count = 1 }
        $init = New-Token
        ($init | Get-SessionToken @Exchange).NotificationKey | Should -BeExactly $init.NotificationKey
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 2

        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = $Status; retryAfter = 0; contentType = 'text/plain'; body = '{fill}'; fill = 1200000; count = 2 }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -MaximumRetryCount 1 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "$Id,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        $errors[0].Exception.Message | Should -Match 'was not spent and can be sent again\.$'
    }
}

Describe 'One strict rule for a successful answer' {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'takes access_token over token whatever their order (<Body>)' -ForEach @(
        @{ Body = '{"token":"tok.en.b","access_token":"acc.ess.a"}' }, @{ Body = '{"access_token":"acc.ess.a","token":"tok.en.b"}' },
        @{ Body = '{"session_token":"s.e.c","sessionToken":"acc.ess.a"}' }) {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 200; contentType = 'application/json'; body = $Body }
        (New-Token | Get-SessionToken @Exchange -AsPlainText).PlainTextToken | Should -BeExactly 'acc.ess.a'
    }

    It 'tolerates a UTF-8 byte-order mark before the JSON' {
        $bytes = [byte[]](0xEF, 0xBB, 0xBF) + [Text.Encoding]::UTF8.GetBytes('{"access_token":"a.b.c","token_type":"Bearer","expires_in":60}')
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'raw'; status = 200; contentType = 'application/json'; bodyBase64 = [Convert]::ToBase64String($bytes) }
        $s = New-Token | Get-SessionToken @Exchange -AsPlainText
        $s.PlainTextToken | Should -BeExactly 'a.b.c'
        $s.ExpirySource | Should -BeExactly 'expires_in'
    }

    It 'refuses <Case> as SessionTokenResponseInvalid, may be spent' -ForEach @(
        @{ Case = 'a duplicate access_token'; Body = '{"access_token":"a.b.c","access_token":"d.e.f"}'; Why = 'the body holds the member access_token twice' },
        @{ Case = 'a duplicate token_type'; Body = '{"access_token":"a.b.c","token_type":"Bearer","token_type":"MAC"}'; Why = 'the body holds the member token_type twice' },
        @{ Case = 'a CR LF inside the token'; Body = '{"access_token":"a.b\r\nc"}'; Why = 'its access_token holds characters a bearer token cannot' },
        @{ Case = 'a NUL inside the token'; Body = '{"access_token":"a.b\u0000c"}'; Why = 'its access_token holds characters a bearer token cannot' },
        @{ Case = 'a space inside the token'; Body = '{"token":"a.b c"}'; Why = 'its token holds characters a bearer token cannot' },
        @{ Case = 'a token that is a number'; Body = '{"access_token":12}'; Why = 'its access_token is a JSON number, not a string' },
        @{ Case = 'invalid UTF-8'; Base64 = [Convert]::ToBase64String([byte[]](0x7B, 0x22, 0x61, 0x63, 0x63, 0x65, 0x73, 0x73, 0x5F, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x22, 0x3A, 0x22, 0x61, 0xFF, 0x62, 0x22, 0x7D)); Why = 'the body is not valid UTF-8' }) {
        $fault = @{ kind = 'raw'; status = 200; contentType = 'application/json' }
        if ($Base64) { $fault.bodyBase64 = $Base64 } else { $fault.body = $Body }
        Set-TokenEndpointFault -Endpoint $Ep -Faults $fault
        $errors = $null
        $out = New-Token | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenResponseInvalid,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeTrue
        $errors[0].Exception.Message | Should -Match ([regex]::Escape("answered 200 but $Why"))
        $errors[0].Exception.Message | Should -Match 'may be spent, so mint a new one'
    }
}

Describe 'Redirect loops' {
    It 'names the hop limit for a redirect loop within the origin, and sends nothing more' {
        Reset-TokenEndpoint -Endpoint $Ep
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'redirect'; location = "$($Ep.BaseUri)/token"; count = -1 }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenRedirectRefused,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        $errors[0].Exception.Message | Should -Match "was redirected 4 times in a row \(the last 307 towards $([regex]::Escape($Ep.BaseUri))/token\); ConvTokens follows at most 3 redirects, so this looks like a redirect loop"
        $errors[0].Exception.Message | Should -Not -Match 'another origin'
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 4
    }
}
