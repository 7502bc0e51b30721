using System;
using System.Security.Cryptography;
using System.Text;
using ConvTokens.Engine;

namespace ConvTokens.Engine.Tests
{
    /// <summary>Reference material the tests build with code of their own, never the engine's.</summary>
    internal static class Reference
    {
        public const string SampleSecret = "monApiSignature";

        // What Node's jsonwebtoken jwt.sign(criteria, 'monApiSignature') printed for the vendor's seed criteria.
        public const string SeedToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhbW91bnQiOjEwMCwiY3AiOiI3NTAwMCIsImFnZSI6OTksImdlbmRlciI6Ik0iLCJ1c2VySWQiOiI5OSIsImlhdCI6MTcwMDAwMDAwMCwibm90aWZpY2F0aW9uS2V5IjoiYTNmMWMyZDQtMDAwMSJ9.nir7ClvgOAPGbFoQL8hOIFJYJsV28px7t2oBh1eS7XU";

        public static SecretBytes Secret(string text) => new SecretBytes(Encoding.UTF8.GetBytes(text));

        public static InitializationClaims SeedClaims() => new InitializationClaims
        {
            Amount = 100, ZipCode = "75000", Age = 99, Gender = "M", UserId = "99", IssuedAt = 1700000000, NotificationKey = "a3f1c2d4-0001",
        };

        public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

        /// <summary>header.payload signed with an unpadded HMAC of the given size: what any library produces.</summary>
        public static string Sign(string headerJson, string payloadJson, string secret, int bits = 256)
        {
            var input = B64(headerJson) + "." + B64(payloadJson);
            using HMAC mac = bits switch { 384 => new HMACSHA384(Encoding.UTF8.GetBytes(secret)), 512 => new HMACSHA512(Encoding.UTF8.GetBytes(secret)), _ => new HMACSHA256(Encoding.UTF8.GetBytes(secret)) };
            return input + "." + B64(mac.ComputeHash(Encoding.ASCII.GetBytes(input)));
        }

        public const string Hs256Header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    }
}
