using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Text.Json;

namespace ConvTokens.Engine
{
    /// <summary>Turns token JSON into plain .NET values for the output objects.</summary>
    internal static class JsonMembers
    {
        private static readonly JsonDocumentOptions Options = new JsonDocumentOptions { MaxDepth = 32 };

        /// <summary>Text from an input or a token, shortened for a message.</summary>
        internal static string Clip(string text, int length = 40)
        {
            if (text.Length <= length) { return text; }
            // Never half of a character: a cut between the two halves of a surrogate pair keeps neither.
            if (char.IsHighSurrogate(text[length - 1])) { length--; }
            return text.Substring(0, length) + "…";
        }

        /// <summary>A JSON object as an ordered, case-insensitive dictionary; null for null or non-object input.</summary>
        public static OrderedDictionary? ToDictionary(byte[]? utf8Json)
        {
            if (utf8Json is null) { return null; }
            try
            {
                using var document = JsonDocument.Parse(utf8Json, Options);
                return document.RootElement.ValueKind == JsonValueKind.Object ? ToDictionary(document.RootElement) : null;
            }
            catch (Exception failure) when (failure is JsonException || IsInvalidUtf8(failure))
            {
                return null;
            }
        }

        /// <summary>Whether a decimal holds the JSON number in <paramref name="utf8Number"/> exactly (its text is ASCII).</summary>
        internal static bool FitsDecimal(ReadOnlySpan<byte> utf8Number)
        {
            Span<char> text = utf8Number.Length <= 128 ? stackalloc char[utf8Number.Length] : new char[utf8Number.Length];
            for (var i = 0; i < utf8Number.Length; i++) { text[i] = (char)utf8Number[i]; }
            return ClaimNumbers.FitsDecimal(text);
        }

        /// <summary>True for the exceptions System.Text.Json raises when a string it reads is not valid UTF-8.</summary>
        public static bool IsInvalidUtf8(Exception failure) =>
            failure is System.Text.DecoderFallbackException || (failure is InvalidOperationException && failure.InnerException is System.Text.DecoderFallbackException);

        private static OrderedDictionary ToDictionary(JsonElement element)
        {
            var members = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            foreach (var property in element.EnumerateObject())
            {
                if (!members.Contains(property.Name)) { members.Add(property.Name, ToValue(property.Value)); }
            }
            return members;
        }

        /// <summary>
        /// The value a JSON member's text names, in the .NET type about_ConvTokens states: string, bool, null,
        /// object[], a dictionary; a number as long when whole and within 64 bits, else as decimal when a decimal
        /// holds it exactly, else as the double it names (5e-324 stays 5e-324, never a rounded 0).
        /// </summary>
        public static object? ToValue(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String: return element.GetString();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Null: return null;
                case JsonValueKind.Number:
                    if (element.TryGetInt64(out var whole)) { return whole; }
                    if (element.TryGetDecimal(out var exact) && ClaimNumbers.FitsDecimal(element.GetRawText())) { return exact; }
                    return element.GetDouble();
                case JsonValueKind.Array:
                    var items = new object?[element.GetArrayLength()];
                    var i = 0;
                    foreach (var item in element.EnumerateArray()) { items[i++] = ToValue(item); }
                    return items;
                default:
                    return ToDictionary(element);
            }
        }
    }
}
