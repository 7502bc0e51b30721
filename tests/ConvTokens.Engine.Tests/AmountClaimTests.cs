using System.Linq;
using ConvTokens.Engine.Claims;
using Xunit;
using static ConvTokens.Engine.Tests.ClaimKindHarness;

namespace ConvTokens.Engine.Tests
{
    public class AmountClaimTests
    {
        private static readonly ClaimDefinition Amount = ClaimSchema.Amount;

        public static TheoryData<string> Cultures => new TheoryData<string>(ClaimKindHarness.Cultures);

        [Theory]
        [MemberData(nameof(Cultures))]
        public void Reads_text_in_the_one_strict_form_in_every_culture_without_trailing_zeros(string culture) => InCulture(culture, () =>
        {
            Assert.Equal("12.5", ((decimal)Read(Amount, "12.50")).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(100m, Read(Amount, " 100 "));
            Assert.Equal("amount '12,5' has a comma where the decimal point goes: a comma is never read as a decimal point here. Use 12.5.", Refused(Amount, "12,5"));
        });

        [Fact]
        public void Takes_numbers_given_as_numbers_exactly()
        {
            Assert.Equal(12.5m, Read(Amount, 12.5m));
            Assert.Equal(12m, Read(Amount, 12));
            Assert.Equal(12m, Read(Amount, 12L));
            Assert.Equal(3m, Read(Amount, (byte)3));
            Assert.Equal(0.1m, Read(Amount, 0.1));
            Assert.Equal(0.1m, Read(Amount, 0.1f));
            // Every digit of the double's shortest text, so the 15-digit rule can refuse it rather than a cast round it.
            Assert.Equal(Decimal("1234567890.1234567"), Read(Amount, 1234567890.1234567));
            Assert.IsType<decimal>(Read(Amount, 7));
        }

        [Fact]
        public void Refuses_what_is_no_number_naming_its_type()
        {
            Assert.Equal("amount must be a number; got a Boolean 'True'.", Refused(Amount, true));
            Assert.Equal("amount must be a number; got an Object[] 'System.Object[]'.", Refused(Amount, new object[] { 1 }));
            Assert.Equal("amount 1E-30 has more than 28 decimal places, so it cannot be signed unchanged (it would become 0); nothing is rounded for you. " +
                "Round it first ([math]::Round), or give it as a [decimal].", Refused(Amount, 1e-30));
        }

        [Theory]
        [InlineData("0", "amount must be a positive number; got 0.")]
        [InlineData("-1.5", "amount must be a positive number; got -1.5.")]
        [InlineData("0.01", null)]
        public void Takes_only_positive_amounts(string amount, string? problem) => Assert.Equal(problem, Amount.Problem(Decimal(amount)));

        [Fact]
        public void Signs_no_more_significant_digits_than_a_double_keeps()
        {
            Assert.Null(Amount.Kind.PayloadProblem(Amount, 123456789012345m));
            Assert.Null(Amount.Kind.PayloadProblem(Amount, 0.000000000000000000123456789012345m));
            Assert.Equal("amount 1234567890123456 has more than 15 significant digits, which the API's JSON numbers cannot carry unchanged; round it yourself.",
                Amount.Kind.PayloadProblem(Amount, 1234567890123456m));
        }

        [Fact]
        public void Refuses_amounts_with_more_significant_digits_than_a_double_keeps()
        {
            var claims = Reference.SeedClaims();
            claims.Amount = 123456789012345m;
            claims.Validate();
            claims.Amount = 1234567890123456m;
            var error = Assert.Throws<ClaimValidationException>(() => claims.Validate());
            Assert.Equal("AmountInvalid", error.ErrorId);
            Assert.Contains("15 significant digits", error.Message);
        }

        [Fact]
        public void Shows_how_to_convert_a_column_only_for_an_unambiguous_decimal_comma()
        {
            Assert.Equal(" For a file written with decimal commas, convert the column on the way in: " +
                "Select-Object @{ Name = 'amount'; Expression = { $_.amount -replace '^(\\d+),(\\d{1,2})$', '$1.$2' } }, * -ExcludeProperty amount",
                Amount.Kind.ColumnFix(Amount, " 12,5 "));
            Assert.NotNull(Amount.Kind.ColumnFix(Amount, "0,99"));
            foreach (var text in new[] { "1,000", "12,5678", "1,2,3", "12.5", "abc", "12,", "-12,5" }) { Assert.Null(Amount.Kind.ColumnFix(Amount, text)); }
            Assert.Null(ClaimSchema.Age.Kind.ColumnFix(ClaimSchema.Age, "34,5"));
        }

        [Theory]
        [InlineData("12.5", true)]
        [InlineData("12.50", true)]
        [InlineData("12,5", true)]
        [InlineData("13", false)]
        [InlineData("twelve", false)]
        public void Recognises_the_amount_in_a_column_as_Export_Csv_writes_it(string text, bool shows) => Assert.Equal(shows, Amount.Kind.Shows(text, 12.5m));

        [Fact]
        public void Recognises_the_amount_in_this_cultures_form() => InCulture("de-DE", () => Assert.True(Amount.Kind.Shows("1234,5", 1234.5m)));

        [Theory]
        [InlineData("12.50", "12.5")]
        [InlineData("100.00", "100")]
        [InlineData("0.0000001", "1e-7")]
        public void Writes_the_number_JSON_stringify_writes(string amount, string json) => Assert.Equal(json, Json(Amount, Decimal(amount)));

        [Fact]
        public void Reads_a_token_amount_back_exactly_or_says_why_not()
        {
            Assert.Equal((12.5m, null), ReadBack(Amount, "12.5"));
            Assert.Equal((100m, null), ReadBack(Amount, "100"));
            Assert.Equal((null, "amount must be a JSON number; it is a string."), ReadBack(Amount, "\"12.5\""));
            Assert.Equal((null, "amount 1e-30 has more than 28 decimal places, more than an amount is read with; it would be rounded."), ReadBack(Amount, "1e-30"));
            Assert.Equal((null, "amount 1e400 is out of range for an amount of money."), ReadBack(Amount, "1e400"));
        }

        [Fact]
        public void Knows_the_JSON_types_a_decoded_amount_has() =>
            Assert.Equal(new[] { true, true, true, false, false }, new object[] { 5L, 1.5m, 5e-324, "5", true }.Select(Amount.Kind.IsJsonValue));
    }
}
