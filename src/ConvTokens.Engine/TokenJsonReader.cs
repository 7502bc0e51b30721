using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ConvTokens.Engine
{
    /// <summary>
    /// Checks one JWT segment's JSON in a single forward pass, and picks out the values of the top-level
    /// members it is asked for. A segment passes when it is one JSON object, nests at most
    /// <see cref="MaxDepth"/> levels, names no member twice in one object (without regard to case: a token
    /// with both "amount" and "Amount" is ambiguous), and every escaped string forms valid Unicode.
    /// Not thread-safe: one per verifier, reused for every token.
    /// </summary>
    internal sealed class TokenJsonReader
    {
        public const int MaxDepth = 32;

        private static readonly JsonReaderOptions Options = new JsonReaderOptions { MaxDepth = MaxDepth };

        private readonly byte[][] _captureNames;
        private readonly List<List<Name>> _namesByDepth = new List<List<Name>>();
        /// <summary>Per depth: a bit per (length, first letter) of the plain ASCII names the object has so far, and whether it has any other name.</summary>
        private readonly ulong[] _nameBits = new ulong[MaxDepth + 2];
        private readonly bool[] _otherNames = new bool[MaxDepth + 2];
        private readonly Dictionary<List<Name>, HashSet<string>> _largeObjects = new Dictionary<List<Name>, HashSet<string>>(ReferenceEqualityComparer.Instance);

        /// <param name="captureNames">The top-level members whose values <see cref="Captured"/> receives, compared exactly as JWT compares names.</param>
        public TokenJsonReader(IReadOnlyList<string> captureNames)
        {
            _captureNames = new byte[captureNames.Count][];
            for (var i = 0; i < captureNames.Count; i++) { _captureNames[i] = Encoding.UTF8.GetBytes(captureNames[i]); }
            Captured = new Value[captureNames.Count];
        }

        /// <summary>The captured members of the last segment read, in the order their names were given.</summary>
        public Value[] Captured { get; }

        /// <summary>Why the segment is unfit, as the end of a sentence ("is not a JSON object."), or null when it passes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string? Read(ReadOnlySpan<byte> utf8)
        {
            Array.Clear(Captured);
            _largeObjects.Clear();
            if (!System.Text.Unicode.Utf8.IsValid(utf8))
            {
                // RFC 7519 §7.2 and RFC 8259 §8.1: JWT JSON is UTF-8; the reader would notice bad bytes only in strings it decodes.
                return "is not valid UTF-8.";
            }
            string? problem = null;
            var rootIsObject = false;
            try
            {
                var reader = new Utf8JsonReader(utf8, Options);
                var pending = -1;
                while (reader.Read())
                {
                    var type = reader.TokenType;
                    if (reader.CurrentDepth == 0 && type == JsonTokenType.StartObject) { rootIsObject = true; }
                    if (pending >= 0)
                    {
                        Capture(ref reader, pending, ref problem);
                        pending = -1;
                    }
                    switch (type)
                    {
                        case JsonTokenType.StartObject:
                            var fresh = NamesAt(reader.CurrentDepth + 1);
                            fresh.Clear();
                            _nameBits[reader.CurrentDepth + 1] = 0;
                            _otherNames[reader.CurrentDepth + 1] = false;
                            if (_largeObjects.Count > 0) { _largeObjects.Remove(fresh); }
                            break;
                        case JsonTokenType.PropertyName:
                            var names = NamesAt(reader.CurrentDepth);
                            if (!Name.TryRead(ref reader, out var name))
                            {
                                problem ??= UnpairedSurrogate;
                                break;
                            }
                            if (problem is null && IsDuplicate(names, name, utf8, reader.CurrentDepth))
                            {
                                problem = $"has the member '{JsonMembers.Clip(name.Text(utf8))}' more than once.";
                            }
                            names.Add(name);
                            if (reader.CurrentDepth == 1) { pending = CaptureIndex(ref reader); }
                            break;
                        case JsonTokenType.String when reader.ValueIsEscaped && problem is null:
                            // Decoding the string is what checks that its escapes pair their surrogates.
                            try { _ = reader.GetString(); }
                            catch (InvalidOperationException) { problem = UnpairedSurrogate; }
                            break;
                    }
                }
            }
            catch (JsonException)
            {
                return $"is not valid UTF-8 JSON (or nests deeper than {MaxDepth} levels).";
            }
            if (!rootIsObject) { return "is not a JSON object."; }
            return problem;
        }

        /// <summary>
        /// Whether an object already named this member, without regard to case: a scan for the few members
        /// a token has, a set once an object has many (a large signed payload must not cost quadratic time).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool IsDuplicate(List<Name> names, Name name, ReadOnlySpan<byte> segment, int depth)
        {
            if (names.Count < LinearScanLimit)
            {
                // Two plain ASCII names equal without regard to case have the same length and first letter: a name
                // whose bit no earlier name set needs no scan. Any other name (escaped, non-ASCII) makes every later name scan.
                if (name.IsPlainAscii && !_otherNames[depth])
                {
                    var bit = name.Bit(segment);
                    var seen = (_nameBits[depth] & bit) != 0;
                    _nameBits[depth] |= bit;
                    if (!seen) { return false; }
                }
                else if (!name.IsPlainAscii)
                {
                    _otherNames[depth] = true;
                }
                foreach (var seen in names)
                {
                    if (seen.SameAs(name, segment)) { return true; }
                }
                return false;
            }
            if (!_largeObjects.TryGetValue(names, out var set))
            {
                set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var seen in names) { set.Add(seen.Text(segment)); }
                _largeObjects[names] = set;
            }
            return !set.Add(name.Text(segment));
        }

        private const int LinearScanLimit = 16;

        private const string UnpairedSurrogate = "has a string that is not valid Unicode (an unpaired surrogate escape).";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int CaptureIndex(ref Utf8JsonReader reader)
        {
            if (reader.ValueIsEscaped)
            {
                for (var i = 0; i < _captureNames.Length; i++)
                {
                    if (reader.ValueTextEquals(_captureNames[i])) { return i; }
                }
                return -1;
            }
            // The common case: compare the raw bytes, length first.
            var raw = reader.ValueSpan;
            for (var i = 0; i < _captureNames.Length; i++)
            {
                var name = _captureNames[i];
                if (name.Length == raw.Length && raw.SequenceEqual(name)) { return i; }
            }
            return -1;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Capture(ref Utf8JsonReader reader, int index, ref string? problem)
        {
            var value = new Value { Present = true, Type = reader.TokenType };
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    value.IsInt64 = reader.TryGetInt64(out value.Int64);
                    // A whole number other than zero (whose text may be "-0") is the same decimal, scale 0: no second parse.
                    if (value.IsInt64 && value.Int64 != 0)
                    {
                        value.IsDecimal = true;
                        value.Decimal = value.Int64;
                    }
                    else
                    {
                        // TryGetDecimal rounds what a decimal cannot hold (1e-30 gives 0): only an exact reading counts.
                        value.IsDecimal = reader.TryGetDecimal(out value.Decimal) && (value.IsInt64 || JsonMembers.FitsDecimal(reader.ValueSpan));
                    }
                    if (!value.IsDecimal) { value.Text = Encoding.ASCII.GetString(reader.ValueSpan); }
                    break;
                case JsonTokenType.String:
                    try { value.Text = reader.GetString(); }
                    catch (InvalidOperationException) { problem ??= UnpairedSurrogate; }
                    break;
            }
            Captured[index] = value;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private List<Name> NamesAt(int depth)
        {
            while (_namesByDepth.Count <= depth) { _namesByDepth.Add(new List<Name>()); }
            return _namesByDepth[depth];
        }

        /// <summary>A member's value as read: its JSON token type and, for numbers and strings, the value.</summary>
        public struct Value
        {
            public bool Present;
            public JsonTokenType Type;
            public bool IsInt64;
            public long Int64;
            public bool IsDecimal;
            public decimal Decimal;
            /// <summary>A string's value; for a number no decimal holds exactly, its JSON text.</summary>
            public string? Text;

            /// <summary>The JSON kind in words, for messages ("a string", "a fractional number").</summary>
            public readonly string Kind => Type switch
            {
                JsonTokenType.Null => "null",
                JsonTokenType.String => "a string",
                JsonTokenType.True or JsonTokenType.False => "a boolean",
                JsonTokenType.Number => IsInt64 ? "a whole number" : "a fractional number",
                JsonTokenType.StartObject => "an object",
                _ => "an array",
            };
        }

        /// <summary>
        /// A member name: where its raw bytes lie in the segment when it is plain ASCII (the common case,
        /// compared without allocating), else its decoded text.
        /// </summary>
        private readonly struct Name
        {
            private readonly int _start;
            private readonly int _length;
            private readonly string? _text;

            private Name(int start, int length, string? text)
            {
                _start = start;
                _length = length;
                _text = text;
            }

            /// <summary>False when the name's escapes do not form valid Unicode.</summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static bool TryRead(ref Utf8JsonReader reader, out Name name)
            {
                var raw = reader.ValueSpan;
                if (!reader.ValueIsEscaped && System.Text.Ascii.IsValid(raw))
                {
                    // TokenStartIndex is the opening quote; the raw name follows it.
                    name = new Name((int)reader.TokenStartIndex + 1, raw.Length, null);
                    return true;
                }
                try
                {
                    name = new Name(0, 0, reader.GetString() ?? string.Empty);
                    return true;
                }
                catch (InvalidOperationException)
                {
                    name = default;
                    return false;
                }
            }

            public bool IsPlainAscii => _text is null;

            /// <summary>A bit of 64 chosen by the length and the ASCII-lowercased first byte of a plain ASCII name.</summary>
            public ulong Bit(ReadOnlySpan<byte> segment) =>
                1UL << (((_length * 7) + (_length == 0 ? 0 : segment[_start] | 0x20)) & 63);

            public string Text(ReadOnlySpan<byte> segment) => _text ?? Encoding.ASCII.GetString(segment.Slice(_start, _length));

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public bool SameAs(Name other, ReadOnlySpan<byte> segment)
            {
                if (_text is null && other._text is null)
                {
                    return _length == other._length
                        && System.Text.Ascii.EqualsIgnoreCase(segment.Slice(_start, _length), segment.Slice(other._start, other._length));
                }
                return string.Equals(Text(segment), other.Text(segment), StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
