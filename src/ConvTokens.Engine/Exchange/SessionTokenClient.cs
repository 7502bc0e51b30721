using System;
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
                UseProxy = true,
                MaxConnectionsPerServer = Math.Max(1, options.MaximumConnections),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                ConnectTimeout = options.Timeout,
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
            finally
            {
                CryptographicOperations.ZeroMemory(body);
                outcome.Elapsed = watch.Elapsed;
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
                Log?.Invoke($"Retrying in {wait.TotalMilliseconds:0} ms (attempt {attempt + 1} of {_options.MaximumRetryCount + 1}).");
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
            timeout.CancelAfter(_options.Timeout);
            for (var redirects = 0; ; redirects++)
            {
                HttpResponseMessage response;
                var sent = false;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, target)
                    {
                        Content = new ByteArrayContent(body),
                        Version = HttpVersion.Version11,
                    };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    sent = true;
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    Cancelled(outcome, mayBeSpent: sent);
                    return null;
                }
                catch (OperationCanceledException)
                {
                    Log?.Invoke($"POST {target} timed out after {watch.ElapsedMilliseconds} ms (attempt {attempt}).");
                    Fail(outcome, ExchangeFailure.OutcomeUnknown, true, null,
                        $"POST {target} got no answer within {_options.Timeout.TotalSeconds:0} s and may have processed the request: {MaySpend}.");
                    return null;
                }
                catch (HttpRequestException failure) when (failure.HttpRequestError == HttpRequestError.SecureConnectionError)
                {
                    // Certificate validation is never switched off: a failed handshake is an error, not a retry.
                    Log?.Invoke($"POST {target} failed the TLS handshake after {watch.ElapsedMilliseconds} ms (attempt {attempt}).");
                    Fail(outcome, ExchangeFailure.TlsFailed, false, null,
                        $"The TLS handshake with {target.GetLeftPart(UriPartial.Authority)} failed ({failure.InnerException?.Message ?? failure.Message}); nothing was sent ({NotSpent}). Check -BaseUri and the server's certificate.");
                    return null;
                }
                catch (HttpRequestException failure) when (IsConnectFailure(failure))
                {
                    Log?.Invoke($"POST {target} could not connect after {watch.ElapsedMilliseconds} ms (attempt {attempt}): {failure.InnerException?.Message ?? failure.Message}");
                    Fail(outcome, ExchangeFailure.ConnectionFailed, false, null,
                        $"Could not connect to {target.GetLeftPart(UriPartial.Authority)}: {failure.InnerException?.Message ?? failure.Message}.");
                    return TimeSpan.MinValue;
                }
                catch (HttpRequestException failure)
                {
                    Log?.Invoke($"POST {target} failed after {watch.ElapsedMilliseconds} ms (attempt {attempt}): {failure.Message}");
                    Fail(outcome, ExchangeFailure.OutcomeUnknown, true, null,
                        $"POST {target} failed after the request went out ({failure.InnerException?.Message ?? failure.Message}) and the server may have processed it: {MaySpend}.");
                    return null;
                }

                using (response)
                {
                    var status = (int)response.StatusCode;
                    Log?.Invoke($"POST {target} -> {status} {response.ReasonPhrase} in {watch.ElapsedMilliseconds} ms (attempt {attempt}).");
                    outcome.StatusCode = response.StatusCode;
                    if (status is 301 or 302 or 303 or 307 or 308)
                    {
                        var next = response.Headers.Location is { } location ? new Uri(target, location) : null;
                        if (next is null || !SameOrigin(next, _options.TokenEndpoint) || status is 301 or 302 or 303 || redirects >= MaximumRedirects)
                        {
                            Fail(outcome, ExchangeFailure.RedirectRefused, false, null,
                                $"POST {target} answered {status} towards {(next is null ? "no location" : next.GetLeftPart(UriPartial.Path))}; ConvTokens follows only 307/308 redirects within {_options.TokenEndpoint.GetLeftPart(UriPartial.Authority)}, so the apiKey never goes to another origin. Check -BaseUri.");
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
            string? text;
            try
            {
                text = await ReadLimitedAsync(response.Content, timeout).ConfigureAwait(false);
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
                    !retryable, null, $"POST {target} answered {status} but the body could not be read ({failure.Message})" +
                    (retryable ? "." : $"; {MaySpend}."));
                return retryable ? RetryAfter(response) : null;
            }

            if (text is null)
            {
                Fail(outcome, status is >= 200 and < 300 ? ExchangeFailure.ResponseInvalid : ExchangeFailure.ServerError, true, null,
                    $"POST {target} answered {status} with a body over {_options.MaximumResponseBytes} bytes, which was not read; {MaySpend}.");
                return null;
            }

            if (status is >= 200 and < 300)
            {
                ReadSuccess(text, outcome, target);
                return null;
            }

            var (error, description) = ReadOAuthError(text, response.Content.Headers.ContentType?.MediaType);
            outcome.OAuthError = error;
            outcome.OAuthErrorDescription = description;
            var said = error is null ? string.Empty : $" {error}{(description is null ? string.Empty : $": {description}")}";
            switch (status)
            {
                case 429:
                    Fail(outcome, ExchangeFailure.RateLimited, false, error, $"POST {target} answered 429 Too Many Requests{said}.");
                    return RetryAfter(response);
                case 503:
                    Fail(outcome, ExchangeFailure.ServiceUnavailable, false, error, $"POST {target} answered 503 Service Unavailable{said}.");
                    return RetryAfter(response);
                case >= 500:
                    Fail(outcome, ExchangeFailure.ServerError, true, error,
                        $"POST {target} answered {status}{said}{Describe(response, text, error)}; the server may have processed the request: {MaySpend}.");
                    return null;
                default:
                    Fail(outcome, ExchangeFailure.Rejected, false, error,
                        $"POST {target} answered {status}{said}{Describe(response, text, error)}.");
                    return null;
            }
        }

        private void ReadSuccess(string text, ExchangeOutcome outcome, Uri target)
        {
            string? token = null;
            string? type = null;
            double? expiresIn = null;
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        switch (property.Name)
                        {
                            case "access_token" or "sessionToken" or "token" or "session_token" when property.Value.ValueKind == JsonValueKind.String:
                                token ??= property.Value.GetString();
                                break;
                            case "token_type" or "tokenType" when property.Value.ValueKind == JsonValueKind.String:
                                type = property.Value.GetString();
                                break;
                            case "expires_in" or "expiresIn" when property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var seconds):
                                expiresIn = seconds;
                                break;
                            case "expires_in" or "expiresIn" when property.Value.ValueKind == JsonValueKind.String
                                && double.TryParse(property.Value.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed):
                                expiresIn = parsed;
                                break;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                token = null;
            }
            if (string.IsNullOrEmpty(token))
            {
                Fail(outcome, ExchangeFailure.ResponseInvalid, true, null,
                    $"POST {target} answered {(int?)outcome.StatusCode} but the body holds no session token (access_token, sessionToken or token); {MaySpend}.");
                return;
            }
            var now = _clock();
            // A retried exchange may carry the failure of an earlier attempt.
            outcome.Failure = ExchangeFailure.None;
            outcome.Message = null;
            outcome.OAuthError = null;
            outcome.OAuthErrorDescription = null;
            outcome.AccessToken = token;
            outcome.TokenType = string.IsNullOrEmpty(type) ? "Bearer" : type;
            outcome.IssuedOn = now;
            if (expiresIn is double lifetime && lifetime > 0 && lifetime < 10 * 365 * 86400)
            {
                outcome.ExpiresOn = now.AddSeconds(lifetime);
                outcome.ExpirySource = "expires_in";
            }
            else if (JwtPeek.ReadClaims(token) is { } claims && claims.Contains("exp") && claims["exp"] is long exp && exp is > 0 and < 253402300799)
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

        private async Task<string?> ReadLimitedAsync(HttpContent content, CancellationToken cancellation)
        {
            if (content.Headers.ContentLength is long declared && declared > _options.MaximumResponseBytes) { return null; }
            using var stream = await content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellation).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaximumResponseBytes) { return null; }
                buffer.Write(chunk, 0, read);
            }
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        private static (string? Error, string? Description) ReadOAuthError(string text, string? mediaType)
        {
            if (mediaType is null || !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)) { return (null, null); }
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
                if (document.RootElement.ValueKind != JsonValueKind.Object) { return (null, null); }
                string? Get(string name) => document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                    ? Clip(value.GetString()) : null;
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

        private static string? Clip(string? text) => text is null ? null : text.Length <= 300 ? text : text.Substring(0, 300) + "…";

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
