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
        private OrderedDictionary? _header;
        private OrderedDictionary? _claims;

        public bool IsValid => Failure == TokenFailure.None;
        public TokenFailure Failure { get; internal set; }
        public string? Message { get; internal set; }

        /// <summary>The decoded header JSON, or null when it could not be decoded as a JSON object.</summary>
        public byte[]? HeaderJson { get; internal set; }

        /// <summary>The decoded payload JSON, or null when it could not be decoded as a JSON object.</summary>
        public byte[]? PayloadJson { get; internal set; }

        /// <summary>Header members (case-insensitive keys, first of duplicates kept), built on first use.</summary>
        public OrderedDictionary? Header => _header ??= JsonMembers.ToDictionary(HeaderJson);

        /// <summary>Payload claims (case-insensitive keys, first of duplicates kept), built on first use.</summary>
        public OrderedDictionary? Claims => _claims ??= JsonMembers.ToDictionary(PayloadJson);
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
            catch (Exception failure) when (JsonMembers.IsInvalidUtf8(failure))
            {
                // System.Text.Json checks the UTF-8 of strings only when they are read.
                result.HeaderJson = null;
                result.PayloadJson = null;
                Fail(result, TokenFailure.Malformed, "a segment is not valid UTF-8.");
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

            using var header = ReadObject(headerBytes, "header", result);
            if (header is null) { return; }
            result.HeaderJson = headerBytes;
            using var payload = ReadObject(payloadBytes, "payload", result);
            if (payload is null) { return; }
            result.PayloadJson = payloadBytes;

            var headerRoot = header.RootElement;
            if (!headerRoot.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || !alg.ValueEquals(SecurityAlgorithms.HmacSha256))
            {
                var shown = !headerRoot.TryGetProperty("alg", out alg) ? "missing"
                    : alg.ValueKind == JsonValueKind.String ? $"'{JsonMembers.Clip(alg.GetString()!)}'" : "not a string";
                Fail(result, TokenFailure.UnsupportedAlgorithm, $"alg is {shown}; only HS256 is accepted.");
                return;
            }
            if (headerRoot.TryGetProperty("crit", out _))
            {
                Fail(result, TokenFailure.CriticalHeader, "the header lists critical extensions (crit), which this verifier does not implement.");
                return;
            }
            if (signature.Length != Hs256SignatureBytes || !_provider.Verify(Encoding.ASCII.GetBytes(token, 0, secondDot), signature))
            {
                Fail(result, TokenFailure.InvalidSignature, "the signature does not match the apiSignature.");
                return;
            }
            CheckClaims(payload.RootElement, options, now, result);
        }

        private static void CheckClaims(JsonElement claims, VerificationOptions options, DateTimeOffset now, VerificationResult result)
        {
            long iat = 0;
            foreach (var claim in ClaimSchema.All)
            {
                if (!claims.TryGetProperty(claim.Name, out var element))
                {
                    if (!claim.Required) { continue; }
                    Fail(result, TokenFailure.MissingClaim, $"the required claim '{claim.Name}' is missing.");
                    return;
                }
                if (ReadClaim(claim, element, result) is not { } value) { return; }
                if (claim.Problem(value) is { } problem)
                {
                    Fail(result, TokenFailure.InvalidClaim, problem);
                    return;
                }
                if (claim == ClaimSchema.IssuedAt) { iat = (long)value; }
            }
            if (!RequireInteger(claims, "exp", required: false, result, out var exp)) { return; }
            if (!RequireInteger(claims, "nbf", required: false, result, out var nbf)) { return; }

            // Claims can be any 64-bit value: compare in decimal so no sum or difference overflows.
            decimal nowSeconds = now.ToUnixTimeSeconds();
            decimal skew = (long)options.ClockSkew.TotalSeconds;
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

        /// <summary>The claim's value in its schema kind (decimal, long, string or bool); null, with the failure recorded, when the JSON kind is wrong.</summary>
        private static object? ReadClaim(ClaimDefinition claim, JsonElement element, VerificationResult result)
        {
            switch (claim.Kind)
            {
                case ClaimKind.Amount:
                    if (element.ValueKind != JsonValueKind.Number)
                    {
                        Fail(result, TokenFailure.InvalidClaim, $"{claim.Name} must be a JSON number; it is {JsonKind(element)}.");
                        return null;
                    }
                    if (!element.TryGetDecimal(out var amount))
                    {
                        Fail(result, TokenFailure.InvalidClaim, $"{claim.Name} is out of range for an amount of money.");
                        return null;
                    }
                    return amount;
                case ClaimKind.WholeNumber:
                case ClaimKind.UnixSeconds:
                    if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var number))
                    {
                        Fail(result, TokenFailure.InvalidClaim, $"{claim.Name} must be a whole JSON number; it is {JsonKind(element)}.");
                        return null;
                    }
                    return number;
                case ClaimKind.Text:
                    if (element.ValueKind != JsonValueKind.String)
                    {
                        Fail(result, TokenFailure.InvalidClaim, $"{claim.Name} must be a JSON string; it is {JsonKind(element)}.");
                        return null;
                    }
                    return element.GetString()!;
                default:
                    if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        Fail(result, TokenFailure.InvalidClaim, $"{claim.Name} must be a JSON boolean; it is {JsonKind(element)}.");
                        return null;
                    }
                    return element.ValueKind == JsonValueKind.True;
            }
        }

        private static bool RequireInteger(JsonElement claims, string name, bool required, VerificationResult result, out long? value)
        {
            value = null;
            if (!claims.TryGetProperty(name, out var element))
            {
                if (!required) { return true; }
                Fail(result, TokenFailure.MissingClaim, $"the required claim '{name}' is missing.");
                return false;
            }
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var number))
            {
                Fail(result, TokenFailure.InvalidClaim, $"{name} must be a whole JSON number; it is {JsonKind(element)}.");
                return false;
            }
            value = number;
            return true;
        }

        private static string JsonKind(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Null => "null",
            JsonValueKind.String => "a string",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Number => value.TryGetInt64(out _) ? "a whole number" : "a fractional number",
            JsonValueKind.Object => "an object",
            _ => "an array",
        };

        /// <summary>Parses one segment; null (and the failure recorded) unless it is a JSON object without duplicate members.</summary>
        private static JsonDocument? ReadObject(byte[] utf8, string part, VerificationResult result)
        {
            // RFC 7519 §7.2 and RFC 8259 §8.1: the header and the claims are UTF-8; System.Text.Json would
            // only notice bad bytes inside a string when that string is read.
            if (!System.Text.Unicode.Utf8.IsValid(utf8))
            {
                Fail(result, TokenFailure.Malformed, $"the {part} is not valid UTF-8.");
                return null;
            }
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
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                Fail(result, TokenFailure.Malformed, $"the {part} is not a JSON object.");
                return null;
            }
            if (JsonMembers.FindProblem(document.RootElement) is { } problem)
            {
                document.Dispose();
                Fail(result, TokenFailure.Malformed, $"the {part} has {problem}.");
                return null;
            }
            return document;
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
