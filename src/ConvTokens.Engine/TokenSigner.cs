using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Mints HS256 initialization tokens with one apiSignature, signing through IdentityModel's HMAC
    /// signature provider (created once per pipeline). The header never changes, so its segment is
    /// encoded once; JsonWebTokenHandler would rebuild it for every token. One instance serves one
    /// pipeline on one thread; it is not thread-safe (it reuses buffers).
    /// </summary>
    public sealed class TokenSigner : IDisposable
    {
        /// <summary>The header every token carries, exactly as jsonwebtoken writes it; the verifier compares against it.</summary>
        internal static ReadOnlySpan<byte> HeaderJson => "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8;

        /// <summary>base64url of <see cref="HeaderJson"/>.</summary>
        public static readonly string HeaderSegment = Base64Url.Encode(HeaderJson);

        private readonly SymmetricSecurityKey _key;
        private readonly SignatureProvider _provider;
        private readonly StringBuilder _payload = new StringBuilder(256);
        private byte[] _buffer = new byte[1024];
        private char[] _chars = new char[512];

        public TokenSigner(SecretBytes apiSignature)
        {
            _key = Hs256Key.Create(apiSignature.Span);
            _provider = _key.CryptoProviderFactory.CreateForSigning(_key, SecurityAlgorithms.HmacSha256);
        }

        /// <summary>Returns the compact token for claims that passed <see cref="InitializationClaims.Validate"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string CreateToken(InitializationClaims claims)
        {
            // The payload goes from the writer to UTF-8 through a reused char buffer: no string per token.
            ClaimsJson.WriteTo(claims, _payload);
            if (_chars.Length < _payload.Length) { _chars = new char[_payload.Length * 2]; }
            _payload.CopyTo(0, _chars, 0, _payload.Length);
            var json = _chars.AsSpan(0, _payload.Length);
            var payloadLength = Encoding.UTF8.GetByteCount(json);
            if (TokenLength(payloadLength) > CompactJwt.MaximumLength)
            {
                // Test-Token and Get-SessionToken take no longer token: signing one would only fail later.
                throw new ClaimValidationException(Claims.ClaimErrorIds.ClaimsTooLarge, "claims", FormattableString.Invariant(
                    $"the claims make a token of {TokenLength(payloadLength):N0} characters; Test-Token and Get-SessionToken take tokens of at most {CompactJwt.MaximumLength:N0}. ") +
                    "Shorten the claims (most often -AdditionalClaims or a long userId).");
            }
            EnsureCapacity(payloadLength);
            Encoding.UTF8.GetBytes(json, _buffer.AsSpan(0, payloadLength));
            return SignPayload(payloadLength);
        }

        /// <summary>The length of the compact token for a payload of this many UTF-8 bytes.</summary>
        private static int TokenLength(int payloadLength) =>
            HeaderSegment.Length + 1 + Base64Url.EncodedLength(payloadLength) + 1 + Base64Url.EncodedLength(Hs256Key.SignatureBytes);

        /// <summary>Signs a payload that is already JSON, as given.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string CreateToken(string payloadJson)
        {
            var payloadLength = Encoding.UTF8.GetByteCount(payloadJson);
            EnsureCapacity(payloadLength);
            Encoding.UTF8.GetBytes(payloadJson, _buffer.AsSpan(0, payloadLength));
            return SignPayload(payloadLength);
        }

        /// <summary>Room for the payload's bytes, then the whole token as ASCII after them.</summary>
        private void EnsureCapacity(int payloadLength)
        {
            var needed = payloadLength + TokenLength(payloadLength);
            if (_buffer.Length < needed) { _buffer = new byte[needed * 2]; }
        }

        /// <summary>The token for the payload bytes at the start of the buffer, built in the buffer right after them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private string SignPayload(int payloadLength)
        {
            var inputLength = HeaderSegment.Length + 1 + Base64Url.EncodedLength(payloadLength);
            var signingInput = _buffer.AsSpan(payloadLength, inputLength);
            Encoding.ASCII.GetBytes(HeaderSegment, signingInput);
            signingInput[HeaderSegment.Length] = (byte)'.';
            Base64Url.EncodeToUtf8(_buffer.AsSpan(0, payloadLength), signingInput.Slice(HeaderSegment.Length + 1));
            Span<byte> signature = stackalloc byte[Hs256Key.SignatureBytes];
            if (!_provider.Sign(signingInput, signature, out var signatureBytes) || signatureBytes != signature.Length)
            {
                throw new CryptographicException("HMAC-SHA256 gave no 32-byte signature.");
            }
            var signatureLength = Base64Url.EncodedLength(signature.Length);
            _buffer[payloadLength + inputLength] = (byte)'.';
            Base64Url.EncodeToUtf8(signature, _buffer.AsSpan(payloadLength + inputLength + 1, signatureLength));
            return Encoding.ASCII.GetString(_buffer, payloadLength, inputLength + 1 + signatureLength);
        }

        public void Dispose()
        {
            _payload.Clear();
            Array.Clear(_buffer);
            _key.CryptoProviderFactory.ReleaseSignatureProvider(_provider);
        }
    }
}
