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
        public void Counts_only_unanswered_requests_as_running_and_has_room_below_the_throttle_limit()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 2);
            var a = Pending();
            var b = Pending();
            queue.Add(a.Task, 1);
            Assert.True(queue.HasRoom);
            queue.Add(b.Task, 2);
            Assert.Equal(2, queue.Running);
            Assert.False(queue.HasRoom);
            b.SetResult(Answer("b"));
            Assert.Equal(1, queue.Running);
            Assert.True(queue.HasRoom);
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

        [Fact]
        public void MakeRoom_waits_while_every_slot_is_busy_and_then_takes_the_answers_in_order()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 2);
            var a = Pending();
            var b = Pending();
            queue.Add(a.Task, 1);
            queue.Add(b.Task, 2);
            var waits = 0;
            var taken = queue.MakeRoom(() =>
            {
                // The second answer arrives first: it frees a slot but waits in line behind the first.
                if (++waits == 1) { b.SetResult(Answer("b")); }
            }).ToArray();
            Assert.True(waits >= 1);
            Assert.Empty(taken);
            Assert.Equal(2, queue.Count);
            Assert.True(queue.HasRoom);
        }

        [Fact]
        public void The_reorder_window_bounds_the_answers_waiting_behind_a_slow_one()
        {
            // One slot, a window of 3: the slow head and two finished answers fill the backlog.
            using var queue = new ExchangeQueue<int>(throttleLimit: 1, reorderWindow: 3);
            var slow = Pending();
            queue.Add(slow.Task, 1);
            queue.Add(Task.FromResult(Answer("b")), 2);
            queue.Add(Task.FromResult(Answer("c")), 3);
            Assert.Equal(1, queue.Running);
            Assert.False(queue.HasRoom);
            // Room again once the slow answer is taken: the two behind it stay for the next take.
            var taken = queue.MakeRoom(() => slow.TrySetResult(Answer("a"))).ToArray();
            Assert.Equal(new[] { 1 }, taken.Select(t => t.Item));
            Assert.True(queue.HasRoom);
            Assert.Equal(new[] { 2, 3 }, queue.TakeAnswered().Select(t => t.Item));
        }

        [Fact]
        public void A_full_window_with_a_free_slot_waits_for_the_oldest_answer_only()
        {
            // Two slots, a window of one each: two inputs fill the backlog although only the first is running.
            using var queue = new ExchangeQueue<int>(throttleLimit: 2, reorderWindow: 1);
            var slow = Pending();
            queue.Add(slow.Task, 1);
            queue.Add(Task.FromResult(Answer("b")), 2);
            Assert.Equal(1, queue.Running);
            Assert.False(queue.HasRoom);
            var taken = queue.MakeRoom(() => slow.TrySetResult(Answer("a"))).ToArray();
            Assert.Equal(new[] { 1 }, taken.Select(t => t.Item));
            Assert.True(queue.HasRoom);
            Assert.Equal(new[] { 2 }, queue.TakeAnswered().Select(t => t.Item));
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
        public void Cancel_stops_a_wait_for_a_free_slot_and_cancels_the_token_given_to_exchanges()
        {
            using var queue = new ExchangeQueue<int>(throttleLimit: 1);
            queue.Add(Pending().Task, 1);
            Assert.False(queue.Stopping.IsCancellationRequested);
            Assert.ThrowsAny<OperationCanceledException>(() => queue.MakeRoom(queue.Cancel).ToArray());
            Assert.True(queue.Stopping.IsCancellationRequested);
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
