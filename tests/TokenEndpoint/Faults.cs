using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace ConvTokens.TokenEndpoint
{
    internal enum FaultKind
    {
        None,
        Slow,
        Status429,
        Status503,
        Status500AfterConsume,
        Drop,
        DropAfterConsume,
        Malformed,
        /// <summary>Spends the assertion, then answers 200 with a valid JSON body of 2 MiB.</summary>
        Oversized,
        Html,
        Shape,
        Redirect,
        /// <summary>A hostile server: answers exactly as told (status, reason phrase, headers, body), before the grant.</summary>
        Raw,
    }

    /// <summary>The JSON shape of a successful /token answer.</summary>
    internal enum ResponseShape
    {
        /// <summary>RFC 6749 §5.1: {"access_token","token_type","expires_in"}.</summary>
        OAuth,

        /// <summary>{"sessionToken","expiresIn"}.</summary>
        SessionToken,

        /// <summary>{"token"} without a lifetime.</summary>
        Token,
    }

    /// <summary>What to do to one /token request.</summary>
    internal sealed record Fault(FaultKind Kind, int DelayMs = 0, string? RetryAfter = null, ResponseShape? Shape = null, string? Location = null, RawAnswer? Raw = null)
    {
        public static readonly Fault None = new(FaultKind.None);

        /// <summary>Faults that answer before the grant is looked at: the assertion stays unspent.</summary>
        public bool AnswersBeforeGrant =>
            Kind is FaultKind.Status429 or FaultKind.Status503 or FaultKind.Html or FaultKind.Drop or FaultKind.Redirect or FaultKind.Raw;

        /// <summary>Faults that run the grant (spending the assertion) and then spoil the answer.</summary>
        public bool SpoilsAfterGrant =>
            Kind is FaultKind.Status500AfterConsume or FaultKind.DropAfterConsume or FaultKind.Malformed or FaultKind.Oversized;
    }

    /// <summary>
    /// What a 'raw' fault answers: any status and reason phrase, optional Content-Type, Retry-After and
    /// Location, and a body given as text or base64, in which each "{fill}" becomes <c>Fill</c> copies of 'A'
    /// (so a test can ask for megabytes in a small control request).
    /// </summary>
    internal sealed record RawAnswer(int Status, string? Reason, string? ContentType, byte[] Body, string? RetryAfter, string? Location);

    /// <summary>Raised for a control request that does not describe a valid fault plan.</summary>
    internal sealed class FaultPlanException : Exception
    {
        public FaultPlanException(string message) : base(message)
        {
        }
    }

    /// <summary>
    /// A fault plan as posted to /_control/faults: an ordered list of faults, each for <c>count</c>
    /// requests (-1: every request from then on), then an optional seeded random mix, and the default
    /// response shape.
    /// </summary>
    internal sealed class FaultPlan
    {
        private static readonly Dictionary<string, FaultKind> KindNames = new(StringComparer.OrdinalIgnoreCase)
        {
            ["slow"] = FaultKind.Slow,
            ["status429"] = FaultKind.Status429,
            ["status503"] = FaultKind.Status503,
            ["status500AfterConsume"] = FaultKind.Status500AfterConsume,
            ["drop"] = FaultKind.Drop,
            ["dropAfterConsume"] = FaultKind.DropAfterConsume,
            ["malformed"] = FaultKind.Malformed,
            ["oversized"] = FaultKind.Oversized,
            ["html"] = FaultKind.Html,
            ["shape"] = FaultKind.Shape,
            ["redirect"] = FaultKind.Redirect,
            ["raw"] = FaultKind.Raw,
        };

        private static readonly FaultKind[] MixKinds =
        {
            FaultKind.Status429, FaultKind.Status503, FaultKind.Status500AfterConsume, FaultKind.Drop,
            FaultKind.DropAfterConsume, FaultKind.Slow, FaultKind.Html, FaultKind.Malformed,
        };

        public static readonly FaultPlan Empty = new(Array.Empty<(Fault, int)>(), null, ResponseShape.OAuth);

        private FaultPlan(IReadOnlyList<(Fault Fault, int Count)> entries, MixPlan? mix, ResponseShape defaultShape)
        {
            Entries = entries;
            Mix = mix;
            DefaultShape = defaultShape;
        }

        public IReadOnlyList<(Fault Fault, int Count)> Entries { get; }

        public MixPlan? Mix { get; }

        public ResponseShape DefaultShape { get; }

        /// <summary>Parses {"faults":[...],"mix":{...},"shape":"..."}; every member is optional.</summary>
        public static FaultPlan Parse(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FaultPlanException("the body must be a JSON object {\"faults\":[...],\"mix\":{...}}");
            }

            var entries = new List<(Fault, int)>();
            MixPlan? mix = null;
            ResponseShape shape = ResponseShape.OAuth;
            foreach (JsonProperty member in root.EnumerateObject())
            {
                switch (member.Name.ToLowerInvariant())
                {
                    case "faults":
                        if (member.Value.ValueKind == JsonValueKind.Null)
                        {
                            break;
                        }

                        if (member.Value.ValueKind != JsonValueKind.Array)
                        {
                            throw new FaultPlanException("'faults' must be an array");
                        }

                        foreach (JsonElement item in member.Value.EnumerateArray())
                        {
                            entries.Add(ParseFault(item, entries.Count));
                        }

                        break;
                    case "mix":
                        if (member.Value.ValueKind != JsonValueKind.Null)
                        {
                            mix = ParseMix(member.Value);
                        }

                        break;
                    case "shape":
                        shape = ParseShape(member.Value, "shape");
                        break;
                    default:
                        throw new FaultPlanException($"unknown member '{Truncate(member.Name)}'; expected faults, mix, shape");
                }
            }

            return new FaultPlan(entries, mix, shape);
        }

        private static (Fault, int) ParseFault(JsonElement item, int index)
        {
            string where = $"faults[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FaultPlanException($"{where} must be an object");
            }

            FaultKind? kind = null;
            int count = 1;
            int delayMs = 1000;
            string? retryAfter = null;
            ResponseShape shape = ResponseShape.OAuth;
            string? location = null;
            int status = 200;
            string? reason = null;
            string? contentType = null;
            string? bodyText = null;
            byte[]? bodyBytes = null;
            int fill = 0;
            foreach (JsonProperty member in item.EnumerateObject())
            {
                switch (member.Name.ToLowerInvariant())
                {
                    case "status":
                        status = ReadInt(member.Value, $"{where}.status", 100, 599);
                        break;
                    case "reason":
                        reason = ReadHeaderText(member.Value, $"{where}.reason");
                        break;
                    case "contenttype":
                        contentType = ReadHeaderText(member.Value, $"{where}.contentType");
                        break;
                    case "body":
                        bodyText = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString()
                            : throw new FaultPlanException($"{where}.body must be a string");
                        break;
                    case "bodybase64":
                        bodyBytes = member.Value.ValueKind == JsonValueKind.String && member.Value.TryGetBytesFromBase64(out byte[]? decoded) ? decoded
                            : throw new FaultPlanException($"{where}.bodyBase64 must be base64 text");
                        break;
                    case "fill":
                        fill = ReadInt(member.Value, $"{where}.fill", 0, 16 * 1024 * 1024);
                        break;
                    case "kind":
                        if (member.Value.ValueKind != JsonValueKind.String ||
                            !KindNames.TryGetValue(member.Value.GetString()!, out FaultKind parsed))
                        {
                            throw new FaultPlanException($"{where}.kind must be one of: {string.Join(", ", KindNames.Keys)}");
                        }

                        kind = parsed;
                        break;
                    case "count":
                        count = ReadInt(member.Value, $"{where}.count", -1, int.MaxValue);
                        if (count == 0)
                        {
                            throw new FaultPlanException($"{where}.count must be positive, or -1 for every later request");
                        }

                        break;
                    case "delayms":
                        delayMs = ReadInt(member.Value, $"{where}.delayMs", 0, 600_000);
                        break;
                    case "retryafter":
                        retryAfter = ReadRetryAfter(member.Value, $"{where}.retryAfter");
                        break;
                    case "shape":
                        shape = ParseShape(member.Value, $"{where}.shape");
                        break;
                    case "location":
                        location = ReadHeaderText(member.Value, $"{where}.location");
                        break;
                    default:
                        throw new FaultPlanException(
                            $"{where}: unknown member '{Truncate(member.Name)}'; expected kind, count, delayMs, retryAfter, shape, location, status, reason, contentType, body, bodyBase64, fill");
                }
            }

            if (kind is null)
            {
                throw new FaultPlanException($"{where}.kind is missing");
            }

            if (kind == FaultKind.Redirect && location is null)
            {
                throw new FaultPlanException($"{where}: a redirect needs a 'location'");
            }

            RawAnswer? raw = null;
            if (kind == FaultKind.Raw)
            {
                byte[] body = bodyBytes ?? System.Text.Encoding.UTF8.GetBytes(bodyText ?? string.Empty);
                if (fill > 0)
                {
                    body = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(body).Replace("{fill}", new string('A', fill), StringComparison.Ordinal));
                }

                raw = new RawAnswer(status, reason, contentType, body, retryAfter, location);
            }

            var fault = new Fault(
                kind.Value,
                DelayMs: kind == FaultKind.Slow ? delayMs : 0,
                RetryAfter: kind is FaultKind.Status429 or FaultKind.Status503 ? retryAfter : null,
                Shape: kind == FaultKind.Shape ? shape : null,
                Location: kind == FaultKind.Redirect ? location : null,
                Raw: raw);
            return (fault, count);
        }

        private static MixPlan ParseMix(JsonElement mix)
        {
            if (mix.ValueKind != JsonValueKind.Object)
            {
                throw new FaultPlanException("'mix' must be an object");
            }

            int seed = 0;
            int slowDelayMs = 1000;
            string retryAfter = "1";
            var chances = new Dictionary<FaultKind, double>();
            foreach (JsonProperty member in mix.EnumerateObject())
            {
                string name = member.Name.ToLowerInvariant();
                if (name == "seed")
                {
                    seed = ReadInt(member.Value, "mix.seed", int.MinValue, int.MaxValue);
                }
                else if (name == "slowdelayms")
                {
                    slowDelayMs = ReadInt(member.Value, "mix.slowDelayMs", 0, 600_000);
                }
                else if (name == "retryafter")
                {
                    retryAfter = ReadRetryAfter(member.Value, "mix.retryAfter");
                }
                else if (KindNames.TryGetValue(member.Name, out FaultKind kind) && Array.IndexOf(MixKinds, kind) >= 0)
                {
                    if (member.Value.ValueKind != JsonValueKind.Number ||
                        !member.Value.TryGetDouble(out double p) || double.IsNaN(p) || p < 0 || p > 1)
                    {
                        throw new FaultPlanException($"mix.{member.Name} must be a probability between 0 and 1");
                    }

                    chances[kind] = p;
                }
                else
                {
                    throw new FaultPlanException(
                        $"mix: unknown member '{Truncate(member.Name)}'; expected seed, slowDelayMs, retryAfter and probabilities for " +
                        "status429, status503, status500AfterConsume, drop, dropAfterConsume, slow, html, malformed");
                }
            }

            var table = new List<(FaultKind, double)>();
            double total = 0;
            foreach (FaultKind kind in MixKinds)
            {
                if (chances.TryGetValue(kind, out double p) && p > 0)
                {
                    total += p;
                    table.Add((kind, total));
                }
            }

            if (total > 1 + 1e-9)
            {
                throw new FaultPlanException("mix: the probabilities add up to more than 1");
            }

            return new MixPlan(seed, table, slowDelayMs, retryAfter);
        }

        private static ResponseShape ParseShape(JsonElement value, string where)
        {
            string? text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return text?.ToLowerInvariant() switch
            {
                "oauth" => ResponseShape.OAuth,
                "sessiontoken" => ResponseShape.SessionToken,
                "token" => ResponseShape.Token,
                _ => throw new FaultPlanException($"{where} must be one of: oauth, sessionToken, token"),
            };
        }

        private static int ReadInt(JsonElement value, string where, int min, int max)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int n) || n < min || n > max)
            {
                throw new FaultPlanException($"{where} must be an integer between {min} and {max}");
            }

            return n;
        }

        /// <summary>Retry-After is delay-seconds (a number) or any header text, e.g. an HTTP-date.</summary>
        private static string ReadRetryAfter(JsonElement value, string where)
        {
            if (value.ValueKind == JsonValueKind.Number)
            {
                return ReadInt(value, where, 0, int.MaxValue).ToString(CultureInfo.InvariantCulture);
            }

            return ReadHeaderText(value, where);
        }

        private static string ReadHeaderText(JsonElement value, string where)
        {
            string? text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (string.IsNullOrEmpty(text) || text.Length > 2048)
            {
                throw new FaultPlanException($"{where} must be a non-empty string");
            }

            foreach (char c in text)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new FaultPlanException($"{where} must be printable ASCII");
                }
            }

            return text;
        }

        private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
    }

    /// <summary>The random part of a plan: cumulative chances in a fixed order of kinds.</summary>
    internal sealed record MixPlan(int Seed, IReadOnlyList<(FaultKind Kind, double Upto)> Table, int SlowDelayMs, string RetryAfter);

    /// <summary>
    /// Hands out the fault for each /token request in arrival order. One lock guards the plan's
    /// position and the random generator, so a seed gives the same sequence of faults for the same
    /// sequence of requests.
    /// </summary>
    internal sealed class FaultInjector
    {
        private readonly object gate = new();
        private FaultPlan plan = FaultPlan.Empty;
        private int entryIndex;
        private int usedOfEntry;
        private Random? random;

        public ResponseShape DefaultShape
        {
            get
            {
                lock (gate)
                {
                    return plan.DefaultShape;
                }
            }
        }

        public void Replace(FaultPlan next)
        {
            lock (gate)
            {
                plan = next;
                entryIndex = 0;
                usedOfEntry = 0;
                random = next.Mix is null ? null : new Random(next.Mix.Seed);
            }
        }

        public void Clear() => Replace(FaultPlan.Empty);

        public Fault Next()
        {
            lock (gate)
            {
                if (entryIndex < plan.Entries.Count)
                {
                    (Fault fault, int count) = plan.Entries[entryIndex];
                    if (count > 0 && ++usedOfEntry >= count)
                    {
                        entryIndex++;
                        usedOfEntry = 0;
                    }

                    return fault;
                }

                if (plan.Mix is { } mix && random is not null)
                {
                    double draw = random.NextDouble();
                    foreach ((FaultKind kind, double upto) in mix.Table)
                    {
                        if (draw < upto)
                        {
                            return kind switch
                            {
                                FaultKind.Slow => new Fault(kind, DelayMs: mix.SlowDelayMs),
                                FaultKind.Status429 or FaultKind.Status503 => new Fault(kind, RetryAfter: mix.RetryAfter),
                                _ => new Fault(kind),
                            };
                        }
                    }
                }

                return Fault.None;
            }
        }
    }
}
