using System;
using System.Diagnostics;
using System.Globalization;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>
    /// The progress line of a batch: shown once it has run a second, then at most twice a second, so a
    /// quick batch shows none. Short enough for one line at 80 columns, even at 10000/10000.
    /// </summary>
    public sealed class ExchangeProgress
    {
        public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);
        public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

        private readonly Func<TimeSpan> _elapsed;
        private TimeSpan _lastShown;

        /// <param name="elapsed">Time since the batch started; a stopwatch started now when null.</param>
        public ExchangeProgress(GrantKind grant, Func<TimeSpan>? elapsed = null)
        {
            Activity = grant == GrantKind.ClientCredentials ? "Opening sessions" : "Exchanging tokens";
            if (elapsed is null)
            {
                var watch = Stopwatch.StartNew();
                elapsed = () => watch.Elapsed;
            }
            _elapsed = elapsed;
        }

        public string Activity { get; }
        public long Submitted { get; private set; }
        public long Answered { get; private set; }
        public long Failed { get; private set; }
        /// <summary>True once a progress line was due: the batch then ends with a Completed record.</summary>
        public bool Shown { get; private set; }

        /// <summary>Counts one more input; returns its number (1 for the first).</summary>
        public long Submit() => ++Submitted;

        public void Record(bool failed)
        {
            Answered++;
            if (failed) { Failed++; }
        }

        /// <summary>The status line when one is due now, else null.</summary>
        public string? Due(int inFlight)
        {
            var elapsed = _elapsed();
            if (elapsed < Delay || (Shown && elapsed - _lastShown < Interval)) { return null; }
            _lastShown = elapsed;
            Shown = true;
            var rate = elapsed.TotalSeconds > 0 ? Answered / elapsed.TotalSeconds : 0;
            return string.Format(CultureInfo.CurrentCulture, "{0}/{1} answered, {2:0.#}/s, {3} failed, {4} in flight",
                Answered, Submitted, rate, Failed, inFlight);
        }
    }
}
