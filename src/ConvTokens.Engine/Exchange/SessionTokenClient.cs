using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>
    /// The transport of the exchange: posts grants to one /token endpoint over one pooled HttpClient
    /// (keep-alive, bounded connections), follows the redirects <see cref="ExchangePolicy"/> allows, retries
    /// what it says to retry, and hands each answer's status, headers and body to <see cref="TokenAnswer"/>;
    /// the words come from <see cref="ExchangeMessages"/>. Built from the secrets its requests carry, so it
    /// withholds exactly those from every text a server could shape. Thread-safe: many exchanges may run at
    /// once. Knows nothing of PowerShell; narrates through <see cref="Log"/>.
    /// </summary>
    public sealed class SessionTokenClient : IDisposable
    {
        private readonly HttpClient _http;
        private readonly ExchangeOptions _options;
        private readonly Func<DateTimeOffset> _clock;
        private readonly SecretBytes _apiKey;
        private readonly SecretBytes? _clientSecret;
        private readonly Redactor _redactor;
        private readonly ExchangeMessages _messages;

        /// <param name="apiKey">The apiKey every request carries; borrowed (the caller disposes it after the client).</param>
        /// <param name="clientSecret">The client secret, which the client-credentials grant needs and no other may have.</param>
        public SessionTokenClient(ExchangeOptions options, SecretBytes apiKey, SecretBytes? clientSecret = null, Func<DateTimeOffset>? clock = null)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _apiKey = apiKey ?? throw new ArgumentNullException(nameof(apiKey), "A client is built from the apiKey its requests carry, so that it can withhold it.");
            if ((clientSecret is null) == (options.Grant == GrantKind.ClientCredentials))
            {
                throw new ArgumentException(clientSecret is null
                    ? "The client-credentials grant carries the client secret: build the client with it, so that it can withhold it."
                    : "Only the client-credentials grant carries a client secret.", nameof(clientSecret));
            }
            if (apiKey.IsDisposed || clientSecret?.IsDisposed == true) { throw new ObjectDisposedException(nameof(SecretBytes), "A client cannot be built from a secret already cleared."); }
            _clientSecret = clientSecret;
            // The redactor knows every secret a request of this client can carry, and nothing else builds one for it.
            _redactor = new Redactor(apiKey, clientSecret);
            _messages = new ExchangeMessages(options);
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            var handler = new SocketsHttpHandler
            {
                // Redirects are followed by hand, only within the endpoint's origin (see AttemptAsync).
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

        /// <summary>The body that exchanges <paramref name="assertion"/> (JWT-bearer grant) with this client's apiKey; <see cref="ExchangeAsync"/> clears it.</summary>
        public byte[] JwtBearerBody(string assertion)
        {
            if (_options.Grant != GrantKind.JwtBearer) { throw new InvalidOperationException("This client sends the client-credentials grant."); }
            return ExchangeRequest.JwtBearer(_apiKey, assertion);
        }

        /// <summary>The body that opens a session (client-credentials grant) with this client's apiKey and client secret.</summary>
        public byte[] ClientCredentialsBody() =>
            ExchangeRequest.ClientCredentials(_apiKey, _clientSecret ?? throw new InvalidOperationException("This client sends the JWT-bearer grant."));

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
                Fail(outcome, ExchangeFailure.OutcomeUnknown, _messages.Unexpected(failure));
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
                outcome.Message = _redactor.Redact(outcome.Message);
                outcome.OAuthError = _redactor.Redact(outcome.OAuthError);
                outcome.OAuthErrorDescription = _redactor.Redact(outcome.OAuthErrorDescription);
                if (outcome.TokenType is not null && outcome.TokenType != "Bearer") { outcome.TokenType = _redactor.Redact(outcome.TokenType); }
            }
            return outcome;
        }

        private async Task ExchangeCoreAsync(byte[] body, ExchangeOutcome outcome, CancellationToken cancellation)
        {
            var backoff = _options.RetryInterval;
            for (var attempt = 1; ; attempt++)
            {
                outcome.Attempts = attempt;
                var asked = await AttemptAsync(body, outcome, attempt, cancellation).ConfigureAwait(false);
                if (!ExchangePolicy.Retries(outcome.Failure)) { return; }
                if (attempt > _options.MaximumRetryCount)
                {
                    outcome.Message += _messages.GaveUp(attempt);
                    return;
                }
                if (ExchangePolicy.RetryWait(asked, backoff, _options.MaximumRetryDelay) is not TimeSpan wait)
                {
                    outcome.Message += _messages.WaitTooLong(asked!.Value);
                    return;
                }
                Say(_messages.Retrying(wait, attempt));
                try
                {
                    await Task.Delay(wait, cancellation).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Cancelled(outcome, mayBeSpent: false);
                    return;
                }
                backoff += backoff;
            }
        }

        /// <summary>One POST, redirects followed; its result is in <paramref name="outcome"/>. Returns the wait the server asked for before a retry, if any.</summary>
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
                catch (Exception failure) when (failure is OperationCanceledException or HttpRequestException)
                {
                    sent |= content.Sent;
                    if (failure is OperationCanceledException && cancellation.IsCancellationRequested)
                    {
                        Cancelled(outcome, mayBeSpent: sent);
                        return null;
                    }
                    var fault = ExchangePolicy.Classify(failure, sent)!.Value;
                    Say(_messages.TransportLine(fault, failure, target, watch.ElapsedMilliseconds, attempt));
                    Fail(outcome, ExchangePolicy.ForTransport(fault), _messages.Transport(fault, failure, target));
                    return null;
                }

                using (response)
                {
                    var status = (int)response.StatusCode;
                    if (Log is not null) { Say(_messages.Answered(target, status, response.ReasonPhrase, watch.ElapsedMilliseconds, attempt)); }
                    outcome.StatusCode = response.StatusCode;
                    if (ExchangePolicy.IsRedirect(status))
                    {
                        Uri? next = null;
                        if (response.Headers.Location is { } location) { Uri.TryCreate(target, location, out next); }
                        var verdict = ExchangePolicy.Redirect(status, next, _options.TokenEndpoint, redirects);
                        if (verdict == RedirectVerdict.Follow)
                        {
                            target = next!;
                            continue;
                        }
                        Fail(outcome, ExchangeFailure.RedirectRefused, _messages.Redirect(verdict, status, target, next, redirects));
                        return null;
                    }
                    var answer = await ReadAnswerAsync(response, status, timeout.Token, cancellation).ConfigureAwait(false);
                    if (answer is { } read) { Apply(outcome, read, target); }
                    else { Cancelled(outcome, mayBeSpent: true); }
                    return answer?.RetryAfter;
                }
            }
        }

        /// <summary>The answer as <see cref="TokenAnswer"/> reads it, or null when the caller stopped while its body was read.</summary>
        private async Task<Answer?> ReadAnswerAsync(HttpResponseMessage response, int status, CancellationToken timeout, CancellationToken cancellation)
        {
            // Headers parsed only where they count, so a success reads none (the grammar ignores them there).
            var retryAfter = ExchangePolicy.NotTaken(status) ? response.Headers.RetryAfter : null;
            byte[]? bytes;
            try
            {
                bytes = await ReadLimitedAsync(response.Content, timeout).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is OperationCanceledException or HttpRequestException or IOException)
            {
                if (cancellation.IsCancellationRequested) { return null; }
                return TokenAnswer.Unread(status, BodyState.Unreadable, retryAfter, _clock(), failure.Message);
            }
            return bytes is null
                ? TokenAnswer.Unread(status, BodyState.TooLarge, retryAfter, _clock())
                : TokenAnswer.Read(status, ExchangePolicy.IsSuccess(status) ? null : response.Content.Headers.ContentType?.MediaType,
                    retryAfter, bytes, _clock(), _options, _redactor);
        }

        /// <summary>Puts one answer into the outcome; a success clears what an earlier attempt's failure left there.</summary>
        private void Apply(ExchangeOutcome outcome, in Answer answer, Uri target)
        {
            if (!answer.Succeeded)
            {
                if (answer.HasOAuthError)
                {
                    outcome.OAuthError = answer.OAuthError;
                    outcome.OAuthErrorDescription = answer.OAuthErrorDescription;
                }
                Fail(outcome, answer.Failure, _messages.Answer(answer, target)!);
                return;
            }
            outcome.Failure = ExchangeFailure.None;
            outcome.Message = null;
            outcome.OAuthError = null;
            outcome.OAuthErrorDescription = null;
            outcome.AccessToken = answer.AccessToken;
            outcome.TokenType = answer.TokenType;
            outcome.IssuedOn = answer.IssuedOn;
            outcome.ExpiresOn = answer.ExpiresOn;
            outcome.ExpirySource = answer.ExpirySource;
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

        /// <summary>A verbose line, with the request's secrets taken out of whatever the server put in it.</summary>
        private void Say(string line)
        {
            var log = Log;
            if (log is not null) { log(_redactor.Redact(line)!); }
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

        private static void Fail(ExchangeOutcome outcome, ExchangeFailure failure, string message, bool? mayBeSpent = null)
        {
            outcome.Failure = failure;
            outcome.MayBeSpent |= mayBeSpent ?? ExchangePolicy.MayBeSpent(failure);
            outcome.Message = message;
        }

        private void Cancelled(ExchangeOutcome outcome, bool mayBeSpent) =>
            Fail(outcome, ExchangeFailure.Cancelled, _messages.Cancelled(mayBeSpent), mayBeSpent);

        public void Dispose() => _http.Dispose();
    }
}
