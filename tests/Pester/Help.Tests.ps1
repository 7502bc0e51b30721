#Requires -Version 7.4
# Help gate: every exported cmdlet has complete help that matches the built cmdlet (parameters,
# parameter sets, types, aliases, positions, pipeline input, outputs), and about_ConvTokens explains
# every error id the module can write.
#
# The error ids come from the module's own catalog, [ConvTokens.PowerShell.ErrorCatalog]::All (each
# id with the cmdlets that write it); Test-Token's Reason values from ErrorCatalog.TokenFailureReasons.
# The build writes the catalog's texts and the cmdlets' syntax into the help (tools/Build-Help.ps1), so
# a text written twice by hand, in the MAML source, about_ConvTokens or the catalog, fails here.

BeforeDiscovery {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession

    $catalog = @([ConvTokens.PowerShell.ErrorCatalog]::All)
    $failureNames = @([ConvTokens.PowerShell.ErrorCatalog]::TokenFailureReasons)
    $allIds = @(@($catalog.Id) + $failureNames | Sort-Object -Unique)

    $sourceFiles = Get-ChildItem -Path (Join-Path $RepoRoot 'src/ConvTokens.PowerShell') -Filter *.cs -Recurse |
        Where-Object { $_.FullName -notmatch '[\\/](obj|bin)[\\/]' }

    # The ids each cmdlet can write, as the catalog lists them, and the failure reasons for Test-Token.
    $cmdletCases = foreach ($name in (Import-PowerShellDataFile -Path $ModuleManifest).CmdletsToExport) {
        $verb, $noun = $name -split '-', 2
        $source = $sourceFiles | Where-Object { (Get-Content -Raw -LiteralPath $_.FullName) -match ('\[Cmdlet\(\s*Verbs\w+\.' + $verb + '\s*,\s*"' + $noun + '"') } |
            Select-Object -First 1
        $ids = @([ConvTokens.PowerShell.ErrorCatalog]::For($name) | ForEach-Object Id)
        if ($name -eq 'Test-Token') { $ids += $failureNames }
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        @{
            Name       = $name
            SourceFile = $source.FullName
            ErrorIds   = @($ids | Sort-Object -Unique)
            Parameters = @((Get-Command -Name $name -CommandType Cmdlet).Parameters.Keys |
                    Where-Object { $_ -notin $common } | ForEach-Object { @{ Parameter = $_ } })
        }
    }
    $aboutCase = @{ ErrorIds = $allIds }
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Initialize-TestSession
    $script:CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    # A paragraph, for comparing: its words with the line breaks and runs of spaces made one space.
    function ConvertTo-ComparableText([string] $Text) { ($Text -replace '\s+', ' ').Trim() }

    # The paragraphs of MAML: every <maml:para>, as text.
    function Get-MamlParagraph([xml] $Document) {
        $Document.SelectNodes("//*[local-name()='para']") | ForEach-Object { ConvertTo-ComparableText $_.InnerText } | Where-Object { $_ }
    }

    # The paragraphs of an about_ topic: runs of lines at one indentation, between blank lines.
    function Get-AboutParagraph([string[]] $Line) {
        $current = [Collections.Generic.List[string]]::new()
        $indent = -1
        foreach ($text in $Line + '') {
            $lineIndent = if ($text.Trim()) { $text.Length - $text.TrimStart().Length } else { -1 }
            if ($lineIndent -ne $indent -and $current.Count) { ConvertTo-ComparableText ($current -join ' '); $current.Clear() }
            $indent = $lineIndent
            if ($lineIndent -ge 0) { $current.Add($text) }
        }
    }

    # Each paragraph longer than MinimumLength that appears more than once, with where: "<count>x <source>: <start of text>".
    function Find-DuplicateParagraph([object[]] $Paragraph, [int] $MinimumLength = 80) {
        $Paragraph | Where-Object { $_.Text.Length -gt $MinimumLength } | Group-Object Text | Where-Object Count -gt 1 |
            ForEach-Object { "$($_.Count)x in $((@($_.Group.Source) | Sort-Object -Unique) -join ' and '): $($_.Name.Substring(0, [Math]::Min(100, $_.Name.Length)))" }
    }
}

Describe 'Help for <Name>' -ForEach $cmdletCases {
    BeforeAll {
        $command = Get-Command -Name $Name -CommandType Cmdlet
        $help = Get-Help -Name $Name -Full
        # Every word of the help a reader sees, for looking up error ids.
        $helpText = $help | Out-String -Width 4096
    }

    It 'is found among the cmdlet sources' {
        $SourceFile | Should -Not -BeNullOrEmpty -Because "a [Cmdlet(...)] attribute for $Name is expected under src/"
    }

    It 'has a synopsis that is not the generated syntax' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -Match ('^' + [regex]::Escape($Name) + '(\s|$)') -Because 'Get-Help shows the syntax as synopsis when no help file is found'
        $help.Synopsis | Should -Not -Match '<CommonParameters>'
    }

    It 'has a description' {
        (@($help.description.Text) -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and remarks' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            ([string] $example.code).Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' needs code"
            (@($example.remarks.Text) -join '').Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' needs remarks"
        }
    }

    It 'gives its input types' {
        @($help.inputTypes.inputType.type.name | Where-Object { "$_".Trim() }) | Should -Not -BeNullOrEmpty
    }

    It 'gives its output types, including every [OutputType]' {
        $documented = @($help.returnValues.returnValue.type.name | ForEach-Object { "$_".Trim() } | Where-Object { $_ })
        $documented | Should -Not -BeNullOrEmpty
        foreach ($type in $command.OutputType) {
            $documented | Should -Contain $type.Name
        }
    }

    It 'documents -<Parameter>' -ForEach $Parameters {
        $metadata = $command.Parameters[$Parameter]
        $helpParameter = @($help.parameters.parameter | Where-Object { $_.name -eq $Parameter })
        $helpParameter.Count | Should -Be 1 -Because "-$Parameter needs exactly one entry in the help's parameters"
        $helpParameter = $helpParameter[0]
        (@($helpParameter.description.Text) -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$Parameter needs a description"

        $helpParameter.type.name | Should -Be $metadata.ParameterType.FullName
        $helpAliases = @(if ($helpParameter.aliases -and $helpParameter.aliases -ne 'none') { $helpParameter.aliases -split '\s*,\s*' })
        ($helpAliases | Sort-Object) -join ',' | Should -Be (($metadata.Aliases | Sort-Object) -join ',')
        $helpParameter.globbing | Should -Be 'false'

        # Across parameter sets: required when mandatory in any set, positioned where it has a position,
        # and taken from the pipeline in every way any set takes it.
        $sets = @($metadata.ParameterSets.Values)
        $helpParameter.required | Should -Be ([string] [bool] ($sets | Where-Object IsMandatory)).ToLowerInvariant()
        $position = $sets | Where-Object { $_.Position -ge 0 } | Select-Object -First 1 -ExpandProperty Position
        $helpParameter.position | Should -Be $(if ($null -ne $position) { [string] $position } else { 'named' })
        $byValue = [bool] ($sets | Where-Object ValueFromPipeline)
        $byName = [bool] ($sets | Where-Object ValueFromPipelineByPropertyName)
        ($helpParameter.pipelineInput -match '\bByValue\b') | Should -Be $byValue -Because "pipeline input of -$Parameter is '$($helpParameter.pipelineInput)'"
        ($helpParameter.pipelineInput -match '\bByPropertyName\b') | Should -Be $byName -Because "pipeline input of -$Parameter is '$($helpParameter.pipelineInput)'"
        if (-not ($byValue -or $byName)) { $helpParameter.pipelineInput | Should -Match '^false' }
    }

    It 'documents no parameter the cmdlet lacks' {
        $extra = @($help.parameters.parameter.name | Where-Object { $_ -notin $command.Parameters.Keys })
        $extra | Should -BeNullOrEmpty -Because 'help must not describe parameters that do not exist'
    }

    It 'has one syntax per parameter set, with that set''s parameters, positions and requirements' {
        $syntaxItems = @($help.syntax.syntaxItem)
        $syntaxItems.Count | Should -Be $command.ParameterSets.Count
        foreach ($set in $command.ParameterSets) {
            $expected = @($set.Parameters | Where-Object { $_.Name -notin $CommonParameters })
            $key = ($expected.Name | Sort-Object) -join ','
            $item = $syntaxItems | Where-Object { (@($_.parameter.name) | Sort-Object) -join ',' -eq $key } | Select-Object -First 1
            $item | Should -Not -BeNullOrEmpty -Because "parameter set '$($set.Name)' has the parameters $key"
            foreach ($parameter in $expected) {
                $shown = $item.parameter | Where-Object name -eq $parameter.Name
                $shown.required | Should -Be ([string] $parameter.IsMandatory).ToLowerInvariant() -Because "-$($parameter.Name) in set '$($set.Name)'"
                $shown.position | Should -Be $(if ($parameter.Position -ge 0) { [string] $parameter.Position } else { 'named' }) -Because "-$($parameter.Name) in set '$($set.Name)'"
            }
        }
    }

    It 'explains every error id it can write' {
        $ErrorIds | Should -Not -BeNullOrEmpty
        $missing = @($ErrorIds | Where-Object { $helpText -notmatch ('\b' + [regex]::Escape($_) + '\b') })
        $missing | Should -BeNullOrEmpty -Because 'every error id the cmdlet writes needs its fix in the cmdlet help'
    }
}

Describe 'about_ConvTokens' -ForEach $aboutCase {
    BeforeAll {
        $about = Get-Help -Name about_ConvTokens -ErrorAction SilentlyContinue
        $aboutText = $about | Out-String -Width 4096
        $aboutFile = Join-Path (Split-Path -Parent $ModuleManifest) 'en-US/about_ConvTokens.help.txt'
    }

    It 'is found by Get-Help' {
        $about | Should -Not -BeNullOrEmpty
        $aboutText | Should -Match '(?m)^TOPIC\s+about_ConvTokens'
        $aboutText | Should -Match '(?m)^SEE ALSO'
    }

    It 'keeps its lines to 80 characters' {
        $long = @(Get-Content -LiteralPath $aboutFile | Where-Object { $_.Length -gt 80 })
        $long | Should -BeNullOrEmpty
    }

    It 'found the error ids in the catalog' {
        # Guards the lists above: if the catalog came back empty, the id checks would pass on nothing.
        $ErrorIds.Count | Should -BeGreaterThan 40
        foreach ($known in 'SecretVaultLocked', 'AmountMissing', 'ZipCodeInvalid', 'ForceManualConfirmInvalid', 'SessionTokenInvalidGrant', 'BaseUriInsecure', 'ClockSkewInvalid', 'InvalidSignature') {
            $ErrorIds | Should -Contain $known
        }
    }

    It 'explains <_>' -ForEach $ErrorIds {
        $aboutText | Should -Match ('\b' + [regex]::Escape($_) + '\b')
    }
}

Describe 'Help written once' {
    BeforeAll {
        $sourceFolder = Join-Path $RepoRoot 'src/ConvTokens.PowerShell/en-US'
        $builtFolder = Join-Path (Split-Path -Parent $ModuleManifest) 'en-US'
        $catalogText = foreach ($entry in @([ConvTokens.PowerShell.ErrorCatalog]::All) + @([ConvTokens.PowerShell.ErrorCatalog]::Reasons)) {
            foreach ($text in $entry.Cause, $entry.Fix) { [pscustomobject]@{ Source = 'ErrorCatalog.cs'; Text = ConvertTo-ComparableText $text } }
        }
    }

    It 'has no paragraph of more than 80 characters written twice in the MAML source, about_ConvTokens or the ErrorCatalog' {
        # What the build writes from one source (the catalog's texts in each cmdlet's help and in about_) is not
        # counted: only the words a person writes, where writing them twice means they will drift apart.
        $paragraphs = @(
            Get-MamlParagraph ([xml] (Get-Content -Raw (Join-Path $sourceFolder 'ConvTokens.PowerShell.dll-Help.xml'))) |
                ForEach-Object { [pscustomobject]@{ Source = 'ConvTokens.PowerShell.dll-Help.xml'; Text = $_ } }
            Get-AboutParagraph (Get-Content (Join-Path $sourceFolder 'about_ConvTokens.help.txt')) |
                ForEach-Object { [pscustomobject]@{ Source = 'about_ConvTokens.help.txt'; Text = $_ } }
            $catalogText
        )
        $paragraphs.Count | Should -BeGreaterThan 300 -Because 'the sources were read'
        Find-DuplicateParagraph $paragraphs | Should -BeNullOrEmpty -Because 'each text has one source: write it once, or have the build write it (tools/Build-Help.ps1)'
    }

    It 'repeats no paragraph within one cmdlet''s built help, nor within the built about_ConvTokens' {
        $built = [xml] (Get-Content -Raw (Join-Path $builtFolder 'ConvTokens.PowerShell.dll-Help.xml'))
        $repeated = foreach ($command in $built.SelectNodes("//*[local-name()='command' and namespace-uri()='http://schemas.microsoft.com/maml/dev/command/2004/10']")) {
            $name = $command.SelectSingleNode("*[local-name()='details']/*[local-name()='name']").InnerText
            $doc = [xml] $command.OuterXml
            Find-DuplicateParagraph @(Get-MamlParagraph $doc | ForEach-Object { [pscustomobject]@{ Source = $name; Text = $_ } })
        }
        $repeated += Find-DuplicateParagraph @(Get-AboutParagraph (Get-Content (Join-Path $builtFolder 'about_ConvTokens.help.txt')) |
                ForEach-Object { [pscustomobject]@{ Source = 'about_ConvTokens'; Text = $_ } })
        $repeated | Should -BeNullOrEmpty
    }

    It 'finds a paragraph written twice (the check above can fail)' {
        $long = 'A paragraph long enough to count, written in two places by hand, which is how two texts start to drift apart.'
        $about = Get-AboutParagraph @('TOPIC', '    about_X', '', '    A paragraph long enough to count, written in two places', '    by hand, which is how two texts start to drift apart.', '', '        code')
        $found = Find-DuplicateParagraph @(
            [pscustomobject]@{ Source = 'maml'; Text = ConvertTo-ComparableText "  $long " }
            $about | ForEach-Object { [pscustomobject]@{ Source = 'about'; Text = $_ } })
        $found | Should -HaveCount 1
        $found | Should -BeLike '2x in about and maml: A paragraph long enough to count*'
        Find-DuplicateParagraph @([pscustomobject]@{ Source = 'maml'; Text = $long }, [pscustomobject]@{ Source = 'about'; Text = 'Short, and the same.' }) | Should -BeNullOrEmpty
    }

    It 'leaves no placeholder in the built help' {
        foreach ($file in 'ConvTokens.PowerShell.dll-Help.xml', 'about_ConvTokens.help.txt') {
            Get-Content -Raw (Join-Path $builtFolder $file) | Should -Not -Match '\{\{' -Because "$file is written by tools/Build-Help.ps1"
        }
        $source = [xml] (Get-Content -Raw (Join-Path $sourceFolder 'ConvTokens.PowerShell.dll-Help.xml'))
        $source.SelectNodes("//*[local-name()='parameterValue' or local-name()='syntaxItem']").Count | Should -Be 0 -Because 'syntax and parameter types come from the cmdlets'
    }

    It 'shows each error id''s cause and fix from the catalog in the help of every cmdlet that writes it, and in about_ConvTokens' {
        $about = ConvertTo-ComparableText (Get-Content -Raw (Join-Path $builtFolder 'about_ConvTokens.help.txt'))
        $helpText = @{}
        $missing = foreach ($entry in [ConvTokens.PowerShell.ErrorCatalog]::All) {
            foreach ($text in $entry.Cause, $entry.Fix) {
                # Inside about_ConvTokens a section is named without the topic's name.
                if (-not $about.Contains(((ConvertTo-ComparableText $text) -replace ' in about_ConvTokens\b', ''))) { "about_ConvTokens: $($entry.Id)" }
                foreach ($cmdlet in $entry.Cmdlets) {
                    if (-not $helpText[$cmdlet]) { $helpText[$cmdlet] = ConvertTo-ComparableText (Get-Help -Name $cmdlet -Full | Out-String -Width 4096) }
                    # The help lists a sentence after "- Id: " in lower case.
                    $expected = ConvertTo-ComparableText $text
                    if (-not $helpText[$cmdlet].Contains($expected.Substring(1))) { "${cmdlet}: $($entry.Id)" }
                }
            }
        }
        @($missing | Sort-Object -Unique) | Should -BeNullOrEmpty
    }
}

Describe 'ErrorCatalog' {
    BeforeAll {
        $catalog = @([ConvTokens.PowerShell.ErrorCatalog]::All)
        $cmdlets = @((Import-PowerShellDataFile -Path $ModuleManifest).CmdletsToExport)
    }

    It 'lists each id once, shaped NounProblem, with the cmdlets that write it and a fix' {
        $catalog.Count | Should -BeGreaterThan 30
        @($catalog.Id | Sort-Object -Unique).Count | Should -Be $catalog.Count
        foreach ($entry in $catalog) {
            $entry.Id | Should -MatchExactly '^[A-Z][a-z]+([A-Z][a-z]+)+$'
            $entry.Cmdlets | Should -Not -BeNullOrEmpty -Because $entry.Id
            @($entry.Cmdlets | Where-Object { $_ -notin $cmdlets }) | Should -BeNullOrEmpty -Because "$($entry.Id) names exported cmdlets"
            $entry.Fix | Should -Not -BeNullOrEmpty -Because $entry.Id
            $entry.Cause | Should -Not -BeNullOrEmpty -Because "the help explains what went wrong for $($entry.Id)"
        }
    }

    It 'explains every Reason of Test-Token' {
        $reasons = @([ConvTokens.PowerShell.ErrorCatalog]::Reasons)
        @($reasons.Id) | Should -Be @([ConvTokens.PowerShell.ErrorCatalog]::TokenFailureReasons)
        foreach ($reason in $reasons) {
            $reason.Cause | Should -Not -BeNullOrEmpty -Because $reason.Id
            $reason.Terminating | Should -BeFalse
        }
    }

    It 'derives a <Parameter>Invalid id for every claim of the schema' {
        @($catalog.Id) | Should -Contain 'AmountInvalid'
        @($catalog.Id) | Should -Contain 'ForceManualConfirmInvalid'
        @($catalog.Id) | Should -Contain 'IssuedAtInvalid'
    }

    It 'says which ids end the pipeline' {
        @($catalog | Where-Object Terminating | ForEach-Object Id | Sort-Object) | Should -Be @(
            'BaseUriInsecure', 'ClockSkewInvalid', 'MaximumAgeInvalid', 'SecretEmpty', 'SecretManagementNotInstalled',
            'SecretNotFound', 'SecretReadCancelled', 'SecretReadFailed', 'SecretTypeUnsupported', 'SecretVaultLocked', 'SecretVaultModuleMissing',
            'SecretVaultNotFound', 'SecretVaultNotRegistered')
    }

    It 'gives Get-SessionToken the exchange ids and the shared token input id' {
        $ids = @([ConvTokens.PowerShell.ErrorCatalog]::For('Get-SessionToken') | ForEach-Object Id)
        $ids | Should -Contain 'TokenInputInvalid'
        $ids | Should -Contain 'SessionTokenOutcomeUnknown'
        $ids | Should -Contain 'BaseUriInsecure'
        $ids | Should -Not -Contain 'AmountMissing'
        @([ConvTokens.PowerShell.ErrorCatalog]::For('Test-Token') | ForEach-Object Id) | Should -Contain 'TokenInputInvalid'
    }
}
