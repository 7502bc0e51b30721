using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ConvTokens.Engine;

namespace ConvTokens.Bench.Engine
{
    public static class Program
    {
        /// <summary>Arguments: --artifacts DIR (default out/bench/engine), --iterations N (default 10), --warmup N (default 3).</summary>
        public static int Main(string[] args)
        {
            var artifacts = Path.GetFullPath(Option(args, "--artifacts") ?? Path.Combine("out", "bench", "engine"));
            var iterations = int.Parse(Option(args, "--iterations") ?? "10", CultureInfo.InvariantCulture);
            var warmup = int.Parse(Option(args, "--warmup") ?? "3", CultureInfo.InvariantCulture);

            // In process: no generated project to build per run, so a run takes seconds, not minutes.
            var job = Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(warmup)
                .WithIterationCount(iterations)
                .WithId("InProcess");
            var config = ManualConfig.CreateEmpty()
                .AddJob(job)
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .AddLogger(ConsoleLogger.Default)
                .AddDiagnoser(MemoryDiagnoser.Default)
                .AddExporter(JsonExporter.Full, MarkdownExporter.GitHub)
                .WithArtifactsPath(artifacts)
                .WithOptions(ConfigOptions.DisableLogFile);
            var summary = BenchmarkRunner.Run<SignAndVerify>(config);
            return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
        }

        private static string? Option(string[] args, string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }
    }

    /// <summary>
    /// The engine's sign and verify beside the physical limit of both: HMAC-SHA256 alone over the same
    /// signing input (header.payload, ASCII), with the key prepared once (one HMACSHA256 instance holds
    /// the padded key state) and the 32-byte MAC written into a buffer reused by every call. Signing
    /// cannot be cheaper than that MAC, and neither can verifying, which must recompute it. Each call
    /// takes the next of 1,024 different seed rows and their tokens, so no single input is measured.
    /// </summary>
    public class SignAndVerify
    {
        private const int Inputs = 1024;
        private readonly VerificationOptions _options = new VerificationOptions();
        private readonly byte[] _mac = new byte[32];
        private InitializationClaims[] _claims = Array.Empty<InitializationClaims>();
        private string[] _tokens = Array.Empty<string>();
        private byte[][] _signingInputs = Array.Empty<byte[]>();
        private TokenSigner? _signer;
        private TokenVerifier? _verifier;
        private HMACSHA256? _hmac;
        private DateTimeOffset _now;
        private int _next;

        [GlobalSetup]
        public void Setup()
        {
            // A 15-byte apiSignature, like the vendor's samples: short keys are the common case.
            var key = new byte[15];
            RandomNumberGenerator.Fill(key);
            _signer = new TokenSigner(new SecretBytes((byte[])key.Clone()));
            _verifier = new TokenVerifier(new SecretBytes((byte[])key.Clone()));
            _hmac = new HMACSHA256(key);
            _now = DateTimeOffset.UtcNow;
            _claims = new InitializationClaims[Inputs];
            _tokens = new string[Inputs];
            _signingInputs = new byte[Inputs][];
            for (var i = 0; i < Inputs; i++)
            {
                _claims[i] = new InitializationClaims
                {
                    Amount = 1 + (i % 500),
                    ZipCode = (1000 + (i * 37 % 90000)).ToString("00000", CultureInfo.InvariantCulture),
                    Age = 18 + (i % 70),
                    Gender = i % 2 == 0 ? "M" : "F",
                    UserId = "user-" + i.ToString(CultureInfo.InvariantCulture),
                    IssuedAt = _now.ToUnixTimeSeconds(),
                    NotificationKey = InitializationClaims.NewNotificationKey(),
                };
                _claims[i].Validate();
                _tokens[i] = _signer.CreateToken(_claims[i]);
                var lastDot = _tokens[i].LastIndexOf('.');
                _signingInputs[i] = Encoding.ASCII.GetBytes(_tokens[i].Substring(0, lastDot));
                // The limit must compute the very MAC the engine writes, or it measures something else.
                _hmac.TryComputeHash(_signingInputs[i], _mac, out _);
                if (Base64Url.Encode(_mac) != _tokens[i].Substring(lastDot + 1))
                {
                    throw new InvalidOperationException("The HMAC limit does not compute the engine's signature.");
                }
                if (!_verifier.Verify(_tokens[i], _options, _now).IsValid)
                {
                    throw new InvalidOperationException("The engine does not verify its own token.");
                }
            }
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _signer?.Dispose();
            _verifier?.Dispose();
            _hmac?.Dispose();
        }

        private int Next() => _next = (_next + 1) & (Inputs - 1);

        [Benchmark(Baseline = true, Description = "limit: HMAC-SHA256 alone")]
        public int HmacLimit()
        {
            _hmac!.TryComputeHash(_signingInputs[Next()], _mac, out var written);
            return written;
        }

        [Benchmark(Description = "engine: TokenSigner.CreateToken")]
        public string EngineSign() => _signer!.CreateToken(_claims[Next()]);

        [Benchmark(Description = "engine: TokenVerifier.Verify")]
        public bool EngineVerify() => _verifier!.Verify(_tokens[Next()], _options, _now).IsValid;
    }
}
