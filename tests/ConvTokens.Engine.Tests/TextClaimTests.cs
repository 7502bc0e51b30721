using ConvTokens.Engine.Claims;
using Xunit;
using static ConvTokens.Engine.Tests.ClaimKindHarness;

namespace ConvTokens.Engine.Tests
{
    /// <summary>The plain string kind: userId (optional) and notificationKey (required, generated when omitted).</summary>
    public class TextClaimTests
    {
        private static readonly ClaimDefinition UserId = ClaimSchema.UserId;
        private static readonly ClaimDefinition NotificationKey = ClaimSchema.NotificationKey;

        [Fact]
        public void Takes_text_as_it_is_and_other_values_as_their_invariant_text() => InCulture("fr-FR", () =>
        {
            Assert.Equal(" u-42 ", Read(UserId, " u-42 "));
            Assert.Equal("42", Read(UserId, 42));
            Assert.Equal("1.5", Read(UserId, 1.5));
            Assert.Equal("True", Read(UserId, true));
        });

        [Fact]
        public void Never_signs_an_optional_claim_empty_though_a_token_may_carry_it()
        {
            Assert.Null(UserId.Problem(""));
            Assert.Equal("userId must not be empty; omit it instead.", UserId.SigningProblem(""));
            Assert.Null(UserId.SigningProblem(" "));
        }

        [Fact]
        public void Requires_a_required_claim_non_empty_everywhere_and_never_signs_it_blank()
        {
            Assert.Equal("notificationKey must be a non-empty string.", NotificationKey.Problem(""));
            Assert.Equal("notificationKey must be a non-empty string.", NotificationKey.SigningProblem(""));
            Assert.Null(NotificationKey.Problem(" \t"));
            Assert.Equal("notificationKey must not be blank; omit it to have one generated.", NotificationKey.SigningProblem(" \t"));
            Assert.Null(NotificationKey.SigningProblem("k"));
        }

        [Fact]
        public void Writes_a_JSON_string_as_JSON_stringify_does_and_refuses_half_a_character()
        {
            Assert.Equal("\"a\\\"b\\\\ noël 😀\"", Json(UserId, "a\"b\\ noël 😀"));
            var refused = Assert.Throws<ClaimValidationException>(() => Json(NotificationKey, "k\ud83d"));
            Assert.Equal("NotificationKeyInvalid", refused.ErrorId);
            Assert.StartsWith("notificationKey holds half of a character at position 2 (a lone UTF-16 surrogate, U+D83D)", refused.Message);
        }

        [Fact]
        public void Reads_a_JSON_string_back_and_nothing_else()
        {
            Assert.Equal(("u-1", null), ReadBack(UserId, "\"u-1\""));
            Assert.Equal((null, "userId must be a JSON string; it is a whole number."), ReadBack(UserId, "5"));
            Assert.Equal((null, "userId must be a JSON string; it is an array."), ReadBack(UserId, "[\"u-1\"]"));
            Assert.True(UserId.Kind.IsJsonValue("5"));
            Assert.False(UserId.Kind.IsJsonValue(5L));
        }

        [Fact]
        public void Recognises_the_text_in_a_column_exactly()
        {
            Assert.True(UserId.Kind.Shows("u-1", "u-1"));
            Assert.False(UserId.Kind.Shows("U-1", "u-1"));
            Assert.Equal("u-1", UserId.NormalizeText("u-1"));
        }
    }
}
