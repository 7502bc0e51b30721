using System;
using System.Text;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Keeps credentials out of text that came from elsewhere (a server's error_description may echo the
    /// request): any text that contains a secret is replaced as a whole.
    /// </summary>
    public static class Redaction
    {
        public const string Replacement = "[withheld: the server's text contained a credential]";

        public static string? Redact(string? text, params SecretBytes?[] secrets)
        {
            if (string.IsNullOrEmpty(text)) { return text; }
            var bytes = Encoding.UTF8.GetBytes(text);
            foreach (var secret in secrets)
            {
                if (secret is null || secret.IsDisposed || secret.Length == 0) { continue; }
                if (bytes.AsSpan().IndexOf(secret.Span) >= 0) { return Replacement; }
            }
            return text;
        }
    }
}
