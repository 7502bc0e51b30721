using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace ConvTokens.Engine.Claims
{
    /// <summary>
    /// One kind of claim value, whole: how a caller's value (text, or a .NET value) becomes the claim, the rules
    /// the API states for it, how it is written as JSON and how it is read back from a token. The schema gives
    /// each claim a kind; the input reader, the JSON writer and the verifier ask the kind and know no kinds.
    /// </summary>
    public abstract class ClaimKind
    {
        private protected ClaimKind()
        {
        }

        /// <summary>
        /// The claim a caller's value stands for, in the kind's .NET type (decimal, int, long, string or bool):
        /// text only in the kind's one form, whatever the culture; .NET values only where they mean the same
        /// thing exactly. Throws <see cref="ClaimValidationException"/> with the claim's InvalidErrorId.
        /// </summary>
        public abstract object Read(ClaimDefinition claim, object value);

        /// <summary>
        /// Why a value of this kind breaks what the API states for the claim, as a sentence naming the claim;
        /// null when it holds. The verifier checks this on any token.
        /// </summary>
        public virtual string? Problem(ClaimDefinition claim, object value) => null;

        /// <summary>
        /// <see cref="Problem"/>, then what ConvTokens itself never signs although the API's words allow it
        /// (an empty cp, a blank notificationKey, an iat before 1970).
        /// </summary>
        public virtual string? SigningProblem(ClaimDefinition claim, object value) => Problem(claim, value);

        /// <summary>
        /// What the payload's JSON cannot carry unchanged (an amount beyond 15 significant digits), checked at
        /// signing after every claim's <see cref="SigningProblem"/>; null when it can.
        /// </summary>
        public virtual string? PayloadProblem(ClaimDefinition claim, object value) => null;

        /// <summary>
        /// Whether <paramref name="text"/>, a column of a row that also carries the token, shows
        /// <paramref name="value"/>, the claim the token carries (white space already trimmed).
        /// </summary>
        public virtual bool Shows(string text, object value) => false;

        /// <summary>
        /// One more sentence for a refused text that came from a file (a CSV column), saying how to convert the
        /// column on the way in; null when there is nothing to convert.
        /// </summary>
        public virtual string? ColumnFix(ClaimDefinition claim, string text) => null;

        /// <summary>Whether a value of a decoded payload (long, decimal, double, string or bool) has the JSON type this kind takes.</summary>
        public abstract bool IsJsonValue(object value);

        /// <summary>Writes a value of this kind as JSON.stringify does; text only JSON can carry as an escape verifiers refuse is refused here.</summary>
        internal abstract void WriteJson(StringBuilder json, ClaimDefinition claim, object value);

        /// <summary>The claim a token's JSON member holds, in the kind's type; null, with the <paramref name="problem"/>, when its JSON type is wrong.</summary>
        internal abstract object? ReadJson(ClaimDefinition claim, in TokenJsonReader.Value member, out string? problem);

        /// <summary>A whole number (int or long) as JSON: invariant digits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private protected static void WriteWholeNumber(StringBuilder json, object value) => ClaimsJson.AppendInteger(json, Convert.ToInt64(value, CultureInfo.InvariantCulture));

        /// <summary>A whole JSON number within 64 bits, as [long]; null, with the problem, for any other member.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private protected static object? ReadWholeNumber(ClaimDefinition claim, in TokenJsonReader.Value member, out string? problem) =>
            (problem = NotWholeJsonNumber(claim.Name, member)) is null ? member.Int64 : null;

        /// <summary>The problem of a member that should be a whole JSON number within 64 bits; null when it is one.</summary>
        internal static string? NotWholeJsonNumber(string name, in TokenJsonReader.Value member) =>
            member.Type != System.Text.Json.JsonTokenType.Number || !member.IsInt64 ? $"{name} must be a whole JSON number; it is {member.Kind}." : null;

        /// <summary>A value as text for a message or a text claim: numbers and dates invariant.</summary>
        internal static string TextOf(object value) => value switch
        {
            string s => s,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        /// <summary>A value as a message quotes it: its text, shortened.</summary>
        internal static string Shown(object value) => JsonMembers.Clip(TextOf(value), 64);

        /// <summary>"an Int32", "a Hashtable": the type name with the article it is read with.</summary>
        internal static string WithArticle(string typeName)
        {
            var first = typeName.Length == 0 ? 'x' : char.ToUpperInvariant(typeName[0]);
            // "UInt32" is read "you-int": a consonant sound.
            var vowel = "AEIO".IndexOf(first) >= 0 || (first == 'U' && !typeName.StartsWith("UInt", StringComparison.Ordinal));
            return (vowel ? "an " : "a ") + typeName;
        }
    }
}
