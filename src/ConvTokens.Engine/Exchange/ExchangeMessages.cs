using System;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>
    /// Every word an exchange says: the outcome's message (what the user reads in the error, and what to do
    /// next) and the verbose line of each attempt. One per client, since the grant words what a failure
    /// means for the token and the options give the limits quoted. Text only; the decisions are
    /// <see cref="ExchangePolicy"/>'s and <see cref="TokenAnswer"/>'s. The client redacts all of it.
    /// </summary>
    internal sealed class ExchangeMessages
    {
        public const string StoppedBeforeSending = "Stopped before the request was sent.";

        private readonly ExchangeOptions _options;

        public ExchangeMessages(ExchangeOptions options)
        {
            _options = options;
            NotSpent = options.SpendsOneTimeToken ? "the initialization token was not spent and can be sent again" : "the request can be sent again";
            MaySpend = options.SpendsOneTimeToken
                ? "the initialization token may be spent, so mint a new one rather than sending it again"
                : "a session may have been opened";
        }

        /// <summary>What a failure that cannot have reached the server means for the caller.</summary>
        public string NotSpent { get; }

        /// <summary>What a failure after the request may have been processed means for the caller.</summary>
        public string MaySpend { get; }

        #region Outcome messages

        public string Unexpected(Exception failure) =>
            $"POST {_options.TokenEndpoint} failed unexpectedly ({failure.GetType().Name}: {failure.Message}); {MaySpend}.";

        public string Cancelled(bool mayBeSpent) => mayBeSpent ? $"Stopped while the request was in flight; {MaySpend}." : StoppedBeforeSending;

        /// <summary>Appended to the last attempt's message when the retries ran out.</summary>
        public string GaveUp(int attempts) => $" Gave up after {attempts} {(attempts == 1 ? "attempt" : "attempts")}; {NotSpent}.";

        /// <summary>Appended to the last attempt's message when the server asked for a longer wait than allowed.</summary>
        public string WaitTooLong(TimeSpan asked) =>
            $" The server asked to wait {asked.TotalSeconds:0} s, more than the {_options.MaximumRetryDelay.TotalSeconds:0} s allowed; {NotSpent}.";

        public string Transport(TransportFault fault, Exception failure, Uri target) => fault switch
        {
            TransportFault.NothingSent => $"Could not connect to {Authority(target)}: {WhyNothingSent(failure)}; nothing was sent.",
            TransportFault.ConnectFailed => $"Could not connect to {Authority(target)}: {Inner(failure)}.",
            TransportFault.TimedOut => $"POST {target.AbsoluteUri} got no answer within {_options.Timeout.TotalSeconds:0} s and may have processed the request: {MaySpend}.",
            TransportFault.TlsFailed => $"The TLS handshake with {Authority(target)} failed ({Inner(failure)}); nothing was sent ({NotSpent}). Check -BaseUri and the server's certificate.",
            _ => $"POST {target.AbsoluteUri} failed after the request went out ({Inner(failure)}) and the server may have processed it: {MaySpend}.",
        };

        public string Redirect(RedirectVerdict verdict, int status, Uri target, Uri? next, int redirects) => verdict == RedirectVerdict.Loop
            ? $"POST {_options.TokenEndpoint} was redirected {redirects + 1} times in a row (the last {status} towards {next!.GetLeftPart(UriPartial.Path)}); ConvTokens follows at most {ExchangePolicy.MaximumRedirects} redirects, so this looks like a redirect loop. Nothing was exchanged; {NotSpent}. Check -BaseUri and the server."
            : $"POST {target.AbsoluteUri} answered {status} towards {(next is null ? "no location" : next.GetLeftPart(UriPartial.Path))}; ConvTokens follows only 307/308 redirects within {Authority(_options.TokenEndpoint)}, so the apiKey never goes to another origin. Check -BaseUri.";

        /// <summary>The message of a failed answer (null for a success).</summary>
        public string? Answer(in Answer answer, Uri target)
        {
            if (answer.Succeeded) { return null; }
            var status = answer.Status;
            var asked = $"POST {target.AbsoluteUri} answered {status}";
            if (answer.Problem is not null) { return $"{asked} but {answer.Problem}{(answer.MayBeSpent ? $"; {MaySpend}." : ".")}"; }
            if (answer.Body == BodyState.TooLarge)
            {
                return ExchangePolicy.NotTaken(status)
                    ? $"{asked} {ReasonPhrase(status)} (its body, over {_options.MaximumResponseBytes} bytes, was not read)."
                    : $"{asked} with a body over {_options.MaximumResponseBytes} bytes, which was not read; {MaySpend}.";
            }
            var error = answer.OAuthError;
            var said = error is null ? string.Empty : $" {error}{(answer.OAuthErrorDescription is null ? string.Empty : $": {answer.OAuthErrorDescription}")}";
            if (ExchangePolicy.NotTaken(status)) { return $"{asked} {ReasonPhrase(status)}{said}."; }
            return status switch
            {
                >= 500 => $"{asked}{said}{answer.BodySummary}; the server may have processed the request: {MaySpend}.",
                404 => $"{asked} Not Found{said}: nothing takes tokens at that URL. Check -BaseUri: the request goes to {{BaseUri}}{BaseUriPolicy.TokenPath}, for the production API {BaseUriPolicy.ProductionTokenEndpoint.AbsoluteUri}. Nothing was exchanged; {NotSpent}.",
                // Client authentication comes before the grant is looked at (RFC 6749 §5.2).
                400 or 401 when error == "invalid_client" => $"{asked}{said}. Nothing was exchanged; {NotSpent}.",
                _ => $"{asked}{said}{answer.BodySummary}.",
            };
        }

        #endregion

        #region Verbose lines (one per attempt; never a body)

        public string Answered(Uri target, int status, string? reasonPhrase, long milliseconds, int attempt) =>
            $"POST {target.AbsoluteUri} -> {status} {reasonPhrase} in {milliseconds} ms (attempt {attempt}).";

        public string Retrying(TimeSpan wait, int attempt) => $"Retrying in {wait.TotalMilliseconds:0} ms (attempt {attempt + 1} of {_options.MaximumRetryCount + 1}).";

        public string TransportLine(TransportFault fault, Exception failure, Uri target, long milliseconds, int attempt) => fault switch
        {
            TransportFault.NothingSent => $"POST {target.AbsoluteUri} could not connect after {milliseconds} ms (attempt {attempt}): {WhyNothingSent(failure)}",
            TransportFault.ConnectFailed => $"POST {target.AbsoluteUri} could not connect after {milliseconds} ms (attempt {attempt}): {Inner(failure)}",
            TransportFault.TimedOut => $"POST {target.AbsoluteUri} timed out after {milliseconds} ms (attempt {attempt}).",
            TransportFault.TlsFailed => $"POST {target.AbsoluteUri} failed the TLS handshake after {milliseconds} ms (attempt {attempt}).",
            _ => $"POST {target.AbsoluteUri} failed after {milliseconds} ms (attempt {attempt}): {failure.Message}",
        };

        #endregion

        private string WhyNothingSent(Exception failure) =>
            failure is OperationCanceledException ? $"no connection within {_options.ConnectTimeout.TotalSeconds:0} s" : Inner(failure);

        private static string Inner(Exception failure) => failure.InnerException?.Message ?? failure.Message;

        private static string Authority(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

        private static string ReasonPhrase(int status) => status == 429 ? "Too Many Requests" : "Service Unavailable";
    }
}
