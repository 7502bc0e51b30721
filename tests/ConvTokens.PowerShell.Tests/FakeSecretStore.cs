using System;
using System.Management.Automation;
using System.Security;

// The public surface of SecretStore and SecretManagement that ConvTokens' prompt-free look relies on,
// as the real modules define it (type names, the static members, the exception type), driven by the tests.
namespace Microsoft.PowerShell.SecretManagement
{
    public class PasswordRequiredException : InvalidOperationException
    {
        public PasswordRequiredException(string message) : base(message) { }
    }
}

namespace Microsoft.PowerShell.SecretStore
{
    public sealed class LocalSecretStore
    {
        internal static bool Locked;
        internal static bool Prompting = true;
        internal static int Prompts;

        public static bool AllowPrompting => Prompting;

        public static LocalSecretStore GetInstance(SecureString? password = null, PSCmdlet? cmdlet = null)
        {
            if (Locked && password is null)
            {
                if (cmdlet is not null && AllowPrompting) { Prompts++; }
                throw new Microsoft.PowerShell.SecretManagement.PasswordRequiredException("A valid password is required.");
            }
            return new LocalSecretStore();
        }
    }
}
