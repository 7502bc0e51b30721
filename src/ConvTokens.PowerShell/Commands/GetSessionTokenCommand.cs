using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using ConvTokens.Engine;
using ConvTokens.Engine.Exchange;
using ConvTokens.PowerShell.Secrets;

namespace ConvTokens.PowerShell.Commands
{
    /// <summary>
    /// Exchanges initialization tokens for session tokens at {BaseUri}/token (JWT-bearer grant), or opens a
    /// machine-to-machine session (client-credentials grant). Requests run concurrently up to
    /// -ThrottleLimit over one keep-alive HttpClient; output keeps input order.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SessionToken", DefaultParameterSetName = JwtBearerParameterSet)]
    [OutputType(typeof(SessionToken))]
    public sealed class GetSessionTokenCommand : ConvTokensCmdlet
    {
        private const string JwtBearerParameterSet = "JwtBearer";
        private const string ClientCredentialsParameterSet = "ClientCredentials";
        public const string ProductionBaseUri = "https://api.jackpot-io.com/v2";
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);
        /// <summary>A batch that has run this long shows progress; a quicker one shows none.</summary>
        private static readonly TimeSpan ProgressDelay = TimeSpan.FromSeconds(1);
        /// <summary>The most characters a SecureString holds.</summary>
        private const int MaximumSessionTokenLength = 65536;
        /// <summary>How many answers per request slot may wait, in order, behind the oldest unanswered one.</summary>
        private const int ReorderWindow = 64;

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Queue<PendingExchange> _pending = new Queue<PendingExchange>();
        private readonly ConcurrentQueue<string> _log = new ConcurrentQueue<string>();
        private readonly Stopwatch _sinceProgress = new Stopwatch();
        private readonly Stopwatch _sinceStart = new Stopwatch();
        private PipelineSecret? _apiKey;
        private PipelineSecret? _clientSecret;
        private SessionTokenClient? _client;
        private Uri _tokenEndpoint = new Uri(ProductionBaseUri + "/token");
        private long _inputNumber;
        private long _completed;
        private long _failed;
        private bool _progressShown;

        #region Parameters

        /// <summary>InitializationToken objects, compact token strings, or objects with a Token property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = JwtBearerParameterSet)]
        [Alias("Token", "Assertion")]
        [AllowNull]
        [AllowEmptyCollection]
        public PSObject[]? InitializationToken { get; set; }

        /// <summary>Open a machine-to-machine session with the client-credentials grant.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ClientCredentialsParameterSet)]
        public SwitchParameter ClientCredentials { get; set; }

        [Parameter(ParameterSetName = ClientCredentialsParameterSet)]
        [Secrets.DirectSecret]
        public object? ClientSecret { get; set; }

        [Parameter(ParameterSetName = ClientCredentialsParameterSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SecretNameCompleter))]
        public string ClientSecretSecretName { get; set; } = DefaultClientSecretSecretName;

        [Parameter]
        [Secrets.DirectSecret]
        public object? ApiKey { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SecretNameCompleter))]
        public string ApiKeySecretName { get; set; } = DefaultApiKeySecretName;

        /// <summary>The API's base address; the endpoint is {BaseUri}/token. https only, except loopback addresses.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri BaseUri { get; set; } = new Uri(ProductionBaseUri);

        /// <summary>How many requests may be in flight at once.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        [Parameter]
        [ValidateRange(1, 600)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>Retries for failures that cannot have spent the token: no connection, 429, 503.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaximumRetryCount { get; set; } = 3;

        /// <summary>First wait between retries when the server sends no Retry-After; doubles each retry.</summary>
        [Parameter]
        [ValidateRange(0, 600)]
        public double RetryIntervalSec { get; set; } = 1;

        /// <summary>The longest wait before a retry: caps the doubled interval (retries go on); a longer Retry-After ends the retries.</summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int MaximumRetryDelaySec { get; set; } = 60;

        /// <summary>Also put the token in PlainTextToken as a string.</summary>
        [Parameter]
        public SwitchParameter AsPlainText { get; set; }

        #endregion

        #region Overrides

        protected override void BeginProcessing()
        {
            _sinceStart.Start();
            if (!BaseUriPolicy.TryGetTokenEndpoint(BaseUri, out var endpoint, out var problem))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), "BaseUriInsecure", ErrorCategory.SecurityError, BaseUri));
            }
            _tokenEndpoint = endpoint!;
            _apiKey = Secret("ApiKey", ApiKey, ApiKeySecretName);
            if (ClientCredentials)
            {
                _clientSecret = Secret("ClientSecret", ClientSecret, ClientSecretSecretName);
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ClientCredentialsParameterSet)
            {
                _inputNumber++;
                var apiKey = Read(_apiKey!);
                var clientSecret = Read(_clientSecret!);
                var body = ExchangeRequest.ClientCredentials(apiKey, clientSecret);
                Enqueue(new PendingExchange(Client().ExchangeAsync(body, _stop.Token), _inputNumber, "client_credentials", null, null, null, _tokenEndpoint));
                DrainCompleted();
                return;
            }
            // A piped $null binds as no array at all; it is still one input.
            foreach (var item in InitializationToken ?? new PSObject[] { null! })
            {
                _inputNumber++;
                if (!TryReadToken(item, out var token, out var notificationKey, out var userId, out var amount, out var problem))
                {
                    // Written in its turn, after the results of earlier inputs.
                    Enqueue(PendingExchange.Invalid(new ErrorRecord(new ArgumentException($"Input #{_inputNumber}: {problem}"), "InitializationTokenInputInvalid",
                        ErrorCategory.InvalidArgument, item), _inputNumber));
                    DrainCompleted();
                    continue;
                }
                var body = ExchangeRequest.JwtBearer(Read(_apiKey!), token!);
                Enqueue(new PendingExchange(Client().ExchangeAsync(body, _stop.Token), _inputNumber, "jwt-bearer", notificationKey, userId, amount, item));
                Throttle();
            }
        }

        protected override void EndProcessing()
        {
            while (_pending.Count > 0) { WriteNext(); }
            FlushLog();
            if (_progressShown)
            {
                var activity = ParameterSetName == ClientCredentialsParameterSet ? "Opening sessions" : "Exchanging tokens";
                WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        protected override void StopProcessing() => _stop.Cancel();

        protected override void DisposeResources()
        {
            _stop.Cancel();
            // Let in-flight requests observe the cancellation, for at most two seconds in all, then drop the connections.
            var inFlight = new List<Task>(_pending.Count);
            foreach (var pending in _pending) { inFlight.Add(pending.Task); }
            try { Task.WaitAll(inFlight.ToArray(), TimeSpan.FromSeconds(2)); }
            catch (AggregateException) { }
            _client?.Dispose();
            _stop.Dispose();
        }

        #endregion

        private SessionTokenClient Client()
        {
            if (_client is not null) { return _client; }
            _client = new SessionTokenClient(new ExchangeOptions
            {
                TokenEndpoint = _tokenEndpoint,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                ConnectTimeout = TimeSpan.FromSeconds(TimeoutSec),
                MaximumRetryCount = MaximumRetryCount,
                RetryInterval = TimeSpan.FromSeconds(RetryIntervalSec),
                MaximumRetryDelay = TimeSpan.FromSeconds(MaximumRetryDelaySec),
                MaximumConnections = ThrottleLimit,
                SpendsOneTimeToken = !ClientCredentials,
                MaximumTokenLength = MaximumSessionTokenLength,
                // Secrets are read before the first request, so every text from the server is redacted.
                Redactor = new Redactor(_apiKey?.IsRead == true ? _apiKey.Value : null, _clientSecret?.IsRead == true ? _clientSecret.Value : null),
            });
            if (IsVerbose) { _client.Log += _log.Enqueue; }
            WriteVerbose($"Exchanging at {_tokenEndpoint} with up to {ThrottleLimit} requests in flight; output keeps input order.");
            return _client;
        }

        private SecretBytes Read(PipelineSecret secret) => ReadOrStop(secret);

        private void Enqueue(PendingExchange pending) => _pending.Enqueue(pending);

        /// <summary>
        /// Returns once fewer than ThrottleLimit requests are running. Finished answers wait in order
        /// behind a slow one (up to ReorderWindow of them) instead of holding the free slots idle.
        /// </summary>
        private void Throttle()
        {
            DrainCompleted();
            while (true)
            {
                var running = new List<Task>(ThrottleLimit);
                foreach (var pending in _pending)
                {
                    if (!pending.Task.IsCompleted) { running.Add(pending.Task); }
                }
                if (running.Count < ThrottleLimit && _pending.Count < ThrottleLimit * ReorderWindow) { return; }
                if (running.Count < ThrottleLimit)
                {
                    WriteNext();
                    continue;
                }
                try
                {
                    Task.WaitAny(running.ToArray(), 100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new PipelineStoppedException();
                }
                DrainCompleted();
                ShowProgress();
            }
        }

        private void DrainCompleted()
        {
            while (_pending.Count > 0 && _pending.Peek().Task.IsCompleted) { WriteNext(); }
            FlushLog();
        }

        /// <summary>Waits for the oldest exchange and writes its result, so output keeps input order.</summary>
        private void WriteNext()
        {
            var pending = _pending.Peek();
            try
            {
                while (!pending.Task.Wait(100, _stop.Token))
                {
                    FlushLog();
                    ShowProgress();
                }
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            _pending.Dequeue();
            FlushLog();
            _completed++;
            if (pending.InputError is not null)
            {
                _failed++;
                WriteError(pending.InputError);
                ShowProgress();
                return;
            }
            var outcome = pending.Task.Result;
            if (outcome.Succeeded)
            {
                WriteObject(new SessionToken(ToSecureString(outcome.AccessToken!), AsPlainText ? outcome.AccessToken : null, outcome.TokenType!,
                    outcome.IssuedOn, outcome.ExpiresOn, outcome.ExpirySource!, pending.GrantType, _tokenEndpoint,
                    pending.NotificationKey, pending.UserId, pending.Amount));
            }
            else if (outcome.Failure != ExchangeFailure.Cancelled)
            {
                _failed++;
                WriteError(ToErrorRecord(outcome, pending));
            }
            ShowProgress();
        }

        private ErrorRecord ToErrorRecord(ExchangeOutcome outcome, PendingExchange pending)
        {
            var (id, category) = outcome.Failure switch
            {
                ExchangeFailure.Rejected when outcome.OAuthError == "invalid_grant" => ("SessionTokenInvalidGrant", ErrorCategory.InvalidArgument),
                ExchangeFailure.Rejected when outcome.OAuthError == "invalid_client" => ("SessionTokenInvalidClient", ErrorCategory.AuthenticationError),
                ExchangeFailure.Rejected => ("SessionTokenRejected", ErrorCategory.InvalidOperation),
                ExchangeFailure.RateLimited => ("SessionTokenRateLimited", ErrorCategory.LimitsExceeded),
                ExchangeFailure.ServiceUnavailable => ("SessionTokenServiceUnavailable", ErrorCategory.ResourceUnavailable),
                ExchangeFailure.ConnectionFailed => ("SessionTokenConnectionFailed", ErrorCategory.ConnectionError),
                ExchangeFailure.ServerError => ("SessionTokenServerError", ErrorCategory.InvalidResult),
                ExchangeFailure.OutcomeUnknown => ("SessionTokenOutcomeUnknown", ErrorCategory.OperationTimeout),
                ExchangeFailure.ResponseInvalid => ("SessionTokenResponseInvalid", ErrorCategory.InvalidData),
                ExchangeFailure.RedirectRefused => ("SessionTokenRedirectRefused", ErrorCategory.SecurityError),
                ExchangeFailure.TlsFailed => ("SessionTokenTlsFailed", ErrorCategory.SecurityError),
                _ => ("SessionTokenFailed", ErrorCategory.NotSpecified),
            };
            var label = pending.NotificationKey is null ? string.Empty
                : $" (notificationKey '{pending.NotificationKey}'{(pending.UserId is null ? string.Empty : $", userId '{pending.UserId}'")})";
            var message = $"Input #{pending.InputNumber}{label}: {outcome.Message}{WhoWasRefused(id)}";
            var exception = new SessionTokenException(message, outcome.StatusCode, outcome.OAuthError,
                outcome.OAuthErrorDescription, outcome.MayBeSpent && pending.GrantType == "jwt-bearer", outcome.Attempts);
            return new ErrorRecord(exception, id, category, pending.Target);
        }

        /// <summary>For invalid_client: which secrets the API refused, and where they came from.</summary>
        private string WhoWasRefused(string id)
        {
            if (id != "SessionTokenInvalidClient") { return string.Empty; }
            return _clientSecret is null
                ? $" The API refused the {_apiKey!.Source.Describe()}: check that it is this account's apiKey and that -BaseUri is that account's API."
                : $" The API refused the {_apiKey!.Source.Describe()} or the {_clientSecret.Source.Describe()}: check both, and that -BaseUri is that account's API.";
        }

        private void ShowProgress()
        {
            // Once the batch has run for a second, at most twice a second: quick batches show no progress bar.
            // Short enough for one line at 80 columns in the minimal view, even at 10000/10000.
            if (_sinceStart.Elapsed < ProgressDelay || (_progressShown && _sinceProgress.Elapsed < ProgressInterval)) { return; }
            _sinceProgress.Restart();
            _progressShown = true;
            var seconds = _sinceStart.Elapsed.TotalSeconds;
            var rate = seconds > 0 ? _completed / seconds : 0;
            var activity = ParameterSetName == ClientCredentialsParameterSet ? "Opening sessions" : "Exchanging tokens";
            WriteProgress(new ProgressRecord(1, activity,
                string.Format(System.Globalization.CultureInfo.CurrentCulture, "{0}/{1} answered, {2:0.#}/s, {3} failed, {4} in flight",
                    _completed, _inputNumber, rate, _failed, _pending.Count)));
        }

        private void FlushLog()
        {
            while (_log.TryDequeue(out var line)) { WriteVerbose(line); }
        }

        private bool TryReadToken(PSObject? item, out string? token, out string? notificationKey, out string? userId, out object? amount, out string? problem)
        {
            token = notificationKey = userId = null;
            amount = null;
            if (item?.BaseObject is ConvTokens.PowerShell.InitializationToken minted)
            {
                token = minted.Token;
                notificationKey = minted.NotificationKey;
                userId = minted.UserId;
                amount = minted.Amount;
                problem = null;
                return true;
            }
            token = Input.TokenInput.Read(item, out problem);
            if (token is null) { return false; }
            problem = Input.TokenInput.PrefixProblem(token);
            if (problem is not null) { return false; }
            if (token.Length == 0 || token.Length > 64 * 1024 || token.Split('.').Length != 3)
            {
                problem = "the token is not a compact JWT (three base64url segments separated by dots).";
                return false;
            }
            var claims = JwtPeek.ReadClaims(token);
            notificationKey = claims?["notificationKey"] as string;
            userId = claims?["userId"] as string;
            amount = claims?["amount"];
            return true;
        }

        /// <summary>One copy into the SecureString, not one re-protection per appended character.</summary>
        private static unsafe SecureString ToSecureString(string text)
        {
            SecureString secure;
            fixed (char* chars = text)
            {
                secure = new SecureString(chars, text.Length);
            }
            secure.MakeReadOnly();
            return secure;
        }

        private sealed class PendingExchange
        {
            private static readonly Task<ExchangeOutcome> NoExchange = System.Threading.Tasks.Task.FromResult(new ExchangeOutcome());

            /// <summary>An input that was not sent: its error waits in line with the results before it.</summary>
            public static PendingExchange Invalid(ErrorRecord error, long inputNumber) =>
                new PendingExchange(NoExchange, inputNumber, "jwt-bearer", null, null, null, error.TargetObject!) { InputError = error };

            public PendingExchange(Task<ExchangeOutcome> task, long inputNumber, string grantType, string? notificationKey, string? userId, object? amount, object target)
            {
                Task = task;
                InputNumber = inputNumber;
                GrantType = grantType;
                NotificationKey = notificationKey;
                UserId = userId;
                Amount = amount;
                Target = target;
            }

            public Task<ExchangeOutcome> Task { get; }
            public long InputNumber { get; }
            public string GrantType { get; }
            public string? NotificationKey { get; }
            public string? UserId { get; }
            public object? Amount { get; }
            public object Target { get; }
            public ErrorRecord? InputError { get; private set; }
        }
    }

    /// <summary>Which base addresses may receive the apiKey: https anywhere, http only on loopback.</summary>
    internal static class BaseUriPolicy
    {
        public static bool TryGetTokenEndpoint(Uri baseUri, out Uri? endpoint, out string? problem)
        {
            endpoint = null;
            if (!baseUri.IsAbsoluteUri)
            {
                problem = $"BaseUri '{baseUri.OriginalString}' is not an absolute URI; use e.g. {GetSessionTokenCommand.ProductionBaseUri}.";
                return false;
            }
            if (!string.IsNullOrEmpty(baseUri.UserInfo))
            {
                var withoutUser = new UriBuilder(baseUri) { UserName = string.Empty, Password = string.Empty }.Uri;
                problem = $"BaseUri must not carry user information (user:password@ in '{withoutUser.GetLeftPart(UriPartial.Path)}'); the apiKey is sent in the request body.";
                return false;
            }
            var https = baseUri.Scheme == Uri.UriSchemeHttps;
            var loopbackHttp = baseUri.Scheme == Uri.UriSchemeHttp && IsLoopback(baseUri);
            if (!https && !loopbackHttp)
            {
                problem = $"BaseUri '{baseUri.OriginalString}' is not https; the apiKey travels only over https (plain http is allowed for loopback addresses only).";
                return false;
            }
            var text = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            endpoint = new Uri(text + "/token");
            problem = null;
            return true;
        }

        private static bool IsLoopback(Uri uri) =>
            uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
