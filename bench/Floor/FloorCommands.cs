using System;
using System.Management.Automation;

namespace ConvTokens.Bench.Floor
{
    /// <summary>The binding floor for New-InitializationToken: the seven seed properties bound by property name, no work.</summary>
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

    /// <summary>The binding floor for Test-Token: one token bound by value or by property name, no work.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "TokenFloor")]
    public sealed class InvokeTokenFloorCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public string? Token { get; set; }

        public static long Count;

        protected override void ProcessRecord() => Count++;
    }
}
