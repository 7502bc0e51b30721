using System;
using System.Diagnostics;
using System.Globalization;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>How a batch that showed progress ended: the status of its Completed record says which.</summary>
    public enum ProgressEnd
    {
        /// <summary>Every input was answered and written.</summary>
        Done,

        /// <summary>The pipeline was stopped (Ctrl+C, PowerShell.Stop(), Select-Object -First).</summary>
        Stopped,

        /// <summary>
        /// The pipeline ended before every input was written, without a stop request: a terminating error
        /// (-ErrorAction Stop, a failing command downstream) or a downstream command that needed no more
        /// (Select-Object -First).
        /// </summary>
        Early,
    }

    /// <summary>
    /// The progress line of a batch: shown once it has run a second, then at most twice a second and only
    /// when a count changed, so a quick batch shows none and a stalled one writes no repeats (hosts that
    /// log every record, as runbook platforms do, would otherwise log the same line over and over). Once a
    /// line was shown, the batch ends with exactly one completion, however it ends. Short enough for one
    /// line at 80 columns, even at 10000/10000.
    /// </summary>
    public sealed class ExchangeProgress
    {
        public static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);
        public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

        private readonly Func<TimeSpan> _elapsed;
        private TimeSpan _lastShown;
        private (long Answered, long Submitted, long Failed, int InFlight) _shownCounts = (-1, -1, -1, -1);

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

        /// <summary>True once a progress line was handed out: the batch then owes one completion.</summary>
        public bool Shown { get; private set; }

        /// <summary>True once the completion was handed out; no line follows it.</summary>
        public bool Completed { get; private set; }

        /// <summary>Counts one more input; returns its number (1 for the first).</summary>
        public long Submit() => ++Submitted;

        public void Record(bool failed)
        {
            Answered++;
            if (failed) { Failed++; }
        }

        /// <summary>
        /// The status line when one is due now, else null: not before <see cref="Delay"/>, not within
        /// <see cref="Interval"/> of the last, not when no count changed since the last (the rate alone
        /// drifting is no change), never after the completion.
        /// </summary>
        public string? Due(int inFlight)
        {
            if (Completed) { return null; }
            var elapsed = _elapsed();
            if (elapsed < Delay || (Shown && elapsed - _lastShown < Interval)) { return null; }
            var counts = (Answered, Submitted, Failed, inFlight);
            if (counts == _shownCounts) { return null; }
            _shownCounts = counts;
            _lastShown = elapsed;
            Shown = true;
            var rate = elapsed.TotalSeconds > 0 ? Answered / elapsed.TotalSeconds : 0;
            return string.Format(CultureInfo.CurrentCulture, "{0}/{1} answered, {2:0.#}/s, {3} failed, {4} in flight",
                Answered, Submitted, rate, Failed, inFlight);
        }

        /// <summary>
        /// The status of the Completed record, once, when a line was shown; else null (a batch that showed
        /// nothing has nothing to take down, and a second completion would be a repeat).
        /// </summary>
        public string? Complete(ProgressEnd end)
        {
            if (!Shown || Completed) { return null; }
            Completed = true;
            var how = end switch
            {
                ProgressEnd.Stopped => "Stopped",
                ProgressEnd.Early => "Ended early",
                _ => "Done",
            };
            return string.Format(CultureInfo.CurrentCulture, "{0}: {1}/{2} answered, {3} failed", how, Answered, Submitted, Failed);
        }
    }
}
