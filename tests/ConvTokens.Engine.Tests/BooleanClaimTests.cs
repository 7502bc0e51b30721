using ConvTokens.Engine.Claims;
using Xunit;
using static ConvTokens.Engine.Tests.ClaimKindHarness;

namespace ConvTokens.Engine.Tests
{
    public class BooleanClaimTests
    {
        private static readonly ClaimDefinition Force = ClaimSchema.ForceManualConfirm;

        [Fact]
        public void Reads_booleans_ones_and_zeros_as_values_or_text()
        {
            foreach (var value in new object[] { true, 1, "true", " True ", "1", " 1" }) { Assert.Equal(true, Read(Force, value)); }
            foreach (var value in new object[] { false, 0, "false", "FALSE", "0" }) { Assert.Equal(false, Read(Force, value)); }
        }

        [Theory]
        [InlineData(2, "forceManualConfirm must be true or false; got '2'.")]
        [InlineData("yes", "forceManualConfirm must be true or false; got 'yes'.")]
        [InlineData(1L, "forceManualConfirm must be true or false; got '1'.")]
        [InlineData(1.0, "forceManualConfirm must be true or false; got '1'.")]
        public void Refuses_anything_else(object value, string message) => Assert.Equal(message, Refused(Force, value));

        [Fact]
        public void Writes_and_reads_back_a_JSON_boolean_only()
        {
            Assert.Equal("true", Json(Force, true));
            Assert.Equal("false", Json(Force, false));
            Assert.Equal((true, null), ReadBack(Force, "true"));
            Assert.Equal((false, null), ReadBack(Force, "false"));
            Assert.Equal((null, "forceManualConfirm must be a JSON boolean; it is a whole number."), ReadBack(Force, "1"));
            Assert.Equal((null, "forceManualConfirm must be a JSON boolean; it is a string."), ReadBack(Force, "\"true\""));
            Assert.Null(Force.Problem(false));
        }

        [Theory]
        [InlineData("True", true, true)]
        [InlineData("1", true, true)]
        [InlineData("0", false, true)]
        [InlineData("0", true, false)]
        [InlineData("yes", true, false)]
        public void Recognises_the_flag_in_a_column(string text, bool flag, bool shows) => Assert.Equal(shows, Force.Kind.Shows(text, flag));
    }
}
