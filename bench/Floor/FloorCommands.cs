using System;
using System.Globalization;
using System.Management.Automation;

namespace ConvTokens.Bench.Floor
{
    /// <summary>
    /// The floor for New-InitializationToken: what PowerShell itself charges to hand one piped row's seven
    /// seed values to a cmdlet, before any code of the cmdlet runs. A conventional cmdlet with the
    /// interface users expect (Import-Csv users.csv | New-X) declares the seven claims as
    /// ValueFromPipelineByPropertyName parameters with their natural types, so for every piped object the
    /// binder looks up seven properties by name (aliases included) and converts each value to the
    /// parameter's type. That is one piped object plus seven parameters' worth of binding work, and
    /// nothing else: no validation, no JSON, no HMAC, no output object.
    /// New-InitializationToken delivers the same interface differently (only -InputObject binds from the
    /// pipeline and the cmdlet reads the seven properties itself), and the target (at most 1.0x this
    /// floor) asks that binding, reading, validating, signing and writing one token costs no more than
    /// the binder alone would charge the conventional cmdlet. Kept unchanged from the first Bench task
    /// (no WriteObject) so that its figures stay comparable with the earlier runs.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "BindingFloor")]
    public sealed class InvokeBindingFloorCommand : PSCmdlet
    {
        [Parameter(ValueFromPipelineByPropertyName = true)] public decimal Amount { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] [Alias("cp")] public string? ZipCode { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] public int Age { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] public string? Gender { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] public string? UserId { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] [Alias("iat")] public long IssuedAt { get; set; }
        [Parameter(ValueFromPipelineByPropertyName = true)] public string? NotificationKey { get; set; }

        public static long Count;

        protected override void ProcessRecord() => Count++;
    }

    /// <summary>
    /// The floor for Test-Token: one piped object bound to an <c>object</c> parameter declared exactly as
    /// Test-Token declares -Token (mandatory, position 0, by value, null and empty strings allowed), and
    /// written out again. Binding an object parameter skips the coercion a string parameter would do, and
    /// WriteObject is the least a cmdlet that answers once per input must do; so this is what PowerShell
    /// charges for one item in, one item out.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "TokenFloor")]
    public sealed class InvokeTokenFloorCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [AllowEmptyString]
        [AllowNull]
        public object? Token { get; set; }

        protected override void ProcessRecord() => WriteObject(Token);
    }

    /// <summary>
    /// Streams seed rows (the seven claims as note properties, like [pscustomobject] or Import-Csv rows
    /// with typed values) into the pipeline one at a time, so that a pipeline of a million rows never
    /// holds them all. Each row has its own userId and notificationKey; iat is now unless given.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "BenchRow")]
    [OutputType(typeof(PSObject))]
    public sealed class NewBenchRowCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateRange(0, int.MaxValue)]
        public int Count { get; set; }

        [Parameter]
        public long? IssuedAt { get; set; }

        /// <summary>Prefix of the notificationKey, so that separate batches never share a key.</summary>
        [Parameter]
        public string Prefix { get; set; } = "n";

        protected override void ProcessRecord()
        {
            var iat = IssuedAt ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            for (var i = 0; i < Count; i++)
            {
                var row = new PSObject();
                row.Properties.Add(new PSNoteProperty("amount", 1 + (i % 500)));
                row.Properties.Add(new PSNoteProperty("cp", (1000 + (i * 37 % 90000)).ToString("00000", CultureInfo.InvariantCulture)));
                row.Properties.Add(new PSNoteProperty("age", 18 + (i % 70)));
                row.Properties.Add(new PSNoteProperty("gender", i % 2 == 0 ? "M" : "F"));
                row.Properties.Add(new PSNoteProperty("userId", "user-" + i.ToString(CultureInfo.InvariantCulture)));
                row.Properties.Add(new PSNoteProperty("iat", iat));
                row.Properties.Add(new PSNoteProperty("notificationKey", Prefix + "-" + i.ToString(CultureInfo.InvariantCulture)));
                WriteObject(row);
            }
        }
    }

    /// <summary>
    /// A pipeline's end that keeps nothing: counts the items and how many of them are $true, and writes
    /// the two counts once at the end (so a benchmark can check that every token verified).
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "TrueCount")]
    [OutputType(typeof(PSObject))]
    public sealed class MeasureTrueCountCommand : PSCmdlet
    {
        private long _count;
        private long _true;

        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        public object? InputObject { get; set; }

        protected override void ProcessRecord()
        {
            _count++;
            var value = InputObject is PSObject wrapped ? wrapped.BaseObject : InputObject;
            if (value is true) { _true++; }
        }

        protected override void EndProcessing()
        {
            var result = new PSObject();
            result.Properties.Add(new PSNoteProperty("Count", _count));
            result.Properties.Add(new PSNoteProperty("True", _true));
            WriteObject(result);
        }
    }
}
