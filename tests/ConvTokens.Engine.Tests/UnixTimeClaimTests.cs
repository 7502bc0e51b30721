using System;
using ConvTokens.Engine.Claims;
using Xunit;
using static ConvTokens.Engine.Tests.ClaimKindHarness;

namespace ConvTokens.Engine.Tests
{
    public class UnixTimeClaimTests
    {
        private static readonly ClaimDefinition IssuedAt = ClaimSchema.IssuedAt;

        public static TheoryData<string> Cultures => new TheoryData<string>(ClaimKindHarness.Cultures);

        [Theory]
        [MemberData(nameof(Cultures))]
        public void Reads_dates_whole_seconds_and_ISO_8601_text_in_every_culture(string culture) => InCulture(culture, () =>
        {
            Assert.Equal(1700000000L, Read(IssuedAt, DateTimeOffset.FromUnixTimeSeconds(1700000000).ToOffset(TimeSpan.FromHours(5))));
            Assert.Equal(1700000000L, Read(IssuedAt, DateTimeOffset.FromUnixTimeSeconds(1700000000).UtcDateTime));
            Assert.Equal(1700000000L, Read(IssuedAt, 1700000000));
            Assert.Equal(1700000000L, Read(IssuedAt, 1700000000.0));
            Assert.Equal(1700000000L, Read(IssuedAt, 1700000000m));
            Assert.Equal(1700000000L, Read(IssuedAt, " 1700000000 "));
            Assert.Equal(1738398600L, Read(IssuedAt, "2025-02-01T09:30:00+01:00"));
            Assert.Equal(1738368000L, Read(IssuedAt, "2025-02-01T00:00:00Z"));
        });

        [Theory]
        [InlineData("01/02/2025")]
        [InlineData("-5")]
        [InlineData("1e9")]
        [InlineData("soon")]
        public void Refuses_other_text_naming_the_forms_it_takes(string text) =>
            Assert.Equal("iat must be a date, whole Unix seconds (1700000000) or a date in ISO 8601 form ('2025-02-01' or '2025-02-01T09:30:00+01:00'); " +
                $"got '{text}'.", Refused(IssuedAt, text));

        [Fact]
        public void Refuses_fractions_of_a_second() =>
            Assert.Equal("iat must be a date, whole Unix seconds (1700000000) or a date in ISO 8601 form ('2025-02-01' or '2025-02-01T09:30:00+01:00'); got '1.5'.",
                Refused(IssuedAt, 1.5));

        [Fact]
        public void Signs_times_from_1970_to_the_year_9999_and_accepts_any_in_a_token()
        {
            Assert.Null(IssuedAt.Problem(0L));
            Assert.Equal("iat must be a positive number of Unix seconds up to 253402300799 (the year 9999); got 0.", IssuedAt.SigningProblem(0L));
            Assert.Equal("iat must be a positive number of Unix seconds up to 253402300799 (the year 9999); got 253402300800.", IssuedAt.SigningProblem(UnixTimeClaim.MaxSeconds + 1));
            Assert.Null(IssuedAt.SigningProblem(UnixTimeClaim.MaxSeconds));
            Assert.Equal(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), DateTimeOffset.FromUnixTimeSeconds(UnixTimeClaim.MaxSeconds));
        }

        [Fact]
        public void Writes_64_bit_seconds_and_reads_them_back()
        {
            Assert.Equal("4102444800", Json(IssuedAt, 4102444800L));
            Assert.Equal((4102444800L, null), ReadBack(IssuedAt, "4102444800"));
            Assert.Equal((null, "iat must be a whole JSON number; it is a fractional number."), ReadBack(IssuedAt, "1700000000.5"));
            Assert.Equal((null, "iat must be a whole JSON number; it is a string."), ReadBack(IssuedAt, "\"1700000000\""));
        }

        [Fact]
        public void Gives_a_date_only_for_whole_seconds_a_date_can_show()
        {
            Assert.Equal(DateTimeOffset.UnixEpoch, UnixTimeClaim.ToDate(0L));
            Assert.Equal(DateTimeOffset.MinValue, UnixTimeClaim.ToDate(UnixTimeClaim.MinSeconds));
            Assert.Equal(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), UnixTimeClaim.ToDate(UnixTimeClaim.MaxSeconds));
            Assert.Null(UnixTimeClaim.ToDate(UnixTimeClaim.MaxSeconds + 1));
            Assert.Null(UnixTimeClaim.ToDate(UnixTimeClaim.MinSeconds - 1));
            Assert.Null(UnixTimeClaim.ToDate(1.5m));
            Assert.Null(UnixTimeClaim.ToDate("1700000000"));
            Assert.Null(UnixTimeClaim.ToDate(null));
        }

        [Fact]
        public void Holds_exp_and_nbf_to_the_range_iat_takes_and_no_other_name()
        {
            Assert.Null(UnixTimeClaim.RegisteredTimeProblem("exp", 1L));
            Assert.Null(UnixTimeClaim.RegisteredTimeProblem("nbf", UnixTimeClaim.MaxSeconds));
            Assert.StartsWith("additional claim 'exp' is the JWT expiry, which every verifier", UnixTimeClaim.RegisteredTimeProblem("exp", UnixTimeClaim.MaxSeconds + 1));
            Assert.StartsWith("additional claim 'nbf' is the JWT not-before time,", UnixTimeClaim.RegisteredTimeProblem("nbf", 0));
            // JWT compares names exactly: 'Exp' is just another claim.
            Assert.Null(UnixTimeClaim.RegisteredTimeProblem("Exp", "soon"));
            Assert.Null(UnixTimeClaim.RegisteredTimeProblem("expires", "soon"));
        }
    }
}
