using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ConvTokens.PowerShell.Completion
{
    /// <summary>Offers the two values the API accepts for gender.</summary>
    public sealed class GenderCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            foreach (var (value, meaning) in new[] { ("M", "male"), ("F", "female") })
            {
                if (value.StartsWith(wordToComplete.Trim('\'', '"'), System.StringComparison.OrdinalIgnoreCase))
                {
                    yield return new CompletionResult(value, value, CompletionResultType.ParameterValue, meaning);
                }
            }
        }
    }
}
