using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>One input's place in the queue and, once answered, its outcome (null for an input that was not sent).</summary>
    public readonly record struct Answered<T>(T Item, ExchangeOutcome? Outcome);

    /// <summary>
    /// One pipeline's exchanges, answered in input order however the server orders its answers. At most
    /// ThrottleLimit requests run at once; finished answers wait in line behind a slow one (up to
    /// ReorderWindow per request slot) instead of holding the free slots idle. Cancel stops every wait;
    /// Dispose waits for the requests in flight a bounded time in all. Single-threaded use: the caller
    /// adds and takes from one thread (the exchanges themselves run anywhere).
    /// </summary>
    public sealed class ExchangeQueue<T> : IDisposable
    {
        public const int DefaultReorderWindow = 64;
        /// <summary>How long Dispose waits, in all, for requests in flight to see the cancellation.</summary>
        public static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(2);
        private const int WaitSliceMilliseconds = 100;
        private static readonly Task<ExchangeOutcome> NotSent = Task.FromResult(new ExchangeOutcome());

        private readonly Queue<(Task<ExchangeOutcome> Exchange, T Item, bool Sent)> _entries = new Queue<(Task<ExchangeOutcome>, T, bool)>();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly int _throttleLimit;
        private readonly int _backlogLimit;
        private bool _disposed;

        public ExchangeQueue(int throttleLimit, int reorderWindow = DefaultReorderWindow)
        {
            if (throttleLimit < 1) { throw new ArgumentOutOfRangeException(nameof(throttleLimit), "At least one request must be allowed in flight."); }
            if (reorderWindow < 1) { throw new ArgumentOutOfRangeException(nameof(reorderWindow), "The reorder window holds at least one answer per slot."); }
            _throttleLimit = throttleLimit;
            _backlogLimit = throttleLimit * reorderWindow;
        }

        /// <summary>Cancelled by <see cref="Cancel"/>: pass it to every exchange.</summary>
        public CancellationToken Stopping => _stop.Token;

        /// <summary>Inputs added and not yet taken, answered or not.</summary>
        public int Count => _entries.Count;

        /// <summary>Requests still waiting for their answer.</summary>
        public int Running
        {
            get
            {
                var running = 0;
                foreach (var entry in _entries)
                {
                    if (!entry.Exchange.IsCompleted) { running++; }
                }
                return running;
            }
        }

        /// <summary>True when another request may start: a slot is free and the backlog is within the reorder window.</summary>
        public bool HasRoom => _entries.Count < _backlogLimit && Running < _throttleLimit;

        /// <summary>Queues a started exchange behind every earlier input.</summary>
        public void Add(Task<ExchangeOutcome> exchange, T item) => _entries.Enqueue((exchange, item, true));

        /// <summary>Queues an input that was not sent (its error), so it is taken in its turn after the results before it.</summary>
        public void AddNotSent(T item) => _entries.Enqueue((NotSent, item, false));

        /// <summary>The answers at the head of the queue that are already in, in input order; never waits.</summary>
        public IEnumerable<Answered<T>> TakeAnswered()
        {
            while (_entries.Count > 0 && _entries.Peek().Exchange.IsCompleted) { yield return Dequeue(); }
        }

        /// <summary>
        /// Waits until another request may start, yielding every answer that must be taken meanwhile, in input
        /// order. <paramref name="waiting"/> runs about ten times a second while nothing can be taken.
        /// Throws OperationCanceledException once cancelled.
        /// </summary>
        public IEnumerable<Answered<T>> MakeRoom(Action waiting)
        {
            foreach (var answered in TakeAnswered()) { yield return answered; }
            while (true)
            {
                var running = new List<Task>(_throttleLimit);
                foreach (var entry in _entries)
                {
                    if (!entry.Exchange.IsCompleted) { running.Add(entry.Exchange); }
                }
                if (running.Count < _throttleLimit && _entries.Count < _backlogLimit) { yield break; }
                if (running.Count < _throttleLimit)
                {
                    // A free slot, but the backlog behind the oldest request is full: wait for the oldest.
                    yield return TakeNext(waiting);
                    continue;
                }
                Task.WaitAny(running.ToArray(), WaitSliceMilliseconds, _stop.Token);
                foreach (var answered in TakeAnswered()) { yield return answered; }
                waiting();
            }
        }

        /// <summary>Every remaining answer in input order, waiting for each. Throws OperationCanceledException once cancelled.</summary>
        public IEnumerable<Answered<T>> TakeAll(Action waiting)
        {
            while (_entries.Count > 0) { yield return TakeNext(waiting); }
        }

        /// <summary>Stops every wait of the queue and every exchange given <see cref="Stopping"/>.</summary>
        public void Cancel()
        {
            if (!_disposed) { _stop.Cancel(); }
        }

        /// <summary>Cancels, then lets the requests in flight observe it for at most <see cref="DisposeWait"/> in all.</summary>
        public void Dispose()
        {
            if (_disposed) { return; }
            _stop.Cancel();
            var inFlight = new List<Task>(_entries.Count);
            foreach (var entry in _entries) { inFlight.Add(entry.Exchange); }
            try
            {
                Task.WaitAll(inFlight.ToArray(), DisposeWait);
            }
            catch (AggregateException)
            {
            }
            _entries.Clear();
            _stop.Dispose();
            _disposed = true;
        }

        private Answered<T> TakeNext(Action waiting)
        {
            var head = _entries.Peek();
            while (!head.Exchange.Wait(WaitSliceMilliseconds, _stop.Token)) { waiting(); }
            _entries.Dequeue();
            return Result(head);
        }

        private Answered<T> Dequeue()
        {
            return Result(_entries.Dequeue());
        }

        private static Answered<T> Result((Task<ExchangeOutcome> Exchange, T Item, bool Sent) entry) =>
            new Answered<T>(entry.Item, entry.Sent ? entry.Exchange.Result : null);
    }
}
