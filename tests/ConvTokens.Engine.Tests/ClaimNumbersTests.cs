using System.Globalization;
using System.Threading;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    public class ClaimNumbersTests
    {
        [Theory]
        [InlineData("12.5", "12.5")]
        [InlineData("100", "100")]
        [InlineData("007", "7")]
        [InlineData(" 12.5\t", "12.5")]
        [InlineData("0.01", "0.01")]
        public void Reads_the_strict_form(string text, string expected)
        {
            Assert.True(ClaimNumbers.TryParse(text, out var value));
            Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), value);
        }

        [Theory]
        [InlineData("12,5")]
        [InlineData("1,000")]
        [InlineData("12 500")]
        [InlineData("1e3")]
        [InlineData(".5")]
        [InlineData("12.")]
        [InlineData("+5")]
        [InlineData("-5")]
        [InlineData("0x10")]
        [InlineData("١٢")]
        [InlineData("12.5.1")]
        [InlineData("")]
        [InlineData("  ")]
        [InlineData("Infinity")]
        public void Refuses_everything_else(string text) => Assert.False(ClaimNumbers.TryParse(text, out _));

        [Theory]
        [InlineData("fr-FR")]
        [InlineData("de-DE")]
        [InlineData("")]
        public void Reads_the_same_in_every_culture(string culture)
        {
            var saved = Thread.CurrentThread.CurrentCulture;
            try
            {
                Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo(culture);
                Assert.True(ClaimNumbers.TryParse("12.5", out var value));
                Assert.Equal(12.5m, value);
                Assert.False(ClaimNumbers.TryParse("12,5", out _));
            }
            finally
            {
                Thread.CurrentThread.CurrentCulture = saved;
            }
        }

        [Theory]
        [InlineData("12,5", false, "amount '12,5' has a comma where the decimal point goes: a comma is never read as a decimal point here. Use 12.5.")]
        [InlineData("1,000", false, "amount '1,000' is ambiguous: a comma is never read as a decimal point or a thousands separator here. Use 1.000 if you mean 1, or 1000 if you mean 1000.")]
        [InlineData("1,234,567", false, "amount '1,234,567' has commas: a comma is never read as a thousands separator here. Use 1234567.")]
        [InlineData("12 500", false, "amount '12 500' has a thousands separator (a space or an apostrophe), which is never read here. Use 12500.")]
        [InlineData("1e3", false, "amount '1e3' is not a number in the accepted form. Give digits with an optional '.' and decimals, e.g. 12.5.")]
        [InlineData("34.5", true, "age '34.5' is not a whole number; fractions are refused, not rounded. Give whole digits, e.g. 34.")]
        [InlineData("34,5", true, "age '34,5' is not a whole number: a comma is never read as a decimal point or a thousands separator here. Give whole digits, e.g. 34.")]
        public void Explains_what_to_type_instead(string text, bool whole, string message) =>
            Assert.Equal(message, ClaimNumbers.DescribeRejectedText(whole ? "age" : "amount", text, whole));

        [Theory]
        [InlineData("12.50", 3)]
        [InlineData("0.0001", 1)]
        [InlineData("100", 1)]
        [InlineData("123456789012345", 15)]
        [InlineData("1234567890.1234567", 17)]
        public void Counts_significant_digits(string value, int digits) =>
            Assert.Equal(digits, ClaimNumbers.SignificantDigits(decimal.Parse(value, CultureInfo.InvariantCulture)));
    }
}
