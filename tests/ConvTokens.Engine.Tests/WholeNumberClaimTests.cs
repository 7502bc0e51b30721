using ConvTokens.Engine.Claims;
using Xunit;
using static ConvTokens.Engine.Tests.ClaimKindHarness;

namespace ConvTokens.Engine.Tests
{
    public class WholeNumberClaimTests
    {
        private static readonly ClaimDefinition Age = ClaimSchema.Age;

        public static TheoryData<string> Cultures => new TheoryData<string>(ClaimKindHarness.Cultures);

        [Theory]
        [MemberData(nameof(Cultures))]
        public void Reads_whole_numbers_as_text_or_numbers_in_every_culture(string culture) => InCulture(culture, () =>
        {
            foreach (var value in new object[] { 34, 34L, "34", " 34 ", "34.0", 34.0, 34.0m, (short)34 }) { Assert.Equal(34, Read(Age, value)); }
        });

        [Theory]
        [InlineData("34.5", "age 34.5 is not a whole number; fractions are refused, not rounded. Give whole digits, e.g. 34.")]
        [InlineData("34,5", "age '34,5' is not a whole number: a comma is never read as a decimal point or a thousands separator here. Give whole digits, e.g. 34.")]
        [InlineData("1e3", "age '1e3' is not a number in the accepted form. Give whole digits, e.g. 34.")]
        public void Refuses_text_that_is_not_whole_digits_saying_what_to_type(string text, string message) => Assert.Equal(message, Refused(Age, text));

        [Fact]
        public void Refuses_fractions_and_numbers_beyond_an_int_given_as_numbers()
        {
            Assert.Equal("age 34.5 is not a whole number; fractions are refused, not rounded. Give whole digits, e.g. 34.", Refused(Age, 34.5));
            Assert.Equal("age 34.5 is not a whole number; fractions are refused, not rounded. Give whole digits, e.g. 34.", Refused(Age, 34.5m));
            Assert.Equal("age 3000000000 is out of range for a whole number.", Refused(Age, 3000000000L));
            Assert.Equal("age must be a number; got a Boolean 'False'.", Refused(Age, false));
        }

        [Fact]
        public void Takes_zero_or_more()
        {
            Assert.Null(Age.Problem(0));
            Assert.Null(Age.Problem(120L));
            Assert.Equal("age must be zero or more; got -1.", Age.Problem(-1));
            Assert.Equal("age must be zero or more; got -1.", Age.SigningProblem(-1L));
        }

        [Fact]
        public void Writes_invariant_digits_and_reads_a_whole_JSON_number_back() => InCulture("ar-SA", () =>
        {
            Assert.Equal("34", Json(Age, 34));
            Assert.Equal("-7", Json(Age, -7));
            Assert.Equal((34L, null), ReadBack(Age, "34"));
            Assert.Equal((null, "age must be a whole JSON number; it is a fractional number."), ReadBack(Age, "34.5"));
            Assert.Equal((null, "age must be a whole JSON number; it is a string."), ReadBack(Age, "\"34\""));
            Assert.Equal((null, "age must be a whole JSON number; it is null."), ReadBack(Age, "null"));
        });

        [Theory]
        [InlineData("34", true)]
        [InlineData("034", true)]
        [InlineData("34.0", true)]
        [InlineData("35", false)]
        [InlineData("thirty-four", false)]
        public void Recognises_the_number_in_a_column(string text, bool shows) => Assert.Equal(shows, Age.Kind.Shows(text, 34));

        [Fact]
        public void Is_a_number_kind_that_takes_no_fractions()
        {
            Assert.True(Assert.IsAssignableFrom<NumberClaim>(Age.Kind).Whole);
            Assert.False(Assert.IsAssignableFrom<NumberClaim>(ClaimSchema.Amount.Kind).Whole);
            Assert.True(Age.Kind.IsJsonValue(34L));
            Assert.False(Age.Kind.IsJsonValue(34.5m));
        }
    }
}
