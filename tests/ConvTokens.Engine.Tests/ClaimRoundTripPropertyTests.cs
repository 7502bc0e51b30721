using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using ConvTokens.Engine.Claims;
using ConvTokens.Tests.Fuzz;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>
    /// The round-trip property, in process: everything the signer signs, the verifier reports valid with
    /// claims equal in value and type to what the rules state; what it refuses, it refuses with the id of the
    /// defect's class (a catalogued one). Random inputs from a seed; a failure prints the seed and the cases.
    /// Tests/Pester/Fuzz.Tests.ps1 sends the same generator's inputs through the real cmdlets.
    /// </summary>
    public class ClaimRoundTripPropertyTests
    {
        private const int Cases = 6000;

        /// <summary>The ids the engine's claim rules may raise: what the ErrorCatalog lists for New-InitializationToken's claims.</summary>
        private static readonly HashSet<string> EngineErrorIds = new HashSet<string>(
            ClaimSchema.All.SelectMany(c => new[] { c.InvalidErrorId, c.MissingErrorId })
                .Concat(new[] { ClaimErrorIds.AdditionalClaimInvalid, ClaimErrorIds.AdditionalClaimReserved, ClaimErrorIds.ClaimsTooLarge }));

        [Fact]
        public void What_is_signed_verifies_with_the_same_claims_and_what_is_refused_has_its_classes_id()
        {
            var seed = int.TryParse(Environment.GetEnvironmentVariable("CONVTOKENS_PROPERTY_SEED"), out var s) ? s : 20261216;
            var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
            var generator = new ClaimCaseGenerator(seed, now.ToUnixTimeSeconds());
            using var secret = Reference.Secret(Reference.SampleSecret);
            using var signer = new TokenSigner(secret);
            using var verifier = new TokenVerifier(secret);
            var options = new VerificationOptions();
            var failures = new List<string>();
            int signed = 0, refused = 0;
            for (var i = 0; i < Cases && failures.Count < 5; i++)
            {
                var c = generator.Next();
                string? token = null;
                string? refusal = null;
                try
                {
                    token = signer.CreateToken(ToClaims(c.Row));
                }
                catch (ClaimValidationException invalid)
                {
                    refusal = invalid.ErrorId;
                    if (!EngineErrorIds.Contains(invalid.ErrorId)) { failures.Add($"{c}\n  refused with the uncatalogued id {invalid.ErrorId}: {invalid.Message}"); continue; }
                    if (c.IsValid) { failures.Add($"{c}\n  refused a valid input: {invalid.ErrorId}: {invalid.Message}"); continue; }
                    if (invalid.ErrorId != c.ExpectedErrorId) { failures.Add($"{c}\n  refused with {invalid.ErrorId} ({invalid.Message})"); continue; }
                    refused++;
                }
                catch (Exception other)
                {
                    failures.Add($"{c}\n  threw {other.GetType().FullName}: {other.Message}");
                    continue;
                }
                if (refusal is not null) { continue; }
                if (!c.IsValid) { failures.Add($"{c}\n  was signed: {token}"); continue; }
                var result = verifier.Verify(token, options, now);
                if (!result.IsValid) { failures.Add($"{c}\n  signed, then {result.Failure}: {result.Message}\n  {token}"); continue; }
                if (ClaimCaseGenerator.Difference(c.ExpectedClaims, result.Claims) is { } difference) { failures.Add($"{c}\n  {difference}\n  {token}"); continue; }
                signed++;
            }
            Assert.True(failures.Count == 0, $"seed {seed} (rerun with CONVTOKENS_PROPERTY_SEED={seed}):\n" + string.Join("\n", failures));
            // Both sides of the property were exercised, in earnest.
            Assert.InRange(signed, Cases / 2, Cases);
            Assert.InRange(refused, Cases / 5, Cases);
        }

        /// <summary>A row's raw values as the cmdlet's input reading turns them into claims: each by its claim's kind, additional claims in the engine's order.</summary>
        internal static InitializationClaims ToClaims(IDictionary row)
        {
            var claims = new InitializationClaims();
            foreach (var claim in ClaimSchema.All)
            {
                if (row[claim.Parameter] is { } value) { claims[claim] = claim.Kind.Read(claim, value); }
            }
            if (row["AdditionalClaims"] is IDictionary extra)
            {
                var list = new List<KeyValuePair<string, object?>>();
                foreach (DictionaryEntry entry in ClaimsJson.InSigningOrder(extra)) { list.Add(new KeyValuePair<string, object?>((string)entry.Key, entry.Value)); }
                claims.AdditionalClaims = list;
            }
            claims.Validate();
            return claims;
        }
    }
}
