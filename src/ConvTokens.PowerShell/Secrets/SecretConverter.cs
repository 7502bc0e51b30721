using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell.Secrets
{
    /// <summary>Turns any secret value SecretManagement can hand out into UTF-8 bytes that are cleared after use.</summary>
    internal static class SecretConverter
    {
        /// <param name="value">String, SecureString, byte[] or PSCredential (its password), possibly PSObject-wrapped.</param>
        /// <param name="description">How errors name the secret, e.g. "secret 'ConvTokens.ApiKey'"; never the value.</param>
        /// <param name="fix">What to do about an empty secret, as a sentence.</param>
        public static SecretBytes ToBytes(object? value, string description, string fix)
        {
            var secret = value is PSObject wrapped ? wrapped.BaseObject : value;
            byte[] bytes = secret switch
            {
                string text => Encoding.UTF8.GetBytes(text),
                SecureString secure => FromSecureString(secure),
                byte[] raw => (byte[])raw.Clone(),
                PSCredential credential => FromSecureString(credential.Password),
                null => throw new SecretException(ErrorCatalog.SecretEmpty, ErrorCategory.InvalidData, $"The {description} has no value. {fix}"),
                _ => throw new SecretException(ErrorCatalog.SecretTypeUnsupported, ErrorCategory.InvalidType,
                    $"The {description} is {Input.TokenInput.WithArticle(secret.GetType().Name)}; store it as a String, SecureString, byte[] or PSCredential."),
            };
            if (bytes.Length == 0)
            {
                throw new SecretException(ErrorCatalog.SecretEmpty, ErrorCategory.InvalidData, $"The {description} is empty. {fix}");
            }
            return new SecretBytes(bytes);
        }

        private static byte[] FromSecureString(SecureString secure)
        {
            var length = secure.Length;
            var chars = new char[length];
            var unmanaged = IntPtr.Zero;
            try
            {
                unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secure);
                Marshal.Copy(unmanaged, chars, 0, length);
                return Encoding.UTF8.GetBytes(chars);
            }
            finally
            {
                if (unmanaged != IntPtr.Zero) { Marshal.ZeroFreeGlobalAllocUnicode(unmanaged); }
                CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(chars.AsSpan()));
            }
        }
    }

    /// <summary>A secret could not be had; carries the stable error id and the category for the ErrorRecord.</summary>
    internal sealed class SecretException : Exception
    {
        public SecretException(string errorId, ErrorCategory category, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
        }

        public string ErrorId { get; }
        public ErrorCategory Category { get; }
    }
}
