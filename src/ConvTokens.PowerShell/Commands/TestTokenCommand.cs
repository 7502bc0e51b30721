using System;
using System.Collections;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Security;
using ConvTokens.Engine;
using ConvTokens.PowerShell.Secrets;

namespace ConvTokens.PowerShell.Commands
{
    /// <summary>Verifies HS256 initialization tokens with the apiSignature and says why one fails.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "Token")]
    [OutputType(typeof(TokenValidationResult))]
    [OutputType(typeof(bool))]
    public sealed class TestTokenCommand : ApiSignatureCmdlet
    {
        private TokenVerifier? _verifier;
        private VerificationOptions _options = new VerificationOptions();
        private long _inputNumber;
        private readonly Input.PipedBytes _bytes = new Input.PipedBytes();

        #region Parameters

        /// <summary>
        /// Compact token strings, InitializationToken objects, objects with a Token property, or arrays of
        /// these. Typed object so a piped item binds as it is, without PowerShell's coercion per item.
        /// </summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [AllowEmptyString]
        [AllowNull]
        public object? Token { get; set; }

        /// <summary>How far iat may lie in the future, and how much exp/nbf may be off; default 60 seconds.</summary>
        [Parameter]
        [Input.SecondsToTimeSpan]
        public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Refuse tokens issued longer ago than this (plus the clock skew).</summary>
        [Parameter]
        [Input.SecondsToTimeSpan]
        public TimeSpan MaximumAge { get; set; }

        /// <summary>Return only $true or $false per token.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        #endregion

        #region Overrides

        protected override void BeginProcessing()
        {
            if (ClockSkew < TimeSpan.Zero)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(ClockSkew), "ClockSkew must not be negative."),
                    ErrorCatalog.ClockSkewInvalid, ErrorCategory.InvalidArgument, ClockSkew));
            }
            // Token times are whole seconds: a maximum age under one second would be read as none at all.
            if (MyInvocation.BoundParameters.ContainsKey(nameof(MaximumAge)) && MaximumAge < TimeSpan.FromSeconds(1))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(MaximumAge),
                    $"MaximumAge must be at least one second (token times are whole seconds); got {MaximumAge.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s."),
                    ErrorCatalog.MaximumAgeInvalid, ErrorCategory.InvalidArgument, MaximumAge));
            }
            _options = new VerificationOptions
            {
                ClockSkew = ClockSkew,
                MaximumAge = MyInvocation.BoundParameters.ContainsKey(nameof(MaximumAge)) ? MaximumAge : null,
            };
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void ProcessRecord()
        {
            if (MyInvocation.ExpectingInput && _bytes.Add(Token)) { return; }
            FlushBytes();
            var input = Token is PSObject wrapped ? wrapped.BaseObject : Token;
            // A string, a byte[] or a dictionary is one input, not one per character, byte or entry.
            if (input is IEnumerable items && input is not string && input is not byte[] && input is not IDictionary)
            {
                foreach (var item in items) { VerifyOne(item); }
            }
            else
            {
                VerifyOne(Token);
            }
        }

        protected override void EndProcessing() => FlushBytes();

        /// <summary>A run of piped bytes is one input: one error (and one $false with -Quiet), in its turn.</summary>
        private void FlushBytes()
        {
            if (_bytes.Take() is { } problem) { VerifyOne(null, problem); }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void VerifyOne(object? item, string? bytesProblem = null)
        {
            _inputNumber++;
            string? problem = bytesProblem;
            var token = bytesProblem is null ? Input.TokenInput.Read(item, out problem) : null;
            if (token is null)
            {
                WriteError(new ErrorRecord(new ArgumentException($"Input #{_inputNumber}: {problem}"), ErrorCatalog.TokenInputInvalid, ErrorCategory.InvalidArgument, item));
                // -Quiet gives one boolean per input, so its output still lines up with the input.
                if (Quiet) { WriteObject(Boxed.False); }
                return;
            }
            var prefixProblem = Input.TokenInput.PrefixProblem(token);
            if (Quiet)
            {
                // Only the outcome is written: the verifier keeps nothing of the token, so nothing is built for it.
                string? message = prefixProblem;
                var failure = prefixProblem is null ? Verifier().Check(token, _options, DateTimeOffset.UtcNow, out message) : TokenFailure.Malformed;
                Verbose(failure, message);
                WriteObject(failure == TokenFailure.None ? Boxed.True : Boxed.False);
                return;
            }
            var outcome = prefixProblem is null
                ? Verifier().Verify(token, _options, DateTimeOffset.UtcNow)
                : new VerificationResult { Failure = TokenFailure.Malformed, Message = prefixProblem };
            Verbose(outcome.Failure, outcome.Message);
            WriteObject(new TokenValidationResult(token, outcome));
        }

        private void Verbose(TokenFailure failure, string? message)
        {
            if (!IsVerbose) { return; }
            WriteVerbose(failure == TokenFailure.None
                ? $"Token #{_inputNumber} is valid."
                : $"Token #{_inputNumber} is invalid ({failure}): {message}");
        }

        protected override void DisposeResources() => _verifier?.Dispose();

        #endregion

        /// <summary>-Quiet writes one of two boxes instead of boxing a new boolean per token.</summary>
        private static class Boxed
        {
            public static readonly object True = true;
            public static readonly object False = false;
        }

        private TokenVerifier Verifier() => _verifier ??= new TokenVerifier(ApiSignatureBytes());
    }
}
