using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>
    /// Each class where signing and verifying once disagreed (issue 16), decided once and checked in both
    /// directions: the signer refuses what verifiers refuse, and what it signs reads back unchanged.
    /// </summary>
    public class SignVerifyRulesTests : IDisposable
    {
        private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        private readonly SecretBytes _secret = Reference.Secret(Reference.SampleSecret);
        private readonly TokenSigner _signer;
        private readonly TokenVerifier _verifier;

        public SignVerifyRulesTests()
        {
            _signer = new TokenSigner(_secret);
            _verifier = new TokenVerifier(_secret);
        }

        public void Dispose()
        {
            _signer.Dispose();
            _verifier.Dispose();
            _secret.Dispose();
        }

        private static InitializationClaims With(params (string Name, object? Value)[] extra)
        {
            var claims = new InitializationClaims { Amount = 1, IssuedAt = Now.ToUnixTimeSeconds(), NotificationKey = "k" };
            if (extra.Length > 0)
            {
                var list = new List<KeyValuePair<string, object?>>();
                foreach (var (name, value) in extra) { list.Add(new KeyValuePair<string, object?>(name, value)); }
                claims.AdditionalClaims = list;
            }
            return claims;
        }

        private ClaimValidationException Refused(InitializationClaims claims) =>
            Assert.Throws<ClaimValidationException>(() =>
            {
                claims.Validate();
                _signer.CreateToken(claims);
            });

        private VerificationResult SignAndVerify(InitializationClaims claims)
        {
            claims.Validate();
            var result = _verifier.Verify(_signer.CreateToken(claims), new VerificationOptions(), Now);
            Assert.True(result.IsValid, result.Message);
            return result;
        }

        private VerificationResult VerifyPayload(string payload) =>
            _verifier.Verify(Reference.Sign(Reference.Hs256Header, payload, Reference.SampleSecret), new VerificationOptions(), Now);

        // Tiny numbers: signed exactly, read back exactly (a double when no decimal holds them).
        [Theory]
        [InlineData(5e-324, "5e-324")]
        [InlineData(1.23456789e-25, "1.23456789e-25")]
        [InlineData(-4.9406564584124654e-324, "-5e-324")]
        public void A_tiny_double_reads_back_as_the_same_double(double value, string json)
        {
            var claims = With(("tiny", value));
            Assert.EndsWith(",\"tiny\":" + json + "}", ClaimsJson.Write(claims));
            var read = SignAndVerify(claims).Claims!["tiny"];
            Assert.IsType<double>(read);
            Assert.Equal(value, (double)read!);
        }

        [Fact]
        public void A_number_a_decimal_holds_exactly_reads_back_as_that_decimal()
        {
            var read = SignAndVerify(With(("a", 1.5e-24), ("b", 0.0000000000000000000000000001m), ("c", 1e21), ("d", 12.5), ("e", 100.0))).Claims!;
            Assert.Equal(0.0000000000000000000000015m, Assert.IsType<decimal>(read["a"]));
            Assert.Equal(0.0000000000000000000000000001m, Assert.IsType<decimal>(read["b"]));
            Assert.Equal(1000000000000000000000m, Assert.IsType<decimal>(read["c"]));
            Assert.Equal(12.5m, Assert.IsType<decimal>(read["d"]));
            Assert.Equal(100L, Assert.IsType<long>(read["e"]));
        }

        [Fact]
        public void A_float_is_written_as_the_shortest_text_that_names_it()
        {
            var claims = With(("f", 0.1f), ("g", -459.8072f));
            Assert.EndsWith(",\"f\":0.1,\"g\":-459.8072}", ClaimsJson.Write(claims));
            Assert.Equal(0.1m, SignAndVerify(claims).Claims!["f"]);
        }

        // Amounts: exact or refused, never rounded, in both directions.
        [Theory]
        [InlineData(1.23456789e-25, "amount 1.23456789E-25 has more than 28 decimal places, so it cannot be signed unchanged (it would become 0.0000000000000000000000001235); nothing is rounded for you. Round it first ([math]::Round), or give it as a [decimal].")]
        [InlineData(1e-30, "amount 1E-30 has more than 28 decimal places, so it cannot be signed unchanged (it would become 0); nothing is rounded for you. Round it first ([math]::Round), or give it as a [decimal].")]
        [InlineData(1e30, "amount 1E+30 is out of range: no amount or whole number above 7.9e28 is signed.")]
        [InlineData(double.NaN, "amount must be a finite number; got NaN.")]
        public void A_double_amount_no_decimal_holds_is_refused_with_its_own_value(double value, string message)
        {
            var refused = Assert.Throws<ClaimValidationException>(() => ClaimNumbers.FromBinary(value, single: false, "amount", "AmountInvalid"));
            Assert.Equal("AmountInvalid", refused.ErrorId);
            Assert.Equal("amount", refused.Claim);
            Assert.Equal(message, refused.Message);
        }

        [Theory]
        [InlineData(1e-20, "0.00000000000000000001")]
        [InlineData(12.5, "12.5")]
        [InlineData(0.1, "0.1")]
        [InlineData(1e-28, "0.0000000000000000000000000001")]
        public void A_double_amount_a_decimal_holds_is_taken_exactly(double value, string exact) =>
            Assert.Equal(decimal.Parse(exact, System.Globalization.CultureInfo.InvariantCulture), ClaimNumbers.FromBinary(value, single: false, "amount", "AmountInvalid"));

        [Fact]
        public void A_float_amount_is_its_shortest_text() => Assert.Equal(0.1m, ClaimNumbers.FromBinary(0.1f, single: true, "amount", "AmountInvalid"));

        [Theory]
        [InlineData("0.00000000000000000000000000001")]
        [InlineData("1.00000000000000000000000000001")]
        [InlineData("79228162514264337593543950336")]
        public void Amount_text_no_decimal_holds_is_refused_not_rounded(string text)
        {
            Assert.False(ClaimNumbers.TryParse(text, out _));
            Assert.Equal($"amount '{text}' has more than 28 decimal places or is beyond 7.9e28, so it cannot be signed unchanged; nothing is rounded for you. Round it yourself.",
                ClaimNumbers.DescribeRejectedText("amount", text, wholeNumber: false));
        }

        [Theory]
        [InlineData("0.0000000000000000000000000001", true)]
        [InlineData("0.00000000000000000000000000010000", true)]
        [InlineData("0.00000000000000000000000000001", false)]
        [InlineData("79228162514264337593543950335", true)]
        [InlineData("79228162514264337593543950336", false)]
        [InlineData("7.9228162514264337593543950335e28", true)]
        [InlineData("7.9228162514264337593543950336e28", false)]
        [InlineData("-79228162514264337593543950335", true)]
        [InlineData("1.5e-24", true)]
        [InlineData("1.23456789e-25", false)]
        [InlineData("5e-324", false)]
        [InlineData("1e400", false)]
        [InlineData("1E+21", true)]
        [InlineData("0", true)]
        [InlineData("0e99999999999", true)]
        [InlineData("12.", false)]
        [InlineData("", false)]
        [InlineData("1e", false)]
        public void Knows_which_numbers_a_decimal_holds_exactly(string number, bool fits) => Assert.Equal(fits, ClaimNumbers.FitsDecimal(number));

        [Fact]
        public void The_verifier_refuses_an_amount_it_would_round()
        {
            var result = VerifyPayload("{\"amount\":1.23456789e-25,\"iat\":1800000000,\"notificationKey\":\"k\"}");
            Assert.Equal(TokenFailure.InvalidClaim, result.Failure);
            Assert.StartsWith("amount 1.23456789e-25 has more than 28 decimal places", result.Message);
            Assert.True(VerifyPayload("{\"amount\":1e-28,\"iat\":1800000000,\"notificationKey\":\"k\"}").IsValid);
        }

        // Text: a lone surrogate is refused at signing, as the verifier refuses its escape.
        // The text is built in the test: xunit's theory data would turn a lone surrogate into U+FFFD.
        [Theory]
        [InlineData("ab", 0xD83D, "", 3, "D83D")]
        [InlineData("", 0xDE00, "x", 1, "DE00")]
        [InlineData("😀", 0xD83D, "😀", 3, "D83D")]
        public void Refuses_a_lone_surrogate_in_a_claim_naming_the_claim_and_position(string before, int half, string after, int position, string hex)
        {
            var text = before + (char)half + after;
            foreach (var (claim, set) in new (ClaimDefinition, Action<InitializationClaims>)[]
            {
                (ClaimSchema.UserId, c => c.UserId = text),
                (ClaimSchema.ZipCode, c => c.ZipCode = text),
                (ClaimSchema.NotificationKey, c => c.NotificationKey = text),
            })
            {
                var claims = With();
                set(claims);
                var refused = Refused(claims);
                Assert.Equal(claim.InvalidErrorId, refused.ErrorId);
                Assert.Equal(claim.Name, refused.Claim);
                Assert.Equal($"{claim.Name} holds half of a character at position {position} (a lone UTF-16 surrogate, U+{hex}), as text cut in the middle of an emoji does. " +
                    "Verifiers, Test-Token included, refuse a token that carries one (Malformed), so it is never signed: give the whole character, or leave the half out.", refused.Message);
            }
        }

        [Fact]
        public void Refuses_a_lone_surrogate_anywhere_in_additional_claims()
        {
            var lone = "x\ud800";
            foreach (var (claims, what) in new[]
            {
                (With(("tag", lone)), "additional claim 'tag' holds"),
                (With((lone, 1)), $"the additional claim name '{lone}' holds"),
                (With(("tag", new object[] { 1, new OrderedDictionary { [lone] = 2 } })), "a member name in additional claim 'tag' holds"),
                (With(("tag", new Hashtable { ["k"] = new[] { lone } })), "additional claim 'tag' holds"),
                (With(("tag", '\udc00')), "additional claim 'tag' holds"),
            })
            {
                var refused = Refused(claims);
                Assert.Equal("AdditionalClaimInvalid", refused.ErrorId);
                Assert.StartsWith(what + " half of a character", refused.Message);
            }
            // The verifier's side of the same rule: a token with the escape is Malformed.
            var result = VerifyPayload("{\"amount\":1,\"iat\":1800000000,\"notificationKey\":\"k\",\"tag\":\"x\\ud800\"}");
            Assert.Equal(TokenFailure.Malformed, result.Failure);
            Assert.Equal("the payload has a string that is not valid Unicode (an unpaired surrogate escape).", result.Message);
        }

        // Depth: counted from the payload object on both sides.
        private static object Nest(int levels)
        {
            object value = "leaf";
            for (var i = 0; i < levels; i++) { value = i % 2 == 0 ? new object[] { value } : new OrderedDictionary { ["k"] = value }; }
            return value;
        }

        [Fact]
        public void A_value_nesting_31_levels_signs_and_verifies_and_32_is_refused()
        {
            var claims = With(("deep", Nest(31)));
            var json = ClaimsJson.Write(claims);
            Assert.Equal(32, json.Split('[').Length - 1 + json.Split('{').Length - 1);
            SignAndVerify(claims);
            var refused = Refused(With(("deep", Nest(32))));
            Assert.Equal("AdditionalClaimInvalid", refused.ErrorId);
            Assert.Equal("additional claim 'deep' nests more than 31 levels of arrays and dictionaries. A token's JSON may nest 32 levels, the payload object being the first, " +
                "and verifiers (Test-Token included) refuse a deeper one; flatten the value.", refused.Message);
            // Empty containers count too: the verifier counts every opening bracket.
            object empty = new object[0];
            for (var i = 0; i < 30; i++) { empty = new List<object> { empty }; }
            SignAndVerify(With(("deep", empty)));
            Assert.Equal("AdditionalClaimInvalid", Refused(With(("deep", new object[] { empty }))).ErrorId);
            // The verifier's side: the payload object and 31 levels pass, one more is Malformed.
            static string Payload(int levels) => "{\"amount\":1,\"iat\":1800000000,\"notificationKey\":\"k\",\"deep\":" + new string('[', levels) + new string(']', levels) + "}";
            Assert.True(VerifyPayload(Payload(31)).IsValid);
            var deeper = VerifyPayload(Payload(32));
            Assert.Equal(TokenFailure.Malformed, deeper.Failure);
            Assert.Equal("the payload is not valid UTF-8 JSON (or nests deeper than 32 levels).", deeper.Message);
        }

        [Fact]
        public void A_self_containing_value_is_refused_not_a_stack_overflow()
        {
            var loop = new Hashtable();
            loop["self"] = loop;
            Assert.Equal("AdditionalClaimInvalid", Refused(With(("loop", loop))).ErrorId);
        }

        // exp and nbf: whole Unix seconds at signing, as every verifier reads them.
        public static IEnumerable<object?[]> BadTimes() => new[]
        {
            new object?[] { "soon", "the text 'soon'" },
            new object?[] { "1900000000", "the text '1900000000'" },
            new object?[] { true, "the boolean true" },
            new object?[] { null, "null" },
            new object?[] { 1900000000.5, "1900000000.5" },
            new object?[] { 1900000000.5m, "1900000000.5" },
            new object?[] { 0, "0" },
            new object?[] { -5L, "-5" },
            new object?[] { 253402300800L, "253402300800" },
            new object?[] { double.NaN, "NaN" },
            new object?[] { new DateTime(2030, 1, 1), "a value of type System.DateTime" },
        };

        [Theory]
        [MemberData(nameof(BadTimes))]
        public void Refuses_an_exp_or_nbf_that_is_not_whole_Unix_seconds(object? value, string shown)
        {
            foreach (var name in new[] { "exp", "nbf" })
            {
                var refused = Refused(With((name, value)));
                Assert.Equal("AdditionalClaimInvalid", refused.ErrorId);
                Assert.Equal(name, refused.Claim);
                Assert.Equal($"additional claim '{name}' is the JWT {(name == "exp" ? "expiry" : "not-before time")}, which every verifier (Test-Token included) reads as whole Unix seconds: " +
                    $"it must be a whole number from 1 to 253402300799 (the year 9999); got {shown}. Give seconds, e.g. [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds().", refused.Message);
            }
        }

        [Fact]
        public void Signs_whole_exp_and_nbf_of_any_numeric_type_and_verifies_them()
        {
            var result = SignAndVerify(With(("exp", 1900000000.0), ("nbf", 1700000000m)));
            Assert.Equal(1900000000L, result.Claims!["exp"]);
            Assert.Equal(1700000000L, result.Claims["nbf"]);
            // Names are exact, as JWT compares them: 'Exp' is just another claim.
            SignAndVerify(With(("Exp", "soon")));
            Assert.Equal(TokenFailure.Expired, _verifier.Verify(_signer.CreateToken(With(("exp", 1L))), new VerificationOptions(), Now).Failure);
        }

        // Member names: unique without regard to case in every object, as the verifier requires.
        [Fact]
        public void Refuses_nested_member_names_that_differ_only_in_case()
        {
            var refused = Refused(With(("obj", new OrderedDictionary { ["key"] = 1, ["KEY"] = 2 })));
            Assert.Equal("AdditionalClaimInvalid", refused.ErrorId);
            Assert.Equal("additional claim 'obj' has the members 'key' and 'KEY' in one object, names that differ only in case; " +
                "verifiers (Test-Token included) refuse such a token as ambiguous. Keep one of them.", refused.Message);
            Assert.Equal(TokenFailure.Malformed,
                VerifyPayload("{\"amount\":1,\"iat\":1800000000,\"notificationKey\":\"k\",\"obj\":{\"key\":1,\"KEY\":2}}").Failure);
            Assert.Equal("AdditionalClaimInvalid", Refused(With(("a", 1), ("A", 2))).ErrorId);
        }

        // Size: never longer than Test-Token and Get-SessionToken take.
        [Fact]
        public void Refuses_claims_that_make_a_token_longer_than_verifiers_take()
        {
            var refused = Refused(With(("big", new string('x', 49_100))));
            Assert.Equal("ClaimsTooLarge", refused.ErrorId);
            Assert.Matches(@"^the claims make a token of 65,6\d\d characters; Test-Token and Get-SessionToken take tokens of at most 65,536\. Shorten the claims \(most often -AdditionalClaims or a long userId\)\.$", refused.Message);
            var claims = With(("big", new string('x', 48_000)));
            Assert.InRange(_signer.CreateToken(claims).Length, 64_000, CompactJwt.MaximumLength);
            SignAndVerify(claims);
        }

        // Order: dictionaries other than ordered ones by ordinal key order, at every level.
        [Fact]
        public void Writes_unordered_dictionaries_by_ordinal_key_order_at_every_level()
        {
            var nested = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["zeta"] = 1, ["Beta"] = 2, ["alpha"] = 3, ["_"] = 4 };
            var ordered = new OrderedDictionary { ["zeta"] = 1, ["alpha"] = 2 };
            var generic = new Dictionary<string, object?> { ["b"] = 1, ["a"] = new SortedList(StringComparer.CurrentCultureIgnoreCase) { ["b"] = 1, ["B2"] = 2, ["a"] = 3 } };
            var json = ClaimsJson.Write(With(("h", nested), ("o", ordered), ("g", generic), ("list", new object[] { nested })));
            Assert.EndsWith(",\"h\":{\"Beta\":2,\"_\":4,\"alpha\":3,\"zeta\":1},\"o\":{\"zeta\":1,\"alpha\":2},\"g\":{\"a\":{\"B2\":2,\"a\":3,\"b\":1},\"b\":1},\"list\":[{\"Beta\":2,\"_\":4,\"alpha\":3,\"zeta\":1}]}", json);
        }

        [Fact]
        public void Signing_order_keeps_ordered_dictionaries_and_sorts_the_rest()
        {
            var ordered = new OrderedDictionary { ["b"] = 1, ["a"] = 2 };
            Assert.Same(ordered, ClaimsJson.InSigningOrder(ordered));
            var keys = new List<string>();
            foreach (DictionaryEntry entry in ClaimsJson.InSigningOrder(new Hashtable { ["b"] = 1, ["a"] = 2, ["B"] = 3 })) { keys.Add((string)entry.Key); }
            Assert.Equal(new[] { "B", "a", "b" }, keys);
        }

        [Fact]
        public void Plain_tokens_still_sign_the_reference_bytes()
        {
            Assert.Equal(Reference.SeedToken, _signer.CreateToken(Reference.SeedClaims()));
        }
    }
}
