using System;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Turns an apiSignature of any length into an IdentityModel HS256 key that signs the same bytes.
    /// IdentityModel refuses HMAC keys under 256 bits (IDX10653/IDX10720), but the vendor's secrets can be
    /// 14 or 15 bytes. HMAC zero-pads every key shorter than its 64-byte block (RFC 2104 §2), so a short
    /// key padded with zeros to 32 bytes yields exactly the MAC of the unpadded key.
    /// </summary>
    internal static class Hs256Key
    {
        public const int MinimumIdentityModelKeyBytes = 32;

        /// <summary>The size of an HS256 signature (an HMAC-SHA256 value).</summary>
        public const int SignatureBytes = 32;

        public static SymmetricSecurityKey Create(ReadOnlySpan<byte> secret)
        {
            if (secret.IsEmpty)
            {
                throw new ArgumentException("The apiSignature is empty.", nameof(secret));
            }
            var material = new byte[Math.Max(secret.Length, MinimumIdentityModelKeyBytes)];
            try
            {
                secret.CopyTo(material);
                // SymmetricSecurityKey keeps its own copy; ours is cleared below.
                return new SymmetricSecurityKey(material);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(material);
            }
        }
    }
}
