using System.Security;

namespace ConvTokens.Engine.Exchange
{
    public static class SecureText
    {
        /// <summary>The most characters a SecureString holds: the longest session token taken.</summary>
        public const int MaximumLength = 65536;

        /// <summary>A read-only SecureString made with one copy, not one re-protection per appended character.</summary>
        public static unsafe SecureString Copy(string text)
        {
            SecureString secure;
            fixed (char* chars = text)
            {
                secure = new SecureString(chars, text.Length);
            }
            secure.MakeReadOnly();
            return secure;
        }
    }
}
