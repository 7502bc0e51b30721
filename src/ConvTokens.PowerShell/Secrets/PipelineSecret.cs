using System;
using ConvTokens.Engine;

namespace ConvTokens.PowerShell.Secrets
{
    /// <summary>
    /// One secret for the life of one pipeline: read on first use (so an empty pipeline touches no vault),
    /// then reused for every item, and cleared when the cmdlet is disposed.
    /// </summary>
    internal sealed class PipelineSecret : IDisposable
    {
        private readonly SecretSource _source;
        private readonly Action<string> _verbose;
        private readonly string? _hostName;
        private SecretBytes? _value;

        /// <param name="hostName">The caller's $Host.Name: whether a vault's password prompt could be answered depends on it.</param>
        public PipelineSecret(SecretSource source, Action<string> verbose, string? hostName)
        {
            _source = source;
            _verbose = verbose;
            _hostName = hostName;
        }

        public SecretSource Source => _source;

        public bool IsRead => _value is not null;

        /// <summary>The secret; throws <see cref="SecretException"/> when it cannot be had.</summary>
        public SecretBytes Value
        {
            get
            {
                if (_value is null)
                {
                    _verbose($"Reading the {_source.Describe()} (once for this pipeline).");
                    _value = VaultSecretReader.Read(_source, PromptSignals.Current(_hostName), _verbose);
                }
                return _value;
            }
        }

        public void Dispose()
        {
            _value?.Dispose();
            _value = null;
        }
    }
}
