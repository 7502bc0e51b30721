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

        [Fact]
        public void Check_gives_every_fuzzed_token_the_failure_and_message_Verify_gives()
        {
            var seed = int.TryParse(Environment.GetEnvironmentVariable("CONVTOKENS_FUZZ_SEED"), out var s) ? s : 20261201;
            var now = DateTimeOffset.UtcNow;
            using var fuzzer = new TokenFuzzer(seed, Reference.SampleSecret, now.ToUnixTimeSeconds());
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var verifier = new TokenVerifier(secret);
            using var secondSecret = Reference.Secret(Reference.SampleSecret);
            using var checker = new TokenVerifier(secondSecret);
            var options = new VerificationOptions { MaximumAge = TimeSpan.FromHours(1) };
            var cases = fuzzer.Cases(30_000).ToList();
            Assert.Contains(cases, c => c.ExpectValid);
            Assert.Contains(cases, c => !c.ExpectValid);
            var wrong = cases
                .Select(c => (Case: c, Verified: verifier.Verify(c.Token, options, now), Checked: checker.Check(c.Token, options, now, out var message), Message: message))
                .Where(r => r.Verified.Failure != r.Checked || r.Verified.Message != r.Message)
                .Take(5)
                .Select(r => $"{r.Case.Category}: Verify {r.Verified.Failure} ({r.Verified.Message}), Check {r.Checked} ({r.Message})")
                .ToList();
            Assert.True(wrong.Count == 0, $"seed {seed}:\n" + string.Join("\n", wrong));
        }
    }
}
