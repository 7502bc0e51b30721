using System;
using System.Buffers;
using System.Runtime.CompilerServices;
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
        /// <summary>base64url of {"alg":"HS256","typ":"JWT"}, exactly as the vendor's libraries write it.</summary>
        public static readonly string HeaderSegment = Base64Url.Encode(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));

        private readonly SymmetricSecurityKey _key;
        private readonly SignatureProvider _provider;
        private readonly StringBuilder _payload = new StringBuilder(256);
        private byte[] _buffer = new byte[1024];

        public TokenSigner(SecretBytes apiSignature)
        {
            _key = Hs256Key.Create(apiSignature.Span);
            _provider = _key.CryptoProviderFactory.CreateForSigning(_key, SecurityAlgorithms.HmacSha256);
        }

        /// <summary>Returns the compact token for claims that passed <see cref="InitializationClaims.Validate"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string CreateToken(InitializationClaims claims) => CreateToken(ClaimsJson.Write(claims, _payload));

        /// <summary>Signs a payload that is already JSON, as given.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string CreateToken(string payloadJson)
        {
            var payloadLength = Encoding.UTF8.GetByteCount(payloadJson);
            var segmentLength = Base64Url.EncodedLength(payloadLength);
            var inputLength = HeaderSegment.Length + 1 + segmentLength;
            if (_buffer.Length < payloadLength + inputLength)
            {
                _buffer = new byte[(payloadLength + inputLength) * 2];
            }
            // The buffer holds the payload bytes first, then the ASCII signing input after them.
            var payloadBytes = _buffer.AsSpan(0, payloadLength);
            Encoding.UTF8.GetBytes(payloadJson, payloadBytes);
            var signingInput = _buffer.AsSpan(payloadLength, inputLength);
            Encoding.ASCII.GetBytes(HeaderSegment, signingInput);
            signingInput[HeaderSegment.Length] = (byte)'.';
            Base64Url.EncodeToUtf8(payloadBytes, signingInput.Slice(HeaderSegment.Length + 1));
            var signature = _provider.Sign(_buffer, payloadLength, inputLength);
            // The signature's segment goes right after the signing input, so the token is one ASCII run.
            var signatureLength = Base64Url.EncodedLength(signature.Length);
            var tokenLength = inputLength + 1 + signatureLength;
            if (_buffer.Length < payloadLength + tokenLength)
            {
                Array.Resize(ref _buffer, (payloadLength + tokenLength) * 2);
            }
            _buffer[payloadLength + inputLength] = (byte)'.';
            Base64Url.EncodeToUtf8(signature, _buffer.AsSpan(payloadLength + inputLength + 1, signatureLength));
            return Encoding.ASCII.GetString(_buffer, payloadLength, tokenLength);
        }

        public void Dispose()
        {
            _payload.Clear();
            Array.Clear(_buffer);
            _key.CryptoProviderFactory.ReleaseSignatureProvider(_provider);
        }
    }
}
