using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>
    /// Posts grants to one /token endpoint over one pooled HttpClient (keep-alive, bounded connections).
    /// Retries only where the token cannot have been spent: no connection, 429, 503. Thread-safe: many
    /// exchanges may run at once. Knows nothing of PowerShell; narrates through <see cref="Log"/>.
    /// </summary>
    public sealed class SessionTokenClient : IDisposable
    {
        private const int MaximumRedirects = 3;
        private readonly HttpClient _http;
        private readonly ExchangeOptions _options;
        private readonly Func<DateTimeOffset> _clock;

        public SessionTokenClient(ExchangeOptions options, Func<DateTimeOffset>? clock = null)
        {
            _options = options;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            var handler = new SocketsHttpHandler
            {
                // Redirects are followed by hand, only within the endpoint's origin (see SendAsync).
                AllowAutoRedirect = false,
                UseCookies = false,
                // Plain http to this machine never goes through a proxy: it would carry the apiKey off it in clear text.
                UseProxy = !BaseUriPolicy.IsLoopback(options.TokenEndpoint),
                MaxConnectionsPerServer = Math.Max(1, options.MaximumConnections),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                // A backstop only: AttemptAsync times the connection itself (see TrackedContent).
                ConnectTimeout = options.ConnectTimeout + TimeSpan.FromSeconds(5),
                MaxResponseHeadersLength = 64,
            };
            _http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ConvTokens", typeof(SessionTokenClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        }

        /// <summary>One line per HTTP attempt: method, URL, status, timing. Never a body.</summary>
        public event Action<string>? Log;

        /// <summary>Sends <paramref name="body"/> (cleared when done) and interprets the answer.</summary>
        public async Task<ExchangeOutcome> ExchangeAsync(byte[] body, CancellationToken cancellation)
        {
            var outcome = new ExchangeOutcome();
            var watch = Stopwatch.StartNew();
            try
            {
                await ExchangeCoreAsync(body, outcome, cancellation).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                // Whatever one answer does, it is that exchange's failure, never the pipeline's end.
                Fail(outcome, ExchangeFailure.OutcomeUnknown, true, null,
                    $"POST {_options.TokenEndpoint} failed unexpectedly ({failure.GetType().Name}: {failure.Message}); {MaySpend}.");
            }
            catch (OperationCanceledException)
            {
                Cancelled(outcome, mayBeSpent: true);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(body);
                outcome.Elapsed = watch.Elapsed;
                // Only a one-time initialization token can be spent; a client-credentials request can always be sent again.
                outcome.MayBeSpent &= _options.SpendsOneTimeToken;
                // Every text the server could have shaped, redacted before anyone sees it.
                outcome.Message = _options.Redactor.Redact(outcome.Message);
                outcome.OAuthError = _options.Redactor.Redact(outcome.OAuthError);
                outcome.OAuthErrorDescription = _options.Redactor.Redact(outcome.OAuthErrorDescription);
                if (outcome.TokenType is not null && outcome.TokenType != "Bearer") { outcome.TokenType = _options.Redactor.Redact(outcome.TokenType); }
            }
            return outcome;
        }

        private async Task ExchangeCoreAsync(byte[] body, ExchangeOutcome outcome, CancellationToken cancellation)
        {
            var delay = _options.RetryInterval;
            for (var attempt = 1; ; attempt++)
            {
                outcome.Attempts = attempt;
                var retryAfter = await AttemptAsync(body, outcome, attempt, cancellation).ConfigureAwait(false);
                if (retryAfter is null) { return; }
                if (attempt > _options.MaximumRetryCount)
                {
                    outcome.Message += $" Gave up after {attempt} attempts; {NotSpent}.";
                    return;
                }
                // Our own backoff is capped; only a server that asks for a longer wait ends the retries.
                var wait = retryAfter.Value == TimeSpan.MinValue ? (delay < _options.MaximumRetryDelay ? delay : _options.MaximumRetryDelay) : retryAfter.Value;
                if (wait > _options.MaximumRetryDelay)
                {
                    outcome.Message += $" The server asked to wait {wait.TotalSeconds:0} s, more than the {_options.MaximumRetryDelay.TotalSeconds:0} s allowed; {NotSpent}.";
                    return;
                }
                Say($"Retrying in {wait.TotalMilliseconds:0} ms (attempt {attempt + 1} of {_options.MaximumRetryCount + 1}).");
                try
                {
                    await Task.Delay(wait, cancellation).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Cancelled(outcome, mayBeSpent: false);
                    return;
                }
                delay += delay;
            }
        }

        /// <summary>One POST. Returns null when done, or how long to wait before a retry (MinValue: the default backoff).</summary>
        private async Task<TimeSpan?> AttemptAsync(byte[] body, ExchangeOutcome outcome, int attempt, CancellationToken cancellation)
        {
            var target = _options.TokenEndpoint;
            var watch = Stopwatch.StartNew();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            // The connect timeout runs until the body starts going out; then the answer timeout starts afresh.
            timeout.CancelAfter(_options.ConnectTimeout);
            var sent = false;
            for (var redirects = 0; ; redirects++)
            {
                HttpResponseMessage response;
                var content = new TrackedContent(body, () => timeout.CancelAfter(_options.Timeout));
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, target)
                    {
                        Content = content,
                        Version = HttpVersion.Version11,
                    };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    sent |= content.Sent;
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    Cancelled(outcome, mayBeSpent: sent || content.Sent);
                    return null;
                }
                // (Filters run before any finally, so they read content.Sent itself.)
                catch (Exception failure) when (!sent && !content.Sent && failure is OperationCanceledException or HttpRequestException
                    && !(failure is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError }))
                {
                    // Nothing of the body went out: as good as a refused connection, whatever the socket was doing.
                    var why = failure is OperationCanceledException
                        ? $"no connection within {_options.ConnectTimeout.TotalSeconds:0} s"
                        : failure.InnerException?.Message ?? failure.Message;
                    Say($"POST {target.AbsoluteUri} could not connect after {watch.ElapsedMilliseconds} ms (attempt {attempt}): {why}");
                    Fail(outcome, ExchangeFailure.ConnectionFailed, false, null,
                        $"Could not connect to {target.GetLeftPart(UriPartial.Authority)}: {why}; nothing was sent.");
                    return TimeSpan.MinValue;
                }
                catch (OperationCanceledException)
                {
                    Say($"POST {target.AbsoluteUri} timed out after {watch.ElapsedMilliseconds} ms (attempt {attempt}).");
                    Fail(outcome, ExchangeFailure.OutcomeUnknown, true, null,
                        $"POST {target.AbsoluteUri} got no answer within {_options.Timeout.TotalSeconds:0} s and may have processed the request: {MaySpend}.");
                    return null;
                }
                catch (HttpRequestException failure) when (failure.HttpRequestError == HttpRequestError.SecureConnectionError)
                {
                    // Certificate validation is never switched off: a failed handshake is an error, not a retry.
                    Say($"POST {target.AbsoluteUri} failed the TLS handshake after {watch.ElapsedMilliseconds} ms (attempt {attempt}).");
                    Fail(outcome, ExchangeFailure.TlsFailed, false, null,
                        $"The TLS handshake with {target.GetLeftPart(UriPartial.Authority)} failed ({failure.InnerException?.Message ?? failure.Message}); nothing was sent ({NotSpent}). Check -BaseUri and the server's certificate.");
                    return null;
                }
                catch (HttpRequestException failure) when (IsConnectFailure(failure))
                {
                    Say($"POST {target.AbsoluteUri} could not connect after {watch.ElapsedMilliseconds} ms (attempt {attempt}): {failure.InnerException?.Message ?? failure.Message}");
                    Fail(outcome, ExchangeFailure.ConnectionFailed, false, null,
                        $"Could not connect to {target.GetLeftPart(UriPartial.Authority)}: {failure.InnerException?.Message ?? failure.Message}.");
                    return TimeSpan.MinValue;
                }
                catch (HttpRequestException failure)
                {
                    Say($"POST {target.AbsoluteUri} failed after {watch.ElapsedMilliseconds} ms (attempt {attempt}): {failure.Message}");
                    Fail(outcome, ExchangeFailure.OutcomeUnknown, true, null,
                        $"POST {target.AbsoluteUri} failed after the request went out ({failure.InnerException?.Message ?? failure.Message}) and the server may have processed it: {MaySpend}.");
                    return null;
                }

                using (response)
                {
                    var status = (int)response.StatusCode;
                    if (Log is not null) { Say($"POST {target.AbsoluteUri} -> {status} {response.ReasonPhrase} in {watch.ElapsedMilliseconds} ms (attempt {attempt})."); }
                    outcome.StatusCode = response.StatusCode;
                    if (status is 301 or 302 or 303 or 307 or 308)
                    {
                        Uri? next = null;
                        if (response.Headers.Location is { } location) { Uri.TryCreate(target, location, out next); }
                        if (next is not null && SameOrigin(next, _options.TokenEndpoint) && status is 307 or 308 && redirects >= MaximumRedirects)
                        {
                            Fail(outcome, ExchangeFailure.RedirectRefused, false, null,
                                $"POST {_options.TokenEndpoint} was redirected {redirects + 1} times in a row (the last {status} towards {next.GetLeftPart(UriPartial.Path)}); ConvTokens follows at most {MaximumRedirects} redirects, so this looks like a redirect loop. Nothing was exchanged; {NotSpent}. Check -BaseUri and the server.");
                            return null;
                        }
                        if (next is null || !SameOrigin(next, _options.TokenEndpoint) || status is 301 or 302 or 303)
                        {
                            Fail(outcome, ExchangeFailure.RedirectRefused, false, null,
                                $"POST {target.AbsoluteUri} answered {status} towards {(next is null ? "no location" : next.GetLeftPart(UriPartial.Path))}; ConvTokens follows only 307/308 redirects within {_options.TokenEndpoint.GetLeftPart(UriPartial.Authority)}, so the apiKey never goes to another origin. Check -BaseUri.");
                            return null;
                        }
                        target = next;
                        continue;
                    }
                    return await InterpretAsync(response, outcome, target, timeout.Token, cancellation).ConfigureAwait(false);
                }
            }
        }

        private async Task<TimeSpan?> InterpretAsync(HttpResponseMessage response, ExchangeOutcome outcome, Uri target,
            CancellationToken timeout, CancellationToken cancellation)
        {
            var status = (int)response.StatusCode;
            byte[]? bytes;
            try
            {
                bytes = await ReadLimitedAsync(response.Content, timeout).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is OperationCanceledException or HttpRequestException or IOException)
            {
                if (cancellation.IsCancellationRequested)
                {
                    Cancelled(outcome, mayBeSpent: true);
                    return null;
                }
                var retryable = status is 429 or 503;
                Fail(outcome, retryable ? (status == 429 ? ExchangeFailure.RateLimited : ExchangeFailure.ServiceUnavailable) : ExchangeFailure.OutcomeUnknown,
                    !retryable, null, $"POST {target.AbsoluteUri} answered {status} but the body could not be read ({failure.Message})" +
                    (retryable ? "." : $"; {MaySpend}."));
                return retryable ? RetryAfter(response) : null;
            }

            if (bytes is null)
            {
                if (status is 429 or 503)
                {
                    // The status decides: the server said it did not take the request, however long its page.
                    Fail(outcome, status == 429 ? ExchangeFailure.RateLimited : ExchangeFailure.ServiceUnavailable, false, null,
                        $"POST {target.AbsoluteUri} answered {status} {(status == 429 ? "Too Many Requests" : "Service Unavailable")} (its body, over {_options.MaximumResponseBytes} bytes, was not read).");
                    return RetryAfter(response);
                }
                Fail(outcome, status is >= 200 and < 300 ? ExchangeFailure.ResponseInvalid : ExchangeFailure.ServerError, true, null,
                    $"POST {target.AbsoluteUri} answered {status} with a body over {_options.MaximumResponseBytes} bytes, which was not read; {MaySpend}.");
                return null;
            }

            if (status is >= 200 and < 300)
            {
                ReadSuccess(bytes, outcome, target);
                return null;
            }

            var text = Encoding.UTF8.GetString(bytes);
            var (error, description) = ReadOAuthError(text, response.Content.Headers.ContentType?.MediaType);
            // Redacted before clipping, so no clip can leave part of a secret behind.
            error = Clip(_options.Redactor.Redact(error));
            description = Clip(_options.Redactor.Redact(description));
            outcome.OAuthError = error;
            outcome.OAuthErrorDescription = description;
            var said = error is null ? string.Empty : $" {error}{(description is null ? string.Empty : $": {description}")}";
            switch (status)
            {
                case 429:
                    Fail(outcome, ExchangeFailure.RateLimited, false, error, $"POST {target.AbsoluteUri} answered 429 Too Many Requests{said}.");
                    return RetryAfter(response);
                case 503:
                    Fail(outcome, ExchangeFailure.ServiceUnavailable, false, error, $"POST {target.AbsoluteUri} answered 503 Service Unavailable{said}.");
                    return RetryAfter(response);
                case >= 500:
                    Fail(outcome, ExchangeFailure.ServerError, true, error,
                        $"POST {target.AbsoluteUri} answered {status}{said}{Describe(response, text, error)}; the server may have processed the request: {MaySpend}.");
                    return null;
                case 404:
                    Fail(outcome, ExchangeFailure.Rejected, false, error,
                        $"POST {target.AbsoluteUri} answered 404 Not Found{said}: nothing takes tokens at that URL. Check -BaseUri: the request goes to {{BaseUri}}/token, for the production API {ProductionTokenEndpoint}. Nothing was exchanged; {NotSpent}.");
                    return null;
                case 401 when error == "invalid_client":
                case 400 when error == "invalid_client":
                    // Client authentication comes before the grant is looked at (RFC 6749 §5.2).
                    Fail(outcome, ExchangeFailure.Rejected, false, error,
                        $"POST {target.AbsoluteUri} answered {status}{said}. Nothing was exchanged; {NotSpent}.");
                    return null;
                default:
                    Fail(outcome, ExchangeFailure.Rejected, false, error,
                        $"POST {target.AbsoluteUri} answered {status}{said}{Describe(response, text, error)}.");
                    return null;
            }
        }

        private static ReadOnlySpan<byte> Utf8ByteOrderMark => new byte[] { 0xEF, 0xBB, 0xBF };

        /// <summary>The members a success answer is read from, each in order of precedence (whatever their order in the body).</summary>
        private static readonly string[] TokenMembers = { "access_token", "sessionToken", "session_token", "token" };
        private static readonly string[] TypeMembers = { "token_type", "tokenType" };
        private static readonly string[] LifetimeMembers = { "expires_in", "expiresIn" };

        /// <summary>
        /// The one rule for a success answer (about_ConvTokens, "SUCCESSFUL ANSWERS"): UTF-8 JSON (a leading
        /// byte-order mark is skipped, invalid UTF-8 refuses the answer); an object; access_token, else
        /// sessionToken, session_token, token, whatever the order; any member read here given twice refuses
        /// the answer; the token is 1 to MaximumTokenLength characters of the bearer-token alphabet (RFC 6750),
        /// so no space, CR, LF, NUL or other control character.
        /// </summary>
        private void ReadSuccess(byte[] bytes, ExchangeOutcome outcome, Uri target)
        {
            var problem = ReadSuccessBody(bytes, out var token, out var type, out var expiresIn);
            if (problem is not null)
            {
                Fail(outcome, ExchangeFailure.ResponseInvalid, true, null,
                    $"POST {target.AbsoluteUri} answered {(int?)outcome.StatusCode} but {problem}; {MaySpend}.");
                return;
            }
            var now = _clock();
            // A retried exchange may carry the failure of an earlier attempt.
            outcome.Failure = ExchangeFailure.None;
            outcome.Message = null;
            outcome.OAuthError = null;
            outcome.OAuthErrorDescription = null;
            outcome.AccessToken = token;
            outcome.TokenType = type ?? "Bearer";
            outcome.IssuedOn = now;
            if (expiresIn is double lifetime && lifetime > 0 && lifetime < 10 * 365 * 86400)
            {
                outcome.ExpiresOn = now.AddSeconds(lifetime);
                outcome.ExpirySource = "expires_in";
            }
            else if (JwtPeek.ReadClaims(token!) is { } claims && claims.Contains("exp") && claims["exp"] is long exp && exp is > 0 and < 253402300799)
            {
                outcome.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(exp);
                outcome.ExpirySource = "exp";
            }
            else
            {
                outcome.ExpiresOn = now + _options.DefaultLifetime;
                outcome.ExpirySource = "default";
            }
        }

        private string? ReadSuccessBody(byte[] bytes, out string? token, out string? type, out double? expiresIn)
        {
            token = type = null;
            expiresIn = null;
            var json = bytes.AsMemory();
            if (json.Span.StartsWith(Utf8ByteOrderMark)) { json = json.Slice(3); }
            if (!System.Text.Unicode.Utf8.IsValid(json.Span)) { return "the body is not valid UTF-8"; }
            try
            {
                using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) { return $"the body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object"; }
                var found = new System.Collections.Generic.Dictionary<string, JsonElement>(StringComparer.Ordinal);
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
                if (token.Length > _options.MaximumTokenLength)
                {
                    var length = token.Length;
                    token = null;
                    return $"its {tokenMember} is {length:N0} characters long, more than the {_options.MaximumTokenLength:N0} a session token may have (a SecureString's limit)";
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
                    else if (lifetime.ValueKind == JsonValueKind.String && double.TryParse(lifetime.GetString(), System.Globalization.NumberStyles.Float,
                        System.Globalization.CultureInfo.InvariantCulture, out var parsed)) { expiresIn = parsed; }
                }
                return null;
            }
            catch (JsonException)
            {
                token = null;
                return "the body is not valid JSON";
            }
        }

        /// <summary>RFC 6750 b64token: letters, digits, - . _ ~ + / and trailing =.</summary>
        private static bool IsBearerToken(string token)
        {
            var characters = token.AsSpan().TrimEnd('=');
            return characters.Length > 0 && characters.IndexOfAnyExcept(BearerCharacters) < 0;
        }

        private static readonly SearchValues<char> BearerCharacters =
            SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");

        private static bool IsPrintableAscii(string text)
        {
            foreach (var c in text)
            {
                if (c < 0x20 || c > 0x7E) { return false; }
            }
            return true;
        }

        /// <summary>The whole body, or null when it is longer than MaximumResponseBytes (declared or counted).</summary>
        private async Task<byte[]?> ReadLimitedAsync(HttpContent content, CancellationToken cancellation)
        {
            var declared = content.Headers.ContentLength;
            if (declared > _options.MaximumResponseBytes) { return null; }
            using var stream = await content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            if (declared is long length)
            {
                // The usual answer: its length is known, so it is read straight into an array of that size.
                var exact = new byte[length];
                var read = await stream.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellation).ConfigureAwait(false);
                if (read < exact.Length) { throw new IOException($"the connection closed after {read} of the {length} bytes the answer declared"); }
                return exact;
            }
            using var buffer = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(8192);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellation).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > _options.MaximumResponseBytes) { return null; }
                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            return buffer.ToArray();
        }

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

        private static string Describe(HttpResponseMessage response, string text, string? error)
        {
            if (error is not null) { return string.Empty; }
            var type = response.Content.Headers.ContentType?.MediaType ?? "no content type";
            return $" with a {type} body of {Encoding.UTF8.GetByteCount(text)} bytes and no OAuth error";
        }

        private static string? Clip(string? text) => text is null ? null : JsonMembers.Clip(text, 300);

        private TimeSpan RetryAfter(HttpResponseMessage response)
        {
            var header = response.Headers.RetryAfter;
            if (header?.Delta is TimeSpan delta) { return delta < TimeSpan.Zero ? TimeSpan.Zero : delta; }
            if (header?.Date is DateTimeOffset date)
            {
                var wait = date - _clock();
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
            return TimeSpan.MinValue;
        }

        /// <summary>True only when the request cannot have reached the server: the connection was never made.</summary>
        private static bool IsConnectFailure(HttpRequestException failure)
        {
            if (failure.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError) { return true; }
            return failure.InnerException is SocketException socket && socket.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable;
        }

        private const string ProductionTokenEndpoint = BaseUriPolicy.ProductionBaseUri + "/token";

        /// <summary>A verbose line, with the request's secrets taken out of whatever the server put in it.</summary>
        private void Say(string line)
        {
            var log = Log;
            if (log is not null) { log(_options.Redactor.Redact(line)!); }
        }

        /// <summary>The request body, noting when it starts to go out: from then on the token may be spent.</summary>
        private sealed class TrackedContent : HttpContent
        {
            private readonly byte[] _body;
            private readonly Action _sending;
            private volatile bool _sent;

            public TrackedContent(byte[] body, Action sending)
            {
                _body = body;
                _sending = sending;
            }

            public bool Sent => _sent;

            protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
                SerializeToStreamAsync(stream, context, CancellationToken.None);

            protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
            {
                _sent = true;
                _sending();
                await stream.WriteAsync(_body, cancellationToken).ConfigureAwait(false);
            }

            protected override bool TryComputeLength(out long length)
            {
                length = _body.Length;
                return true;
            }
        }

        private static bool SameOrigin(Uri a, Uri b) =>
            string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
            && a.Port == b.Port;

        private static void Fail(ExchangeOutcome outcome, ExchangeFailure failure, bool mayBeSpent, string? oauthError, string message)
        {
            outcome.Failure = failure;
            outcome.MayBeSpent |= mayBeSpent;
            outcome.OAuthError = oauthError ?? outcome.OAuthError;
            outcome.Message = message;
        }

        private void Cancelled(ExchangeOutcome outcome, bool mayBeSpent)
        {
            Fail(outcome, ExchangeFailure.Cancelled, mayBeSpent, null,
                mayBeSpent ? $"Stopped while the request was in flight; {MaySpend}." : "Stopped before the request was sent.");
        }

        /// <summary>What a failure that cannot have reached the server means for the caller.</summary>
        private string NotSpent => _options.SpendsOneTimeToken ? "the initialization token was not spent and can be sent again" : "the request can be sent again";

        /// <summary>What a failure after the request may have been processed means for the caller.</summary>
        private string MaySpend => _options.SpendsOneTimeToken
            ? "the initialization token may be spent, so mint a new one rather than sending it again"
            : "a session may have been opened";

        public void Dispose() => _http.Dispose();
    }
}
