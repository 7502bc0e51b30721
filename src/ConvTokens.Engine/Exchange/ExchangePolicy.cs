using System;
using System.Net.Http;
using System.Net.Sockets;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>How much of an answer's body the transport got.</summary>
    public enum BodyState
    {
        /// <summary>Read whole, within the size limit.</summary>
        Read,
        /// <summary>Longer than the limit (declared or counted), so not read.</summary>
        TooLarge,
        /// <summary>The connection failed while the body was read.</summary>
        Unreadable,
    }

    /// <summary>Why a request got no answer at all.</summary>
    public enum TransportFault
    {
        /// <summary>Nothing of the body went out (no connection, or none in time): as good as refused.</summary>
        NothingSent,
        /// <summary>The connection itself could not be made (refused, unreachable, unknown name).</summary>
        ConnectFailed,
        /// <summary>The request went out and no answer came in time.</summary>
        TimedOut,
        /// <summary>The TLS handshake failed: never retried, certificate checks are never switched off.</summary>
        TlsFailed,
        /// <summary>The connection broke after the request went out.</summary>
        Dropped,
    }

    /// <summary>What a redirect answer means for the request.</summary>
    public enum RedirectVerdict
    {
        /// <summary>A 307/308 within the endpoint's origin: sent again, the same body, to the new address.</summary>
        Follow,
        /// <summary>A 307/308 within the origin once more than <see cref="ExchangePolicy.MaximumRedirects"/> allow.</summary>
        Loop,
        /// <summary>To another origin, without a location, or a 301/302/303 (which would turn the POST into a GET).</summary>
        Refused,
    }

    /// <summary>
    /// The status policy, apart from any connection: what an answer or a failed attempt means (which
    /// <see cref="ExchangeFailure"/>, retried or not, whether the one-time token may be spent), how long to
    /// wait before a retry, and which redirects are followed. Pure functions: the transport asks, never decides.
    /// </summary>
    public static class ExchangePolicy
    {
        public const int MaximumRedirects = 3;

        /// <summary>
        /// 429 and 503: the server said it did not take the request, so it is retried and spent nothing,
        /// whatever the body (even one too long to read, or cut short). The rule's one place.
        /// </summary>
        public static bool NotTaken(int status) => status is 429 or 503;

        public static bool IsSuccess(int status) => status is >= 200 and < 300;

        /// <summary>The failures that cannot have reached the server's token store: tried again after a wait.</summary>
        public static bool Retries(ExchangeFailure failure) =>
            failure is ExchangeFailure.RateLimited or ExchangeFailure.ServiceUnavailable or ExchangeFailure.ConnectionFailed;

        /// <summary>
        /// The failures after which the server may have taken the one-time token. A cancelled exchange may
        /// be spent when its request had started to go out; that is the transport's to say.
        /// </summary>
        public static bool MayBeSpent(ExchangeFailure failure) =>
            failure is ExchangeFailure.ServerError or ExchangeFailure.OutcomeUnknown or ExchangeFailure.ResponseInvalid;

        /// <summary>
        /// What a (non-redirect) answer means before its body's grammar is read: <see cref="ExchangeFailure.None"/>
        /// for a 2xx whose body was read (the grammar then decides), else the failure. An OAuth error never
        /// changes the kind (invalid_client is a rejection like any other 4xx); it only changes the words.
        /// </summary>
        public static ExchangeFailure ForStatus(int status, BodyState body)
        {
            if (NotTaken(status)) { return status == 429 ? ExchangeFailure.RateLimited : ExchangeFailure.ServiceUnavailable; }
            return body switch
            {
                BodyState.Unreadable => ExchangeFailure.OutcomeUnknown,
                // A success or an error page too long to read: the server did answer, so it may have taken the token.
                BodyState.TooLarge => IsSuccess(status) ? ExchangeFailure.ResponseInvalid : ExchangeFailure.ServerError,
                _ => IsSuccess(status) ? ExchangeFailure.None : status >= 500 ? ExchangeFailure.ServerError : ExchangeFailure.Rejected,
            };
        }

        /// <summary>
        /// Which fault an exception from sending is, or null for one that is no transport failure (it then ends
        /// the exchange as an unexpected failure). <paramref name="sent"/>: any of the body had gone out.
        /// </summary>
        public static TransportFault? Classify(Exception failure, bool sent)
        {
            var tls = failure is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError };
            if (!sent && !tls && failure is OperationCanceledException or HttpRequestException) { return TransportFault.NothingSent; }
            return failure switch
            {
                OperationCanceledException => TransportFault.TimedOut,
                HttpRequestException when tls => TransportFault.TlsFailed,
                HttpRequestException http when IsConnectFailure(http) => TransportFault.ConnectFailed,
                HttpRequestException => TransportFault.Dropped,
                _ => null,
            };
        }

        public static ExchangeFailure ForTransport(TransportFault fault) => fault switch
        {
            TransportFault.NothingSent or TransportFault.ConnectFailed => ExchangeFailure.ConnectionFailed,
            TransportFault.TlsFailed => ExchangeFailure.TlsFailed,
            _ => ExchangeFailure.OutcomeUnknown,
        };

        /// <summary>
        /// The wait before the next attempt: what the server asked (Retry-After), else the backoff capped at
        /// <paramref name="maximum"/> (the retries go on); null when the server asks for longer than
        /// <paramref name="maximum"/>, which ends the retries.
        /// </summary>
        public static TimeSpan? RetryWait(TimeSpan? asked, TimeSpan backoff, TimeSpan maximum)
        {
            var wait = asked ?? (backoff < maximum ? backoff : maximum);
            return wait > maximum ? null : wait;
        }

        public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

        /// <summary>
        /// What a redirect (<see cref="IsRedirect"/>) means. <paramref name="next"/> is the Location resolved
        /// against the address just asked (null: none, or none that makes an address); <paramref name="redirects"/>
        /// how many were followed before this one.
        /// </summary>
        public static RedirectVerdict Redirect(int status, Uri? next, Uri endpoint, int redirects)
        {
            if (!IsRedirect(status)) { throw new ArgumentOutOfRangeException(nameof(status), status, "Not a redirect status."); }
            if (next is null || !SameOrigin(next, endpoint) || status is 301 or 302 or 303) { return RedirectVerdict.Refused; }
            return redirects >= MaximumRedirects ? RedirectVerdict.Loop : RedirectVerdict.Follow;
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
    }
}
