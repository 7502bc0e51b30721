using System;
using System.Linq;
using ConvTokens.Tests.Fuzz;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>
    /// The seeded hostile-token generator against the verifier in process: fast enough for every change.
    /// The Pester fuzz test sends the same kind of cases through Test-Token.
    /// </summary>
    public class FuzzTests
    {
        [Fact]
        public void Verifier_never_throws_accepts_every_control_and_refuses_every_hostile_token()
        {
            var seed = int.TryParse(Environment.GetEnvironmentVariable("CONVTOKENS_FUZZ_SEED"), out var s) ? s : 20261201;
            var now = DateTimeOffset.UtcNow;
            using var fuzzer = new TokenFuzzer(seed, Reference.SampleSecret, now.ToUnixTimeSeconds());
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var verifier = new TokenVerifier(secret);
            var options = new VerificationOptions();
            var wrong = fuzzer.Cases(30_000)
                .Select(c => (Case: c, Result: verifier.Verify(c.Token, options, now)))
                .Where(r => r.Result.IsValid != r.Case.ExpectValid)
                .Take(5)
                .Select(r => $"{r.Case.Category}: expected valid={r.Case.ExpectValid}, got {r.Result.Failure} ({r.Result.Message}) for {r.Case.Token[..Math.Min(200, r.Case.Token.Length)]}")
                .ToList();
            Assert.True(wrong.Count == 0, $"seed {seed}:\n" + string.Join("\n", wrong));
        }
    }
}
