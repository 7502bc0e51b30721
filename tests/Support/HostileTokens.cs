// Seeded generator of hostile and control tokens for the Test-Token fuzz test (compiled by Add-Type).
using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace ConvTokens.Tests
{
    public sealed class HostileCase
    {
        public HostileCase(string category, string token, bool expectValid)
        {
            Category = category;
            Token = token;
            ExpectValid = expectValid;
        }

        public string Category { get; }
        public string Token { get; }
        public bool ExpectValid { get; }
    }

    public sealed class HostileTokens
    {
        private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        private static readonly string[] Categories =
        {
            "control", "bitflip", "randomBytes", "randomBase64Url", "truncated", "extended", "nonUtf8", "nonJson", "deepNesting",
            "duplicateClaims", "wrongTypes", "otherAlg", "critHeader", "missingClaims", "segmentCount",
        };

        private readonly Random _random;
        private readonly byte[] _secret;
        private readonly long _now;

        public HostileTokens(int seed, string secret, long nowUnixSeconds)
        {
            _random = new Random(seed);
            _secret = Encoding.UTF8.GetBytes(secret);
            _now = nowUnixSeconds;
        }

        /// <summary>The next <paramref name="count"/> cases, categories in rotation.</summary>
        public List<HostileCase> Next(int count)
        {
            var cases = new List<HostileCase>(count);
            for (var i = 0; i < count; i++)
            {
                cases.Add(Make(Categories[_random.Next(Categories.Length)]));
            }
            return cases;
        }

        /// <summary>A few tokens of megabytes, signed, that must be refused as too large.</summary>
        public List<HostileCase> Huge(int count)
        {
            var cases = new List<HostileCase>();
            for (var i = 0; i < count; i++)
            {
                var padding = new string('x', 1024 * 1024 * (1 + i % 4));
                cases.Add(new HostileCase("huge", Sign(Header("HS256"), "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"pad\":\"" + padding + "\"}", "HS256"), false));
            }
            return cases;
        }

        private HostileCase Make(string category)
        {
            var valid = ValidToken();
            switch (category)
            {
                case "control":
                    return new HostileCase(category, valid, true);
                case "bitflip":
                {
                    var chars = valid.ToCharArray();
                    var at = _random.Next(chars.Length);
                    chars[at] = (char)(chars[at] ^ (1 << _random.Next(7)));
                    var flipped = new string(chars);
                    return new HostileCase(category, flipped, flipped == valid);
                }
                case "randomBytes":
                {
                    var bytes = new byte[_random.Next(0, 600)];
                    _random.NextBytes(bytes);
                    return new HostileCase(category, Encoding.Latin1.GetString(bytes), false);
                }
                case "randomBase64Url":
                    return new HostileCase(category, RandomB64(_random.Next(1, 80)) + "." + RandomB64(_random.Next(1, 200)) + "." + RandomB64(43), false);
                case "truncated":
                    return new HostileCase(category, valid.Substring(0, _random.Next(valid.Length)), false);
                case "extended":
                {
                    var parts = valid.Split('.');
                    var which = _random.Next(3);
                    parts[which] += RandomB64(_random.Next(1, 8));
                    return new HostileCase(category, string.Join(".", parts), false);
                }
                case "nonUtf8":
                {
                    var payload = Encoding.UTF8.GetBytes("{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\"}");
                    payload[_random.Next(payload.Length)] = (byte)(0x80 | _random.Next(0x7f));
                    return new HostileCase(category, SignBytes(Encoding.UTF8.GetBytes(Header("HS256")), payload, "HS256"), false);
                }
                case "nonJson":
                {
                    var junk = new[] { "", "null", "[]", "42", "\"text\"", "{", "{\"amount\":1,}", "{'amount':1}", "{\"amount\":1 \"iat\":2}", "<xml/>", "{\"a\":NaN}" };
                    return new HostileCase(category, Sign(Header("HS256"), junk[_random.Next(junk.Length)], "HS256"), false);
                }
                case "deepNesting":
                {
                    var depth = _random.Next(33, 5000);
                    var nested = new StringBuilder().Append('{').Append("\"amount\":1,\"iat\":").Append(_now).Append(",\"notificationKey\":\"k\",\"x\":")
                        .Append('[', depth).Append(']', depth).Append('}').ToString();
                    return new HostileCase(category, Sign(Header("HS256"), nested, "HS256"), false);
                }
                case "duplicateClaims":
                {
                    var variants = new[]
                    {
                        "{\"amount\":1,\"amount\":100000,\"iat\":" + _now + ",\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"notificationKey\":\"other\"}",
                        "{\"amount\":1,\"Amount\":5,\"iat\":" + _now + ",\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"x\":{\"a\":1,\"a\":2}}",
                    };
                    return new HostileCase(category, Sign(Header("HS256"), variants[_random.Next(variants.Length)], "HS256"), false);
                }
                case "wrongTypes":
                {
                    var variants = new[]
                    {
                        "{\"amount\":\"1\",\"iat\":" + _now + ",\"notificationKey\":\"k\"}",
                        "{\"amount\":-1,\"iat\":" + _now + ",\"notificationKey\":\"k\"}",
                        "{\"amount\":0,\"iat\":" + _now + ",\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"iat\":\"" + _now + "\",\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"iat\":" + _now + ".5,\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":7}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"\"}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"cp\":75000}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"age\":\"9\"}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"gender\":\"m\"}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"forceManualConfirm\":1}",
                        "{\"amount\":1,\"iat\":" + (_now + 100000) + ",\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"exp\":" + (_now - 10000) + "}",
                        "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\",\"nbf\":" + (_now + 10000) + "}",
                        "{\"amount\":1,\"iat\":99999999999999999999999,\"notificationKey\":\"k\"}",
                    };
                    return new HostileCase(category, Sign(Header("HS256"), variants[_random.Next(variants.Length)], "HS256"), false);
                }
                case "otherAlg":
                {
                    var algs = new[] { "none", "HS384", "HS512", "RS256", "ES256", "hs256", "HS256 ", "" };
                    var alg = algs[_random.Next(algs.Length)];
                    var payload = "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\"}";
                    if (alg == "none")
                    {
                        return new HostileCase(category, B64(Encoding.UTF8.GetBytes(Header("none"))) + "." + B64(Encoding.UTF8.GetBytes(payload)) + ".", false);
                    }
                    return new HostileCase(category, Sign(Header(alg), payload, alg), false);
                }
                case "critHeader":
                    return new HostileCase(category, Sign("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"exp\"]}", "{\"amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\"}", "HS256"), false);
                case "missingClaims":
                {
                    var variants = new[]
                    {
                        "{\"iat\":" + _now + ",\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"notificationKey\":\"k\"}",
                        "{\"amount\":1,\"iat\":" + _now + "}",
                        "{}",
                        "{\"Amount\":1,\"iat\":" + _now + ",\"notificationKey\":\"k\"}",
                    };
                    return new HostileCase(category, Sign(Header("HS256"), variants[_random.Next(variants.Length)], "HS256"), false);
                }
                default: // segmentCount
                {
                    var parts = valid.Split('.');
                    var variants = new[] { parts[0] + "." + parts[1], valid + "." + parts[2], "." + parts[1] + "." + parts[2], parts[0] + ".." + parts[2], valid.Replace('.', '_') };
                    return new HostileCase(category, variants[_random.Next(variants.Length)], false);
                }
            }
        }

        private string ValidToken()
        {
            var payload = "{\"amount\":" + (_random.Next(1, 100000) / 100m).ToString(System.Globalization.CultureInfo.InvariantCulture) +
                ",\"cp\":\"" + _random.Next(1000, 99999).ToString("00000") + "\",\"age\":" + _random.Next(0, 100) +
                ",\"gender\":\"" + (_random.Next(2) == 0 ? "M" : "F") + "\",\"userId\":\"u" + _random.Next() + "\",\"iat\":" + (_now - _random.Next(0, 3600)) +
                ",\"notificationKey\":\"" + Guid.NewGuid().ToString("N") + "\"}";
            return Sign(Header("HS256"), payload, "HS256");
        }

        private static string Header(string alg) => "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}";

        private string Sign(string header, string payload, string alg) => SignBytes(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(payload), alg);

        private string SignBytes(byte[] header, byte[] payload, string alg)
        {
            var input = B64(header) + "." + B64(payload);
            var data = Encoding.ASCII.GetBytes(input);
            byte[] mac = alg switch
            {
                "HS384" => HMACSHA384.HashData(_secret, data),
                "HS512" => HMACSHA512.HashData(_secret, data),
                _ => HMACSHA256.HashData(_secret, data),
            };
            return input + "." + B64(mac);
        }

        private string RandomB64(int length)
        {
            var chars = new char[length];
            for (var i = 0; i < length; i++) { chars[i] = Alphabet[_random.Next(Alphabet.Length)]; }
            return new string(chars);
        }

        private static string B64(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
