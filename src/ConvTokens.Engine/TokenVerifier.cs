using System;
using System.Collections.Specialized;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace ConvTokens.Engine
{
    /// <summary>Why a token failed; the names are part of the module's contract (TokenValidationResult.Reason).</summary>
    public enum TokenFailure
    {
        None,
        Malformed,
        TooLarge,
        UnsupportedAlgorithm,
        CriticalHeader,
        InvalidSignature,
        MissingClaim,
        InvalidClaim,
        IssuedInFuture,
        TooOld,
        Expired,
        NotYetValid,
    }

    public sealed class VerificationOptions
    {
        public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);
        public TimeSpan? MaximumAge { get; set; }
        /// <summary>Longer tokens are refused before any decoding, so hostile input costs little.</summary>
        public int MaximumTokenLength { get; set; } = 64 * 1024;
    }

    public sealed class VerificationResult
    {
        public bool IsValid => Failure == TokenFailure.None;
        public TokenFailure Failure { get; internal set; }
        public string? Message { get; internal set; }
        /// <summary>Decoded header members (case-insensitive keys), or null when it could not be decoded.</summary>
        public OrderedDictionary? Header { get; internal set; }
        /// <summary>Decoded payload claims (case-insensitive keys), or null when they could not be decoded.</summary>
        public OrderedDictionary? Claims { get; internal set; }
    }

    /// <summary>Verifies HS256 initialization tokens with one apiSignature. Not thread-safe; one per pipeline.</summary>
    public sealed class TokenVerifier : IDisposable
    {
        private const int MaxJsonDepth = 32;
        private const int Hs256SignatureBytes = 32;
        private static readonly JsonDocumentOptions JsonOptions = new JsonDocumentOptions { MaxDepth = MaxJsonDepth };

        private readonly SymmetricSecurityKey _key;
        private readonly SignatureProvider _provider;

        public TokenVerifier(SecretBytes apiSignature)
        {
            _key = Hs256Key.Create(apiSignature.Span);
            _provider = _key.CryptoProviderFactory.CreateForVerifying(_key, SecurityAlgorithms.HmacSha256);
        }

        public VerificationResult Verify(string? token, VerificationOptions options, DateTimeOffset now)
        {
            var result = new VerificationResult();
            try
            {
                VerifyCore(token ?? string.Empty, options, now, result);
            }
            catch (DecoderFallbackException)
            {
                Fail(result, TokenFailure.Malformed, "a segment is not UTF-8.");
            }
            return result;
        }

        private void VerifyCore(string token, VerificationOptions options, DateTimeOffset now, VerificationResult result)
        {
            if (token.Length > options.MaximumTokenLength)
            {
                Fail(result, TokenFailure.TooLarge, $"the token is {token.Length} characters long; the limit is {options.MaximumTokenLength}.");
                return;
            }
            var firstDot = token.IndexOf('.');
            var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
            if (firstDot <= 0 || secondDot < 0 || token.IndexOf('.', secondDot + 1) >= 0)
            {
                Fail(result, TokenFailure.Malformed, "a JWT has three base64url segments separated by dots.");
                return;
            }
            var headerBytes = Base64Url.TryDecode(token.AsSpan(0, firstDot));
            var payloadBytes = Base64Url.TryDecode(token.AsSpan(firstDot + 1, secondDot - firstDot - 1));
            var signature = Base64Url.TryDecode(token.AsSpan(secondDot + 1));
            if (headerBytes is null || payloadBytes is null || signature is null)
            {
                Fail(result, TokenFailure.Malformed, "a segment is not canonical base64url.");
                return;
            }

            var header = ReadObject(headerBytes, "header", result);
            if (header is null) { return; }
            result.Header = header;
            var payload = ReadObject(payloadBytes, "payload", result);
            if (payload is null) { return; }
            result.Claims = payload;

            var alg = header["alg"];
            if (alg is not string algorithm || algorithm != SecurityAlgorithms.HmacSha256)
            {
                var shown = alg is string s ? $"'{s}'" : alg is null ? "missing" : "not a string";
                Fail(result, TokenFailure.UnsupportedAlgorithm, $"alg is {shown}; only HS256 is accepted.");
                return;
            }
            if (header.Contains("crit"))
            {
                Fail(result, TokenFailure.CriticalHeader, "the header lists critical extensions (crit), which this verifier does not implement.");
                return;
            }
            if (signature.Length != Hs256SignatureBytes || !_provider.Verify(Encoding.ASCII.GetBytes(token, 0, secondDot), signature))
            {
                Fail(result, TokenFailure.InvalidSignature, "the signature does not match the apiSignature.");
                return;
            }
            CheckClaims(payload, options, now, result);
        }

        private static void CheckClaims(OrderedDictionary claims, VerificationOptions options, DateTimeOffset now, VerificationResult result)
        {
            if (!RequireNumber(claims, "amount", result, out var amount)) { return; }
            if (amount is not decimal positive || positive <= 0m)
            {
                Fail(result, TokenFailure.InvalidClaim, "amount must be a positive number.");
                return;
            }
            if (!RequireInteger(claims, "iat", required: true, result, out var iat)) { return; }
            if (!claims.Contains("notificationKey"))
            {
                Fail(result, TokenFailure.MissingClaim, "the required claim 'notificationKey' is missing.");
                return;
            }
            if (claims["notificationKey"] is not string key || key.Length == 0)
            {
                Fail(result, TokenFailure.InvalidClaim, "notificationKey must be a non-empty string.");
                return;
            }
            if (!OptionalString(claims, "cp", result) || !OptionalString(claims, "userId", result)) { return; }
            if (claims.Contains("gender") && claims["gender"] is not ("M" or "F"))
            {
                Fail(result, TokenFailure.InvalidClaim, "gender must be the string 'M' or 'F'.");
                return;
            }
            if (!RequireInteger(claims, "age", required: false, result, out var age)) { return; }
            if (age is < 0)
            {
                Fail(result, TokenFailure.InvalidClaim, "age must be zero or more.");
                return;
            }
            if (claims.Contains("forceManualConfirm") && claims["forceManualConfirm"] is not bool)
            {
                Fail(result, TokenFailure.InvalidClaim, "forceManualConfirm must be a JSON boolean.");
                return;
            }
            if (!RequireInteger(claims, "exp", required: false, result, out var exp)) { return; }
            if (!RequireInteger(claims, "nbf", required: false, result, out var nbf)) { return; }

            var nowSeconds = now.ToUnixTimeSeconds();
            var skew = (long)options.ClockSkew.TotalSeconds;
            if (iat > nowSeconds + skew)
            {
                Fail(result, TokenFailure.IssuedInFuture, $"iat is {iat - nowSeconds} s in the future; the allowed clock skew is {skew} s.");
                return;
            }
            if (options.MaximumAge is TimeSpan maximumAge && nowSeconds - iat > (long)maximumAge.TotalSeconds + skew)
            {
                Fail(result, TokenFailure.TooOld, $"the token was issued {nowSeconds - iat} s ago; the maximum age is {(long)maximumAge.TotalSeconds} s.");
                return;
            }
            if (exp is long expires && nowSeconds >= expires + skew)
            {
                Fail(result, TokenFailure.Expired, $"the token expired {nowSeconds - expires} s ago (exp).");
                return;
            }
            if (nbf is long notBefore && nowSeconds + skew < notBefore)
            {
                Fail(result, TokenFailure.NotYetValid, $"the token is not valid before {notBefore - nowSeconds} s from now (nbf).");
            }
        }

        private static bool RequireNumber(OrderedDictionary claims, string name, VerificationResult result, out object? value)
        {
            value = claims[name];
            if (!claims.Contains(name))
            {
                Fail(result, TokenFailure.MissingClaim, $"the required claim '{name}' is missing.");
                return false;
            }
            if (value is not (decimal or long or double))
            {
                Fail(result, TokenFailure.InvalidClaim, $"{name} must be a JSON number; it is {JsonKind(value)}.");
                return false;
            }
            if (value is long whole) { value = (decimal)whole; }
            return true;
        }

        private static bool RequireInteger(OrderedDictionary claims, string name, bool required, VerificationResult result, out long? value)
        {
            value = null;
            if (!claims.Contains(name))
            {
                if (!required) { return true; }
                Fail(result, TokenFailure.MissingClaim, $"the required claim '{name}' is missing.");
                return false;
            }
            if (claims[name] is not long number)
            {
                Fail(result, TokenFailure.InvalidClaim, $"{name} must be a whole JSON number; it is {JsonKind(claims[name])}.");
                return false;
            }
            value = number;
            return true;
        }

        private static bool OptionalString(OrderedDictionary claims, string name, VerificationResult result)
        {
            if (claims.Contains(name) && claims[name] is not string)
            {
                Fail(result, TokenFailure.InvalidClaim, $"{name} must be a JSON string; it is {JsonKind(claims[name])}.");
                return false;
            }
            return true;
        }

        private static string JsonKind(object? value) => value switch
        {
            null => "null",
            string => "a string",
            bool => "a boolean",
            long => "a whole number",
            decimal or double => "a fractional number",
            OrderedDictionary => "an object",
            _ => "an array",
        };

        private static OrderedDictionary? ReadObject(byte[] utf8, string part, VerificationResult result)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(utf8, JsonOptions);
            }
            catch (JsonException)
            {
                Fail(result, TokenFailure.Malformed, $"the {part} is not valid UTF-8 JSON (or nests deeper than {MaxJsonDepth} levels).");
                return null;
            }
            using var owned = document;
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                Fail(result, TokenFailure.Malformed, $"the {part} is not a JSON object.");
                return null;
            }
            var members = ToDictionary(document.RootElement, out var duplicate);
            if (duplicate is not null)
            {
                Fail(result, TokenFailure.Malformed, $"the {part} has the member '{duplicate}' more than once.");
                return null;
            }
            return members;
        }

        private static OrderedDictionary ToDictionary(JsonElement element, out string? duplicate)
        {
            duplicate = null;
            var members = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (var property in element.EnumerateObject())
            {
                if (members.Contains(property.Name))
                {
                    duplicate ??= property.Name;
                    continue;
                }
                members.Add(property.Name, ToValue(property.Value, ref duplicate));
            }
            return members;
        }

        private static object? ToValue(JsonElement element, ref string? duplicate)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String: return element.GetString();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Null: return null;
                case JsonValueKind.Number:
                    if (element.TryGetInt64(out var whole)) { return whole; }
                    if (element.TryGetDecimal(out var exact)) { return exact; }
                    return element.GetDouble();
                case JsonValueKind.Array:
                    var items = new object?[element.GetArrayLength()];
                    var i = 0;
                    foreach (var item in element.EnumerateArray()) { items[i++] = ToValue(item, ref duplicate); }
                    return items;
                default:
                    var nested = ToDictionary(element, out var nestedDuplicate);
                    duplicate ??= nestedDuplicate;
                    return nested;
            }
        }

        private static void Fail(VerificationResult result, TokenFailure failure, string message)
        {
            result.Failure = failure;
            result.Message = message;
        }

        public void Dispose()
        {
            _key.CryptoProviderFactory.ReleaseSignatureProvider(_provider);
        }
    }
}
