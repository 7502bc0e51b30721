// Seeded generator of hostile (and control) compact tokens for the Test-Token fuzz test
// (tests/Pester/Fuzz.Tests.ps1). Self-contained on purpose: it shares no code with the module, so a
// bug in the module's base64url, JSON or HMAC code cannot hide itself here. A project of the solution
// (ConvTokens.Tests.Fuzz.csproj), used by the engine tests and, built by build.ps1, by Fuzz.Tests.ps1.
using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace ConvTokens.Tests.Fuzz
{
    /// <summary>One input for Test-Token and what it must yield.</summary>
    public sealed class FuzzCase
    {
        public FuzzCase(string category, string token, bool expectValid)
        {
            Category = category;
            Token = token;
            ExpectValid = expectValid;
        }

        public string Category { get; }
        public string Token { get; }
        public bool ExpectValid { get; }
    }

    /// <summary>A batch of cases as parallel arrays, so PowerShell can pipe Tokens in one go and zip by index.</summary>
    public sealed class FuzzChunk
    {
        public FuzzChunk(IList<FuzzCase> cases)
        {
            Count = cases.Count;
            Tokens = new string[Count];
            Categories = new string[Count];
            ExpectValid = new bool[Count];
            for (var i = 0; i < Count; i++)
            {
                Tokens[i] = cases[i].Token;
                Categories[i] = cases[i].Category;
                ExpectValid[i] = cases[i].ExpectValid;
            }
        }

        public int Count { get; }
        public string[] Tokens { get; }
        public string[] Categories { get; }
        public bool[] ExpectValid { get; }
    }

    /// <summary>Counts outcomes per category and per reason and keeps a few samples of every kind of failure.</summary>
    public sealed class FuzzTally
    {
        private const int SamplesKept = 20;

        public long Cases { get; private set; }
        public long QuietCases { get; private set; }
        public SortedDictionary<string, long> PerCategory { get; } = new SortedDictionary<string, long>(StringComparer.Ordinal);
        public SortedDictionary<string, long> PerReason { get; } = new SortedDictionary<string, long>(StringComparer.Ordinal);
        /// <summary>"category/reason" → count, for the detailed report.</summary>
        public SortedDictionary<string, long> PerCategoryReason { get; } = new SortedDictionary<string, long>(StringComparer.Ordinal);
        public long FalseAccepts { get; private set; }
        public long FalseRejects { get; private set; }
        public long QuietMismatches { get; private set; }
        public long BadOutputs { get; private set; }
        public long QuietBadOutputs { get; private set; }
        public List<string> Samples { get; } = new List<string>();

        /// <summary>Records results index-aligned with chunk[start .. start+isValid.Length).</summary>
        public void Record(FuzzChunk chunk, int start, bool[] isValid, string[] reasons, string[] messages)
        {
            if (isValid.Length != reasons.Length || isValid.Length != messages.Length)
            {
                throw new ArgumentException("isValid, reasons and messages must have the same length.");
            }
            for (var i = 0; i < isValid.Length; i++)
            {
                var index = start + i;
                var category = chunk.Categories[index];
                Cases++;
                Bump(PerCategory, category);
                Bump(PerReason, reasons[i]);
                Bump(PerCategoryReason, category + "/" + reasons[i]);
                if (isValid[i] != chunk.ExpectValid[index])
                {
                    if (isValid[i]) { FalseAccepts++; } else { FalseRejects++; }
                    Sample((isValid[i] ? "FALSE ACCEPT " : "FALSE REJECT ") + category + " (" + reasons[i] + ": " + messages[i] + ")", chunk.Tokens[index]);
                }
            }
        }

        /// <summary>Records -Quiet output (already checked to be [bool]) against the expectations.</summary>
        public void RecordQuiet(FuzzChunk chunk, int start, bool[] isValid)
        {
            for (var i = 0; i < isValid.Length; i++)
            {
                QuietCases++;
                if (isValid[i] != chunk.ExpectValid[start + i])
                {
                    QuietMismatches++;
                    Sample("QUIET " + (isValid[i] ? "FALSE ACCEPT " : "FALSE REJECT ") + chunk.Categories[start + i], chunk.Tokens[start + i]);
                }
            }
        }

        /// <summary>An input that gave an exception, an error, no output, too much output or the wrong type.</summary>
        public void RecordBadOutput(FuzzChunk chunk, int index, string what, bool quiet)
        {
            if (quiet)
            {
                QuietBadOutputs++;
                Sample("BAD OUTPUT (-Quiet) " + chunk.Categories[index] + ": " + what, chunk.Tokens[index]);
                return;
            }
            BadOutputs++;
            Bump(PerCategory, chunk.Categories[index]);
            Bump(PerReason, "<bad output>");
            Bump(PerCategoryReason, chunk.Categories[index] + "/<bad output>");
            Sample("BAD OUTPUT " + chunk.Categories[index] + ": " + what, chunk.Tokens[index]);
        }

        private void Sample(string what, string token)
        {
            if (Samples.Count >= SamplesKept) { return; }
            var shown = token.Length <= 300 ? token : token.Substring(0, 300) + "… (" + token.Length + " chars)";
            Samples.Add(what + "\n      token: " + shown);
        }

        private static void Bump(IDictionary<string, long> counts, string key)
        {
            counts.TryGetValue(key, out var n);
            counts[key] = n + 1;
        }
    }

    /// <summary>
    /// Deterministic for a seed (System.Random with a seed is stable across .NET versions); only the
    /// iat/exp/nbf values move with <c>now</c>. Every hostile case is built so that it must be refused by
    /// the rules of Test-Token; controls must be accepted.
    /// </summary>
    public sealed class TokenFuzzer : IDisposable
    {
        /// <summary>Time margin for future/past claims, so a slow run cannot turn a hostile case valid.</summary>
        private const long Margin = 60 + 900;
        private const int LengthLimit = 64 * 1024;
        private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        private static readonly string[] Mix =
        {
            "control:10", "control-variant:4", "random-bytes:7", "random-segments:4", "truncated:7", "extended:7",
            "bit-flip:15", "non-utf8:5", "non-json:6", "deep-nesting:3", "duplicate-claims:6", "wrong-type:8",
            "missing-claim:2", "other-alg:5", "crit-header:3", "bad-time:3", "non-canonical-base64:3",
            "lone-surrogate:2", "wrong-key:2", "bad-structure:2",
        };

        private readonly Random _random;
        private readonly long _now;
        private readonly HMACSHA256 _hs256;
        private readonly HMACSHA384 _hs384;
        private readonly HMACSHA512 _hs512;
        private readonly string[] _categories;
        private readonly int[] _cumulative;
        private int _extraNames;

        public TokenFuzzer(int seed, string secret, long now)
        {
            Seed = seed;
            _random = new Random(seed);
            _now = now;
            var key = Encoding.UTF8.GetBytes(secret);
            _hs256 = new HMACSHA256(key);
            _hs384 = new HMACSHA384(key);
            _hs512 = new HMACSHA512(key);
            _categories = new string[Mix.Length];
            _cumulative = new int[Mix.Length];
            var total = 0;
            for (var i = 0; i < Mix.Length; i++)
            {
                var parts = Mix[i].Split(':');
                _categories[i] = parts[0];
                total += int.Parse(parts[1]);
                _cumulative[i] = total;
            }
        }

        public int Seed { get; }

        public void Dispose()
        {
            _hs256.Dispose();
            _hs384.Dispose();
            _hs512.Dispose();
        }

        #region Streams of cases

        /// <summary>An endless-enough stream of mixed cases.</summary>
        public IEnumerable<FuzzCase> Cases(int count)
        {
            for (var i = 0; i < count; i++) { yield return Next(); }
        }

        /// <summary>The mixed cases in chunks of <paramref name="chunkSize"/>; the last chunk may be smaller.</summary>
        public IEnumerable<FuzzChunk> Chunks(int count, int chunkSize)
        {
            var buffer = new List<FuzzCase>(chunkSize);
            foreach (var fuzzCase in Cases(count))
            {
                buffer.Add(fuzzCase);
                if (buffer.Count == chunkSize)
                {
                    yield return new FuzzChunk(buffer);
                    buffer.Clear();
                }
            }
            if (buffer.Count > 0) { yield return new FuzzChunk(buffer); }
        }

        public FuzzChunk NextChunk(int size)
        {
            var buffer = new List<FuzzCase>(size);
            for (var i = 0; i < size; i++) { buffer.Add(Next()); }
            return new FuzzChunk(buffer);
        }

        /// <summary>
        /// A few tokens of 1–4 MB (all must be TooLarge) and the cases at the 64 KiB boundary: a valid token
        /// of exactly 65,536 characters (valid) and one of 65,537 (TooLarge).
        /// </summary>
        public FuzzChunk SizeChunk(int hugeCount)
        {
            var cases = new List<FuzzCase>();
            for (var i = 0; i < hugeCount; i++)
            {
                var length = 1024 * 1024 + _random.Next(3 * 1024 * 1024 + 1);
                string token;
                switch (i % 6)
                {
                    case 0: token = TokenOfLength(length); break;                        // otherwise valid, signed
                    case 1: token = new string('A', length); break;
                    case 2: token = RandomBase64Url(length / 3) + "." + RandomBase64Url(length / 3) + "." + RandomBase64Url(length - 2 * (length / 3) - 2); break;
                    case 3: token = Sign(Header(), "{\"amount\":1,\"iat\":" + _now + ",\"x\":" + new string('[', length / 2) + "}"); break; // deep and unclosed
                    case 4: token = new string('.', length); break;
                    default: token = RandomChars(length, 0xFFFF); break;
                }
                cases.Add(new FuzzCase("huge", token, false));
            }
            cases.Add(new FuzzCase("at-size-limit", TokenOfLength(LengthLimit), true));
            cases.Add(new FuzzCase("at-size-limit", TokenOfLength(LengthLimit - 1), true));
            cases.Add(new FuzzCase("over-size-limit", TokenOfLength(LengthLimit + 1), false));
            cases.Add(new FuzzCase("over-size-limit", TokenOfLength(LengthLimit + 2), false));
            return new FuzzChunk(cases);
        }

        public FuzzCase Next()
        {
            var pick = _random.Next(_cumulative[_cumulative.Length - 1]);
            var index = 0;
            while (pick >= _cumulative[index]) { index++; }
            var category = _categories[index];
            switch (category)
            {
                case "control": return new FuzzCase(category, ValidToken(), true);
                case "control-variant": return new FuzzCase(category, VariantToken(), true);
                case "random-bytes": return new FuzzCase(category, RandomBytesToken(), false);
                case "random-segments": return new FuzzCase(category, RandomSegmentsToken(), false);
                case "truncated": return new FuzzCase(category, TruncatedToken(), false);
                case "extended": return new FuzzCase(category, ExtendedToken(), false);
                case "bit-flip":
                    var original = ValidToken();
                    var flipped = FlipOneBit(original);
                    // A flip always changes a char; should it ever not, the case is a control.
                    return flipped == original ? new FuzzCase("control", original, true) : new FuzzCase(category, flipped, false);
                case "non-utf8": return new FuzzCase(category, NonUtf8Token(), false);
                case "non-json": return new FuzzCase(category, NonJsonToken(), false);
                case "deep-nesting": return new FuzzCase(category, DeepNestingToken(), false);
                case "duplicate-claims": return new FuzzCase(category, DuplicateToken(), false);
                case "wrong-type": return new FuzzCase(category, WrongTypeToken(), false);
                case "missing-claim": return new FuzzCase(category, MissingClaimToken(), false);
                case "other-alg": return new FuzzCase(category, OtherAlgToken(), false);
                case "crit-header": return new FuzzCase(category, CritToken(), false);
                case "bad-time": return new FuzzCase(category, BadTimeToken(), false);
                case "non-canonical-base64": return new FuzzCase(category, NonCanonicalToken(), false);
                case "lone-surrogate": return new FuzzCase(category, LoneSurrogateToken(), false);
                case "wrong-key": return new FuzzCase(category, WrongKeyToken(), false);
                case "bad-structure": return new FuzzCase(category, BadStructureToken(), false);
                default: throw new InvalidOperationException("unknown category " + category);
            }
        }

        #endregion

        #region Valid tokens

        /// <summary>Members as raw JSON text: Key is the quoted (maybe escaped) name, Value the JSON value.</summary>
        private sealed class Members : List<KeyValuePair<string, string>>
        {
            public void Set(string name, string value) => Add(new KeyValuePair<string, string>(Quote(name), value));
            public void SetRaw(string rawName, string value) => Add(new KeyValuePair<string, string>(rawName, value));

            public int IndexOf(string name)
            {
                var quoted = Quote(name);
                for (var i = 0; i < Count; i++) { if (this[i].Key == quoted) { return i; } }
                return -1;
            }

            public void Replace(string name, string value)
            {
                var i = IndexOf(name);
                if (i < 0) { Set(name, value); } else { this[i] = new KeyValuePair<string, string>(this[i].Key, value); }
            }

            public void Remove(string name)
            {
                var i = IndexOf(name);
                if (i >= 0) { RemoveAt(i); }
            }
        }

        private Members Header()
        {
            var header = new Members();
            header.Set("alg", "\"HS256\"");
            if (Chance(0.6)) { header.Set("typ", "\"JWT\""); }
            if (Chance(0.15)) { header.Set("kid", Quote(RandomText(1, 12))); }
            Shuffle(header);
            return header;
        }

        private Members ValidClaims()
        {
            var claims = new Members();
            claims.Set("amount", ValidAmount());
            claims.Set("iat", (_now - _random.Next(0, 30 * 24 * 3600)).ToString());
            claims.Set("notificationKey", Quote(RandomText(1, 40)));
            if (Chance(0.4)) { claims.Set("cp", Quote(_random.Next(1000, 99999).ToString("00000"))); }
            if (Chance(0.4)) { claims.Set("userId", Quote(RandomText(0, 30))); }
            if (Chance(0.3)) { claims.Set("gender", Chance(0.5) ? "\"M\"" : "\"F\""); }
            if (Chance(0.3)) { claims.Set("age", _random.Next(0, 121).ToString()); }
            if (Chance(0.2)) { claims.Set("forceManualConfirm", Chance(0.5) ? "true" : "false"); }
            if (Chance(0.2)) { claims.Set("exp", (_now + Margin + _random.Next(3600, 10000000)).ToString()); }
            if (Chance(0.1)) { claims.Set("nbf", (_now - _random.Next(0, 1000000)).ToString()); }
            var extras = _random.Next(0, 3);
            for (var i = 0; i < extras; i++) { claims.Set(ExtraName(), RandomJsonValue(2)); }
            Shuffle(claims);
            return claims;
        }

        private string ValidAmount()
        {
            switch (_random.Next(4))
            {
                case 0: return _random.Next(1, 1000000).ToString();
                case 1: return _random.Next(0, 10000) + "." + _random.Next(1, 100).ToString("00");
                case 2: return "0." + _random.Next(1, 1000).ToString("000");
                default: return _random.Next(1, 100).ToString();
            }
        }

        private string ValidToken() => Sign(Header(), ValidClaims());

        /// <summary>Valid tokens spelled unusually; the rules say nothing against any of these.</summary>
        private string VariantToken()
        {
            var header = Header();
            var claims = ValidClaims();
            var spaced = false;
            switch (_random.Next(11))
            {
                case 0: spaced = true; break;
                case 1: // an escaped name for a required claim
                    var names = new[] { "amount", "iat", "notificationKey" };
                    var name = names[_random.Next(names.Length)];
                    var value = claims[claims.IndexOf(name)].Value;
                    claims.Remove(name);
                    claims.SetRaw("\"\\u" + ((int)name[0]).ToString("x4") + name.Substring(1) + "\"", value);
                    break;
                case 2: header.Replace("alg", Chance(0.5) ? "\"HS\\u0032\\u0035\\u0036\"" : "\"\\u0048S256\""); break;
                case 3: claims.Replace("notificationKey", Chance(0.5) ? "\"\\uD83D\\uDE00\\/\\n\\\"\"" : "\"k\\u00e9\\t\""); break;
                case 4:
                    var amounts = new[] { "1E+2", "2.5e1", "1e-2", "100.000", "0.5", "1e0", "79228162514264337593543950335" };
                    claims.Replace("amount", amounts[_random.Next(amounts.Length)]);
                    break;
                case 5: claims.Replace("iat", Chance(0.5) ? (_now + _random.Next(0, 31)).ToString() : "0"); break;
                case 6: claims.Set(ExtraName(), Nest(_random.Next(1, 29), _random.Next(3))); break; // root + 29 levels + leaf ≤ 31
                case 7:
                    header.Set("cty", "\"x\"");
                    header.Set("x5x", "{\"a\":[1,{\"b\":null}]}");
                    break;
                case 8:
                    claims.Replace("exp", (_now + Margin + 3600).ToString());
                    claims.Replace("nbf", (_now - 5).ToString());
                    break;
                case 9: claims.Replace("userId", Quote(new string('u', _random.Next(1000, 20000)))); break;
                default: // the largest exp and the smallest nbf there are: never expires, valid from the start
                    claims.Replace("exp", Chance(0.5) ? long.MaxValue.ToString() : (long.MaxValue - _random.Next(0, 100)).ToString());
                    claims.Replace("nbf", long.MinValue.ToString());
                    break;
            }
            return Sign(Encoding.UTF8.GetBytes(Json(header, spaced)), Encoding.UTF8.GetBytes(Json(claims, spaced)));
        }

        /// <summary>A correctly signed, otherwise valid token of exactly <paramref name="length"/> characters.</summary>
        private string TokenOfLength(int length)
        {
            for (var kid = 0; kid < 3; kid++)
            {
                var header = new Members();
                header.Set("alg", "\"HS256\"");
                header.Set("kid", Quote(new string('k', kid + 1)));
                var headerPart = B64(Encoding.UTF8.GetBytes(Json(header, false)));
                var payloadChars = length - headerPart.Length - 2 - 43;
                if (payloadChars % 4 == 1) { continue; }
                var payloadBytes = payloadChars / 4 * 3 + (payloadChars % 4 == 0 ? 0 : payloadChars % 4 - 1);
                var claims = new Members();
                claims.Set("amount", "1");
                claims.Set("iat", _now.ToString());
                claims.Set("notificationKey", "\"k\"");
                claims.Set("userId", "\"\"");
                var fill = payloadBytes - Encoding.UTF8.GetByteCount(Json(claims, false));
                claims.Replace("userId", Quote(new string('u', fill)));
                var token = Sign(header, claims);
                if (token.Length != length) { throw new InvalidOperationException("built " + token.Length + " chars, wanted " + length); }
                return token;
            }
            throw new InvalidOperationException("no token of length " + length);
        }

        #endregion

        #region Hostile tokens

        private string RandomBytesToken()
        {
            var length = _random.Next(0, 400);
            switch (_random.Next(5))
            {
                case 0: return RandomChars(length, 0xFF);
                case 1: return Encoding.UTF8.GetString(RandomBytes(length));        // U+FFFD for the bad bytes
                case 2: return RandomChars(length, 0xFFFF);                         // lone surrogates too
                case 3: return RandomChars(length, 0x7F);
                default:
                    var sb = new StringBuilder();
                    for (var i = 0; i < length; i++) { sb.Append(Chance(0.03) ? '.' : Base64UrlAlphabet[_random.Next(64)]); }
                    return sb.ToString();
            }
        }

        private string RandomSegmentsToken()
        {
            var header = Chance(0.5) ? B64(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\"}")) : B64(RandomBytes(_random.Next(0, 40)));
            var payload = Chance(0.3) ? B64(Encoding.UTF8.GetBytes(Json(ValidClaims(), false))) : B64(RandomBytes(_random.Next(0, 200)));
            var signature = B64(RandomBytes(Chance(0.8) ? 32 : _random.Next(0, 70)));
            return header + "." + payload + "." + signature;
        }

        private string TruncatedToken()
        {
            var token = ValidToken();
            if (Chance(0.6)) { return token.Substring(0, _random.Next(0, token.Length)); }
            var start = _random.Next(0, token.Length);
            return token.Remove(start, _random.Next(1, Math.Min(token.Length - start, 20) + 1));
        }

        private string ExtendedToken()
        {
            var token = ValidToken();
            switch (_random.Next(4))
            {
                case 0: return token + "." + RandomBase64Url(_random.Next(0, 50));
                case 1: return token + token;
                case 2: return token + ExtraChars(_random.Next(1, 5));
                default: return token.Insert(_random.Next(0, token.Length + 1), ExtraChars(_random.Next(1, 9)));
            }
        }

        private string ExtraChars(int count)
        {
            const string pool = "Aa0-_.=+/ \t\r\n\0é\uFEFF\u200B\uD800\uDC00%\"";
            var sb = new StringBuilder();
            for (var i = 0; i < count; i++) { sb.Append(Chance(0.5) ? Base64UrlAlphabet[_random.Next(64)] : pool[_random.Next(pool.Length)]); }
            return sb.ToString();
        }

        private string FlipOneBit(string token)
        {
            var chars = token.ToCharArray();
            var position = _random.Next(chars.Length);
            var bit = Chance(0.9) ? _random.Next(8) : 8 + _random.Next(8);
            chars[position] = (char)(chars[position] ^ (1 << bit));
            return new string(chars);
        }

        private static readonly byte[][] BadUtf8 =
        {
            new byte[] { 0xFF }, new byte[] { 0xFE }, new byte[] { 0x80 }, new byte[] { 0xBF }, new byte[] { 0xC0, 0xAF },
            new byte[] { 0xC1, 0xBF }, new byte[] { 0xE0, 0x80, 0xAF }, new byte[] { 0xED, 0xA0, 0x80 }, new byte[] { 0xED, 0xBF, 0xBF },
            new byte[] { 0xF4, 0x90, 0x80, 0x80 }, new byte[] { 0xF8, 0x88, 0x80, 0x80, 0x80 }, new byte[] { 0xC3 },
            new byte[] { 0xE2, 0x82 }, new byte[] { 0xF0, 0x9F, 0x98 }, new byte[] { 0xF0, 0x80, 0x80, 0x80 },
        };

        /// <summary>Signed header and payload where one of them is not UTF-8.</summary>
        private string NonUtf8Token()
        {
            var header = Encoding.UTF8.GetBytes(Json(Header(), false));
            var claims = ValidClaims();
            var bad = Chance(0.9) ? BadUtf8[_random.Next(BadUtf8.Length)] : new[] { (byte)_random.Next(0x80, 0x100) };
            switch (_random.Next(7))
            {
                case 0: return Sign(header, SpliceIntoString(claims, "notificationKey", bad));
                case 1: claims.Replace("userId", "\"\""); return Sign(header, SpliceIntoString(claims, "userId", bad));
                case 2: claims.Set("xname", "1"); return Sign(header, SpliceIntoName(Json(claims, false), "xname", bad));
                case 3: // in the header, with a valid payload
                    var h = Header();
                    h.Replace("typ", "\"JWT\"");
                    return Sign(Splice(Json(h, false), "\"JWT", bad), Encoding.UTF8.GetBytes(Json(claims, false)));
                case 4: // the payload in another encoding (UTF-16 has NUL bytes; Latin-1 has a bare é)
                    claims.Replace("notificationKey", "\"clé\"");
                    var encodings = new Encoding[] { Encoding.Unicode, Encoding.BigEndianUnicode, Encoding.UTF32, Encoding.Latin1 };
                    return Sign(header, encodings[_random.Next(encodings.Length)].GetBytes(Json(claims, false)));
                case 5: return Sign(header, RandomBytes(_random.Next(1, 200)));
                default: return Sign(RandomBytes(_random.Next(1, 60)), Encoding.UTF8.GetBytes(Json(claims, false)));
            }
        }

        private static byte[] SpliceIntoString(Members claims, string name, byte[] bad)
        {
            var json = Json(claims, false);
            var at = json.IndexOf(Quote(name) + ":\"", StringComparison.Ordinal) + Quote(name).Length + 2;
            return Splice(json, at, bad);
        }

        private static byte[] SpliceIntoName(string json, string name, byte[] bad) =>
            Splice(json, json.IndexOf(Quote(name), StringComparison.Ordinal) + 2, bad);

        private static byte[] Splice(string json, string after, byte[] bad) =>
            Splice(json, json.IndexOf(after, StringComparison.Ordinal) + after.Length, bad);

        /// <summary>UTF-8 of json with <paramref name="bad"/> inserted before char <paramref name="at"/> (ASCII prefix).</summary>
        private static byte[] Splice(string json, int at, byte[] bad)
        {
            var before = Encoding.UTF8.GetBytes(json.Substring(0, at));
            var after = Encoding.UTF8.GetBytes(json.Substring(at));
            var all = new byte[before.Length + bad.Length + after.Length];
            before.CopyTo(all, 0);
            bad.CopyTo(all, before.Length);
            after.CopyTo(all, before.Length + bad.Length);
            return all;
        }

        /// <summary>Signed tokens whose header or payload is UTF-8 but not a JSON object.</summary>
        private string NonJsonToken()
        {
            var claims = ValidClaims();
            var valid = Json(claims, false);
            string broken;
            switch (_random.Next(22))
            {
                case 0: broken = "[" + valid + "]"; break;
                case 1: broken = Pick("\"text\"", "42", "null", "true", "false", "[]", "\"{}\""); break;
                case 2: broken = Pick("", " ", "\n", "{", "}", "[", "\"", ":", ","); break;
                case 3: broken = valid.Substring(0, _random.Next(0, valid.Length)); break;
                case 4: broken = valid + Pick("x", "}", "{}", ",", "\0", "]", valid, " 1", "/"); break;
                case 5: broken = "{/*c*/" + valid.Substring(1); break;
                case 6: broken = "{//c\n" + valid.Substring(1); break;
                case 7: broken = valid.Substring(0, valid.Length - 1) + ",}"; break;
                case 8: broken = valid.Replace('"', '\''); break;
                case 9: claims.SetRaw("amount2", "1"); broken = Json(claims, false); break;          // unquoted name
                case 10: claims.Replace("amount", Pick("NaN", "Infinity", "-Infinity", "0x10", "05", "+5", ".5", "5.", "1e", "-", "1e+", "--1", "1_000")); broken = Json(claims, false); break;
                case 11: claims.Replace("notificationKey", "\"a" + (char)_random.Next(0, 0x20) + "b\""); broken = Json(claims, false); break;
                case 12: claims.Replace("notificationKey", Pick("\"\\x41\"", "\"\\u12G4\"", "\"\\'\"", "\"\\U0041\"", "\"\\u12\"", "\"\\\"", "\"\\a\"")); broken = Json(claims, false); break;
                case 13: broken = valid.Replace("\":", "\" "); break;                               // no colons
                case 14: broken = valid.Replace(",\"", " \""); break;                                // no commas
                case 15: broken = valid.Replace("\"", ""); break;
                case 16: broken = valid.Replace("{", "(").Replace("}", ")"); break;
                case 17: broken = "{" + valid.Substring(1).Insert(0, ",") ; break;                 // leading comma
                case 18: claims.Replace("notificationKey", "\"unterminated"); broken = Json(claims, false); break;
                case 19: claims.Replace("forceManualConfirm", Pick("True", "FALSE", "tru", "nul", "Null", "yes", "t")); broken = Json(claims, false); break;
                case 20: // header not JSON, payload valid
                    var header = Json(Header(), false);
                    return Sign(Encoding.UTF8.GetBytes(Pick(header.Substring(0, header.Length - 1), "[" + header + "]", "\"HS256\"", "", header + "}", header.Replace('"', '\''), "{alg:\"HS256\"}")),
                        Encoding.UTF8.GetBytes(valid));
                default: broken = "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",}"; break;
            }
            return Sign(Encoding.UTF8.GetBytes(Json(Header(), false)), Encoding.UTF8.GetBytes(broken));
        }

        /// <summary>Signed tokens with JSON nested deeper than anyone needs (at least 34 levels).</summary>
        private string DeepNestingToken()
        {
            var roll = _random.NextDouble();
            var depth = roll < 0.7 ? _random.Next(33, 200) : roll < 0.95 ? _random.Next(200, 5000) : _random.Next(5000, 7000);
            var nested = Nest(depth, _random.Next(3));
            switch (_random.Next(4))
            {
                case 0:
                case 1:
                    var claims = ValidClaims();
                    claims.Set(ExtraName(), nested);
                    return Sign(Header(), claims);
                case 2:
                    var header = Header();
                    header.Set("x", nested);
                    return Sign(header, ValidClaims());
                default:
                    var deepAmount = ValidClaims();
                    deepAmount.Replace("amount", nested);
                    return Sign(Header(), deepAmount);
            }
        }

        /// <summary>JSON nested <paramref name="depth"/> levels: arrays, objects or both; leaf 1.</summary>
        private static string Nest(int depth, int shape)
        {
            var sb = new StringBuilder(depth * 6);
            for (var i = 0; i < depth; i++) { sb.Append(shape == 0 || (shape == 2 && i % 2 == 0) ? "[" : "{\"a\":"); }
            sb.Append('1');
            for (var i = depth - 1; i >= 0; i--) { sb.Append(shape == 0 || (shape == 2 && i % 2 == 0) ? "]" : "}"); }
            return sb.ToString();
        }

        /// <summary>Signed tokens with a member twice (exactly, by case, or by escape), anywhere.</summary>
        private string DuplicateToken()
        {
            var header = Header();
            var claims = ValidClaims();
            var required = Pick("amount", "iat", "notificationKey");
            var value = claims[claims.IndexOf(required)].Value;
            switch (_random.Next(8))
            {
                case 0: claims.Set(required, value); break;                                     // same value twice
                case 1: // a bad value first, a good one later, and the other way round
                    claims.Remove(required);
                    var bad = required == "notificationKey" ? "\"\"" : "-1";
                    if (Chance(0.5)) { claims.Insert(0, Kv(required, bad)); claims.Add(Kv(required, value)); }
                    else { claims.Insert(0, Kv(required, value)); claims.Add(Kv(required, bad)); }
                    break;
                case 2: claims.Set(required.ToUpperInvariant(), value); break;
                case 3: claims.SetRaw("\"\\u" + ((int)required[0]).ToString("x4") + required.Substring(1) + "\"", value); break;
                case 4: claims.Set("userId", "\"a\""); claims.Set("userId", "\"b\""); break;
                case 5: claims.Set("nest", "{\"a\":1,\"b\":{\"c\":2,\"C\":3}}"); break;
                case 6: claims.Set("list", "[{\"a\":1},{\"b\":1,\"b\":2}]"); break;
                default:
                    if (Chance(0.5)) { header.Set("alg", Pick("\"none\"", "\"HS256\"", "\"HS512\"")); }
                    else { header.Set("ALG", "\"HS256\""); }
                    break;
            }
            Shuffle(claims, keepOrderOf: required);
            return Sign(header, claims);
        }

        private static readonly string[][] WrongTypes =
        {
            new[] { "amount", "\"5\"", "\"\"", "null", "true", "false", "[]", "[5]", "{}", "{\"value\":5}", "0", "-0", "0.0", "-1", "-0.01", "-1e10", "0e5", "-1e400", "-0.0", "1e400", "99999999999999999999999999999999999", "1e-30", "1.23456789e-25", "5e-324", "0.00000000000000000000000000001" },
            new[] { "iat", "\"NOW\"", "null", "true", "NOW.5", "[NOW]", "{}", "\"\"", "NOW.0001" },
            new[] { "notificationKey", "\"\"", "5", "null", "true", "false", "[]", "[\"k\"]", "{}", "{\"k\":\"v\"}" },
            new[] { "cp", "5", "null", "true", "[]", "{}", "[\"75000\"]" },
            new[] { "userId", "5", "null", "false", "[]", "{}", "1.5" },
            new[] { "gender", "\"m\"", "\"f\"", "\"X\"", "\"\"", "\"MF\"", "\"M \"", "\" F\"", "1", "null", "true", "[\"M\"]", "{}", "\"Male\"" },
            new[] { "age", "-1", "1.5", "\"30\"", "null", "true", "1e30", "-9223372036854775808", "9223372036854775808", "[]", "30.5" },
            new[] { "forceManualConfirm", "\"true\"", "1", "0", "null", "\"false\"", "[]", "{}", "\"\"" },
            new[] { "exp", "\"x\"", "FUTURE.5", "null", "true", "[]", "\"FUTURE\"", "1e400" },
            new[] { "nbf", "\"x\"", "PAST.5", "null", "false", "{}", "\"PAST\"" },
        };

        private string WrongTypeToken()
        {
            var row = WrongTypes[_random.Next(WrongTypes.Length)];
            var value = row[1 + _random.Next(row.Length - 1)]
                .Replace("NOW", _now.ToString())
                .Replace("FUTURE", (_now + Margin + 3600).ToString())
                .Replace("PAST", (_now - 3600).ToString());
            var claims = ValidClaims();
            claims.Replace(row[0], value);
            return Sign(Header(), claims);
        }

        private string MissingClaimToken()
        {
            var claims = ValidClaims();
            var name = Pick("amount", "iat", "notificationKey");
            var value = claims[claims.IndexOf(name)].Value;
            claims.Remove(name);
            switch (_random.Next(3))
            {
                case 0: break;
                case 1: claims.Set(Chance(0.5) ? name.ToUpperInvariant() : char.ToUpperInvariant(name[0]) + name.Substring(1), value); break; // names are case-sensitive
                default: claims.Set(name + "_", value); break;
            }
            if (Chance(0.05)) { claims.Clear(); }
            return Sign(Header(), claims);
        }

        /// <summary>Any alg but HS256, signed with the apiSignature as HMAC key (with the alg's own HMAC where it has one).</summary>
        private string OtherAlgToken()
        {
            var header = Header();
            var claims = Json(ValidClaims(), false);
            switch (_random.Next(6))
            {
                case 0:
                    header.Replace("alg", Pick("\"none\"", "\"None\"", "\"NONE\"", "\"nOnE\""));
                    var unsigned = B64(Encoding.UTF8.GetBytes(Json(header, false))) + "." + B64(Encoding.UTF8.GetBytes(claims));
                    return Chance(0.5) ? unsigned + "." : unsigned + "." + B64(_hs256.ComputeHash(Encoding.ASCII.GetBytes(unsigned)));
                case 1: header.Replace("alg", "\"HS384\""); return Sign(Encoding.UTF8.GetBytes(Json(header, false)), Encoding.UTF8.GetBytes(claims), _hs384);
                case 2: header.Replace("alg", "\"HS512\""); return Sign(Encoding.UTF8.GetBytes(Json(header, false)), Encoding.UTF8.GetBytes(claims), _hs512);
                case 3: header.Replace("alg", Pick("\"RS256\"", "\"ES256\"", "\"PS256\"", "\"EdDSA\"", "\"A256GCM\"", "\"dir\"")); break; // key confusion: HMAC-SHA256 with the secret
                case 4:
                    header.Replace("alg", Pick("\"hs256\"", "\"Hs256\"", "\"HS256 \"", "\" HS256\"", "\"HS256\\u0000\"", "\"HS2560\"", "\"HS25\"", "\"\"",
                        "\"HS256\\u200B\"", "\"\\uFF28\\uFF33256\"", "\"HS256\\n\"", "\"HS-256\"", "\"HMACSHA256\""));
                    break;
                default:
                    if (Chance(0.2)) { header.Remove("alg"); }
                    else { header.Replace("alg", Pick("null", "256", "true", "[\"HS256\"]", "{\"name\":\"HS256\"}", "[]", "{}")); }
                    break;
            }
            return Sign(Encoding.UTF8.GetBytes(Json(header, false)), Encoding.UTF8.GetBytes(claims));
        }

        private string CritToken()
        {
            var header = Header();
            header.Set("crit", Pick("[\"exp\"]", "[]", "null", "\"b64\"", "[\"b64\"]", "{\"a\":1}", "true", "0", "[\"crit\"]", "[\"alg\"]", "[\"typ\"]"));
            if (Chance(0.2)) { header.Set("b64", "false"); }
            Shuffle(header);
            return Sign(header, ValidClaims());
        }

        private string BadTimeToken()
        {
            var claims = ValidClaims();
            switch (_random.Next(4))
            {
                case 0: claims.Replace("iat", (_now + Margin + _random.Next(0, 100000000)).ToString()); break;
                case 1: claims.Replace("iat", Pick(long.MaxValue.ToString(), (long.MaxValue - 59).ToString(), "99999999999")); break;
                case 2: claims.Replace("exp", (_now - 61 - _random.Next(0, 10000000)).ToString()); claims.Remove("nbf"); break;
                default: claims.Replace("nbf", (_now + Margin + _random.Next(0, 10000000)).ToString()); claims.Remove("exp"); break;
            }
            return Sign(Header(), claims);
        }

        /// <summary>Tokens a lenient base64 decoder would read as valid, with any signature recomputed over the text as sent.</summary>
        private string NonCanonicalToken()
        {
            var headerJson = Json(Header(), false);
            var claims = ValidClaims();
            var payloadJson = Json(claims, false);
            // A length that is no multiple of 3 leaves unused bits and calls for padding.
            while (Encoding.UTF8.GetByteCount(payloadJson) % 3 == 0) { payloadJson += " "; }
            while (Encoding.UTF8.GetByteCount(headerJson) % 3 == 0) { headerJson += " "; }
            var h = B64(Encoding.UTF8.GetBytes(headerJson));
            var p = B64(Encoding.UTF8.GetBytes(payloadJson));
            var onHeader = Chance(0.3);
            var segment = onHeader ? h : p;
            switch (_random.Next(7))
            {
                case 0: segment = segment + (segment.Length % 4 == 2 ? "==" : "="); break;
                case 1: segment = SetUnusedBits(segment); break;
                case 2: segment = segment.Insert(_random.Next(1, segment.Length), Pick(" ", "\n", "\r\n", "\t")); break;
                case 3:
                    if (segment.IndexOf('-') >= 0 || segment.IndexOf('_') >= 0) { segment = segment.Replace('-', '+').Replace('_', '/'); }
                    else { segment = segment + "="; }
                    break;
                default: // a signature that decodes (leniently) to the right MAC
                    var signed = SignText(h + "." + p, _hs256);
                    var signature = signed.Substring(signed.LastIndexOf('.') + 1);
                    switch (_random.Next(4))
                    {
                        case 0: signature += "="; break;
                        case 1: signature = SetUnusedBits(signature); break;
                        case 2:
                            signature = signature.IndexOf('-') >= 0 || signature.IndexOf('_') >= 0 ? signature.Replace('-', '+').Replace('_', '/') : signature + "=";
                            break;
                        default: signature = signature.Insert(_random.Next(1, signature.Length), Pick(" ", "\n", "\t")); break;
                    }
                    return h + "." + p + "." + signature;
            }
            return onHeader ? SignText(segment + "." + p, _hs256) : SignText(h + "." + segment, _hs256);
        }

        /// <summary>The same base64url text with the unused low bits of its last char set (never canonical).</summary>
        private string SetUnusedBits(string segment)
        {
            var unusedBits = segment.Length % 4 == 2 ? 4 : 2;
            var last = Base64UrlAlphabet.IndexOf(segment[segment.Length - 1]);
            var noise = 1 + _random.Next((1 << unusedBits) - 1);
            return segment.Substring(0, segment.Length - 1) + Base64UrlAlphabet[last | noise];
        }

        /// <summary>Signed tokens with \uD800-style lone surrogates: a string no UTF-8 can carry.</summary>
        private string LoneSurrogateToken()
        {
            var lone = Pick("\\uD800", "\\uDFFF", "\\uDBFF\\u0041", "\\uDC00\\uD800", "x\\uD83D", "\\uDE00x");
            var header = Header();
            var claims = ValidClaims();
            switch (_random.Next(9))
            {
                case 0: claims.Replace("notificationKey", "\"k" + lone + "\""); break;
                case 1: claims.Replace("userId", "\"" + lone + "\""); break;
                case 2: claims.Replace("cp", "\"" + lone + "\""); break;
                case 3: claims.Replace("gender", "\"" + lone + "\""); break;
                case 4: claims.Set(ExtraName(), "[\"" + lone + "\"]"); break;
                case 5: claims.SetRaw("\"n" + lone + "\"", "1"); break;
                case 6: header.Replace("alg", "\"" + lone + "\""); break;
                case 7: header.Replace("typ", "\"" + lone + "\""); break;
                default: header.SetRaw("\"" + lone + "\"", "1"); break;
            }
            return Sign(header, claims);
        }

        private string WrongKeyToken()
        {
            byte[] key;
            switch (_random.Next(6))
            {
                case 0: key = Encoding.UTF8.GetBytes(Pick("monApiSignatur", "MonApiSignature", "monApiSignaturf", "monApiSignature ", "monApiSignatures", "nomApiSignature")); break;
                case 1: key = Encoding.Unicode.GetBytes("monApiSignature"); break;
                case 2: key = RandomBytes(_random.Next(1, 100)); break;
                case 3: key = new byte[] { 0 }; break;                                    // zero-padded: the empty key
                case 4: key = Encoding.UTF8.GetBytes("monApiSignature" + new string('x', 60)); break; // longer than the block: hashed
                default: key = Encoding.UTF8.GetBytes("monApiSignaturemonApiSignature"); break;
            }
            using (var hmac = new HMACSHA256(key))
            {
                return Sign(Encoding.UTF8.GetBytes(Json(Header(), false)), Encoding.UTF8.GetBytes(Json(ValidClaims(), false)), hmac);
            }
        }

        private string BadStructureToken()
        {
            var token = ValidToken();
            var d1 = token.IndexOf('.');
            var d2 = token.LastIndexOf('.');
            var h = token.Substring(0, d1);
            var p = token.Substring(d1 + 1, d2 - d1 - 1);
            var s = token.Substring(d2 + 1);
            var mac = _hs256.ComputeHash(Encoding.ASCII.GetBytes(h + "." + p));
            switch (_random.Next(14))
            {
                case 0: return Pick("", ".", "..", "...", "....", " ", "\0", "null", "undefined");
                case 1: return h + "." + p;
                case 2: return h + "." + p + "." + s + "." + s;
                case 3: return "." + p + "." + s;
                case 4: return SignText(h + ".", _hs256);                               // empty payload, signed
                case 5: return SignText("." + p, _hs256);                               // empty header, signed
                case 6: return h + "." + p + ".";
                case 7: return Pick(" ", "\t", "\n", "Bearer ", "\uFEFF") + token;
                case 8: return token + Pick(" ", "\n", "\r\n", "\0", "\t");
                case 9: return h + "." + p + "." + B64(Slice(mac, 0, _random.Next(0, 32)));   // truncated MAC
                case 10: return h + "." + p + "." + B64(Concat(mac, RandomBytes(_random.Next(1, 33)))); // MAC plus more
                case 11: return p + "." + h + "." + s;
                case 12: return h + "." + s + "." + p;
                default: return token.Replace('.', Pick(",", ":", "_", "-", "\u2024")[0]);
            }
        }

        #endregion

        #region JSON, base64url, signing

        private static KeyValuePair<string, string> Kv(string name, string value) => new KeyValuePair<string, string>(Quote(name), value);

        private static string Json(Members members, bool spaced)
        {
            var sb = new StringBuilder(256);
            sb.Append(spaced ? " {\n  " : "{");
            for (var i = 0; i < members.Count; i++)
            {
                if (i > 0) { sb.Append(spaced ? " ,\r\n\t" : ","); }
                sb.Append(members[i].Key).Append(spaced ? " : " : ":").Append(members[i].Value);
            }
            sb.Append(spaced ? "\n} \n" : "}");
            return sb.ToString();
        }

        /// <summary>A JSON string literal; non-ASCII is written as is (UTF-8 later).</summary>
        private static string Quote(string text)
        {
            var sb = new StringBuilder(text.Length + 2);
            sb.Append('"');
            foreach (var c in text)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    default:
                        if (c < 0x20) { sb.Append("\\u").Append(((int)c).ToString("x4")); }
                        else { sb.Append(c); }
                        break;
                }
            }
            sb.Append('"');
            return sb.ToString();
        }

        private string Sign(Members header, Members claims) =>
            Sign(Encoding.UTF8.GetBytes(Json(header, false)), Encoding.UTF8.GetBytes(Json(claims, false)));

        private string Sign(Members header, string payloadJson) =>
            Sign(Encoding.UTF8.GetBytes(Json(header, false)), Encoding.UTF8.GetBytes(payloadJson));

        private string Sign(byte[] header, byte[] payload) => Sign(header, payload, _hs256);

        private static string Sign(byte[] header, byte[] payload, HMAC hmac) => SignText(B64(header) + "." + B64(payload), hmac);

        /// <summary>signingInput + "." + base64url(HMAC(UTF-8 of signingInput)).</summary>
        private static string SignText(string signingInput, HMAC hmac) =>
            signingInput + "." + B64(hmac.ComputeHash(Encoding.UTF8.GetBytes(signingInput)));

        private static string B64(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        #endregion

        #region Randomness

        private bool Chance(double p) => _random.NextDouble() < p;

        private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

        private void Shuffle(Members members, string keepOrderOf = null)
        {
            if (keepOrderOf != null) { return; } // the order of a deliberate duplicate matters
            for (var i = members.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                var t = members[i];
                members[i] = members[j];
                members[j] = t;
            }
        }

        private string ExtraName() => "ext" + (_extraNames++).ToString();

        private byte[] RandomBytes(int count)
        {
            var bytes = new byte[count];
            _random.NextBytes(bytes);
            return bytes;
        }

        private string RandomChars(int count, int max)
        {
            var chars = new char[count];
            for (var i = 0; i < count; i++) { chars[i] = (char)_random.Next(0, max + 1); }
            return new string(chars);
        }

        private string RandomBase64Url(int count)
        {
            var chars = new char[count];
            for (var i = 0; i < count; i++) { chars[i] = Base64UrlAlphabet[_random.Next(64)]; }
            return new string(chars);
        }

        private static readonly string[] TextPieces =
        {
            "a", "b", "Z", "0", "7", " ", "-", "_", ".", "\"", "\\", "/", "é", "ß", "日", "本", "😀", "\u0001", "\n", "\u2028", "€", "{", "}", ":", ",",
        };

        /// <summary>Valid Unicode text (surrogate pairs kept whole) of minLength to maxLength pieces.</summary>
        private string RandomText(int minLength, int maxLength)
        {
            var count = _random.Next(minLength, maxLength + 1);
            var sb = new StringBuilder(count * 2);
            for (var i = 0; i < count; i++) { sb.Append(Chance(0.7) ? ((char)('a' + _random.Next(26))).ToString() : TextPieces[_random.Next(TextPieces.Length)]); }
            return sb.ToString();
        }

        /// <summary>Any JSON value, nested at most <paramref name="depth"/> more levels, without duplicate names.</summary>
        private string RandomJsonValue(int depth)
        {
            switch (_random.Next(depth > 0 ? 8 : 6))
            {
                case 0: return _random.Next(-1000, 1000).ToString();
                case 1: return (_random.NextDouble() * 1000 - 500).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                case 2: return Quote(RandomText(0, 20));
                case 3: return Chance(0.5) ? "true" : "false";
                case 4: return "null";
                case 5: return "\"\"";
                case 6:
                    var items = new List<string>();
                    var n = _random.Next(0, 4);
                    for (var i = 0; i < n; i++) { items.Add(RandomJsonValue(depth - 1)); }
                    return "[" + string.Join(",", items) + "]";
                default:
                    var members = new List<string>();
                    var m = _random.Next(0, 4);
                    for (var i = 0; i < m; i++) { members.Add("\"k" + i + "\":" + RandomJsonValue(depth - 1)); }
                    return "{" + string.Join(",", members) + "}";
            }
        }

        private static byte[] Slice(byte[] data, int start, int count)
        {
            var part = new byte[count];
            Array.Copy(data, start, part, 0, count);
            return part;
        }

        private static byte[] Concat(byte[] a, byte[] b)
        {
            var all = new byte[a.Length + b.Length];
            a.CopyTo(all, 0);
            b.CopyTo(all, a.Length);
            return all;
        }

        #endregion
    }
}
