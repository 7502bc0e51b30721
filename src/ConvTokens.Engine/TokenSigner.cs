using System;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Mints HS256 initialization tokens with one apiSignature. One instance serves one pipeline on one
    /// thread; it is not thread-safe (it reuses a payload buffer).
    /// </summary>
    public sealed class TokenSigner : IDisposable
    {
        private readonly JsonWebTokenHandler _handler = new JsonWebTokenHandler();
        private readonly SigningCredentials _credentials;
        private readonly StringBuilder _payload = new StringBuilder(256);

        public TokenSigner(SecretBytes apiSignature)
        {
            _credentials = new SigningCredentials(Hs256Key.Create(apiSignature.Span), SecurityAlgorithms.HmacSha256);
        }

        /// <summary>Returns the compact token for claims that passed <see cref="InitializationClaims.Validate"/>.</summary>
        public string CreateToken(InitializationClaims claims)
        {
            return _handler.CreateToken(ClaimsJson.Write(claims, _payload), _credentials);
        }

        /// <summary>Signs a payload that is already JSON, as given.</summary>
        public string CreateToken(string payloadJson) => _handler.CreateToken(payloadJson, _credentials);

        public void Dispose()
        {
            _payload.Clear();
        }
    }
}
