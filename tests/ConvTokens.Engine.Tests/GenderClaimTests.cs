using ConvTokens.Engine.Claims;
using Xunit;
using static ConvTokens.Engine.Tests.ClaimKindHarness;

namespace ConvTokens.Engine.Tests
{
    public class GenderClaimTests
    {
        private static readonly ClaimDefinition Gender = ClaimSchema.Gender;

        [Theory]
        [InlineData("M", true)]
        [InlineData("F", true)]
        [InlineData("m", false)]
        [InlineData("X", false)]
        public void Takes_gender_M_or_F_exactly_and_normalises_typed_m_and_f(string gender, bool valid)
        {
            Assert.Equal(valid, ClaimSchema.Gender.Problem(gender) is null);
            Assert.Equal("M", ClaimSchema.Gender.NormalizeText(" m "));
            Assert.Equal("F", ClaimSchema.Gender.NormalizeText("f"));
            Assert.Equal("X", ClaimSchema.Gender.NormalizeText("X"));
        }

        [Fact]
        public void Reads_m_and_f_as_M_and_F_and_leaves_anything_else_for_the_rule_to_refuse()
        {
            Assert.Equal("M", Read(Gender, " m "));
            Assert.Equal("F", Read(Gender, "F"));
            Assert.Equal("X", Read(Gender, " X "));
            Assert.Equal("gender must be 'M' or 'F'; got 'X'.", Gender.SigningProblem("X"));
            Assert.Equal("gender must be 'M' or 'F'; got 'male'.", Gender.Problem(Read(Gender, "male")));
        }

        [Fact]
        public void Writes_and_reads_back_a_JSON_string_which_the_rule_then_checks()
        {
            Assert.Equal("\"F\"", Json(Gender, "F"));
            var (value, problem) = ReadBack(Gender, "\"m\"");
            Assert.Null(problem);
            Assert.Equal("gender must be 'M' or 'F'; got 'm'.", Gender.Problem(value!));
            Assert.Equal((null, "gender must be a JSON string; it is a boolean."), ReadBack(Gender, "true"));
        }

        [Fact]
        public void Recognises_m_in_a_column_as_the_M_a_token_carries()
        {
            Assert.True(Gender.Kind.Shows("m", "M"));
            Assert.False(Gender.Kind.Shows("F", "M"));
        }
    }
}
