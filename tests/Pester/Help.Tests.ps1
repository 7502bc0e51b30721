#Requires -Version 7.4
# Help gate: every exported cmdlet has complete help that matches the built cmdlet (parameters,
# parameter sets, types, aliases, positions, pipeline input, outputs), and about_ConvTokens explains
# every error id the module can write.
#
# The error ids come from the module's own catalog, [ConvTokens.PowerShell.ErrorCatalog]::All (each
# id with the cmdlets that write it); Test-Token's Reason values from ErrorCatalog.TokenFailureReasons.

BeforeDiscovery {
    . $PSScriptRoot/TestSupport.ps1
    Import-Module $ModuleManifest -Force

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
    Import-Module $ModuleManifest -Force
    $script:CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
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
