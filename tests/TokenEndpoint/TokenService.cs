using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ConvTokens.TokenEndpoint
{
    /// <summary>
    /// The account's secrets, read from the one configuration line on standard input.
    /// Held as bytes only; never written anywhere.
    /// </summary>
    internal sealed class EndpointSecrets
    {
        private EndpointSecrets(byte[] apiSignature, byte[] apiKey, byte[]? clientSecret)
        {
            ApiSignature = apiSignature;
            ApiKey = apiKey;
            ClientSecret = clientSecret;
        }

        public byte[] ApiSignature { get; }

        public byte[] ApiKey { get; }

        /// <summary>Null when client-credentials sessions are not configured.</summary>
        public byte[]? ClientSecret { get; }

        /// <summary>Parses {"apiSignature":"...","apiKey":"...","clientSecret":"..."}. Errors never quote values.</summary>
        public static bool TryParse(string line, out EndpointSecrets? secrets, out string error)
        {
            secrets = null;
            error = string.Empty;
            string? apiSignature = null, apiKey = null, clientSecret = null;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    error = "the configuration line must be a JSON object";
                    return false;
                }

                foreach (JsonProperty member in doc.RootElement.EnumerateObject())
                {
                    string? value = member.Value.ValueKind switch
                    {
                        JsonValueKind.String => member.Value.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new FormatException($"configuration member '{member.Name}' must be a string"),
                    };
                    switch (member.Name.ToLowerInvariant())
                    {
                        case "apisignature": apiSignature = value; break;
                        case "apikey": apiKey = value; break;
                        case "clientsecret": clientSecret = value; break;
                        default: throw new FormatException("unknown configuration member; expected apiSignature, apiKey, clientSecret");
                    }
                }
            }
            catch (JsonException)
            {
                error = "the configuration line is not valid JSON";
                return false;
            }
            catch (FormatException ex)
            {
                error = ex.Message;
                return false;
            }

            if (string.IsNullOrEmpty(apiSignature) || string.IsNullOrEmpty(apiKey))
            {
                error = "the configuration line needs non-empty 'apiSignature' and 'apiKey' strings";
                return false;
            }

            secrets = new EndpointSecrets(
                Encoding.UTF8.GetBytes(apiSignature),
                Encoding.UTF8.GetBytes(apiKey),
                string.IsNullOrEmpty(clientSecret) ? null : Encoding.UTF8.GetBytes(clientSecret));
            return true;
        }
    }

    /// <summary>The outcome of one grant: a session token, or an RFC 6749 §5.2 error.</summary>
    internal sealed record GrantResult(string? AccessToken, int Status, string? Error, string? Description)
    {
        public bool Succeeded => AccessToken is not null;

        public static GrantResult Issued(string token) => new(token, 200, null, null);

        public static GrantResult Reject(int status, string error, string description) => new(null, status, error, description);

        public static GrantResult InvalidRequest(string description) => Reject(400, "invalid_request", description);

        public static GrantResult InvalidGrant(string description) => Reject(400, "invalid_grant", description);
    }

    /// <summary>
    /// The grant logic of POST /token: the JWT-bearer grant (RFC 7523) with the vendor's
    /// initialization token, and client credentials. Thread-safe.
    /// </summary>
    internal sealed class TokenService
    {
        public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
        public const string ClientCredentialsGrant = "client_credentials";
        public const int SessionLifetimeSeconds = 3600;
        public const int MaxAssertionAgeSeconds = 600;
        public const int MaxFutureSkewSeconds = 60;

        private readonly EndpointSecrets secrets;
        private readonly EndpointStats stats;
        private readonly byte[] serverKey = RandomNumberGenerator.GetBytes(32);
        private readonly byte[] apiKeyDigest;
        private readonly byte[]? clientSecretDigest;

        // One-time store, keyed by the assertion's signature segment (canonical base64url, see Base64Url).
        private readonly ConcurrentDictionary<string, byte> spent = new(StringComparer.Ordinal);

        public TokenService(EndpointSecrets secrets, EndpointStats stats)
        {
            this.secrets = secrets;
            this.stats = stats;
            apiKeyDigest = SHA256.HashData(secrets.ApiKey);
            clientSecretDigest = secrets.ClientSecret is null ? null : SHA256.HashData(secrets.ClientSecret);
        }

        public int SpentCount => spent.Count;

        private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        /// <summary>
        /// Looks at a request on arrival, before any fault: if it carries a correctly signed assertion
        /// that was already spent, counts it as resent-after-consume and returns true.
        /// </summary>
        public bool NoteResend(JsonElement body)
        {
            // Most requests carry a fresh assertion: its signature segment, taken as it stands, is not among the spent
            // ones (which are canonical, so no other spelling of a spent one can be), and nothing more is parsed.
            if (body.ValueKind != JsonValueKind.Object ||
                !body.TryGetProperty("assertion", out JsonElement assertion) ||
                assertion.ValueKind != JsonValueKind.String ||
                assertion.GetString() is not { } text ||
                !spent.ContainsKey(text[(text.LastIndexOf('.') + 1)..]) ||
                !Hs256.TryParse(text, out CompactJws? jws) ||
                !spent.ContainsKey(jws!.SignatureSegment) ||
                !Hs256.Verify(secrets.ApiSignature, jws))
            {
                return false;
            }

            stats.ResentAfterConsume(NotificationKeyOf(jws.Payload));
            return true;
        }

        public GrantResult Grant(JsonElement body, bool resendNoted)
        {
            if (body.ValueKind != JsonValueKind.Object)
            {
                return GrantResult.InvalidRequest("the request body must be a JSON object");
            }

            if (!TryGetString(body, "grant_type", out string? grantType, out GrantResult? problem))
            {
                return problem!;
            }

            return grantType switch
            {
                JwtBearerGrant => JwtBearer(body, resendNoted),
                ClientCredentialsGrant => ClientCredentials(body),
                _ => GrantResult.Reject(400, "unsupported_grant_type",
                    $"grant_type must be '{JwtBearerGrant}' or '{ClientCredentialsGrant}'"),
            };
        }

        private GrantResult JwtBearer(JsonElement body, bool resendNoted)
        {
            if (!TryGetString(body, "client_id", out string? clientId, out GrantResult? problem) ||
                !TryGetString(body, "assertion", out string? assertion, out problem))
            {
                return problem!;
            }

            if (!SecretEquals(clientId!, apiKeyDigest))
            {
                return GrantResult.Reject(401, "invalid_client", "client authentication failed: client_id is not a known apiKey");
            }

            if (!Hs256.TryParse(assertion!, out CompactJws? jws))
            {
                return GrantResult.InvalidGrant("the assertion is not a compact JWT (three base64url segments, 32-byte signature)");
            }

            if (!Hs256.HeaderIsHs256(jws!.Header))
            {
                return GrantResult.InvalidGrant("the assertion header must be a JSON object with \"alg\":\"HS256\"");
            }

            if (!Hs256.Verify(secrets.ApiSignature, jws))
            {
                return GrantResult.InvalidGrant("the assertion signature is invalid");
            }

            JsonDocument payloadDoc;
            try
            {
                payloadDoc = JsonDocument.Parse(jws.Payload);
            }
            catch (JsonException)
            {
                return GrantResult.InvalidGrant("the assertion payload is not valid JSON");
            }

            using (payloadDoc)
            {
                return JwtBearerClaims(jws, payloadDoc.RootElement, resendNoted);
            }
        }

        private GrantResult JwtBearerClaims(CompactJws jws, JsonElement claims, bool resendNoted)
        {
            if (claims.ValueKind != JsonValueKind.Object)
            {
                return GrantResult.InvalidGrant("the assertion payload must be a JSON object");
            }

            if (spent.ContainsKey(jws.SignatureSegment))
            {
                return AlreadyUsed(jws, resendNoted);
            }

            GrantResult? claimProblem = CheckClaims(claims);
            if (claimProblem is not null)
            {
                return claimProblem;
            }

            if (!spent.TryAdd(jws.SignatureSegment, 0))
            {
                return AlreadyUsed(jws, resendNoted);
            }

            return GrantResult.Issued(MintSession(claims));
        }

        private GrantResult AlreadyUsed(CompactJws jws, bool resendNoted)
        {
            if (!resendNoted)
            {
                // Raced with its own twin: the second copy was in flight while the first was spent.
                stats.ResentAfterConsume(NotificationKeyOf(jws.Payload));
            }

            return GrantResult.InvalidGrant("initialization token already used");
        }

        private static GrantResult? CheckClaims(JsonElement claims)
        {
            if (!claims.TryGetProperty("amount", out JsonElement amount) ||
                amount.ValueKind != JsonValueKind.Number ||
                !amount.TryGetDouble(out double amountValue) ||
                !double.IsFinite(amountValue) || amountValue <= 0)
            {
                return GrantResult.InvalidGrant("claim 'amount' is required and must be a positive number");
            }

            if (!claims.TryGetProperty("iat", out JsonElement iat) ||
                iat.ValueKind != JsonValueKind.Number ||
                !iat.TryGetInt64(out long issuedAt))
            {
                return GrantResult.InvalidGrant("claim 'iat' is required and must be an integer number of Unix seconds");
            }

            if (!claims.TryGetProperty("notificationKey", out JsonElement key) ||
                key.ValueKind != JsonValueKind.String || key.GetString()!.Length == 0)
            {
                return GrantResult.InvalidGrant("claim 'notificationKey' is required and must be a non-empty string");
            }

            // Optional claims, when present, must have the JSON types of the vendor's samples.
            foreach ((string name, JsonValueKind kind, string what) in OptionalClaims)
            {
                if (claims.TryGetProperty(name, out JsonElement value) && value.ValueKind != kind &&
                    !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
                {
                    return GrantResult.InvalidGrant($"claim '{name}' must be {what}");
                }
            }

            long now = Now;
            if (now - issuedAt > MaxAssertionAgeSeconds)
            {
                return GrantResult.InvalidGrant($"the assertion is stale: 'iat' is more than {MaxAssertionAgeSeconds} seconds in the past");
            }

            if (issuedAt - now > MaxFutureSkewSeconds)
            {
                return GrantResult.InvalidGrant($"the assertion is from the future: 'iat' is more than {MaxFutureSkewSeconds} seconds ahead of the server clock");
            }

            return null;
        }

        private static readonly (string Name, JsonValueKind Kind, string What)[] OptionalClaims =
        {
            ("cp", JsonValueKind.String, "a string"),
            ("age", JsonValueKind.Number, "a number"),
            ("gender", JsonValueKind.String, "a string"),
            ("userId", JsonValueKind.String, "a string"),
            ("forceManualConfirm", JsonValueKind.True, "a boolean"),
        };

        private GrantResult ClientCredentials(JsonElement body)
        {
            if (!TryGetString(body, "client_id", out string? clientId, out GrantResult? problem) ||
                !TryGetString(body, "client_secret", out string? clientSecret, out problem))
            {
                return problem!;
            }

            // Both comparisons always run, so timing does not tell which one failed.
            bool idOk = SecretEquals(clientId!, apiKeyDigest);
            bool secretOk = clientSecretDigest is not null && SecretEquals(clientSecret!, clientSecretDigest);
            if (!(idOk & secretOk))
            {
                return GrantResult.Reject(401, "invalid_client", "client authentication failed");
            }

            return GrantResult.Issued(MintSession(null));
        }

        /// <summary>A session token: HS256 under the per-process server key, valid for one hour.</summary>
        private string MintSession(JsonElement? claims)
        {
            long now = Now;
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                if (claims is { } c)
                {
                    if (c.TryGetProperty("userId", out JsonElement userId) && userId.ValueKind == JsonValueKind.String)
                    {
                        json.WriteString("sub", userId.GetString());
                    }

                    json.WriteString("notificationKey", c.GetProperty("notificationKey").GetString());
                    json.WritePropertyName("amount");
                    c.GetProperty("amount").WriteTo(json);
                }

                json.WriteNumber("iat", now);
                json.WriteNumber("exp", now + SessionLifetimeSeconds);
                json.WriteString("jti", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant());
                json.WriteEndObject();
            }

            return Hs256.Sign(serverKey, buffer.WrittenSpan.ToArray());
        }

        private static string NotificationKeyOf(byte[] payload)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(payload);
                return doc.RootElement.ValueKind == JsonValueKind.Object &&
                       doc.RootElement.TryGetProperty("notificationKey", out JsonElement key) &&
                       key.ValueKind == JsonValueKind.String
                    ? key.GetString()!
                    : string.Empty;
            }
            catch (JsonException)
            {
                return string.Empty;
            }
        }

        private static bool TryGetString(JsonElement body, string name, out string? value, out GrantResult? problem)
        {
            value = null;
            problem = null;
            if (!body.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
            {
                problem = GrantResult.InvalidRequest($"'{name}' is missing");
                return false;
            }

            if (element.ValueKind != JsonValueKind.String || element.GetString()!.Length == 0)
            {
                problem = GrantResult.InvalidRequest($"'{name}' must be a non-empty string");
                return false;
            }

            value = element.GetString();
            return true;
        }

        /// <summary>Compares a presented secret with the configured one's digest in constant time (over SHA-256 digests, so length leaks nothing either).</summary>
        private static bool SecretEquals(string presented, byte[] expectedDigest) =>
            CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
                expectedDigest);
    }
}
