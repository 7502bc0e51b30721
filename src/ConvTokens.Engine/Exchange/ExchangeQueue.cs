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
    /// ThrottleLimit requests run at once: an exchange added while every slot is busy waits in the queue,
    /// and the answer that frees a slot starts it on the thread that took the answer, so the next request
    /// goes out as soon as the connection is free, not when the pipeline thread next runs. Up to
    /// ReorderWindow inputs per slot may wait in the queue, sent or not; a full queue waits for its oldest.
    /// Cancel stops every wait and every request not yet started; Dispose waits for the requests in flight
    /// a bounded time in all. The caller adds and takes from one thread (the exchanges run anywhere).
    /// </summary>
    public sealed class ExchangeQueue<T> : IDisposable
    {
        public const int DefaultReorderWindow = 64;
        /// <summary>How long Dispose waits, in all, for requests in flight to see the cancellation.</summary>
        public static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(2);
        private const int WaitSliceMilliseconds = 100;
        private static readonly Task<ExchangeOutcome> NotSent = Task.FromResult(new ExchangeOutcome());

        private readonly Queue<Entry> _entries = new Queue<Entry>();
        /// <summary>Exchanges added while every slot was busy, in input order; guarded by <see cref="_gate"/>.</summary>
        private readonly Queue<Entry> _waiting = new Queue<Entry>();
        private readonly object _gate = new object();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly int _throttleLimit;
        private readonly int _backlogLimit;
        private int _running;
        private bool _disposed;

        public ExchangeQueue(int throttleLimit, int reorderWindow = DefaultReorderWindow)
        {
            if (throttleLimit < 1) { throw new ArgumentOutOfRangeException(nameof(throttleLimit), "At least one request must be allowed in flight."); }
            if (reorderWindow < 1) { throw new ArgumentOutOfRangeException(nameof(reorderWindow), "The reorder window holds at least one answer per slot."); }
            _throttleLimit = throttleLimit;
            _backlogLimit = throttleLimit * reorderWindow;
        }

        /// <summary>Cancelled by <see cref="Cancel"/>: every exchange the queue starts is given it.</summary>
        public CancellationToken Stopping => _stop.Token;

        /// <summary>Inputs added and not yet taken, answered or not.</summary>
        public int Count => _entries.Count;

        /// <summary>Requests started and still waiting for their answer.</summary>
        public int Running => Volatile.Read(ref _running);

        /// <summary>Exchanges added and not yet started: every slot was busy.</summary>
        public int Waiting
        {
            get { lock (_gate) { return _waiting.Count; } }
        }

        /// <summary>True when another input may be added without waiting: the queue is within the reorder window.</summary>
        public bool HasRoom => _entries.Count < _backlogLimit;

        /// <summary>
        /// Queues an exchange behind every earlier input. <paramref name="start"/> runs (given <see cref="Stopping"/>)
        /// at once when a slot is free, else when an earlier request's answer frees one. <paramref name="discard"/>
        /// runs instead when the queue is cancelled before the exchange started (to clear what it would have sent).
        /// </summary>
        public void Add(Func<CancellationToken, Task<ExchangeOutcome>> start, T item, Action? discard = null)
        {
            if (start is null) { throw new ArgumentNullException(nameof(start)); }
            var entry = new Entry(item, start, discard);
            _entries.Enqueue(entry);
            bool now, stopped;
            lock (_gate)
            {
                stopped = _stop.IsCancellationRequested;
                now = !stopped && _running < _throttleLimit;
                if (now) { _running++; }
                else if (!stopped) { _waiting.Enqueue(entry); }
            }
            if (now) { Run(entry); }
            else if (stopped) { entry.Drop(); }
        }

        /// <summary>Queues an exchange already started by the caller; it holds a slot until it is answered.</summary>
        public void Add(Task<ExchangeOutcome> exchange, T item)
        {
            if (exchange is null) { throw new ArgumentNullException(nameof(exchange)); }
            var entry = new Entry(item, exchange);
            _entries.Enqueue(entry);
            lock (_gate) { _running++; }
            if (exchange.IsCompleted) { Finished(); }
            else { exchange.ContinueWith(static (_, state) => ((ExchangeQueue<T>)state!).Finished(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default); }
        }

        /// <summary>Queues an input that was not sent (its error), so it is taken in its turn after the results before it.</summary>
        public void AddNotSent(T item) => _entries.Enqueue(new Entry(item, NotSent, sent: false));

        /// <summary>The answers at the head of the queue that are already in, in input order; never waits.</summary>
        public IEnumerable<Answered<T>> TakeAnswered()
        {
            while (_entries.Count > 0 && _entries.Peek().Exchange.IsCompleted) { yield return Result(_entries.Dequeue()); }
        }

        /// <summary>
        /// Returns once another input may be added (the queue is within the reorder window), yielding every
        /// answer that must be taken meanwhile, in input order: those already in, and, while the queue is
        /// full, the oldest as it arrives. <paramref name="waiting"/> runs about ten times a second while
        /// nothing can be taken. Throws OperationCanceledException once cancelled.
        /// </summary>
        public IEnumerable<Answered<T>> MakeRoom(Action waiting)
        {
            foreach (var answered in TakeAnswered()) { yield return answered; }
            while (_entries.Count >= _backlogLimit)
            {
                yield return TakeNext(waiting);
                foreach (var answered in TakeAnswered()) { yield return answered; }
            }
        }

        /// <summary>Every remaining answer in input order, waiting for each. Throws OperationCanceledException once cancelled.</summary>
        public IEnumerable<Answered<T>> TakeAll(Action waiting)
        {
            while (_entries.Count > 0) { yield return TakeNext(waiting); }
        }

        /// <summary>Stops every wait of the queue, every exchange given <see cref="Stopping"/>, and every exchange not yet started.</summary>
        public void Cancel()
        {
            if (_disposed) { return; }
            _stop.Cancel();
            DropWaiting();
        }

        /// <summary>Cancels, then lets the requests in flight observe it for at most <see cref="DisposeWait"/> in all.</summary>
        public void Dispose()
        {
            if (_disposed) { return; }
            _stop.Cancel();
            DropWaiting();
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

        /// <summary>
        /// Starts an exchange that holds a slot; each time one is answered at once, the next waiting one
        /// (a loop, not a recursion, however many are answered without waiting).
        /// </summary>
        private void Run(Entry? entry)
        {
            while (entry is not null)
            {
                var exchange = entry.Start(_stop.Token);
                if (!exchange.IsCompleted)
                {
                    exchange.ContinueWith(static (done, state) =>
                    {
                        var (queue, answered) = ((ExchangeQueue<T>, Entry))state!;
                        // The next request goes out first; then the pipeline thread hears of this answer.
                        queue.Run(queue.NextOrFreeSlot());
                        answered.Settle(done);
                    }, (this, entry), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    return;
                }
                entry.Settle(exchange);
                entry = NextOrFreeSlot();
            }
        }

        /// <summary>A request the caller started is answered: its slot goes to the next waiting exchange, started on this thread.</summary>
        private void Finished() => Run(NextOrFreeSlot());

        private Entry? NextOrFreeSlot()
        {
            lock (_gate)
            {
                if (_waiting.Count > 0 && !_stop.IsCancellationRequested) { return _waiting.Dequeue(); }
                _running--;
                return null;
            }
        }

        private void DropWaiting()
        {
            Entry[] dropped;
            lock (_gate)
            {
                dropped = _waiting.ToArray();
                _waiting.Clear();
            }
            foreach (var entry in dropped) { entry.Drop(); }
        }

        private Answered<T> TakeNext(Action waiting)
        {
            var head = _entries.Peek();
            while (!head.Exchange.Wait(WaitSliceMilliseconds, _stop.Token)) { waiting(); }
            _entries.Dequeue();
            return Result(head);
        }

        private static Answered<T> Result(Entry entry) =>
            new Answered<T>(entry.Item, entry.Sent ? entry.Exchange.Result : null);

        /// <summary>One input: its exchange (started by the caller, by the queue, or never sent) and its item.</summary>
        private sealed class Entry
        {
            private readonly Func<CancellationToken, Task<ExchangeOutcome>>? _start;
            private readonly TaskCompletionSource<ExchangeOutcome>? _answer;
            private Action? _discard;
            private int _claimed;

            public Entry(T item, Task<ExchangeOutcome> exchange, bool sent = true)
            {
                Item = item;
                Exchange = exchange;
                Sent = sent;
                _claimed = 1;
            }

            public Entry(T item, Func<CancellationToken, Task<ExchangeOutcome>> start, Action? discard)
            {
                Item = item;
                _start = start;
                _discard = discard;
                _answer = new TaskCompletionSource<ExchangeOutcome>();
                Exchange = _answer.Task;
                Sent = true;
            }

            public T Item { get; }
            public bool Sent { get; }
            /// <summary>Completes with the exchange's outcome (for a queued one, once it was started and answered, or dropped).</summary>
            public Task<ExchangeOutcome> Exchange { get; }
            /// <summary>Runs the exchange, unless it was dropped first (then its cancelled outcome).</summary>
            public Task<ExchangeOutcome> Start(CancellationToken stopping)
            {
                if (Interlocked.Exchange(ref _claimed, 1) != 0) { return Exchange; }
                _discard = null;
                try
                {
                    return _start!(stopping);
                }
                catch (Exception failure)
                {
                    return Task.FromException<ExchangeOutcome>(failure);
                }
            }

            /// <summary>Cancelled before it started: clears what it would have sent and answers as stopped before sending.</summary>
            public void Drop()
            {
                if (Interlocked.Exchange(ref _claimed, 1) != 0) { return; }
                var discard = _discard;
                _discard = null;
                discard?.Invoke();
                _answer!.TrySetResult(new ExchangeOutcome { Failure = ExchangeFailure.Cancelled, Message = ExchangeMessages.StoppedBeforeSending });
            }

            public void Settle(Task<ExchangeOutcome> done)
            {
                if (_answer is null || ReferenceEquals(done, _answer.Task)) { return; }
                if (done.IsCanceled) { _answer.TrySetCanceled(); }
                else if (done.IsFaulted) { _answer.TrySetException(done.Exception!.InnerExceptions); }
                else { _answer.TrySetResult(done.Result); }
            }
        }
    }
}
