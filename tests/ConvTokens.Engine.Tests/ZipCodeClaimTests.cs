using ConvTokens.Engine.Claims;
using Xunit;
using static ConvTokens.Engine.Tests.ClaimKindHarness;

namespace ConvTokens.Engine.Tests
{
    public class ZipCodeClaimTests
    {
        private static readonly ClaimDefinition ZipCode = ClaimSchema.ZipCode;

        [Fact]
        public void Keeps_text_with_its_leading_zeros_and_takes_a_number_as_its_digits()
        {
            Assert.Equal("01000", Read(ZipCode, "01000"));
            Assert.Equal("75000", Read(ZipCode, 75000));
            Assert.Equal("\"01000\"", Json(ZipCode, "01000"));
        }

        [Fact]
        public void Never_signs_an_empty_zip_code_naming_it_as_one()
        {
            Assert.Null(ZipCode.Problem(""));
            Assert.Equal("cp (zip code) must not be empty; omit it instead.", ZipCode.SigningProblem(""));
        }

        [Fact]
        public void Reads_back_only_a_JSON_string()
        {
            Assert.Equal(("75000", null), ReadBack(ZipCode, "\"75000\""));
            Assert.Equal((null, "cp must be a JSON string; it is a whole number."), ReadBack(ZipCode, "75000"));
        }

        [Fact]
        public void Is_read_from_its_parameter_its_claim_name_and_its_alias() =>
            Assert.Equal(new[] { "cp" }, ZipCode.Aliases);
    }
}
