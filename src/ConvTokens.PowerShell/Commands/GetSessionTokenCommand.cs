using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using ConvTokens.Engine.Exchange;
using ConvTokens.PowerShell.Secrets;

namespace ConvTokens.PowerShell.Commands
{
    /// <summary>
    /// Exchanges initialization tokens for session tokens at {BaseUri}/token (JWT-bearer grant), or opens a
    /// machine-to-machine session (client-credentials grant). Requests run concurrently up to
    /// -ThrottleLimit over one keep-alive HttpClient; output keeps input order (the engine's ExchangeQueue).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SessionToken", DefaultParameterSetName = JwtBearerParameterSet)]
    [OutputType(typeof(SessionToken))]
    public sealed class GetSessionTokenCommand : ConvTokensCmdlet
    {
        private const string JwtBearerParameterSet = "JwtBearer";
        private const string ClientCredentialsParameterSet = "ClientCredentials";
        public const string ProductionBaseUri = BaseUriPolicy.ProductionBaseUri;

        /// <summary>Progress source ids of our own, far above the ones PowerShell counts up from 1 for its commands.</summary>
        private static long s_lastProgressSourceId = 0x436F_6E76_0000_0000;

        private readonly ConcurrentQueue<string> _log = new ConcurrentQueue<string>();
        private long _progressSourceId;
        private bool _progressVisible;
        private volatile bool _stopRequested;
        private readonly object _progressGate = new object();
        private readonly Input.PipedBytes _bytes = new Input.PipedBytes();
        private ExchangeQueue<Pending>? _queue;
        private ExchangeProgress? _progress;
        private PipelineSecret? _apiKey;
        private PipelineSecret? _clientSecret;
        private SessionTokenClient? _client;
        private Uri _tokenEndpoint = BaseUriPolicy.ProductionTokenEndpoint;

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
        [DirectSecret]
        public object? ClientSecret { get; set; }

        [Parameter(ParameterSetName = ClientCredentialsParameterSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.SecretNameCompleter))]
        public string ClientSecretSecretName { get; set; } = DefaultClientSecretSecretName;

        [Parameter]
        [DirectSecret]
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

        private GrantKind Grant => ClientCredentials ? GrantKind.ClientCredentials : GrantKind.JwtBearer;

        #region Overrides

        protected override void BeginProcessing()
        {
            if (!BaseUriPolicy.TryGetTokenEndpoint(BaseUri, out var endpoint, out var problem))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem), ErrorCatalog.BaseUriInsecure, ErrorCategory.SecurityError, BaseUri));
            }
            _tokenEndpoint = endpoint!;
            _queue = new ExchangeQueue<Pending>(ThrottleLimit);
            _progress = new ExchangeProgress(Grant);
            _apiKey = Secret("ApiKey", ApiKey, ApiKeySecretName);
            _clientSecret = ClientCredentials ? Secret("ClientSecret", ClientSecret, ClientSecretSecretName) : null;
        }

        protected override void ProcessRecord()
        {
            if (ClientCredentials)
            {
                var client = Client();
                Send(client, client.ClientCredentialsBody(), new Pending(_progress!.Submit(), _tokenEndpoint));
                Emit(_queue!.TakeAnswered());
                return;
            }
            // A piped $null binds as no array at all; it is still one input.
            foreach (var item in InitializationToken ?? new PSObject[] { null! })
            {
                if (MyInvocation.ExpectingInput && _bytes.Add(item)) { continue; }
                FlushBytes();
                var number = _progress!.Submit();
                var token = Input.TokenInput.ReadCompact(item, out var problem, out var labels);
                if (token is null)
                {
                    // Written in its turn, after the results of earlier inputs.
                    _queue!.AddNotSent(new Pending(number, item, Error: new ErrorRecord(new ArgumentException($"Input #{number}: {problem}"),
                        ErrorCatalog.TokenInputInvalid, ErrorCategory.InvalidArgument, item)));
                    Emit(_queue.TakeAnswered());
                    continue;
                }
                var client = Client();
                Send(client, client.JwtBearerBody(token), new Pending(number, item, labels.NotificationKey, labels.UserId, labels.Amount));
                Emit(_queue!.MakeRoom(Waiting));
            }
        }

        protected override void EndProcessing()
        {
            FlushBytes();
            Emit(_queue!.TakeAll(Waiting));
            CompleteProgress(ProgressEnd.Done);
        }

        protected override void StopProcessing()
        {
            _stopRequested = true;
            _queue?.Cancel();
            // Taken down here, while Stop() still waits: a record written later, from Dispose, can reach a host
            // that has already closed its progress stream for this pipeline.
            CompleteProgressThroughHost(ProgressEnd.Stopped);
        }

        /// <summary>
        /// A batch that was stopped or ended early (an error, Select-Object -First) still takes its progress
        /// line down first; then the requests in flight get two seconds in all to see the cancellation, and
        /// the connections close.
        /// </summary>
        protected override void DisposeResources()
        {
            CompleteProgressThroughHost(_stopRequested ? ProgressEnd.Stopped : ProgressEnd.Early);
            _queue?.Dispose();
            _client?.Dispose();
        }

        #endregion

        /// <summary>A run of piped bytes is one input that is not sent: one error, in its turn.</summary>
        private void FlushBytes()
        {
            if (_bytes.Take() is not { } problem) { return; }
            var number = _progress!.Submit();
            _queue!.AddNotSent(new Pending(number, null, Error: new ErrorRecord(new ArgumentException($"Input #{number}: {problem}"),
                ErrorCatalog.TokenInputInvalid, ErrorCategory.InvalidArgument, null)));
            Emit(_queue.TakeAnswered());
        }

        /// <summary>Queues the request: it goes out when a slot is free; a body never sent is cleared when the pipeline stops.</summary>
        private void Send(SessionTokenClient client, byte[] body, Pending pending)
        {
            _queue!.Add(stopping => client.ExchangeAsync(body, stopping), pending, () => System.Security.Cryptography.CryptographicOperations.ZeroMemory(body));
        }

        /// <summary>
        /// The pipeline's client, built on first use from the secrets it sends (read here, on the pipeline
        /// thread; a secret that cannot be had stops the pipeline): it withholds them from every server text.
        /// </summary>
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
                Grant = Grant,
            }, ReadOrStop(_apiKey!), _clientSecret is null ? null : ReadOrStop(_clientSecret));
            if (IsVerbose) { _client.Log += _log.Enqueue; }
            WriteVerbose($"Exchanging at {_tokenEndpoint} with up to {ThrottleLimit} requests in flight; output keeps input order.");
            return _client;
        }

        /// <summary>Writes answers in input order: a SessionToken, or the input's error. A stop ends the pipeline.</summary>
        private void Emit(IEnumerable<Answered<Pending>> answers)
        {
            try
            {
                foreach (var (input, outcome) in answers)
                {
                    FlushLog();
                    var failed = input.Error is not null || outcome?.Succeeded != true;
                    _progress!.Record(failed && outcome?.Failure != ExchangeFailure.Cancelled);
                    if (input.Error is not null) { WriteError(input.Error); }
                    else if (!failed)
                    {
                        WriteObject(new SessionToken(SecureText.Copy(outcome!.AccessToken!), AsPlainText ? outcome.AccessToken : null, outcome.TokenType!,
                            outcome.IssuedOn, outcome.ExpiresOn, outcome.ExpirySource!, Grant.Label(), _tokenEndpoint, input.NotificationKey, input.UserId, input.Amount));
                    }
                    else if (outcome!.Failure != ExchangeFailure.Cancelled) { WriteError(ToErrorRecord(outcome, input)); }
                    Waiting();
                }
                FlushLog();
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>While answers are awaited, and after each: the verbose lines so far, and progress when due.</summary>
        private void Waiting()
        {
            FlushLog();
            // Under the gate with its write, so that no line can follow a completion written by StopProcessing.
            lock (_progressGate)
            {
                if (_progress!.Due(_queue!.Count) is { } status) { ShowProgress(status, ProgressRecordType.Processing); }
            }
        }

        /// <summary>
        /// Once the pipeline is stopping the runtime writes nothing more: the host itself takes the Completed
        /// record, under the batch's source id, so that it matches the line on the screen. Written once, by
        /// whichever of StopProcessing and Dispose comes first.
        /// </summary>
        private void CompleteProgressThroughHost(ProgressEnd end)
        {
            string? status;
            lock (_progressGate)
            {
                status = _progressVisible ? _progress?.Complete(end) : null;
            }
            if (status is null) { return; }
            try
            {
                Host?.UI?.WriteProgress(_progressSourceId, NewProgressRecord(status, ProgressRecordType.Completed));
            }
            catch (Exception failure) when (failure is PipelineStoppedException or InvalidOperationException or NotImplementedException
                or System.Management.Automation.Host.HostException)
            {
                // A host that takes no progress (or has gone away) shows no line to take down.
            }
        }

        private void CompleteProgress(ProgressEnd end)
        {
            lock (_progressGate)
            {
                if (_progress?.Complete(end) is { } status) { ShowProgress(status, ProgressRecordType.Completed); }
            }
        }

        /// <summary>
        /// Every record of the batch goes out under one source id of its own, so that a completion written
        /// by <see cref="DisposeResources"/> matches the line a host shows. The runtime applies
        /// -ProgressAction / $ProgressPreference; whether it shows progress is noted with the first line.
        /// </summary>
        private void ShowProgress(string status, ProgressRecordType type)
        {
            if (_progressSourceId == 0)
            {
                _progressSourceId = Interlocked.Increment(ref s_lastProgressSourceId);
                _progressVisible = ProgressShown();
            }
            CommandRuntime.WriteProgress(_progressSourceId, NewProgressRecord(status, type));
        }

        private ProgressRecord NewProgressRecord(string status, ProgressRecordType type) =>
            new ProgressRecord(1, _progress!.Activity, status) { RecordType = type };

        /// <summary>False when -ProgressAction or $ProgressPreference is SilentlyContinue or Ignore.</summary>
        private bool ProgressShown()
        {
            var preference = MyInvocation.BoundParameters.TryGetValue("ProgressAction", out var bound) ? bound : GetVariableValue("ProgressPreference");
            if (preference is PSObject wrapped) { preference = wrapped.BaseObject; }
            if (preference is string text && Enum.TryParse<ActionPreference>(text, true, out var parsed)) { preference = parsed; }
            return !(preference is ActionPreference action && (action == ActionPreference.SilentlyContinue || action == ActionPreference.Ignore));
        }

        private ErrorRecord ToErrorRecord(ExchangeOutcome outcome, Pending input)
        {
            var (id, category) = ErrorCatalog.ForExchange(outcome);
            var label = input.NotificationKey is null ? string.Empty
                : $" (notificationKey '{ConvTokens.Engine.JsonMembers.Clip(input.NotificationKey, 64)}'{(input.UserId is null ? string.Empty : $", userId '{ConvTokens.Engine.JsonMembers.Clip(input.UserId, 64)}'")})";
            var refused = id != ErrorCatalog.SessionTokenInvalidClient ? string.Empty
                : _clientSecret is null
                    ? $" The API refused the {_apiKey!.Source.Describe()}: check that it is this account's apiKey and that -BaseUri is that account's API."
                    : $" The API refused the {_apiKey!.Source.Describe()} or the {_clientSecret.Source.Describe()}: check both, and that -BaseUri is that account's API.";
            var exception = new SessionTokenException($"Input #{input.Number}{label}: {outcome.Message}{refused}", outcome.StatusCode, outcome.OAuthError,
                outcome.OAuthErrorDescription, outcome.MayBeSpent, outcome.Attempts);
            return new ErrorRecord(exception, id, category, input.Target);
        }

        private void FlushLog()
        {
            while (_log.TryDequeue(out var line)) { WriteVerbose(line); }
        }

        /// <summary>One input in the queue: its number, what to name as the error's target, and the claims that label its result.</summary>
        private sealed record Pending(long Number, object? Target, string? NotificationKey = null, string? UserId = null, object? Amount = null, ErrorRecord? Error = null);
    }
}
