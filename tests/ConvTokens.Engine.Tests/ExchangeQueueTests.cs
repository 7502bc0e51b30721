using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConvTokens.Engine.Exchange;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    public class ExchangeQueueTests
    {
        private static TaskCompletionSource<ExchangeOutcome> Pending() => new TaskCompletionSource<ExchangeOutcome>();

        private static ExchangeOutcome Answer(string token) => new ExchangeOutcome { AccessToken = token };

        [Fact]
        public void Answers_come_out_in_input_order_whatever_order_they_finish_in()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 4);
            var exchanges = Enumerable.Range(0, 3).Select(_ => Pending()).ToArray();
            for (var i = 0; i < 3; i++) { queue.Add(exchanges[i].Task, i); }
            exchanges[2].SetResult(Answer("c"));
            exchanges[1].SetResult(Answer("b"));
            Assert.Empty(queue.TakeAnswered());
            Assert.Equal(1, queue.Running);
            Assert.Equal(3, queue.Count);
            exchanges[0].SetResult(Answer("a"));
            var taken = queue.TakeAnswered().ToArray();
            Assert.Equal(new[] { 0, 1, 2 }, taken.Select(a => a.Item));
            Assert.Equal(new[] { "a", "b", "c" }, taken.Select(a => a.Outcome!.AccessToken));
            Assert.Equal(0, queue.Count);
        }

        [Fact]
        public void An_input_that_was_not_sent_waits_its_turn_and_has_no_outcome()
        {
            using var queue = new ExchangeQueue<string>(throttleLimit: 2);
            var first = Pending();
            queue.Add(first.Task, "first");
            queue.AddNotSent("invalid");
            Assert.Empty(queue.TakeAnswered());
            first.SetResult(Answer("a"));
            var taken = queue.TakeAnswered().ToArray();
            Assert.Equal(new[] { "first", "invalid" }, taken.Select(a => a.Item));
            Assert.NotNull(taken[0].Outcome);
            Assert.Null(taken[1].Outcome);
        }

        [Fact]
        public void MakeRoom_returns_at_once_while_a_slot_is_free_and_takes_what_is_already_answered()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 2);
            var a = Pending();
            a.SetResult(Answer("a"));
            queue.Add(a.Task, 1);
            queue.Add(Pending().Task, 2);
            var taken = queue.MakeRoom(() => throw new InvalidOperationException("must not wait")).ToArray();
            Assert.Equal(new[] { 1 }, taken.Select(t => t.Item));
            Assert.Equal(1, queue.Count);
        }

        /// <summary>Exchanges the queue starts itself: each records its start and answers when the test says.</summary>
        private sealed class Startable
        {
            public readonly TaskCompletionSource<ExchangeOutcome> Answer = new TaskCompletionSource<ExchangeOutcome>();
            public int Starts;
            public bool Discarded;
            public CancellationToken Given;

            public Task<ExchangeOutcome> Start(CancellationToken stopping)
            {
                Starts++;
                Given = stopping;
                return Answer.Task;
            }

            public void Discard() => Discarded = true;
        }

        [Fact]
        public void Starts_at_most_ThrottleLimit_exchanges_and_an_answer_starts_the_next_without_the_caller()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 2);
            var exchanges = Enumerable.Range(0, 3).Select(_ => new Startable()).ToArray();
            for (var i = 0; i < 3; i++) { queue.Add(exchanges[i].Start, i); }
            Assert.Equal(new[] { 1, 1, 0 }, exchanges.Select(e => e.Starts));
            Assert.Equal(2, queue.Running);
            Assert.Equal(1, queue.Waiting);
            // The second answer frees a slot: the third request starts on the thread that took the answer.
            exchanges[1].Answer.SetResult(Answer("b"));
            Assert.Equal(new[] { 1, 1, 1 }, exchanges.Select(e => e.Starts));
            Assert.Equal(2, queue.Running);
            Assert.Equal(0, queue.Waiting);
            Assert.Equal(queue.Stopping, exchanges[2].Given);
            // In input order: nothing is taken while the first is unanswered.
            Assert.Empty(queue.TakeAnswered());
            exchanges[0].Answer.SetResult(Answer("a"));
            exchanges[2].Answer.SetResult(Answer("c"));
            Assert.Equal(new[] { "a", "b", "c" }, queue.TakeAnswered().Select(t => t.Outcome!.AccessToken));
            Assert.Equal(0, queue.Running);
        }

        [Fact]
        public void Exchanges_answered_at_once_start_the_next_in_a_loop_not_a_recursion()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 1, reorderWindow: 20000);
            var first = new Startable();
            queue.Add(first.Start, 0);
            var started = 0;
            for (var i = 1; i < 20000; i++) { queue.Add(_ => { started++; return Task.FromResult(Answer("x")); }, i); }
            Assert.Equal(0, started);
            first.Answer.SetResult(Answer("a"));
            Assert.Equal(19999, started);
            Assert.Equal(0, queue.Running);
            Assert.Equal(20000, queue.TakeAnswered().Count());
        }

        [Fact]
        public void Counts_started_unanswered_requests_as_running_and_has_room_within_the_reorder_window()
        {
            // Two slots, a window of one each: room for two inputs, answered or not.
            using var queue = new ExchangeQueue<int>(throttleLimit: 2, reorderWindow: 1);
            var a = Pending();
            var b = Pending();
            queue.Add(a.Task, 1);
            Assert.True(queue.HasRoom);
            queue.Add(b.Task, 2);
            Assert.Equal(2, queue.Running);
            Assert.False(queue.HasRoom);
            b.SetResult(Answer("b"));
            Assert.Equal(1, queue.Running);
            // The answer waits in line behind the first: still no room until it is taken.
            Assert.False(queue.HasRoom);
            Assert.Empty(queue.TakeAnswered());
        }

        [Fact]
        public void MakeRoom_returns_at_once_within_the_window_however_busy_the_slots()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 1, reorderWindow: 3);
            var a = new Startable();
            var b = new Startable();
            queue.Add(a.Start, 1);
            queue.Add(b.Start, 2);
            Assert.Equal(1, queue.Waiting);
            Assert.Empty(queue.MakeRoom(() => throw new InvalidOperationException("must not wait")));
            Assert.Equal(2, queue.Count);
        }

        [Fact]
        public void A_full_window_waits_for_the_oldest_answer_and_takes_what_arrived_behind_it()
        {
            // One slot, a window of three: the slow head, a finished answer and a queued exchange fill it.
            using var queue = new ExchangeQueue<int>(throttleLimit: 1, reorderWindow: 3);
            var slow = new Startable();
            var fast = new Startable();
            var queued = new Startable();
            queue.Add(slow.Start, 1);
            queue.Add(fast.Start, 2);
            queue.Add(queued.Start, 3);
            Assert.False(queue.HasRoom);
            Assert.Equal(0, fast.Starts);
            var waits = 0;
            var taken = queue.MakeRoom(() =>
            {
                if (++waits == 1)
                {
                    slow.Answer.SetResult(Answer("a"));
                    fast.Answer.SetResult(Answer("b"));
                }
            }).ToArray();
            Assert.True(waits >= 1);
            Assert.Equal(new[] { 1, 2 }, taken.Select(t => t.Item));
            Assert.Equal(1, queued.Starts);
            Assert.True(queue.HasRoom);
        }

        [Fact]
        public void Cancel_stops_a_wait_for_room_and_drops_the_exchanges_not_started()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 1, reorderWindow: 2);
            var running = new Startable();
            var queued = new Startable();
            queue.Add(running.Start, 1);
            queue.Add(queued.Start, 2, queued.Discard);
            Assert.False(queue.Stopping.IsCancellationRequested);
            Assert.ThrowsAny<OperationCanceledException>(() => queue.MakeRoom(queue.Cancel).ToArray());
            Assert.True(queue.Stopping.IsCancellationRequested);
            Assert.True(running.Given.IsCancellationRequested);
            // The queued one never starts, its body is cleared, and it answers as stopped before sending.
            Assert.True(queued.Discarded);
            running.Answer.SetResult(Answer("a"));
            Assert.Equal(0, queued.Starts);
            var answers = queue.TakeAnswered().ToArray();
            Assert.Equal(new[] { 1, 2 }, answers.Select(t => t.Item));
            Assert.Equal(ExchangeFailure.Cancelled, answers[1].Outcome!.Failure);
            Assert.False(answers[1].Outcome!.MayBeSpent);
            // Added after the stop: dropped at once.
            var late = new Startable();
            queue.Add(late.Start, 3, late.Discard);
            Assert.Equal(0, late.Starts);
            Assert.True(late.Discarded);
        }

        [Fact]
        public void TakeAll_waits_for_every_answer_in_input_order()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 3);
            var exchanges = Enumerable.Range(0, 3).Select(_ => Pending()).ToArray();
            for (var i = 0; i < 3; i++) { queue.Add(exchanges[i].Task, i); }
            var next = 2;
            var taken = queue.TakeAll(() => { if (next >= 0) { exchanges[next].SetResult(Answer(next.ToString())); next--; } }).ToArray();
            Assert.Equal(new[] { 0, 1, 2 }, taken.Select(t => t.Item));
            Assert.Equal(new[] { "0", "1", "2" }, taken.Select(t => t.Outcome!.AccessToken));
        }

        [Fact]
        public void Cancel_stops_a_wait_for_the_oldest_answer()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 2);
            queue.Add(Pending().Task, 1);
            Assert.ThrowsAny<OperationCanceledException>(() => queue.TakeAll(queue.Cancel).ToArray());
        }

        [Fact]
        public void Dispose_cancels_and_lets_exchanges_that_honour_the_cancellation_finish()
        {
            var queue = new ExchangeQueue<int>(throttleLimit: 2);
            var stopping = queue.Stopping;
            var observed = Task.Run(async () =>
            {
                await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { });
                return new ExchangeOutcome { Failure = ExchangeFailure.Cancelled };
            });
            queue.Add(observed, 1);
            queue.Dispose();
            Assert.True(stopping.IsCancellationRequested);
            Assert.True(observed.IsCompleted);
        }

        [Fact]
        public void Dispose_returns_although_an_exchange_never_ends()
        {
            var queue = new ExchangeQueue<int>(throttleLimit: 2);
            queue.Add(Pending().Task, 1);
            queue.Add(Pending().Task, 2);
            queue.Dispose();
            queue.Dispose();
            queue.Cancel();
            Assert.Equal(0, queue.Count);
        }

        [Fact]
        public void Refuses_a_throttle_limit_or_window_below_one()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ExchangeQueue<int>(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ExchangeQueue<int>(1, 0));
        }
    }
}
