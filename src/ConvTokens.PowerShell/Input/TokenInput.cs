using System.Management.Automation;

namespace ConvTokens.PowerShell.Input
{
    /// <summary>What Test-Token and Get-SessionToken accept as a token: a string, an InitializationToken, or any object with a Token string.</summary>
    internal static class TokenInput
    {
        /// <summary>The compact token an input stands for, or null when it stands for none.</summary>
        public static string? TokenText(object? item)
        {
            switch (item is PSObject wrapped ? wrapped.BaseObject : item)
            {
                case string text:
                    return text;
                case InitializationToken minted:
                    return minted.Token;
                case null:
                    return null;
                default:
                    var property = PSObject.AsPSObject(item!).Properties["Token"]?.Value;
                    return (property is PSObject inner ? inner.BaseObject : property) as string;
            }
        }
    }
}
