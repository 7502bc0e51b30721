using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading;

namespace ConvTokens.TokenEndpoint
{
    /// <summary>Counters served by GET /_control/stats. Lock-free; a reset races harmlessly with live requests.</summary>
    internal sealed class EndpointStats
    {
        /// <summary>The list of resent notificationKeys keeps at most this many; the count is exact.</summary>
        public const int MaxResentListed = 1000;

        private readonly ConcurrentQueue<string> resentKeys = new();
        private long requests;
        private long issued;
        private long rejected;
        private long consumedThenResent;
        private long faultsInjected;
        private int inFlight;
        private int maxInFlight;

        public void RequestStarted()
        {
            Interlocked.Increment(ref requests);
            int now = Interlocked.Increment(ref inFlight);
            int seen = Volatile.Read(ref maxInFlight);
            while (now > seen)
            {
                int previous = Interlocked.CompareExchange(ref maxInFlight, now, seen);
                if (previous == seen)
                {
                    break;
                }

                seen = previous;
            }
        }

        public void RequestEnded() => Interlocked.Decrement(ref inFlight);

        public void Issued() => Interlocked.Increment(ref issued);

        public void Rejected() => Interlocked.Increment(ref rejected);

        public void FaultInjected() => Interlocked.Increment(ref faultsInjected);

        /// <summary>An assertion came back after the server had spent it: the client resent a token it may have used.</summary>
        public void ResentAfterConsume(string notificationKey)
        {
            Interlocked.Increment(ref consumedThenResent);
            if (resentKeys.Count < MaxResentListed)
            {
                resentKeys.Enqueue(notificationKey);
            }
        }

        public void Reset()
        {
            Interlocked.Exchange(ref requests, 0);
            Interlocked.Exchange(ref issued, 0);
            Interlocked.Exchange(ref rejected, 0);
            Interlocked.Exchange(ref consumedThenResent, 0);
            Interlocked.Exchange(ref faultsInjected, 0);
            Interlocked.Exchange(ref maxInFlight, Volatile.Read(ref inFlight));
            resentKeys.Clear();
        }

        public void Write(Utf8JsonWriter json, int spentAssertions)
        {
            json.WriteStartObject();
            json.WriteNumber("requests", Interlocked.Read(ref requests));
            json.WriteNumber("issued", Interlocked.Read(ref issued));
            json.WriteNumber("rejected", Interlocked.Read(ref rejected));
            json.WriteNumber("consumedThenResent", Interlocked.Read(ref consumedThenResent));
            json.WriteStartArray("resentAfterConsume");
            foreach (string key in resentKeys)
            {
                json.WriteStringValue(key);
            }

            json.WriteEndArray();
            json.WriteNumber("inFlight", Volatile.Read(ref inFlight));
            json.WriteNumber("maxInFlight", Volatile.Read(ref maxInFlight));
            json.WriteNumber("faultsInjected", Interlocked.Read(ref faultsInjected));
            json.WriteNumber("consumed", spentAssertions);
            json.WriteEndObject();
        }
    }
}
