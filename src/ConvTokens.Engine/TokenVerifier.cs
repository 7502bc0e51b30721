using System;
using System.Collections.Specialized;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConvTokens.Engine.Claims;
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
        public int MaximumTokenLength { get; set; } = CompactJwt.MaximumLength;
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
    /// <remarks>
    /// The per-token methods here and in the signer, the JSON reader, Base64Url and the cmdlets' ProcessRecord
    /// are compiled fully optimised at once (AggressiveOptimization): inside PowerShell, which keeps jitting
    /// new code, the runtime delays promoting them from unoptimised tier-0 code for a long time, and a
    /// 20,000-token pipeline measured 2-4x slower for it.
    /// </remarks>
    public sealed class TokenVerifier : IDisposable
    {
        private const int AlgMember = 0;
        private const int CritMember = 1;

        /// <summary>The header every ConvTokens and jsonwebtoken token carries: its segment is compared, not parsed.</summary>
        private static readonly byte[] StandardHeaderJson = TokenSigner.HeaderJson.ToArray();

        /// <summary>The payload members the verifier reads: the schema's claims, then exp and nbf.</summary>
        private static readonly string[] PayloadMembers = PayloadMemberNames();
        private static readonly int ExpMember = ClaimSchema.All.Count;
        private static readonly int NbfMember = ClaimSchema.All.Count + 1;

        private readonly SymmetricSecurityKey _key;
        private readonly SignatureProvider _provider;
        private readonly TokenJsonReader _header = new TokenJsonReader(new[] { "alg", "crit" });
        private readonly TokenJsonReader _payload = new TokenJsonReader(PayloadMembers);
        private byte[] _signingInput = new byte[512];
        /// <summary>Where <see cref="Check"/> decodes a payload it does not hand out (reused, so nothing is allocated for it).</summary>
        private byte[] _payloadBuffer = new byte[512];
        private readonly VerificationResult _scratch = new VerificationResult();

        public TokenVerifier(SecretBytes apiSignature)
        {
            _key = Hs256Key.Create(apiSignature.Span);
            // The MAC is recomputed and compared in fixed time, so the signing provider serves (no allocation per token).
            _provider = _key.CryptoProviderFactory.CreateForSigning(_key, SecurityAlgorithms.HmacSha256);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public VerificationResult Verify(string? token, VerificationOptions options, DateTimeOffset now)
        {
            var result = new VerificationResult();
            VerifyCore(token ?? string.Empty, options, now, result, keepJson: true);
            return result;
        }

        /// <summary>
        /// The same checks as <see cref="Verify"/>, for a caller that needs only the outcome (Test-Token -Quiet):
        /// the decoded header and payload are not kept, so no result and no copy of the payload are allocated.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public TokenFailure Check(string? token, VerificationOptions options, DateTimeOffset now, out string? message)
        {
            _scratch.Failure = TokenFailure.None;
            _scratch.Message = null;
            VerifyCore(token ?? string.Empty, options, now, _scratch, keepJson: false);
            message = _scratch.Message;
            return _scratch.Failure;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void VerifyCore(string token, VerificationOptions options, DateTimeOffset now, VerificationResult result, bool keepJson)
        {
            if (token.Length > options.MaximumTokenLength)
            {
                Fail(result, TokenFailure.TooLarge, $"the token is {token.Length} characters long; the limit is {options.MaximumTokenLength}.");
                return;
            }
            if (!CompactJwt.TryFindDots(token, out var firstDot, out var secondDot))
            {
                Fail(result, TokenFailure.Malformed, "a JWT has three base64url segments separated by dots.");
                return;
            }
            var standardHeader = token.AsSpan(0, firstDot).SequenceEqual(TokenSigner.HeaderSegment);
            var headerBytes = standardHeader ? StandardHeaderJson : Base64Url.TryDecode(token.AsSpan(0, firstDot));
            var payloadText = token.AsSpan(firstDot + 1, secondDot - firstDot - 1);
            byte[]? payloadBytes;
            var payloadLength = 0;
            if (keepJson)
            {
                payloadBytes = Base64Url.TryDecode(payloadText);
                payloadLength = payloadBytes?.Length ?? 0;
            }
            else
            {
                if (_payloadBuffer.Length < payloadText.Length) { _payloadBuffer = new byte[payloadText.Length * 2]; }
                payloadBytes = Base64Url.TryDecode(payloadText, _payloadBuffer, out payloadLength) ? _payloadBuffer : null;
            }
            Span<byte> signature = stackalloc byte[Hs256Key.SignatureBytes];
            var signatureText = token.AsSpan(secondDot + 1);
            var signatureLength = 0;
            var signatureDecoded = signatureText.Length <= Base64Url.EncodedLength(Hs256Key.SignatureBytes)
                ? Base64Url.TryDecode(signatureText, signature, out signatureLength)
                : Base64Url.TryDecode(signatureText) is not null;
            if (headerBytes is null || payloadBytes is null || !signatureDecoded)
            {
                Fail(result, TokenFailure.Malformed, "a segment is not canonical base64url.");
                return;
            }

            if (!standardHeader && _header.Read(headerBytes) is { } headerProblem)
            {
                Fail(result, TokenFailure.Malformed, "the header " + headerProblem);
                return;
            }
            if (keepJson) { result.HeaderJson = headerBytes; }

            if (!standardHeader)
            {
                var alg = _header.Captured[AlgMember];
                if (!(alg.Type == JsonTokenType.String && alg.Text == SecurityAlgorithms.HmacSha256))
                {
                    var shown = !alg.Present ? "missing" : alg.Type == JsonTokenType.String ? $"'{JsonMembers.Clip(alg.Text!)}'" : "not a string";
                    Fail(result, TokenFailure.UnsupportedAlgorithm, $"alg is {shown}; only HS256 is accepted.");
                    return;
                }
                if (_header.Captured[CritMember].Present)
                {
                    Fail(result, TokenFailure.CriticalHeader, "the header lists critical extensions (crit), which this verifier does not implement.");
                    return;
                }
            }
            // The signature before the payload's JSON: a forged token, however large, costs one MAC.
            if (signatureLength != Hs256Key.SignatureBytes || !SignatureMatches(token, secondDot, signature.Slice(0, Hs256Key.SignatureBytes)))
            {
                // Its claims are still shown (best effort, decoded only when asked for), to tell whose token it is.
                if (keepJson) { result.PayloadJson = payloadBytes; }
                Fail(result, TokenFailure.InvalidSignature, "the signature does not match the apiSignature.");
                return;
            }
            if (_payload.Read(payloadBytes.AsSpan(0, payloadLength)) is { } payloadProblem)
            {
                Fail(result, TokenFailure.Malformed, "the payload " + payloadProblem);
                return;
            }
            if (keepJson) { result.PayloadJson = payloadBytes; }
            CheckClaims(_payload.Captured, options, now, result);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool SignatureMatches(string token, int signingInputLength, ReadOnlySpan<byte> signature)
        {
            if (_signingInput.Length < signingInputLength) { _signingInput = new byte[signingInputLength * 2]; }
            // Every character is base64url or '.', checked by the decoding above: ASCII.
            Encoding.ASCII.GetBytes(token.AsSpan(0, signingInputLength), _signingInput);
            Span<byte> expected = stackalloc byte[Hs256Key.SignatureBytes];
            return _provider.Sign(_signingInput.AsSpan(0, signingInputLength), expected, out var written)
                && written == Hs256Key.SignatureBytes
                && CryptographicOperations.FixedTimeEquals(expected, signature);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void CheckClaims(TokenJsonReader.Value[] members, VerificationOptions options, DateTimeOffset now, VerificationResult result)
        {
            long iat = 0;
            foreach (var claim in ClaimSchema.InPayloadOrder)
            {
                var member = members[claim.Index];
                if (!member.Present)
                {
                    if (!claim.Required) { continue; }
                    Fail(result, TokenFailure.MissingClaim, $"the required claim '{claim.Name}' is missing.");
                    return;
                }
                if (claim.Kind.ReadJson(claim, member, out var wrongKind) is not { } value)
                {
                    Fail(result, TokenFailure.InvalidClaim, wrongKind!);
                    return;
                }
                if (claim.Problem(value) is { } problem)
                {
                    Fail(result, TokenFailure.InvalidClaim, problem);
                    return;
                }
                if (claim == ClaimSchema.IssuedAt) { iat = (long)value; }
            }
            if (!OptionalInteger(members[ExpMember], "exp", result, out var exp)) { return; }
            if (!OptionalInteger(members[NbfMember], "nbf", result, out var nbf)) { return; }

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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool OptionalInteger(TokenJsonReader.Value member, string name, VerificationResult result, out long? value)
        {
            value = null;
            if (!member.Present) { return true; }
            if (ClaimKind.NotWholeJsonNumber(name, member) is { } problem)
            {
                Fail(result, TokenFailure.InvalidClaim, problem);
                return false;
            }
            value = member.Int64;
            return true;
        }

        private static string[] PayloadMemberNames()
        {
            var names = new string[ClaimSchema.All.Count + 2];
            foreach (var claim in ClaimSchema.All) { names[claim.Index] = claim.Name; }
            names[ClaimSchema.All.Count] = "exp";
            names[ClaimSchema.All.Count + 1] = "nbf";
            return names;
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
