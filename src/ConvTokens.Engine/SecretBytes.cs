using System;
using System.Security.Cryptography;

namespace ConvTokens.Engine
{
    /// <summary>
    /// A secret as UTF-8 bytes that are zeroed on <see cref="Dispose"/>. Never formats its value:
    /// ToString is overridden so a secret can't reach a log or an error through string conversion.
    /// </summary>
    public sealed class SecretBytes : IDisposable
    {
        private byte[] _bytes;

        /// <summary>Takes ownership of <paramref name="bytes"/>: the caller must not keep or reuse it.</summary>
        public SecretBytes(byte[] bytes)
        {
            _bytes = bytes ?? throw new ArgumentNullException(nameof(bytes));
        }

        public int Length => _bytes.Length;

        public bool IsDisposed { get; private set; }

        public ReadOnlySpan<byte> Span
        {
            get
            {
                if (IsDisposed) { throw new ObjectDisposedException(nameof(SecretBytes)); }
                return _bytes;
            }
        }

        public void Dispose()
        {
            if (IsDisposed) { return; }
            CryptographicOperations.ZeroMemory(_bytes);
            _bytes = Array.Empty<byte>();
            IsDisposed = true;
        }

        public override string ToString() => "SecretBytes(redacted)";
    }
}
