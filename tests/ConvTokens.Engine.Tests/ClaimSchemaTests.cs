using System.Linq;
using ConvTokens.Engine.Claims;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    public class ClaimSchemaTests
    {
        [Fact]
        public void Lists_the_vendor_claims_in_payload_order_with_their_kinds()
        {
            Assert.Equal(new[] { "amount", "cp", "age", "gender", "userId", "iat", "notificationKey", "forceManualConfirm" }, ClaimSchema.All.Select(c => c.Name));
            Assert.Equal(Enumerable.Range(0, ClaimSchema.All.Count), ClaimSchema.All.Select(c => c.Index));
            Assert.Equal(
                new[] { typeof(AmountClaim), typeof(ZipCodeClaim), typeof(WholeNumberClaim), typeof(GenderClaim), typeof(TextClaim), typeof(UnixTimeClaim), typeof(TextClaim), typeof(BooleanClaim) },
                ClaimSchema.All.Select(c => c.Kind.GetType()));
            Assert.Equal(new[] { "amount", "iat", "notificationKey" }, ClaimSchema.All.Where(c => c.Required).Select(c => c.Name));
        }

        [Theory]
        [InlineData("Amount", "amount")]
        [InlineData("AMOUNT", "amount")]
        [InlineData("cp", "cp")]
        [InlineData("ZipCode", "cp")]
        [InlineData("zipcode", "cp")]
        [InlineData("iat", "iat")]
        [InlineData("IssuedAt", "iat")]
        [InlineData("userid", "userId")]
        [InlineData("ForceManualConfirm", "forceManualConfirm")]
        public void Finds_a_claim_by_parameter_name_claim_name_or_alias_without_regard_to_case(string input, string claim)
        {
            Assert.True(ClaimSchema.TryFindByInputName(input, out var found));
            Assert.Equal(claim, found.Name);
        }

        [Theory]
        [InlineData("montant")]
        [InlineData("AdditionalClaims")]
        [InlineData("exp")]
        public void Knows_no_other_input_names(string input) => Assert.False(ClaimSchema.TryFindByInputName(input, out _));

        [Fact]
        public void Compares_JSON_member_names_exactly()
        {
            Assert.Same(ClaimSchema.UserId, ClaimSchema.FindByName("userId"));
            Assert.Null(ClaimSchema.FindByName("userid"));
        }

        [Fact]
        public void Names_each_claims_error_id_after_its_parameter()
        {
            Assert.Equal(
                new[] { "AmountInvalid", "ZipCodeInvalid", "AgeInvalid", "GenderInvalid", "UserIdInvalid", "IssuedAtInvalid", "NotificationKeyInvalid", "ForceManualConfirmInvalid" },
                ClaimSchema.All.Select(c => c.InvalidErrorId));
            Assert.Equal(new[] { "AmountMissing", "IssuedAtMissing", "NotificationKeyMissing" }, ClaimSchema.All.Where(c => c.Required).Select(c => c.MissingErrorId));
        }

        [Fact]
        public void Signs_nothing_the_API_allows_only_in_words_but_accepts_it_in_tokens()
        {
            // The verifier checks Problem; minting checks SigningProblem, which adds ConvTokens' own stricter rules.
            Assert.Null(ClaimSchema.ZipCode.Problem(""));
            Assert.NotNull(ClaimSchema.ZipCode.SigningProblem(""));
            Assert.Null(ClaimSchema.UserId.Problem(""));
            Assert.NotNull(ClaimSchema.UserId.SigningProblem(""));
            Assert.Null(ClaimSchema.NotificationKey.Problem(" "));
            Assert.NotNull(ClaimSchema.NotificationKey.SigningProblem(" "));
            Assert.NotNull(ClaimSchema.NotificationKey.Problem(""));
            Assert.Null(ClaimSchema.IssuedAt.Problem(0L));
            Assert.NotNull(ClaimSchema.IssuedAt.SigningProblem(0L));
            Assert.NotNull(ClaimSchema.IssuedAt.SigningProblem(UnixTimeClaim.MaxSeconds + 1));
            Assert.Null(ClaimSchema.IssuedAt.SigningProblem(UnixTimeClaim.MaxSeconds));
        }

        [Fact]
        public void Validates_claims_with_the_signing_rules_and_the_schema_error_ids()
        {
            var claims = Reference.SeedClaims();
            claims.Validate();
            claims.ZipCode = "";
            var error = Assert.Throws<ClaimValidationException>(() => claims.Validate());
            Assert.Equal("ZipCodeInvalid", error.ErrorId);
            Assert.Equal("cp", error.Claim);

            claims = Reference.SeedClaims();
            claims[ClaimSchema.NotificationKey] = null;
            Assert.Equal("NotificationKeyMissing", Assert.Throws<ClaimValidationException>(() => claims.Validate()).ErrorId);
        }

        [Fact]
        public void Refuses_additional_claims_that_shadow_a_schema_claim_in_any_case()
        {
            var claims = Reference.SeedClaims();
            claims.AdditionalClaims = new[] { new System.Collections.Generic.KeyValuePair<string, object?>("UserID", "x") };
            Assert.Equal("AdditionalClaimReserved", Assert.Throws<ClaimValidationException>(() => claims.Validate()).ErrorId);
        }
    }
}
