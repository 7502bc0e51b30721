using System;
using System.Globalization;
using System.Management.Automation;

namespace ConvTokens.PowerShell.Input
{
    /// <summary>
    /// Lets a TimeSpan parameter take a bare number as seconds: PowerShell would read -ClockSkew 30 as
    /// 30 ticks, which nobody means.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class SecondsToTimeSpanAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            double? seconds = value switch
            {
                int or long or short or byte or uint or ulong or ushort or sbyte => Convert.ToDouble(value, CultureInfo.InvariantCulture),
                double d => d,
                decimal m => (double)m,
                float f => f,
                string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            };
            if (seconds is double count)
            {
                if (!double.IsFinite(count) || Math.Abs(count) >= TimeSpan.MaxValue.TotalSeconds)
                {
                    throw new ArgumentTransformationMetadataException($"{count.ToString(CultureInfo.InvariantCulture)} seconds is out of range for a TimeSpan; give seconds (30) or a TimeSpan ('00:00:30').");
                }
                return TimeSpan.FromSeconds(count);
            }
            if (value is string text)
            {
                // Only the invariant forms, so '0,5' is never read by the culture of the day.
                if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)) { return span; }
                throw new ArgumentTransformationMetadataException($"'{text}' is neither seconds (30, 0.5) nor a TimeSpan ('00:00:30'); a comma is never a decimal point here.");
            }
            return inputData;
        }
    }
}
