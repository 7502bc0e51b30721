using System;
using System.Globalization;
using System.Text;
using System.Threading;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>What every kind's tests do: read a caller's value, write JSON, read a token's JSON member back.</summary>
    internal static class ClaimKindHarness
    {
        /// <summary>The cultures reading must not depend on: decimal comma, comma and space groups, right-to-left digits.</summary>
        public static readonly string[] Cultures = { "", "en-US", "fr-FR", "de-DE", "ar-SA" };

        public static object Read(ClaimDefinition claim, object value) => claim.Kind.Read(claim, value);

        /// <summary>The refusal of <paramref name="value"/>, which names the claim and carries its InvalidErrorId.</summary>
        public static string Refused(ClaimDefinition claim, object value)
        {
            var refused = Assert.Throws<ClaimValidationException>(() => claim.Kind.Read(claim, value));
            Assert.Equal(claim.InvalidErrorId, refused.ErrorId);
            Assert.Equal(claim.Name, refused.Claim);
            return refused.Message;
        }

        public static string Json(ClaimDefinition claim, object value)
        {
            var json = new StringBuilder();
            claim.Kind.WriteJson(json, claim, value);
            return json.ToString();
        }

        /// <summary>The claim a payload member of this JSON reads back as, or why its JSON type is wrong.</summary>
        public static (object? Value, string? Problem) ReadBack(ClaimDefinition claim, string json)
        {
            var reader = new TokenJsonReader(new[] { claim.Name });
            Assert.Null(reader.Read(Encoding.UTF8.GetBytes("{\"" + claim.Name + "\":" + json + "}")));
            var value = claim.Kind.ReadJson(claim, reader.Captured[0], out var problem);
            Assert.True(value is null != (problem is null));
            return (value, problem);
        }

        public static void InCulture(string culture, Action action)
        {
            var saved = Thread.CurrentThread.CurrentCulture;
            try
            {
                Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo(culture);
                action();
            }
            finally
            {
                Thread.CurrentThread.CurrentCulture = saved;
            }
        }

        public static decimal Decimal(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
    }
}
