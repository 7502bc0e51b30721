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
            return value switch
            {
                int or long or short or byte or uint or ulong or ushort or sbyte => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
                double d => TimeSpan.FromSeconds(d),
                decimal m => TimeSpan.FromSeconds((double)m),
                string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
                _ => inputData,
            };
        }
    }

    /// <summary>Lets a DateTimeOffset parameter take a whole number as Unix seconds (the iat claim's own unit).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class UnixSecondsToDateTimeOffsetAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            long? seconds = value switch
            {
                int or long or short or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
                double d when d == Math.Truncate(d) && Math.Abs(d) < 9e15 => (long)d,
                decimal m when m == decimal.Truncate(m) && Math.Abs(m) < 9e15m => (long)m,
                string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            };
            if (seconds is long unix)
            {
                // The claim's own rule, so the command line and piped rows take the same iat values.
                if (ConvTokens.Engine.ClaimSchema.IssuedAt.SigningProblem(unix) is { } problem)
                {
                    throw new ArgumentTransformationMetadataException(problem);
                }
                return DateTimeOffset.FromUnixTimeSeconds(unix);
            }
            return inputData;
        }
    }
}
