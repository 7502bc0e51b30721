using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>
    /// One answer from /token as read: a session token, or the failure it means and what its message
    /// needs. Made by <see cref="TokenAnswer"/> from status, headers and body bytes; a struct, so reading
    /// an answer allocates nothing of its own.
    /// </summary>
    public readonly struct Answer
    {
        public int Status { get; init; }
        public ExchangeFailure Failure { get; init; }
        public BodyState Body { get; init; }
        public bool Succeeded => Failure == ExchangeFailure.None;

        /// <summary>Tried again after a wait (<see cref="ExchangePolicy.Retries"/>).</summary>
        public bool Retries => ExchangePolicy.Retries(Failure);

        /// <summary>The server may have taken the one-time token (<see cref="ExchangePolicy.MayBeSpent"/>).</summary>
        public bool MayBeSpent => ExchangePolicy.MayBeSpent(Failure);

        /// <summary>How long the server asked to wait before a retry (Retry-After), for an answer that is retried; null when it did not say.</summary>
        public TimeSpan? RetryAfter { get; init; }

        public string? AccessToken { get; init; }
        public string? TokenType { get; init; }
        public DateTimeOffset IssuedOn { get; init; }
        public DateTimeOffset ExpiresOn { get; init; }
        /// <summary>"expires_in", "exp" or "default".</summary>
        public string? ExpirySource { get; init; }

        /// <summary>
        /// What is wrong with a body that breaks the success rule ("the body is not valid JSON"), or why a
        /// body could not be read; words that follow "answered 200 but ".
        /// </summary>
        public string? Problem { get; init; }

        /// <summary>True for an error answer whose body was read: its OAuth error and description replace any earlier attempt's.</summary>
        public bool HasOAuthError { get; init; }
        /// <summary>The body's "error", with the request's secrets withheld, clipped to 300 characters.</summary>
        public string? OAuthError { get; init; }
        /// <summary>The body's "error_description" (else "message"), withheld and clipped alike.</summary>
        public string? OAuthErrorDescription { get; init; }
        /// <summary>For an error answer without an OAuth error: its media type and size (" with a text/html body of 12 bytes and no OAuth error"); else null.</summary>
        public string? BodySummary { get; init; }
    }

    /// <summary>
    /// The grammar of /token's answers, apart from any connection (the transport hands over the status, two
    /// headers and the body bytes; this says what they mean). Pure functions, tested on byte strings.
    /// </summary>
    public static class TokenAnswer
    {
        private const int ClipLength = 300;

        /// <summary>The members a success answer is read from, each in order of precedence (whatever their order in the body).</summary>
        private static readonly string[] TokenMembers = { "access_token", "sessionToken", "session_token", "token" };
        private static readonly string[] TypeMembers = { "token_type", "tokenType" };
        private static readonly string[] LifetimeMembers = { "expires_in", "expiresIn" };

        private static readonly SearchValues<char> BearerCharacters =
            SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

        private static ReadOnlySpan<byte> Utf8ByteOrderMark => new byte[] { 0xEF, 0xBB, 0xBF };

        /// <summary>
        /// A (non-redirect) answer whose body was read whole. <paramref name="mediaType"/> (Content-Type) counts
        /// only for an error answer, <paramref name="retryAfter"/> only for one that is retried. <paramref name="now"/> is when it came in (a
        /// success's IssuedOn, a Retry-After date's reference); <paramref name="limits"/> gives the longest token
        /// taken and the lifetime assumed when the answer states none; <paramref name="redactor"/> withholds the
        /// request's secrets from the OAuth texts before they are clipped.
        /// </summary>
        public static Answer Read(int status, string? mediaType, RetryConditionHeaderValue? retryAfter, ReadOnlyMemory<byte> body,
            DateTimeOffset now, ExchangeOptions limits, Redactor redactor)
        {
            var failure = ExchangePolicy.ForStatus(status, BodyState.Read);
            if (failure == ExchangeFailure.None) { return ReadSuccess(status, body, now, limits); }
            var text = Encoding.UTF8.GetString(body.Span);
            var (error, description) = ReadOAuthError(text, mediaType);
            // Redacted before clipping, so no clip can leave part of a secret behind.
            error = Clip(redactor.Redact(error));
            description = Clip(redactor.Redact(description));
            return new Answer
            {
                Status = status,
                Failure = failure,
                Body = BodyState.Read,
                RetryAfter = ExchangePolicy.Retries(failure) ? RetryDelay(retryAfter, now) : null,
                HasOAuthError = true,
                OAuthError = error,
                OAuthErrorDescription = description,
                BodySummary = error is not null ? null
                    : $" with a {mediaType ?? "no content type"} body of {Encoding.UTF8.GetByteCount(text)} bytes and no OAuth error",
            };
        }

        /// <summary>
        /// An answer whose body was not read: longer than the limit, or the connection failed while it was read
        /// (<paramref name="reason"/> says how). Only the status can speak then.
        /// </summary>
        public static Answer Unread(int status, BodyState body, RetryConditionHeaderValue? retryAfter, DateTimeOffset now, string? reason = null)
        {
            if (body == BodyState.Read) { throw new ArgumentOutOfRangeException(nameof(body), "A body that was read goes to Read."); }
            var failure = ExchangePolicy.ForStatus(status, body);
            return new Answer
            {
                Status = status,
                Failure = failure,
                Body = body,
                RetryAfter = ExchangePolicy.Retries(failure) ? RetryDelay(retryAfter, now) : null,
                Problem = body == BodyState.Unreadable ? $"the body could not be read ({reason})" : null,
            };
        }

        /// <summary>
        /// The one rule for a success answer (about_ConvTokens, "SUCCESSFUL ANSWERS"): UTF-8 JSON (a leading
        /// byte-order mark is skipped, invalid UTF-8 refuses the answer); an object; access_token, else
        /// sessionToken, session_token, token, whatever the order; any member read here given twice refuses
        /// the answer; the token is 1 to MaximumTokenLength characters of the bearer-token alphabet (RFC 6750),
        /// so no space, CR, LF, NUL or other control character. The expiry: expires_in (or expiresIn) when
        /// it is a plausible lifetime, else the token's own exp claim, else the default lifetime.
        /// </summary>
        private static Answer ReadSuccess(int status, ReadOnlyMemory<byte> body, DateTimeOffset now, ExchangeOptions limits)
        {
            var problem = ReadSuccessBody(body, limits.MaximumTokenLength, out var token, out var type, out var expiresIn);
            if (problem is not null)
            {
                return new Answer { Status = status, Failure = ExchangeFailure.ResponseInvalid, Body = BodyState.Read, Problem = problem };
            }
            DateTimeOffset expiresOn;
            string source;
            if (expiresIn is double lifetime && lifetime > 0 && lifetime < 10 * 365 * 86400)
            {
                expiresOn = now.AddSeconds(lifetime);
                source = "expires_in";
            }
            else if (JwtPeek.ReadClaims(token!) is { } claims && claims.Contains("exp") && claims["exp"] is long exp && exp is > 0 and < 253402300799)
            {
                expiresOn = DateTimeOffset.FromUnixTimeSeconds(exp);
                source = "exp";
            }
            else
            {
                expiresOn = now + limits.DefaultLifetime;
                source = "default";
            }
            return new Answer
            {
                Status = status,
                Body = BodyState.Read,
                AccessToken = token,
                TokenType = type ?? "Bearer",
                IssuedOn = now,
                ExpiresOn = expiresOn,
                ExpirySource = source,
            };
        }

        private static string? ReadSuccessBody(ReadOnlyMemory<byte> json, int maximumTokenLength, out string? token, out string? type, out double? expiresIn)
        {
            token = type = null;
            expiresIn = null;
            if (json.Span.StartsWith(Utf8ByteOrderMark)) { json = json.Slice(3); }
            if (!System.Text.Unicode.Utf8.IsValid(json.Span)) { return "the body is not valid UTF-8"; }
            try
            {
                using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) { return $"the body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object"; }
                var found = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in root.EnumerateObject())
                {
                    if (Array.IndexOf(TokenMembers, property.Name) < 0 && Array.IndexOf(TypeMembers, property.Name) < 0
                        && Array.IndexOf(LifetimeMembers, property.Name) < 0) { continue; }
                    if (!found.TryAdd(property.Name, property.Value)) { return $"the body holds the member {property.Name} twice, so which value counts is unclear"; }
                }
                string? tokenMember = Array.Find(TokenMembers, found.ContainsKey);
                if (tokenMember is null) { return "the body holds no session token (access_token, sessionToken, session_token or token)"; }
                var tokenValue = found[tokenMember];
                if (tokenValue.ValueKind != JsonValueKind.String) { return $"its {tokenMember} is a JSON {tokenValue.ValueKind.ToString().ToLowerInvariant()}, not a string"; }
                token = tokenValue.GetString()!;
                if (token.Length == 0) { token = null; return $"its {tokenMember} is empty"; }
                if (token.Length > maximumTokenLength)
                {
                    var length = token.Length;
                    token = null;
                    return $"its {tokenMember} is {length:N0} characters long, more than the {maximumTokenLength:N0} a session token may have (a SecureString's limit)";
                }
                if (!IsBearerToken(token)) { token = null; return $"its {tokenMember} holds characters a bearer token cannot (spaces, control characters such as CR, LF or NUL, or non-ASCII)"; }
                if (Array.Find(TypeMembers, found.ContainsKey) is { } typeMember)
                {
                    var typeValue = found[typeMember];
                    type = typeValue.ValueKind == JsonValueKind.String ? typeValue.GetString() : null;
                    if (string.IsNullOrEmpty(type) || type.Length > 64 || !IsPrintableAscii(type)) { token = null; return $"its {typeMember} is not a short printable text"; }
                }
                if (Array.Find(LifetimeMembers, found.ContainsKey) is { } lifetimeMember)
                {
                    var lifetime = found[lifetimeMember];
                    if (lifetime.ValueKind == JsonValueKind.Number && lifetime.TryGetDouble(out var seconds)) { expiresIn = seconds; }
                    else if (lifetime.ValueKind == JsonValueKind.String && double.TryParse(lifetime.GetString(), NumberStyles.Float,
                        CultureInfo.InvariantCulture, out var parsed)) { expiresIn = parsed; }
                }
                return null;
            }
            catch (JsonException)
            {
                token = null;
                return "the body is not valid JSON";
            }
        }

        /// <summary>The OAuth error of an error answer (RFC 6749 §5.2), read only from a JSON body; "message" stands in for error_description.</summary>
        private static (string? Error, string? Description) ReadOAuthError(string text, string? mediaType)
        {
            if (mediaType is null || !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)) { return (null, null); }
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
                if (document.RootElement.ValueKind != JsonValueKind.Object) { return (null, null); }
                string? Get(string name) => document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString() : null;
                return (Get("error"), Get("error_description") ?? Get("message"));
            }
            catch (JsonException)
            {
                return (null, null);
            }
        }

        /// <summary>Retry-After as a wait: seconds, or a date less <paramref name="now"/>, never negative; null when absent.</summary>
        private static TimeSpan? RetryDelay(RetryConditionHeaderValue? header, DateTimeOffset now)
        {
            if (header?.Delta is TimeSpan delta) { return delta < TimeSpan.Zero ? TimeSpan.Zero : delta; }
            if (header?.Date is DateTimeOffset date)
            {
                var wait = date - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
            return null;
        }

        /// <summary>RFC 6750 b64token: letters, digits, - . _ ~ + / and trailing =.</summary>
        private static bool IsBearerToken(string token)
        {
            var characters = token.AsSpan().TrimEnd('=');
            return characters.Length > 0 && characters.IndexOfAnyExcept(BearerCharacters) < 0;
        }

        private static bool IsPrintableAscii(string text)
        {
            foreach (var c in text)
            {
                if (c < 0x20 || c > 0x7E) { return false; }
            }
            return true;
        }

        private static string? Clip(string? text) => text is null ? null : JsonMembers.Clip(text, ClipLength);
    }
}
