using System;
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ConvTokens.Engine;

namespace ConvTokens.Bench.Engine
{
    public static class Program
    {
        public static void Main(string[] args)
        {
            var artifacts = args.Length > 0 ? args[0] : "out/bench/engine";
            var config = ManualConfig.CreateEmpty()
                .AddJob(Job.ShortRun.WithId("short"))
                .AddExporter(JsonExporter.Brief)
                .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
                .AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
                .WithArtifactsPath(artifacts);
            BenchmarkRunner.Run<SignAndVerify>(config);
        }
    }

    /// <summary>Minting and verifying one seed token: the engine against the hand-rolled limit.</summary>
    [MemoryDiagnoser]
    public class SignAndVerify
    {
        private const string Secret = "monApiSignature";
        private static readonly byte[] HeaderSegment = Encoding.ASCII.GetBytes(B64(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")));
        private TokenSigner _signer = null!;
        private TokenVerifier _verifier = null!;
        private HMACSHA256 _hmac = null!;
        private InitializationClaims _claims = null!;
        private readonly VerificationOptions _options = new VerificationOptions();
        private string _token = string.Empty;
        private DateTimeOffset _now;

        [GlobalSetup]
        public void Setup()
        {
            _signer = new TokenSigner(new SecretBytes(Encoding.UTF8.GetBytes(Secret)));
            _verifier = new TokenVerifier(new SecretBytes(Encoding.UTF8.GetBytes(Secret)));
            _hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
            _now = DateTimeOffset.UtcNow;
            _claims = new InitializationClaims { Amount = 100, ZipCode = "75000", Age = 99, Gender = "M", UserId = "99", IssuedAt = _now.ToUnixTimeSeconds(), NotificationKey = "a3f1c2d4-0001" };
            _token = _signer.CreateToken(_claims);
            if (HandRolledSign() != _token) { throw new InvalidOperationException("the hand-rolled token differs from the engine's"); }
        }

        [Benchmark(Baseline = true, Description = "sign: hand-rolled HS256")]
        public string HandRolledSign()
        {
            var payload = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(payload, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteNumber("amount", 100);
                json.WriteString("cp", _claims.ZipCode);
                json.WriteNumber("age", _claims.Age!.Value);
                json.WriteString("gender", _claims.Gender);
                json.WriteString("userId", _claims.UserId);
                json.WriteNumber("iat", _claims.IssuedAt);
                json.WriteString("notificationKey", _claims.NotificationKey);
                json.WriteEndObject();
            }
            var signingInput = new StringBuilder(400);
            signingInput.Append(Encoding.ASCII.GetString(HeaderSegment)).Append('.').Append(B64(payload.WrittenSpan));
            var text = signingInput.ToString();
            var mac = _hmac.ComputeHash(Encoding.ASCII.GetBytes(text));
            return text + "." + B64(mac);
        }

        [Benchmark(Description = "sign: ConvTokens engine")]
        public string EngineSign() => _signer.CreateToken(_claims);

        [Benchmark(Description = "verify: hand-rolled HS256")]
        public bool HandRolledVerify()
        {
            var dot = _token.LastIndexOf('.');
            var mac = _hmac.ComputeHash(Encoding.ASCII.GetBytes(_token, 0, dot));
            if (!CryptographicOperations.FixedTimeEquals(mac, FromB64(_token.AsSpan(dot + 1)))) { return false; }
            var first = _token.IndexOf('.');
            using var payload = JsonDocument.Parse(FromB64(_token.AsSpan(first + 1, dot - first - 1)));
            return payload.RootElement.TryGetProperty("amount", out _) && payload.RootElement.TryGetProperty("iat", out _)
                && payload.RootElement.TryGetProperty("notificationKey", out _);
        }

        [Benchmark(Description = "verify: ConvTokens engine")]
        public bool EngineVerify() => _verifier.Verify(_token, _options, _now).IsValid;

        private static string B64(ReadOnlySpan<byte> data) => Base64Url.Encode(data);

        private static byte[] FromB64(ReadOnlySpan<char> text) => Base64Url.TryDecode(text)!;
    }
}
