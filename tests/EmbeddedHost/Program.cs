using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;

namespace ConvTokens.Tests.EmbeddedHost
{
    /// <summary>
    /// Runs runbooks the way Azure Automation and the Azure Functions PowerShell worker do: the PowerShell
    /// SDK in a process of its own, one runspace pool (four runspaces), the module imported through
    /// InitialSessionState, no PowerShell host (every runspace is 'Default Host') and no console to read.
    /// Contract: <c>dotnet ConvTokens.Tests.EmbeddedHost.dll &lt;module manifest&gt;</c>; reads one JSON line from
    /// stdin: {"runbooks":[{"name","script","parameters":{..},"secureParameters":{..}}], "stop":{"runbook",
    /// "afterProgressRecords"}, "statsUri"}; starts every runbook at once, optionally stops one with
    /// PowerShell.Stop() once it has written that many progress records, then writes exactly one JSON line
    /// to stdout: each runbook's state, outputs, error records, progress records and other streams, the
    /// endpoint's stats right after the stop, and whatever reached this process's Console meanwhile.
    /// Exit code 0 when the report was written, 2 for bad input.
    /// </summary>
    internal static class Program
    {
        /// <summary>A guard against a hang, not a timing: a runbook that is not done by then is reported as hung.</summary>
        private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

        public static int Main(string[] args)
        {
            // Stdout carries the report and nothing else; whatever else writes to Console is caught and reported.
            var stdout = Console.OpenStandardOutput();
            var console = new StringWriter();
            var caught = TextWriter.Synchronized(console);
            Console.SetOut(caught);
            Console.SetError(caught);

            if (args.Length != 1 || !File.Exists(args[0]))
            {
                WriteLine(stdout, "{\"usage\":\"dotnet ConvTokens.Tests.EmbeddedHost.dll <path to ConvTokens.psd1>, then one JSON line on stdin\"}");
                return 2;
            }

            var plan = JsonNode.Parse(Console.In.ReadLine() ?? "{}")!.AsObject();
            var report = Run(args[0], plan);
            report["console"] = console.ToString();
            WriteLine(stdout, report.ToJsonString());
            return 0;
        }

        private static JsonObject Run(string modulePath, JsonObject plan)
        {
            var session = InitialSessionState.CreateDefault2();
            session.ImportPSModule(new[] { modulePath });
            using var pool = RunspaceFactory.CreateRunspacePool(session);
            pool.SetMinRunspaces(1);
            pool.SetMaxRunspaces(4);
            pool.Open();

            var stop = plan["stop"] as JsonObject;
            var stopName = stop?["runbook"]?.GetValue<string>();
            var stopAfter = stop?["afterProgressRecords"]?.GetValue<int>() ?? 1;
            using var progressSeen = new ManualResetEventSlim();

            var runs = new List<Runbook>();
            foreach (var node in plan["runbooks"]!.AsArray())
            {
                var runbook = new Runbook(node!.AsObject(), pool);
                if (runbook.Name == stopName)
                {
                    runbook.Shell.Streams.Progress.DataAdded += (_, _) =>
                    {
                        if (runbook.Shell.Streams.Progress.Count >= stopAfter) { progressSeen.Set(); }
                    };
                }
                runs.Add(runbook);
            }
            foreach (var runbook in runs) { runbook.Start(); }

            var report = new JsonObject();
            if (stopName is not null)
            {
                var target = runs.Single(r => r.Name == stopName);
                var stopReport = new JsonObject { ["progressSeen"] = progressSeen.Wait(HangGuard) };
                var watch = Stopwatch.StartNew();
                // Stop() returns once the pipeline has stopped: StopProcessing, then Dispose.
                target.Shell.Stop();
                stopReport["stopMilliseconds"] = watch.ElapsedMilliseconds;
                stopReport["progressRecordsBeforeStop"] = stopAfter;
                if (plan["statsUri"]?.GetValue<string>() is { } statsUri)
                {
                    stopReport["statsAfterStop"] = ReadStats(statsUri);
                }
                report["stop"] = stopReport;
            }

            var results = new JsonArray();
            foreach (var runbook in runs) { results.Add(runbook.Finish(HangGuard)); }
            report["runbooks"] = results;
            pool.Close();
            return report;
        }

        private static JsonNode? ReadStats(string uri)
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
            return JsonNode.Parse(client.GetStringAsync(uri).GetAwaiter().GetResult());
        }

        private static void WriteLine(Stream stdout, string line)
        {
            var bytes = new UTF8Encoding(false).GetBytes(line + "\n");
            stdout.Write(bytes, 0, bytes.Length);
            stdout.Flush();
        }

        /// <summary>One runbook: a script with its parameters, run on the pool, and everything it wrote.</summary>
        private sealed class Runbook
        {
            private readonly PSDataCollection<PSObject> _output = new PSDataCollection<PSObject>();
            private IAsyncResult? _running;

            public Runbook(JsonObject definition, RunspacePool pool)
            {
                Name = definition["name"]!.GetValue<string>();
                Shell = PowerShell.Create();
                Shell.RunspacePool = pool;
                Shell.AddScript(definition["script"]!.GetValue<string>());
                if (definition["parameters"] is JsonObject parameters)
                {
                    foreach (var (name, value) in parameters) { Shell.AddParameter(name, ToValue(value)); }
                }
                if (definition["secureParameters"] is JsonObject secure)
                {
                    foreach (var (name, value) in secure) { Shell.AddParameter(name, ToSecureString(value!.GetValue<string>())); }
                }
            }

            public string Name { get; }
            public PowerShell Shell { get; }

            public void Start() => _running = Shell.BeginInvoke<PSObject, PSObject>(null, _output);

            public JsonObject Finish(TimeSpan guard)
            {
                var result = new JsonObject { ["name"] = Name };
                if (!_running!.AsyncWaitHandle.WaitOne(guard))
                {
                    result["state"] = "Hung";
                    return result;
                }
                try
                {
                    Shell.EndInvoke(_running);
                }
                catch (RuntimeException failure)
                {
                    result["terminatingError"] = failure.ErrorRecord?.FullyQualifiedErrorId ?? failure.GetType().FullName;
                }
                result["state"] = Shell.InvocationStateInfo.State.ToString();
                result["outputs"] = new JsonArray(_output.Select(o => (JsonNode?)JsonValue.Create(o?.ToString())).ToArray());
                result["errors"] = new JsonArray(Shell.Streams.Error.Select(ToJson).ToArray());
                result["progress"] = new JsonArray(Shell.Streams.Progress.Select(p => (JsonNode?)new JsonObject
                {
                    ["activity"] = p.Activity,
                    ["status"] = p.StatusDescription,
                    ["percent"] = p.PercentComplete,
                    ["recordType"] = p.RecordType.ToString(),
                    ["activityId"] = p.ActivityId,
                }).ToArray());
                result["warnings"] = new JsonArray(Shell.Streams.Warning.Select(w => (JsonNode?)JsonValue.Create(w.Message)).ToArray());
                result["information"] = new JsonArray(Shell.Streams.Information.Select(i => (JsonNode?)JsonValue.Create(i.MessageData?.ToString())).ToArray());
                result["verbose"] = Shell.Streams.Verbose.Count;
                result["debug"] = Shell.Streams.Debug.Count;
                Shell.Dispose();
                return result;
            }

            private static JsonNode? ToJson(ErrorRecord error)
            {
                var target = error.TargetObject is PSObject wrapped ? wrapped.BaseObject : error.TargetObject;
                var keyed = error.TargetObject is null ? null : PSObject.AsPSObject(error.TargetObject).Properties["NotificationKey"]?.Value;
                return new JsonObject
                {
                    ["id"] = error.FullyQualifiedErrorId,
                    ["category"] = error.CategoryInfo.Category.ToString(),
                    ["targetType"] = target?.GetType().FullName,
                    // Text targets as they are; objects by the notificationKey they carry (their text is a token).
                    ["target"] = target is string || target is ValueType ? target.ToString() : keyed?.ToString(),
                    ["exceptionType"] = error.Exception?.GetType().FullName,
                };
            }

            private static object? ToValue(JsonNode? value) => value switch
            {
                null => null,
                JsonArray array => array.Select(ToValue).ToArray(),
                JsonValue scalar when scalar.TryGetValue<int>(out var number) => number,
                JsonValue scalar when scalar.TryGetValue<bool>(out var flag) => flag,
                JsonValue scalar => scalar.ToString(),
                _ => value.ToJsonString(),
            };

            private static SecureString ToSecureString(string text)
            {
                var secure = new SecureString();
                foreach (var c in text) { secure.AppendChar(c); }
                secure.MakeReadOnly();
                return secure;
            }
        }
    }
}
