using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ConvTokens.TokenEndpoint
{
    /// <summary>
    /// Hosting and lifetime.
    /// Contract: <c>dotnet ConvTokens.TokenEndpoint.dll</c>; reads one JSON line
    /// {"apiSignature","apiKey","clientSecret"} from stdin; listens on http://127.0.0.1:&lt;free port&gt;;
    /// writes exactly one line {"port":N,"baseUri":"http://127.0.0.1:N"} to stdout; stops when stdin
    /// ends (the test closed it, or went away).
    /// Everything else (errors, stop reasons) goes to stderr, never a secret, a token or a body.
    /// </summary>
    internal static class Program
    {
        private const int ExitOk = 0;
        private const int ExitFailed = 1;
        private const int ExitUsage = 2;

        private const string Usage =
            "usage: dotnet ConvTokens.TokenEndpoint.dll\n" +
            "  then one JSON line on stdin: {\"apiSignature\":\"...\",\"apiKey\":\"...\",\"clientSecret\":\"...\"}";

        public static async Task<int> Main(string[] args)
        {
            // Stdout carries the port line and nothing else: anything that writes to Console.Out lands on stderr.
            Stream stdout = Console.OpenStandardOutput();
            Console.SetOut(Console.Error);

            if (args.Length > 0)
            {
                Say($"unknown argument '{args[0]}'");
                Console.Error.WriteLine(Usage);
                return ExitUsage;
            }

            var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            string? configLine = stdin.ReadLine();
            if (configLine is null)
            {
                Say("standard input ended before the JSON configuration line");
                Console.Error.WriteLine(Usage);
                return ExitUsage;
            }

            if (!EndpointSecrets.TryParse(configLine, out EndpointSecrets? secrets, out string configError))
            {
                Say(configError);
                return ExitUsage;
            }

            configLine = null;
            await using WebApplication app = Build(secrets!);
            try
            {
                await app.StartAsync();
            }
            catch (Exception ex)
            {
                Say($"could not start: {ex.GetType().Name}: {ex.Message}");
                return ExitFailed;
            }

            int port = BoundPort(app);
            byte[] line = Encoding.ASCII.GetBytes(
                string.Create(CultureInfo.InvariantCulture, $"{{\"port\":{port},\"baseUri\":\"http://127.0.0.1:{port}\"}}\n"));
            stdout.Write(line);
            stdout.Flush();

            WatchStandardInput(stdin, app.Lifetime);

            await app.WaitForShutdownAsync();
            return ExitOk;
        }

        /// <summary>One line on stderr, prefixed so it reads well inside a test log.</summary>
        public static void Say(string message) => Console.Error.WriteLine($"ConvTokens.TokenEndpoint: {message}");

        private static WebApplication Build(EndpointSecrets secrets)
        {
            // The empty builder reads no appsettings.json, environment variables or command line:
            // nothing outside this process can move the endpoint off loopback or turn on logging.
            WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = RequestHandler.MaxBodyBytes;
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            });

            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.ColorBehavior = LoggerColorBehavior.Disabled;
            });
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));

            WebApplication app = builder.Build();
            var stats = new EndpointStats();
            var handler = new RequestHandler(new TokenService(secrets, stats), new FaultInjector(), stats);
            ((IApplicationBuilder)app).Run(handler.HandleAsync);
            return app;
        }

        private static int BoundPort(WebApplication app)
        {
            IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
            return new Uri(addresses.Addresses.Single()).Port;
        }

        /// <summary>EOF on stdin means the parent closed it or went away: stop.</summary>
        private static void WatchStandardInput(StreamReader stdin, IHostApplicationLifetime lifetime)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    char[] sink = new char[256];
                    while (stdin.Read(sink, 0, sink.Length) > 0)
                    {
                    }
                }
                catch (IOException)
                {
                }
                catch (ObjectDisposedException)
                {
                }

                if (!lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    Say("stopping: standard input closed");
                    lifetime.StopApplication();
                }
            })
            {
                IsBackground = true,
                Name = "stdin EOF watch",
            };
            thread.Start();
        }
    }
}
