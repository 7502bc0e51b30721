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
        internal static string Clip(string text, int length = 40) => text.Length <= length ? text : text.Substring(0, length) + "…";

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

        /// <summary>Strings, long for whole numbers, decimal (else double) for fractions, bool, null, object[] and dictionaries.</summary>
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
                    if (element.TryGetDecimal(out var exact)) { return exact; }
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
