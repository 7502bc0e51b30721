using System;
using System.Collections;
using System.Management.Automation;
using System.Security;

namespace ConvTokens.PowerShell.Secrets
{
    /// <summary>
    /// Lets -ApiSignature, -ApiKey and -ClientSecret take whatever Get-Secret hands out: a SecureString, a
    /// String (Get-Secret -AsPlainText), a byte[] or a PSCredential (its password). Anything else is refused
    /// by its type name only; the value itself never appears in the error.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class DirectSecretAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case SecureString or string or byte[] or PSCredential:
                    return value;
                case null:
                    throw new ArgumentTransformationMetadataException(
                        "The secret is $null. Get-Secret returns nothing for a secret stored as an empty string and for a locked " +
                        "vault whose password prompt read nothing; check the secret with Get-SecretInfo, or leave the parameter " +
                        "out to let the cmdlet read the vault itself.");
                case object[] items when items.Length > 0 && Array.TrueForAll(items, item => (item is PSObject p ? p.BaseObject : item) is byte):
                    // A byte[] that went through the pipeline arrives enumerated, as object[] of bytes.
                    return Array.ConvertAll(items, item => (byte)(item is PSObject p ? p.BaseObject : item));
                default:
                    throw new ArgumentTransformationMetadataException(
                        $"The secret is {Input.TokenInput.WithArticle(KindOf(value))}; pass a SecureString, String, byte[] or PSCredential " +
                        "(what Get-Secret returns).");
            }
        }

        /// <summary>How messages name a secret's type, never its value.</summary>
        internal static string KindOf(object value) => value switch
        {
            SecureString => "SecureString",
            string => "String",
            byte[] => "byte[]",
            PSCredential => "PSCredential",
            Hashtable => "Hashtable",
            _ => value.GetType().Name,
        };
    }
}
