using System;
using System.Net;
using System.Security;

namespace ConvTokens.PowerShell
{
    /// <summary>A session token from the API's /token endpoint, and what it was made from.</summary>
    public sealed class SessionToken
    {
        internal SessionToken(SecureString token, string? plainTextToken, string tokenType, DateTimeOffset issuedOn, DateTimeOffset expiresOn,
            string expirySource, string grantType, Uri tokenEndpoint, string? notificationKey, string? userId, object? amount)
        {
            Token = token;
            PlainTextToken = plainTextToken;
            TokenType = tokenType;
            IssuedOn = issuedOn;
            ExpiresOn = expiresOn;
            ExpirySource = expirySource;
            GrantType = grantType;
            TokenEndpoint = tokenEndpoint;
            NotificationKey = notificationKey;
            UserId = userId;
            Amount = SignedAmount.From(amount);
        }

        /// <summary>The bearer token, for Invoke-RestMethod -Authentication Bearer -Token.</summary>
        public SecureString Token { get; }
        /// <summary>The bearer token as text; set only with -AsPlainText.</summary>
        public string? PlainTextToken { get; }
        public string TokenType { get; }
        public DateTimeOffset IssuedOn { get; }
        public DateTimeOffset ExpiresOn { get; }
        /// <summary>Where ExpiresOn came from: expires_in (the response), exp (the token) or default (one hour).</summary>
        public string ExpirySource { get; }
        public bool IsExpired => DateTimeOffset.UtcNow >= ExpiresOn;
        /// <summary>jwt-bearer or client_credentials.</summary>
        public string GrantType { get; }
        public Uri TokenEndpoint { get; }
        public string? NotificationKey { get; }
        public string? UserId { get; }
        /// <summary>The amount of the initialization token it was made from, as signed; null for client credentials.</summary>
        public decimal? Amount { get; }

        /// <summary>Describes the session; never the token itself.</summary>
        public override string ToString() =>
            $"{TokenType} session token{(UserId is null ? string.Empty : $" for userId '{UserId}'")}, expires {ExpiresOn.UtcDateTime:u}";
    }

    /// <summary>Why an exchange at /token failed: HTTP status, OAuth error, and whether the token may be spent.</summary>
    public sealed class SessionTokenException : Exception
    {
        internal SessionTokenException(string message, HttpStatusCode? statusCode, string? oauthError, string? oauthErrorDescription, bool mayBeSpent, int attempts)
            : base(message)
        {
            StatusCode = statusCode;
            OAuthError = oauthError;
            OAuthErrorDescription = oauthErrorDescription;
            InitializationTokenMayBeSpent = mayBeSpent;
            Attempts = attempts;
        }

        public HttpStatusCode? StatusCode { get; }
        public string? OAuthError { get; }
        public string? OAuthErrorDescription { get; }
        /// <summary>True when the server may have accepted the one-time token: mint a new one instead of resending.</summary>
        public bool InitializationTokenMayBeSpent { get; }
        public int Attempts { get; }
    }
}
