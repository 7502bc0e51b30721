using System;
using System.Net;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>How an exchange failed; decides the error id and whether the token may have been spent.</summary>
    public enum ExchangeFailure
    {
        None,
        /// <summary>The server refused the grant (4xx with an OAuth error such as invalid_grant).</summary>
        Rejected,
        /// <summary>429 after every retry; the token was not spent.</summary>
        RateLimited,
        /// <summary>503 after every retry; the token was not spent.</summary>
        ServiceUnavailable,
        /// <summary>No connection could be made after every retry; the token was not spent.</summary>
        ConnectionFailed,
        /// <summary>Another 5xx: the server may have processed the request.</summary>
        ServerError,
        /// <summary>Timeout or dropped connection after the request went out: the outcome is unknown.</summary>
        OutcomeUnknown,
        /// <summary>2xx whose body has no session token: the token may have been spent.</summary>
        ResponseInvalid,
        /// <summary>A redirect to another origin, which would carry the credentials away.</summary>
        RedirectRefused,
        /// <summary>The TLS handshake failed (untrusted or invalid certificate, not TLS); nothing was sent.</summary>
        TlsFailed,
        /// <summary>Stopped by the caller (Ctrl+C).</summary>
        Cancelled,
    }

    public sealed class ExchangeOutcome
    {
        public ExchangeFailure Failure { get; internal set; }
        public bool Succeeded => Failure == ExchangeFailure.None;
        /// <summary>
        /// True when the server may have accepted the one-time initialization token, so it must not be sent
        /// again; always false for the client-credentials grant, which spends nothing. Decided here only.
        /// </summary>
        public bool MayBeSpent { get; internal set; }
        public HttpStatusCode? StatusCode { get; internal set; }
        public string? OAuthError { get; internal set; }
        public string? OAuthErrorDescription { get; internal set; }
        /// <summary>What went wrong, in words; never a secret or a token.</summary>
        public string? Message { get; internal set; }
        public int Attempts { get; internal set; }
        public TimeSpan Elapsed { get; internal set; }

        public string? AccessToken { get; internal set; }
        public string? TokenType { get; internal set; }
        public DateTimeOffset IssuedOn { get; internal set; }
        public DateTimeOffset ExpiresOn { get; internal set; }
        /// <summary>Where the expiry came from: "expires_in", "exp" or "default".</summary>
        public string? ExpirySource { get; internal set; }
    }

    /// <summary>Retry and transport limits for one pipeline's exchanges.</summary>
    public sealed class ExchangeOptions
    {
        public Uri TokenEndpoint { get; set; } = BaseUriPolicy.ProductionTokenEndpoint;
        /// <summary>How long to wait for the answer once the request has gone out.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>How long to wait for a connection; one not made in time sent nothing and is retried.</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
        public int MaximumRetryCount { get; set; } = 3;
        /// <summary>Wait before a retry when the server gives no Retry-After; doubles each time.</summary>
        public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);
        /// <summary>Caps the doubled RetryInterval (the retries go on); a Retry-After longer than this ends the retries.</summary>
        public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
        public int MaximumConnections { get; set; } = 4;
        public long MaximumResponseBytes { get; set; } = 1024 * 1024;
        /// <summary>The longest session token taken (a SecureString holds 65,536 characters).</summary>
        public int MaximumTokenLength { get; set; } = SecureText.MaximumLength;
        /// <summary>The grant sent; the JWT-bearer grant's initialization token works once, which words the errors and decides MayBeSpent.</summary>
        public GrantKind Grant { get; set; } = GrantKind.JwtBearer;
        public bool SpendsOneTimeToken => Grant == GrantKind.JwtBearer;
        /// <summary>Lifetime assumed when the response states none (the API documents one hour).</summary>
        public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);
    }
}
