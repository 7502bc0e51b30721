// Test bookkeeping of the SecretManagement stand-in (not part of the real module): how often each command ran
// and on which threads, and what became of each password prompt a vault module showed.
// Written for this repository's tests. Kept C# 5 compatible.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace SecretManagementStandIn
{
    /// <summary>Counts calls per command and remembers the threads they ran on, across all runspaces of the process.</summary>
    public static class CallSpy
    {
        private static readonly object Sync = new object();
        private static readonly Dictionary<string, int> Counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private static readonly Dictionary<string, List<int>> Threads = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);

        public static void RecordCall(string command)
        {
            int tid = System.Threading.Thread.CurrentThread.ManagedThreadId;
            lock (Sync)
            {
                int n;
                Counts.TryGetValue(command, out n);
                Counts[command] = n + 1;
                List<int> list;
                if (!Threads.TryGetValue(command, out list))
                {
                    list = new List<int>();
                    Threads[command] = list;
                }
                if (!list.Contains(tid)) { list.Add(tid); }
            }
        }

        public static Hashtable GetCallCounts()
        {
            lock (Sync)
            {
                var result = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var kv in Counts) { result[kv.Key] = kv.Value; }
                return result;
            }
        }

        public static int GetCallCount(string command)
        {
            lock (Sync)
            {
                int n;
                Counts.TryGetValue(command, out n);
                return n;
            }
        }

        public static int[] GetCallThreads(string command)
        {
            lock (Sync)
            {
                List<int> list;
                return Threads.TryGetValue(command, out list) ? list.ToArray() : new int[0];
            }
        }

        internal static void Reset()
        {
            lock (Sync)
            {
                Counts.Clear();
                Threads.Clear();
            }
        }
    }

    /// <summary>
    /// What the vault modules' password prompts did in this process: shown (the text was written), read
    /// started, and how each read ended. A read that started and has not ended is under way (or blocked).
    /// </summary>
    public static class PromptLog
    {
        private static readonly object Sync = new object();
        private static int shown, started, answered, cancelled, refused, stopsRequested;
        private static string lastHost;

        /// <summary>The prompt text was written to the host named hostName; its read starts next.</summary>
        public static void Shown(string hostName)
        {
            lock (Sync) { shown++; lastHost = hostName; }
        }

        public static void ReadStarted() { lock (Sync) { started++; } }

        /// <summary>The host returned a password (right or wrong).</summary>
        public static void ReadAnswered() { lock (Sync) { answered++; } }

        /// <summary>The host returned nothing: the read was cancelled (Ctrl+C, input at its end).</summary>
        public static void ReadCancelled() { lock (Sync) { cancelled++; } }

        /// <summary>The host refused to read (-NonInteractive, no user interface).</summary>
        public static void ReadRefused() { lock (Sync) { refused++; } }

        /// <summary>A pipeline holding Watch-StandInPipelineStop was asked to stop.</summary>
        public static void StopRequested() { lock (Sync) { stopsRequested++; } }

        public static Hashtable Snapshot()
        {
            lock (Sync)
            {
                var result = new Hashtable(StringComparer.OrdinalIgnoreCase);
                result["Shown"] = shown;
                result["ReadsStarted"] = started;
                result["Answered"] = answered;
                result["Cancelled"] = cancelled;
                result["Refused"] = refused;
                result["InProgress"] = started - answered - cancelled - refused;
                result["LastHost"] = lastHost;
                result["StopsRequested"] = stopsRequested;
                return result;
            }
        }

        internal static void Reset()
        {
            lock (Sync) { shown = started = answered = cancelled = refused = stopsRequested = 0; lastHost = null; }
        }
    }

    /// <summary>
    /// Test hook: passes its input on, and notes in the prompt log when its pipeline is asked to stop. PowerShell
    /// asks the commands of a stopping pipeline to stop in order, first to last: placed before a command that
    /// blocks while stopping (ForEach-Object -Parallel waiting for a worker), it shows that the stop was asked for.
    /// </summary>
    [Cmdlet("Watch", "StandInPipelineStop")]
    public sealed class WatchStandInPipelineStopCommand : PSCmdlet
    {
        [Parameter(ValueFromPipeline = true)]
        public PSObject InputObject { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject != null) { WriteObject(InputObject); }
        }

        protected override void StopProcessing()
        {
            PromptLog.StopRequested();
        }
    }
}
