using System;
using System.Collections.Generic;
using System.Globalization;
using ConvTokens.Engine.Exchange;
using Xunit;

namespace ConvTokens.Engine.Tests
{
    /// <summary>The BaseUri policy, the compact-JWT shape, the grant names, the progress line and the SecureString copy.</summary>
    public class ExchangePolicyTests
    {
        [Theory]
        [InlineData("https://api.example.com/v2", "https://api.example.com/v2/token")]
        [InlineData("https://api.example.com/v2/", "https://api.example.com/v2/token")]
        [InlineData("https://api.example.com/v2?x=1#f", "https://api.example.com/v2/token")]
        [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/token")]
        [InlineData("http://127.1.2.3/api", "http://127.1.2.3/api/token")]
        [InlineData("http://[::1]:5000", "http://[::1]:5000/token")]
        [InlineData("http://localhost:5000/v2", "http://localhost:5000/v2/token")]
        public void Takes_https_anywhere_and_http_on_loopback_only(string baseUri, string endpoint)
        {
            Assert.True(BaseUriPolicy.TryGetTokenEndpoint(new Uri(baseUri), out var tokenEndpoint, out var problem), problem);
            Assert.Equal(endpoint, tokenEndpoint!.AbsoluteUri);
            Assert.Null(problem);
        }

        [Fact]
        public void Refuses_plain_http_to_another_machine_and_says_why()
        {
            Assert.False(BaseUriPolicy.TryGetTokenEndpoint(new Uri("http://api.example.com/v2"), out var endpoint, out var problem));
            Assert.Null(endpoint);
            Assert.Equal("BaseUri 'http://api.example.com/v2' is not https; the apiKey travels only over https (plain http is allowed for loopback addresses only).", problem);
        }

        [Fact]
        public void Refuses_user_information_without_repeating_the_password()
        {
            Assert.False(BaseUriPolicy.TryGetTokenEndpoint(new Uri("https://me:hunter2@api.example.com/v2"), out _, out var problem));
            Assert.Equal("BaseUri must not carry user information (user:password@ in 'https://api.example.com/v2'); the apiKey is sent in the request body.", problem);
            Assert.DoesNotContain("hunter2", problem);
        }

        [Fact]
        public void Refuses_a_relative_address_and_shows_the_production_one()
        {
            Assert.False(BaseUriPolicy.TryGetTokenEndpoint(new Uri("api/v2", UriKind.Relative), out _, out var problem));
            Assert.Equal("BaseUri 'api/v2' is not an absolute URI; use e.g. https://api.jackpot-io.com/v2.", problem);
        }

        [Theory]
        [InlineData("a.b.c", true)]
        [InlineData("a..", true)]
        [InlineData(".b.c", false)]
        [InlineData("a.b", false)]
        [InlineData("a.b.c.d", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        public void A_compact_JWT_has_a_header_and_exactly_three_segments(string? token, bool compact) =>
            Assert.Equal(compact, CompactJwt.IsCompact(token));

        [Fact]
        public void A_compact_JWT_is_at_most_64_KiB()
        {
            var atLimit = "a." + new string('b', CompactJwt.MaximumLength - 4) + ".c";
            Assert.Equal(65536, atLimit.Length);
            Assert.True(CompactJwt.IsCompact(atLimit));
            Assert.False(CompactJwt.IsCompact(atLimit + "c"));
            Assert.Null(JwtPeek.ReadClaims(atLimit + "c"));
        }

        [Fact]
        public void The_verifier_uses_the_same_limit() =>
            Assert.Equal(CompactJwt.MaximumLength, new VerificationOptions().MaximumTokenLength);

        [Fact]
        public void Grant_kinds_are_named_as_a_SessionToken_shows_them()
        {
            Assert.Equal("jwt-bearer", GrantKind.JwtBearer.Label());
            Assert.Equal("client_credentials", GrantKind.ClientCredentials.Label());
            Assert.True(new ExchangeOptions { Grant = GrantKind.JwtBearer }.SpendsOneTimeToken);
            Assert.False(new ExchangeOptions { Grant = GrantKind.ClientCredentials }.SpendsOneTimeToken);
        }

        [Fact]
        public void Progress_shows_after_a_second_then_at_most_twice_a_second()
        {
            var now = TimeSpan.Zero;
            var progress = new ExchangeProgress(GrantKind.JwtBearer, () => now);
            Assert.Equal("Exchanging tokens", progress.Activity);
            for (var i = 0; i < 4; i++) { progress.Submit(); }
            progress.Record(failed: false);
            progress.Record(failed: true);
            now = TimeSpan.FromMilliseconds(900);
            Assert.Null(progress.Due(2));
            Assert.False(progress.Shown);
            now = TimeSpan.FromSeconds(1);
            using (new InvariantCulture())
            {
                Assert.Equal("2/4 answered, 2/s, 1 failed, 2 in flight", progress.Due(2));
                Assert.True(progress.Shown);
                progress.Record(failed: false);
                now = TimeSpan.FromMilliseconds(1400);
                Assert.Null(progress.Due(1));
                now = TimeSpan.FromMilliseconds(1500);
                Assert.Equal("3/4 answered, 2/s, 1 failed, 1 in flight", progress.Due(1));
            }
            Assert.Equal("Opening sessions", new ExchangeProgress(GrantKind.ClientCredentials).Activity);
        }

        [Fact]
        public void Progress_writes_no_line_while_no_count_changes_however_long_the_wait()
        {
            // A slow first answer: the cmdlet asks ten times a second while it waits.
            var now = TimeSpan.Zero;
            var progress = new ExchangeProgress(GrantKind.JwtBearer, () => now);
            for (var i = 0; i < 3; i++) { progress.Submit(); }
            var lines = new List<string>();
            using (new InvariantCulture())
            {
                for (var tick = 0; tick <= 50; tick++)
                {
                    now = TimeSpan.FromMilliseconds(100 * tick);
                    if (progress.Due(3) is { } line) { lines.Add(line); }
                }
                Assert.Equal(new[] { "0/3 answered, 0/s, 0 failed, 3 in flight" }, lines);

                // The rate drifts with time, but only a count makes a new line.
                progress.Record(failed: false);
                Assert.Equal("1/3 answered, 0.2/s, 0 failed, 2 in flight", progress.Due(2));
                now += TimeSpan.FromSeconds(3);
                Assert.Null(progress.Due(2));
                // In flight alone is a change too (an input was taken, another sent).
                Assert.Equal("1/3 answered, 0.1/s, 0 failed, 3 in flight", progress.Due(3));
            }
        }

        [Fact]
        public void Progress_never_hands_out_the_same_line_twice_in_a_row()
        {
            var now = TimeSpan.Zero;
            var progress = new ExchangeProgress(GrantKind.JwtBearer, () => now);
            var random = new Random(17);
            string? previous = null;
            var shown = 0;
            for (var tick = 0; tick < 2000; tick++)
            {
                now = TimeSpan.FromMilliseconds(100 * tick);
                switch (random.Next(4))
                {
                    case 0: progress.Submit(); break;
                    case 1 when progress.Answered < progress.Submitted: progress.Record(random.Next(5) == 0); break;
                }
                if (progress.Due((int)(progress.Submitted - progress.Answered)) is { } line)
                {
                    Assert.NotEqual(previous, line);
                    previous = line;
                    shown++;
                }
            }
            Assert.InRange(shown, 10, 400);
        }

        [Theory]
        [InlineData(ProgressEnd.Done, "Done: 2/3 answered, 1 failed")]
        [InlineData(ProgressEnd.Stopped, "Stopped: 2/3 answered, 1 failed")]
        [InlineData(ProgressEnd.Early, "Ended early: 2/3 answered, 1 failed")]
        public void A_batch_that_showed_a_line_completes_once_however_it_ends(ProgressEnd end, string status)
        {
            var now = TimeSpan.FromSeconds(2);
            var progress = new ExchangeProgress(GrantKind.JwtBearer, () => now);
            for (var i = 0; i < 3; i++) { progress.Submit(); }
            progress.Record(failed: false);
            progress.Record(failed: true);
            Assert.NotNull(progress.Due(1));
            Assert.False(progress.Completed);
            Assert.Equal(status, progress.Complete(end));
            Assert.True(progress.Completed);
            // Once: a Dispose after EndProcessing writes nothing more, and no line follows the completion.
            Assert.Null(progress.Complete(ProgressEnd.Stopped));
            progress.Record(failed: false);
            now += TimeSpan.FromSeconds(1);
            Assert.Null(progress.Due(0));
        }

        [Fact]
        public void A_batch_that_showed_nothing_owes_no_completion()
        {
            var now = TimeSpan.FromMilliseconds(300);
            var progress = new ExchangeProgress(GrantKind.ClientCredentials, () => now);
            progress.Submit();
            Assert.Null(progress.Due(1));
            Assert.Null(progress.Complete(ProgressEnd.Stopped));
            Assert.False(progress.Completed);
        }

        [Fact]
        public void SecureText_copies_every_character_into_a_read_only_SecureString()
        {
            using var secure = SecureText.Copy("abc");
            Assert.Equal(3, secure.Length);
            Assert.True(secure.IsReadOnly());
            var plain = new System.Net.NetworkCredential(string.Empty, secure).Password;
            Assert.Equal("abc", plain);
        }
    }

    /// <summary>Formats numbers as the invariant culture does for the life of a using block.</summary>
    internal sealed class InvariantCulture : IDisposable
    {
        private readonly CultureInfo _previous = CultureInfo.CurrentCulture;

        public InvariantCulture() => CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

        public void Dispose() => CultureInfo.CurrentCulture = _previous;
    }
}
