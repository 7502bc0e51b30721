using System;
using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>The two grants the API's /token endpoint accepts.</summary>
    public enum GrantKind
    {
        /// <summary>An initialization token for a session token; the initialization token works once.</summary>
        JwtBearer,
        /// <summary>The apiKey and client secret for a machine-to-machine session.</summary>
        ClientCredentials,
    }

    internal static class GrantKinds
    {
        /// <summary>The name a SessionToken's GrantType shows: "jwt-bearer" or "client_credentials".</summary>
        public static string Label(this GrantKind grant) => grant == GrantKind.JwtBearer ? "jwt-bearer" : ExchangeRequest.ClientCredentialsGrantType;
    }

    /// <summary>Builds the JSON bodies of POST /token; the apiKey and client secret go in as UTF-8 bytes, never as strings.</summary>
    public static class ExchangeRequest
    {
        public const string JwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
        public const string ClientCredentialsGrantType = "client_credentials";

        /// <summary>The body for the JWT-bearer grant. The caller clears the returned array after sending it.</summary>
        public static byte[] JwtBearer(SecretBytes apiKey, string assertion)
        {
            var buffer = new ArrayBufferWriter<byte>(256 + assertion.Length + apiKey.Length * 6);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("grant_type", JwtBearerGrantType);
                writer.WriteString("client_id", apiKey.Span);
                writer.WriteString("assertion", assertion);
                writer.WriteEndObject();
            }
            return Detach(buffer);
        }

        /// <summary>The body for the client-credentials grant. The caller clears the returned array after sending it.</summary>
        public static byte[] ClientCredentials(SecretBytes apiKey, SecretBytes clientSecret)
        {
            var buffer = new ArrayBufferWriter<byte>(128 + (apiKey.Length + clientSecret.Length) * 6);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("grant_type", ClientCredentialsGrantType);
                writer.WriteString("client_id", apiKey.Span);
                writer.WriteString("client_secret", clientSecret.Span);
                writer.WriteEndObject();
            }
            return Detach(buffer);
        }

        private static byte[] Detach(ArrayBufferWriter<byte> buffer)
        {
            var body = buffer.WrittenSpan.ToArray();
            // ArrayBufferWriter cannot hand over its array; clear what it wrote instead.
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer.WrittenMemory).Span);
            return body;
        }
    }
}
