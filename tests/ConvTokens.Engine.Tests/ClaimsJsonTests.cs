using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Text;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    public class ClaimsJsonTests
    {
        [Fact]
        public void Writes_the_seed_claims_as_JSON_stringify_does() =>
            Assert.Equal("{\"amount\":100,\"cp\":\"75000\",\"age\":99,\"gender\":\"M\",\"userId\":\"99\",\"iat\":1700000000,\"notificationKey\":\"a3f1c2d4-0001\"}",
                ClaimsJson.Write(Reference.SeedClaims()));

        [Fact]
        public void Leaves_out_claims_not_given_and_appends_additional_claims_in_order()
        {
            var claims = new InitializationClaims { Amount = 12.5m, IssuedAt = 1, NotificationKey = "k", ForceManualConfirm = false };
            var nested = new OrderedDictionary { ["x"] = false };
            claims.AdditionalClaims = new[]
            {
                new KeyValuePair<string, object?>("zeta", 1),
                new KeyValuePair<string, object?>("tags", new object?[] { "a", 1, null, nested }),
                new KeyValuePair<string, object?>("ratio", 0.1),
            };
            Assert.Equal("{\"amount\":12.5,\"iat\":1,\"notificationKey\":\"k\",\"forceManualConfirm\":false,\"zeta\":1,\"tags\":[\"a\",1,null,{\"x\":false}],\"ratio\":0.1}",
                ClaimsJson.Write(claims));
        }

        [Fact]
        public void Refuses_additional_claims_without_a_JSON_form_as_it_writes_them()
        {
            static ClaimValidationException Write(object? value)
            {
                var claims = new InitializationClaims { Amount = 1, IssuedAt = 1, NotificationKey = "k", AdditionalClaims = new[] { new KeyValuePair<string, object?>("extra", value) } };
                claims.Validate();
                return Assert.Throws<ClaimValidationException>(() => ClaimsJson.Write(claims));
            }
            Assert.Equal("additional claim 'extra' is not a finite number.", Write(double.NaN).Message);
            Assert.Equal("additional claim 'extra' has a member whose name is not a string.", Write(new System.Collections.Hashtable { [1] = "x" }).Message);
            Assert.StartsWith("additional claim 'extra' has a value of type System.DateTime;", Write(System.DateTime.Now).Message);
            object? nested = "leaf";
            for (var i = 0; i < 40; i++) { nested = new object?[] { nested }; }
            var deep = Write(nested);
            Assert.Equal("AdditionalClaimInvalid", deep.ErrorId);
            Assert.Equal("extra", deep.Claim);
            Assert.StartsWith("additional claim 'extra' nests more than 31 levels of arrays and dictionaries.", deep.Message);
        }

        [Theory]
        [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
        [InlineData("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"")]
        [InlineData("\u0001\u001f", "\"\\u0001\\u001f\"")]
        [InlineData("noël <ø> 😀 / \u2028", "\"noël <ø> 😀 / \u2028\"")]
        public void Escapes_strings_exactly_as_JSON_stringify(string value, string json)
        {
            var sb = new StringBuilder();
            ClaimsJson.AppendString(sb, value);
            Assert.Equal(json, sb.ToString());
        }

        [Fact]
        public void Reports_the_first_lone_surrogate_instead_of_escaping_it()
        {
            // Built at run time: attribute data cannot hold a lone surrogate.
            Assert.Equal(0, ClaimsJson.AppendString(new StringBuilder(), new string(new[] { '\ud800', 'x', '\udc00' })));
            Assert.Equal(2, ClaimsJson.AppendString(new StringBuilder(), "ab\ud83d"));
            Assert.Equal(1, ClaimsJson.AppendString(new StringBuilder(), "a\ude00b"));
            Assert.Equal(2, ClaimsJson.AppendString(new StringBuilder(), "\ud83d\ude00\ud83d"));
            var sb = new StringBuilder();
            Assert.Equal(-1, ClaimsJson.AppendString(sb, "\ud83d\ude00"));
            Assert.Equal("\"😀\"", sb.ToString());
        }

        // JSON.stringify's output for the same numbers (ECMA-262 Number::toString).
        [Theory]
        [InlineData("100.00", "100")]
        [InlineData("12.50", "12.5")]
        [InlineData("0.000001", "0.000001")]
        [InlineData("0.0000001", "1e-7")]
        [InlineData("0.00000012", "1.2e-7")]
        [InlineData("100000000000000000000", "100000000000000000000")]
        [InlineData("1000000000000000000000", "1e+21")]
        [InlineData("12300000000000000000000", "1.23e+22")]
        [InlineData("-0.0000001", "-1e-7")]
        [InlineData("0", "0")]
        public void Writes_decimals_as_JavaScript_numbers(string value, string json)
        {
            var sb = new StringBuilder();
            ClaimsJson.AppendDecimal(sb, decimal.Parse(value, CultureInfo.InvariantCulture));
            Assert.Equal(json, sb.ToString());
        }

        [Theory]
        [InlineData(1e-7, "1e-7")]
        [InlineData(0.00001, "0.00001")]
        [InlineData(1.5e300, "1.5e+300")]
        [InlineData(-2.5e-8, "-2.5e-8")]
        [InlineData(1e21, "1e+21")]
        [InlineData(123456789012345680000.0, "123456789012345680000")]
        [InlineData(0.1, "0.1")]
        [InlineData(5e-324, "5e-324")]
        [InlineData(-0.0, "0")]
        public void Writes_doubles_as_JavaScript_numbers(double value, string json)
        {
            var claims = new InitializationClaims { Amount = 1, IssuedAt = 1, NotificationKey = "k", AdditionalClaims = new[] { new KeyValuePair<string, object?>("n", value) } };
            Assert.Equal("{\"amount\":1,\"iat\":1,\"notificationKey\":\"k\",\"n\":" + json + "}", ClaimsJson.Write(claims));
        }
    }
}
