BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    $script:Ep = Initialize-TestSession -Endpoint
    $script:Sig = $Ep.ApiSignature
    $script:Key = $Ep.ApiKey
    $script:Exchange = @{ BaseUri = $Ep.BaseUri; ApiKey = $Key }
    function New-Token([int] $Count = 1, [string] $Prefix = 'u') {
        1..$Count | ForEach-Object { [pscustomobject]@{ amount = $_; userId = "$Prefix$_"; notificationKey = "$Prefix-nk-$_-$([guid]::NewGuid().ToString('N'))" } } |
            New-InitializationToken -ApiSignature $Sig
    }
    function Get-Claims([string] $Jwt) { Get-TokenPart $Jwt 1 | ConvertFrom-Json }
    $script:CmdId = 'ConvTokens.PowerShell.Commands.GetSessionTokenCommand'
}

AfterAll {
    Complete-TestSession -Endpoint $Ep
}

Describe 'Get-SessionToken over loopback HTTP' {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'exchanges an initialization token for a typed session token (JWT-bearer grant)' {
        $init = New-Token
        $s = $init | Get-SessionToken @Exchange
        $s | Should -BeOfType ([ConvTokens.PowerShell.SessionToken])
        $s.Token | Should -BeOfType ([securestring])
        $s.PlainTextToken | Should -BeNullOrEmpty
        $s.TokenType | Should -BeExactly 'Bearer'
        $s.GrantType | Should -BeExactly 'jwt-bearer'
        $s.ExpirySource | Should -BeExactly 'expires_in'
        ($s.ExpiresOn - $s.IssuedOn).TotalSeconds | Should -Be 3600
        $s.IsExpired | Should -BeFalse
        $s.NotificationKey | Should -BeExactly $init.NotificationKey
        $s.UserId | Should -BeExactly 'u1'
        $s.Amount | Should -Be 1
        $s.TokenEndpoint | Should -Be "$($Ep.BaseUri)/token"
        $claims = Get-Claims (ConvertFrom-SecureString $s.Token -AsPlainText)
        $claims.notificationKey | Should -BeExactly $init.NotificationKey
        ($claims.exp - $claims.iat) | Should -Be 3600
        "$s" | Should -Not -Match ([regex]::Escape((ConvertFrom-SecureString $s.Token -AsPlainText)))
    }

    It 'hands the token out as plain text only with -AsPlainText' {
        $s = New-Token | Get-SessionToken @Exchange -AsPlainText
        $s.PlainTextToken | Should -BeExactly (ConvertFrom-SecureString $s.Token -AsPlainText)
    }

    It 'takes token strings, objects with a Token property and hashtables with a Token key, labelling them from the token' {
        $t = New-Token 3
        $out = @($t[0].Token, [pscustomobject]@{ Token = $t[1].Token }, @{ Token = $t[2].Token }) | Get-SessionToken @Exchange
        @($out.UserId) | Should -Be @('u1', 'u2', 'u3')
        @($out.NotificationKey) | Should -Be @($t.NotificationKey)
    }

    It 'opens a client-credentials session' {
        $s = Get-SessionToken -ClientCredentials -ClientSecret $Ep.ClientSecret @Exchange
        $s.GrantType | Should -BeExactly 'client_credentials'
        $s.TokenType | Should -BeExactly 'Bearer'
        $s.NotificationKey | Should -BeNullOrEmpty
    }

    It 'refuses a wrong client secret with SessionTokenInvalidClient' {
        { Get-SessionToken -ClientCredentials -ClientSecret (ConvertTo-TestSecureString 'nope') @Exchange -ErrorAction Stop } |
            Should -Throw -ErrorId "SessionTokenInvalidClient,$CmdId"
    }

    It 'spends an initialization token once: the second exchange is SessionTokenInvalidGrant' {
        $init = New-Token
        $null = $init | Get-SessionToken @Exchange
        $errors = $null
        $again = $init | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenInvalidGrant,$CmdId"
        $errors[0].TargetObject | Should -Be $init
        $errors[0].Exception.StatusCode | Should -Be 400
        $errors[0].Exception.OAuthError | Should -BeExactly 'invalid_grant'
        $errors[0].Exception.OAuthErrorDescription | Should -Match 'already used'
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        $errors[0].Exception.Message | Should -Match "^Input #1 \(notificationKey '$($init.NotificationKey)', userId 'u1'\): POST .*/token answered 400 invalid_grant"
    }

    It 'refuses a wrong apiKey with SessionTokenInvalidClient' {
        $errors = $null
        $null = New-Token | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey (ConvertTo-TestSecureString 'wrong-key') -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenInvalidClient,$CmdId"
        $errors[0].Exception.StatusCode | Should -Be 401
    }

    It 'says which apiKey the API refused, where it came from, and that the token can be sent again' {
        $init = New-Token
        $errors = $null
        $null = $init | Get-SessionToken -BaseUri $Ep.BaseUri -ApiKey (ConvertTo-TestSecureString 'wrong-key') -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenInvalidClient,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        # (The source is worded by SecretSource.Describe(): 'passed as' or 'passed directly as'.)
        $errors[0].Exception.Message | Should -Match ('^' + [regex]::Escape("Input #1 (notificationKey '$($init.NotificationKey)', userId 'u1'): POST $($Ep.BaseUri)/token answered 401 " +
            'invalid_client: client authentication failed: client_id is not a known apiKey. Nothing was exchanged; the initialization token was not spent ' +
            'and can be sent again. The API refused the ApiKey passed ') + '(directly )?' + [regex]::Escape("as a SecureString: check that it is this account's apiKey and that -BaseUri is that account's API.") + '$')
        # And it is true: the same token still works with the right apiKey.
        ($init | Get-SessionToken @Exchange).NotificationKey | Should -BeExactly $init.NotificationKey
    }

    It 'says which apiKey and client secret were refused for a client-credentials session' {
        $errors = $null
        $null = Get-SessionToken -ClientCredentials -ClientSecret (ConvertTo-TestSecureString 'nope') @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].Exception.Message | Should -Match ('^' + [regex]::Escape("Input #1: POST $($Ep.BaseUri)/token answered 401 invalid_client: client authentication failed. " +
            'Nothing was exchanged; the request can be sent again. The API refused the ApiKey passed ') + '(directly )?as a SecureString or the ClientSecret passed (directly )?as a SecureString: ' +
            [regex]::Escape("check both, and that -BaseUri is that account's API.") + '$')
    }

    It 'points a 404 at -BaseUri with the full URL that was posted' {
        $init = New-Token
        $errors = $null
        $null = $init | Get-SessionToken -BaseUri "$($Ep.BaseUri)/v2/" -ApiKey $Key -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenRejected,$CmdId"
        $errors[0].Exception.StatusCode | Should -Be 404
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        $errors[0].Exception.Message | Should -BeExactly ("Input #1 (notificationKey '$($init.NotificationKey)', userId 'u1'): POST $($Ep.BaseUri)/v2/token answered 404 Not Found " +
            'not_found: no such resource; the token endpoint is POST /token: nothing takes tokens at that URL. Check -BaseUri: the request goes to {BaseUri}/token, ' +
            'for the production API https://api.jackpot-io.com/v2/token. Nothing was exchanged; the initialization token was not spent and can be sent again.')
    }

    It 'refuses a token text that starts with "Bearer " with a message that names the prefix, and sends nothing' {
        $init = New-Token
        $errors = $null
        $out = "Bearer $($init.Token)" | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "TokenInputInvalid,$CmdId"
        $errors[0].Exception.Message | Should -BeExactly "Input #1: the text starts with 'Bearer ', the scheme of an Authorization header value; pass the compact token without it (an initialization token starts with eyJ)."
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 0
    }

    It 'says that a piped SessionToken is already a session token, and names input types with the right article' {
        $session = New-Token | Get-SessionToken @Exchange
        $errors = $null
        $out = @($session, 42) | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        @($errors.FullyQualifiedErrorId) | Should -Be @("TokenInputInvalid,$CmdId", "TokenInputInvalid,$CmdId")
        $errors[0].Exception.Message | Should -BeExactly ('Input #1: a SessionToken is a session token, signed by the API and not with your apiSignature; ' +
            'Test-Token checks, and Get-SessionToken exchanges, initialization tokens (from New-InitializationToken).')
        $errors[1].Exception.Message | Should -BeExactly 'Input #2: an Int32 is neither a token string nor an object with a Token property.'
    }

    It 'gives the same bad input the same error id as Test-Token' {
        $errors = $null
        $null = @(42, $null, @{ NoToken = 1 }) | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $testErrors = $null
        $null = @(42, $null, @{ NoToken = 1 }) | Test-Token -ApiSignature $Ep.ApiSignature -ErrorVariable testErrors -ErrorAction SilentlyContinue
        @($errors | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) | Should -Be @('TokenInputInvalid', 'TokenInputInvalid', 'TokenInputInvalid')
        @($testErrors | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) | Should -Be @('TokenInputInvalid', 'TokenInputInvalid', 'TokenInputInvalid')
        @($errors.Exception.Message) | Should -Be @($testErrors.Exception.Message)
    }

    It 'refuses a token signed with another apiSignature with SessionTokenInvalidGrant' {
        $errors = $null
        $null = New-InitializationToken -Amount 1 -ApiSignature (ConvertTo-TestSecureString 'not-the-signature') |
            Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenInvalidGrant,$CmdId"
    }

    It 'writes TokenInputInvalid for input that is no token, and goes on' {
        $t = New-Token 2
        $errors = $null
        $out = @($t[0], 42, 'not-a-jwt', $t[1]) | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        @($out.UserId) | Should -Be @('u1', 'u2')
        @($errors.FullyQualifiedErrorId) | Should -Be @("TokenInputInvalid,$CmdId", "TokenInputInvalid,$CmdId")
        @($errors.TargetObject) | Should -Be @(42, 'not-a-jwt')
    }

    It 'shows progress with rate and counts once a batch has run for a second, none for a quick batch, and completes it' {
        # The first answer is slow, so the batch runs for over two seconds however fast the machine is.
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'slow'; delayMs = 2500 }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $ps.AddCommand('Get-SessionToken').AddParameter('InitializationToken', (New-Token 3 -Prefix p)).AddParameter('BaseUri', $Ep.BaseUri).AddParameter('ApiKey', $Key)
            $ps.Invoke().Count | Should -Be 3
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterOrEqual 2
            $progress[0].Activity | Should -BeExactly 'Exchanging tokens'
            $progress[0].StatusDescription | Should -Match '^[0-3]/3 answered, \d+([.,]\d)?/s, 0 failed, [0-3] in flight$'
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
        # Three quick answers: far less than a second.
        Reset-TokenEndpoint -Endpoint $Ep
        $quick = [powershell]::Create()
        try {
            $null = $quick.AddCommand('Import-Module').AddArgument($ModuleManifest).AddStatement()
            $null = $quick.AddCommand('Get-SessionToken').AddParameter('InitializationToken', (New-Token 3 -Prefix q)).AddParameter('BaseUri', $Ep.BaseUri).AddParameter('ApiKey', $Key)
            $quick.Invoke().Count | Should -Be 3
            $quick.Streams.Progress.Count | Should -Be 0
        }
        finally { $quick.Dispose() }
    }

    It 'keeps the free request slots working while an earlier answer is slow, and still outputs in input order' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'slow'; delayMs = 2500 }
        $tokens = New-Token 100 -Prefix slow
        $log = $tokens | Get-SessionToken @Exchange -ThrottleLimit 4 -TimeoutSec 30 -Verbose 4>&1
        $sessions = @($log | Where-Object { $_ -is [ConvTokens.PowerShell.SessionToken] })
        @($sessions.NotificationKey) | Should -Be @($tokens.NotificationKey)
        $answers = @($log | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -match '-> 200 OK in (\d+) ms' } |
            ForEach-Object { [int]([regex]::Match($_.Message, 'in (\d+) ms').Groups[1].Value) })
        $answers.Count | Should -Be 100
        # The slow answer is logged when it arrives: every other token was answered before it.
        $slowest = 0
        for ($i = 1; $i -lt $answers.Count; $i++) { if ($answers[$i] -gt $answers[$slowest]) { $slowest = $i } }
        $answers[$slowest] | Should -BeGreaterOrEqual 2400
        $slowest | Should -BeGreaterThan 90
    }

    It 'exchanges a 1000-token batch with -ThrottleLimit 8: 1000 session tokens in input order, each from its own input' {
        $tokens = New-Token 1000 -Prefix b
        # The first answers are slow, so the next requests are sent while they are still open, however
        # fast the endpoint answers the rest (a quick endpoint can finish each request before the next).
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'slow'; delayMs = 500; count = 8 }
        $sessions = $tokens | Get-SessionToken @Exchange -ThrottleLimit 8
        $sessions.Count | Should -Be 1000
        for ($i = 0; $i -lt 1000; $i++) {
            if ($sessions[$i].NotificationKey -ne $tokens[$i].NotificationKey) { throw "output $i is not from input $i" }
        }
        $claims = Get-Claims (ConvertFrom-SecureString $sessions[777].Token -AsPlainText)
        $claims.notificationKey | Should -BeExactly $tokens[777].NotificationKey
        $stats = Get-TokenEndpointStats -Endpoint $Ep
        $stats.issued | Should -Be 1000
        $stats.maxInFlight | Should -BeGreaterThan 1
        $stats.maxInFlight | Should -BeLessOrEqual 8
    }
}

Describe 'Get-SessionToken faults, retries and the one-time rule' {
    BeforeEach { Reset-TokenEndpoint -Endpoint $Ep }

    It 'retries 429 honouring Retry-After and then succeeds' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'status429'; retryAfter = 1; count = 2 }
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $verbose = New-Token | Get-SessionToken @Exchange -Verbose 4>&1
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 2
        @($verbose | Where-Object { $_ -is [ConvTokens.PowerShell.SessionToken] }).Count | Should -Be 1
        @($verbose | Where-Object { "$_" -match '-> 429' }).Count | Should -Be 2
        @($verbose | Where-Object { "$_" -match 'Retrying in 1000 ms' }).Count | Should -Be 2
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 3
    }

    It 'retries 503 and then succeeds' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'status503'; retryAfter = 0; count = 1 }
        (New-Token | Get-SessionToken @Exchange).TokenType | Should -BeExactly 'Bearer'
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 2
    }

    It 'gives up on 429 after -MaximumRetryCount with SessionTokenRateLimited; the token is still good' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'status429'; retryAfter = 0; count = 2 }
        $init = New-Token
        $errors = $null
        $null = $init | Get-SessionToken @Exchange -MaximumRetryCount 1 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenRateLimited,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        $errors[0].Exception.Attempts | Should -Be 2
        $errors[0].Exception.Message | Should -Match 'was not spent and can be sent again'
        ($init | Get-SessionToken @Exchange).NotificationKey | Should -BeExactly $init.NotificationKey
    }

    It 'caps its own doubled wait at -MaximumRetryDelaySec and goes on retrying, as the help says' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'status503'; count = 3 }
        $log = New-Token | Get-SessionToken @Exchange -RetryIntervalSec 5 -MaximumRetryDelaySec 0 -MaximumRetryCount 3 -Verbose 4>&1
        @($log | Where-Object { $_ -is [ConvTokens.PowerShell.SessionToken] }).Count | Should -Be 1
        @($log | Where-Object { "$_" -match '^Retrying in 0 ms' }).Count | Should -Be 3
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 4
        $help = (Get-Help Get-SessionToken -Parameter MaximumRetryDelaySec).description.Text -join ' '
        $help | Should -Match 'caps'
        $help | Should -Not -Match 'ends the retries the same way'
        $about = Get-Content -Raw (Join-Path (Split-Path $ModuleManifest) 'en-US/about_ConvTokens.help.txt')
        $about | Should -Match 'capped at\s+-MaximumRetryDelaySec'
    }

    It 'does not wait for a Retry-After longer than -MaximumRetryDelaySec: SessionTokenServiceUnavailable' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'status503'; retryAfter = 120 }
        $errors = $null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = New-Token | Get-SessionToken @Exchange -MaximumRetryDelaySec 5 -ErrorVariable errors -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenServiceUnavailable,$CmdId"
        $errors[0].Exception.StatusCode | Should -Be 503
    }

    It 'never retries a 500 after the token was consumed: SessionTokenServerError, may be spent' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'status500AfterConsume' }
        $init = New-Token
        $errors = $null
        $null = $init | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenServerError,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeTrue
        $errors[0].Exception.Attempts | Should -Be 1
        $errors[0].Exception.Message | Should -Match 'may be spent'
        $stats = Get-TokenEndpointStats -Endpoint $Ep
        $stats.requests | Should -Be 1
        $stats.consumedThenResent | Should -Be 0
    }

    It 'words a client-credentials failure without any initialization token, targeting the endpoint' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'status500AfterConsume' }
        $errors = $null
        $null = Get-SessionToken -ClientCredentials -ClientSecret $Ep.ClientSecret @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenServerError,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        $errors[0].Exception.Message | Should -Match 'a session may have been opened\.$'
        $errors[0].Exception.Message | Should -Not -Match 'initialization token'
        "$($errors[0].TargetObject)" | Should -BeExactly "$($Ep.BaseUri)/token"
    }

    It 'never retries a dropped connection: SessionTokenOutcomeUnknown' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'drop' }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenOutcomeUnknown,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeTrue
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 1
    }

    It 'never retries after a timeout: SessionTokenOutcomeUnknown' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'slow'; delayMs = 4000 }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -TimeoutSec 1 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenOutcomeUnknown,$CmdId"
        $errors[0].Exception.Message | Should -Match 'no answer within 1 s'
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 1
    }

    It 'reports a 200 with a malformed body as SessionTokenResponseInvalid, may be spent' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'malformed' }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenResponseInvalid,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeTrue
    }

    It 'does not read a response body over 1 MiB: SessionTokenResponseInvalid, may be spent' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'oversized' }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenResponseInvalid,$CmdId"
        $errors[0].Exception.Message | Should -Match 'body over 1048576 bytes'
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeTrue
    }

    It 'reports an HTML error page as SessionTokenServerError without echoing the page' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'html' }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenServerError,$CmdId"
        $errors[0].Exception.StatusCode | Should -Be 502
        $errors[0].Exception.Message | Should -Match 'text/html body of \d+ bytes'
        $errors[0].Exception.Message | Should -Not -Match '<html'
    }

    It 'accepts the <Shape> response shape (expiry from <Source>)' -ForEach @(@{ Shape = 'sessionToken'; Source = 'expires_in' }, @{ Shape = 'token'; Source = 'exp' }) {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'shape'; shape = $Shape }
        $s = New-Token | Get-SessionToken @Exchange
        $s.ExpirySource | Should -BeExactly $Source
        $exp = (Get-Claims (ConvertFrom-SecureString $s.Token -AsPlainText)).exp
        [Math]::Abs($s.ExpiresOn.ToUnixTimeSeconds() - $exp) | Should -BeLessOrEqual 2
    }

    It 'follows a 307 within the same origin' {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'redirect'; location = "$($Ep.BaseUri)/token" }
        (New-Token | Get-SessionToken @Exchange).TokenType | Should -BeExactly 'Bearer'
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 2
    }

    It 'refuses a redirect to another origin (<Location>) and sends nothing there' -ForEach @(
        @{ Location = 'http://127.0.0.2:9/token' }, @{ Location = 'https://evil.invalid/token' }) {
        Set-TokenEndpointFault -Endpoint $Ep -Faults @{ kind = 'redirect'; location = $Location }
        $errors = $null
        $null = New-Token | Get-SessionToken @Exchange -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenRedirectRefused,$CmdId"
        $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
    }

    It 'retries a refused connection, then reports SessionTokenConnectionFailed (not spent)' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $errors = $null
        $verbose = New-Token | Get-SessionToken -BaseUri "http://127.0.0.1:$port" -ApiKey $Key -MaximumRetryCount 2 -RetryIntervalSec 0 `
            -ErrorVariable errors -ErrorAction SilentlyContinue -Verbose 4>&1
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenConnectionFailed,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        $errors[0].Exception.Attempts | Should -Be 3
        @($verbose | Where-Object { "$_" -match 'could not connect' }).Count | Should -Be 3
    }
}

Describe 'Get-SessionToken secrets from a vault' {
    BeforeAll { Initialize-TestSession -SecretManagement -NoModule }
    AfterAll { Complete-TestSession }

    It 'reads the apiKey (and the client secret) once per pipeline, on the pipeline thread, from -Vault' {
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Register-SecretVault -Name Shop -ModuleName Microsoft.PowerShell.SecretStore
        Set-Secret -Name ConvTokens.ApiKey -SecureStringSecret $Key -Vault Shop
        Set-Secret -Name Shop.Client -SecureStringSecret $Ep.ClientSecret -Vault Shop
        $tokens = New-Token 200 -Prefix v
        $sessions = $tokens | Get-SessionToken -BaseUri $Ep.BaseUri -Vault Shop -ThrottleLimit 8
        $sessions.Count | Should -Be 200
        Get-StandInCallCount -Command Get-Secret | Should -Be 1
        (Get-SessionToken -ClientCredentials -BaseUri $Ep.BaseUri -Vault Shop -ClientSecretSecretName Shop.Client).GrantType | Should -BeExactly 'client_credentials'
        Get-StandInCallCount -Command Get-Secret | Should -Be 3
        @(Get-StandInCallThreads -Command Get-Secret) | Should -Be @([Environment]::CurrentManagedThreadId)
    }

    It 'names the secret and the vault of a refused apiKey' {
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Register-SecretVault -Name Shop -ModuleName Microsoft.PowerShell.SecretStore
        Set-Secret -Name Shop.OldKey -Secret 'an-old-api-key' -Vault Shop
        Set-Secret -Name ConvTokens.ApiKey -Secret 'another-old-key'
        foreach ($case in @(
                @{ Parameters = @{ Vault = 'Shop'; ApiKeySecretName = 'Shop.OldKey' }; Source = "ApiKey secret 'Shop.OldKey' in vault 'Shop'" },
                @{ Parameters = @{}; Source = "ApiKey secret 'ConvTokens.ApiKey' in the default vault" })) {
            $errors = $null
            $parameters = $case.Parameters
            $null = New-Token | Get-SessionToken -BaseUri $Ep.BaseUri @parameters -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenInvalidClient,$CmdId"
            $errors[0].Exception.Message | Should -Match ([regex]::Escape("The API refused the $($case.Source): check that it is this account's apiKey"))
            $errors[0].Exception.Message | Should -Match 'the initialization token was not spent and can be sent again'
        }
    }

    It 'stops with SecretNotFound,Get-SessionToken when the apiKey is missing, before sending anything' {
        Reset-StandIn
        Register-SecretVault -Name Main -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
        Reset-TokenEndpoint -Endpoint $Ep
        { New-Token 3 | Get-SessionToken -BaseUri $Ep.BaseUri } | Should -Throw -ErrorId "SecretNotFound,$CmdId"
        (Get-TokenEndpointStats -Endpoint $Ep).requests | Should -Be 0
    }
}

Describe 'Get-SessionToken transport rules' {
    It 'quotes -BaseUri as given, with its path, in BaseUriInsecure' {
        $err = { 'a.b.c' | Get-SessionToken -BaseUri 'http://10.1.2.3/v2/' -ApiKey $Key } | Should -Throw -ErrorId "BaseUriInsecure,$CmdId" -PassThru
        $err.Exception.Message | Should -BeExactly "BaseUri 'http://10.1.2.3/v2/' is not https; the apiKey travels only over https (plain http is allowed for loopback addresses only)."
        $err = { 'a.b.c' | Get-SessionToken -BaseUri 'https://user:pw@api.example/v2' -ApiKey $Key } | Should -Throw -ErrorId "BaseUriInsecure,$CmdId" -PassThru
        $err.Exception.Message | Should -BeExactly "BaseUri must not carry user information (user:password@ in 'https://api.example/v2'); the apiKey is sent in the request body."
    }

    It 'refuses <Uri> with BaseUriInsecure before reading any secret' -ForEach @(
        @{ Uri = 'http://api.jackpot-io.com/v2' }, @{ Uri = 'http://10.1.2.3/v2' }, @{ Uri = 'ftp://127.0.0.1/' }, @{ Uri = 'https://user:pw@api.example/v2' }) {
        { 'a.b.c' | Get-SessionToken -BaseUri $Uri -ApiKey $Key } | Should -Throw -ErrorId "BaseUriInsecure,$CmdId"
    }

    It 'allows plain http to loopback (<Uri>)' -ForEach @(@{ Uri = 'http://127.0.0.1:1' }, @{ Uri = 'http://localhost:1' }, @{ Uri = 'http://[::1]:1' }) {
        $errors = $null
        $null = 'a.b.c' | Get-SessionToken -BaseUri $Uri -ApiKey $Key -MaximumRetryCount 0 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenConnectionFailed,$CmdId"
    }

    It 'treats a failed TLS handshake as SessionTokenTlsFailed, not spent, and offers no switch to skip validation' {
        $errors = $null
        $null = New-Token | Get-SessionToken -BaseUri "https://127.0.0.1:$($Ep.Port)" -ApiKey $Key -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeExactly "SessionTokenTlsFailed,$CmdId"
        $errors[0].Exception.InitializationTokenMayBeSpent | Should -BeFalse
        (Get-Command Get-SessionToken).Parameters.Keys | Where-Object { $_ -match 'Certificate|Skip|Insecure|Validation' } | Should -BeNullOrEmpty
    }

    It 'defaults to the production API over https' {
        # Seen from the wire, not from a field: without -BaseUri the request goes to api.jackpot-io.com:443
        # over TLS. A loopback proxy (HTTPS_PROXY in a child process) sees the tunnel it is asked for and
        # refuses it, so nothing leaves the machine and nothing is sent.
        $proxy = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $proxy.Start()
        $child = $null
        try {
            $script = @"
Import-Module '$ModuleManifest'
`$null = 'a.b.c' | Get-SessionToken -ApiKey (ConvertTo-SecureString 'not-a-key' -AsPlainText -Force) -TimeoutSec 20 -MaximumRetryCount 0 -ErrorAction SilentlyContinue -ErrorVariable e
`$e[0].FullyQualifiedErrorId
`$e[0].Exception.Message
"@
            $startInfo = [Diagnostics.ProcessStartInfo]::new($PwshCommand[0])
            foreach ($argument in @($PwshCommand | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $startInfo.ArgumentList.Add($argument) }
            $startInfo.RedirectStandardOutput = $true
            $startInfo.UseShellExecute = $false
            foreach ($name in 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy') { $startInfo.Environment.Remove($name) | Out-Null }
            $startInfo.Environment['HTTPS_PROXY'] = "http://127.0.0.1:$($proxy.LocalEndpoint.Port)"
            $child = [Diagnostics.Process]::Start($startInfo)
            $output = $child.StandardOutput.ReadToEndAsync()
            $accept = $proxy.AcceptTcpClientAsync()
            $accept.Wait(60000) | Should -BeTrue -Because 'the request goes through the proxy to the production API'
            $connection = $accept.Result
            $stream = $connection.GetStream()
            $reader = [IO.StreamReader]::new($stream, [Text.Encoding]::ASCII)
            $requestLine = $reader.ReadLine()
            $refusal = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 403 Forbidden`r`nContent-Length: 0`r`nConnection: close`r`n`r`n")
            $stream.Write($refusal, 0, $refusal.Length)
            $connection.Dispose()
            $child.WaitForExit(60000) | Should -BeTrue
            $lines = @($output.Result -split "`r?`n" | Where-Object { $_ })

            $requestLine | Should -BeExactly 'CONNECT api.jackpot-io.com:443 HTTP/1.1'
            $lines[0] | Should -BeExactly "SessionTokenConnectionFailed,$CmdId"
            $lines[1] | Should -BeLike 'Input #1: Could not connect to https://api.jackpot-io.com:*nothing was sent.*'
        }
        finally {
            if ($child -and -not $child.HasExited) { $child.Kill($true) }
            $proxy.Stop()
        }
    }
}
