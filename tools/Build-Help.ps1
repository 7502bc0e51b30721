#Requires -Version 7.4
<#
.SYNOPSIS
    Writes the module's help files from their sources and the built module: what the cmdlets and the
    error catalog already say is written there once, never by hand.
.DESCRIPTION
    Runs in a fresh pwsh (build.ps1's Build task starts it), imports the built module and writes into
    -Destination:

    ConvTokens.PowerShell.dll-Help.xml, from the hand-written MAML in -Source, filling in
      - each command's <command:syntax>: one syntax item per parameter set, from the cmdlet's
        [Parameter] attributes (mandatory, position, pipeline input), aliases and types;
      - each documented parameter's attributes, <command:parameterValue> and <dev:type>, likewise;
      - a paragraph that reads {{Errors}}: one paragraph per error id the cmdlet writes, Secret* ids
        aside, from [ConvTokens.PowerShell.ErrorCatalog]::All ("- Id (terminating): cause fix");
      - {{SecretErrors}}: one paragraph per Secret* id, the same way;
      - {{Reasons}}: one paragraph per Test-Token Reason value, from ErrorCatalog.Reasons;
      - {{SecretIds}} inside a paragraph: the Secret* ids as a list ("A, B and C").
    about_ConvTokens.help.txt, from the text in -Source, replacing each line that reads
      {{Errors Secret}}, {{Errors <Verb-Noun>}} or {{Reasons}} (any indentation) with the entries,
      the id on the line's indentation and its text wrapped to 80 columns four spaces further in.

    A placeholder it does not know, or a parameter the cmdlet lacks, stops the build.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    # The folder with the hand-written sources (src/ConvTokens.PowerShell/en-US).
    [Parameter(Mandatory)] [string] $Source,
    # The module's en-US folder (out/ConvTokens/en-US).
    [Parameter(Mandatory)] [string] $Destination
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

Import-Module $ModuleManifest -Force
Import-Module (Join-Path $PSScriptRoot 'BuildTools.psm1') -Force

$Catalog = @([ConvTokens.PowerShell.ErrorCatalog]::All)
$Reasons = @([ConvTokens.PowerShell.ErrorCatalog]::Reasons)
$CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
$Ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Test-SecretId([string] $Id) { $Id -like 'Secret*' }

# "A, B and C".
function Join-Words([string[]] $Words) {
    if ($Words.Count -le 1) { return ($Words -join '') }
    (($Words | Select-Object -SkipLast 1) -join ', ') + ' and ' + $Words[-1]
}

# The catalog's words for one entry: its cause, then its fix.
function Get-EntryText($Entry) {
    (@($Entry.Cause, $Entry.Fix) | Where-Object { $_ }) -join ' '
}

# After "- Id: " a sentence goes on in lower case ("- AmountMissing: the input has no amount."), unless
# it starts with a name ("Get-Secret", "TLS", "SecretManagement").
function ConvertTo-ListText([string] $Text) {
    if ($Text -cmatch '^[A-Z][a-z]*\b(?!-)') { $Text.Substring(0, 1).ToLowerInvariant() + $Text.Substring(1) } else { $Text }
}

# The entries behind a placeholder; -Cmdlet for the lists of one cmdlet.
function Get-PlaceholderEntry([string] $Name, [string] $Cmdlet) {
    switch -Regex ($Name) {
        '^Errors$' { return @([ConvTokens.PowerShell.ErrorCatalog]::For($Cmdlet) | Where-Object { -not (Test-SecretId $_.Id) }) }
        '^Errors Secret$' { return @($Catalog | Where-Object { Test-SecretId $_.Id }) }
        '^SecretErrors$' { return @($Catalog | Where-Object { Test-SecretId $_.Id }) }
        '^Errors (\w+-\w+)$' { return @([ConvTokens.PowerShell.ErrorCatalog]::For($Matches[1]) | Where-Object { -not (Test-SecretId $_.Id) }) }
        '^Reasons$' { return $Reasons }
    }
    throw "Unknown help placeholder {{$Name}}$(if ($Cmdlet) { " in the help of $Cmdlet" })."
}

# A Secret* id is terminating by the heading it stands under; any other says so itself.
function Get-EntryLabel($Entry) {
    if ($Entry.Terminating -and -not (Test-SecretId $Entry.Id)) { "$($Entry.Id) (terminating)" } else { $Entry.Id }
}

#region MAML
function New-MamlElement([xml] $Document, [string] $QualifiedName, [hashtable] $Attributes = @{}, [string] $Text) {
    $prefix = $QualifiedName.Split(':')[0]
    $element = $Document.CreateElement($QualifiedName, $Ns[$prefix])
    foreach ($key in $Attributes.Keys) { $element.SetAttribute($key, $Attributes[$key]) }
    if ($PSBoundParameters.ContainsKey('Text')) { $element.InnerText = $Text }
    $element
}

function Get-PipelineInput([object[]] $SetMetadata) {
    $ways = @(
        if ($SetMetadata | Where-Object ValueFromPipeline) { 'ByValue' }
        if ($SetMetadata | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    )
    if ($ways) { "True ($($ways -join ', '))" } else { 'False' }
}

# The attributes MAML gives a parameter, from its metadata in one set (syntax) or across all sets (parameters).
function Get-ParameterAttribute([System.Management.Automation.ParameterMetadata] $Metadata, [object[]] $SetMetadata) {
    $position = $SetMetadata | Where-Object { $_.Position -ge 0 } | Select-Object -First 1 -ExpandProperty Position
    [ordered]@{
        required       = ([string] [bool] ($SetMetadata | Where-Object IsMandatory)).ToLowerInvariant()
        variableLength = ([string] $Metadata.ParameterType.IsArray).ToLowerInvariant()
        globbing       = ([string] [bool] ($Metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })).ToLowerInvariant()
        pipelineInput  = Get-PipelineInput $SetMetadata
        position       = if ($null -ne $position) { [string] $position } else { 'named' }
        aliases        = if ($Metadata.Aliases.Count) { $Metadata.Aliases -join ', ' } else { 'none' }
    }
}

function Set-ParameterAttribute([System.Xml.XmlElement] $Element, [System.Collections.IDictionary] $Attributes) {
    foreach ($key in $Attributes.Keys) { $Element.SetAttribute($key, $Attributes[$key]) }
}

function New-ParameterValue([xml] $Document, [System.Management.Automation.ParameterMetadata] $Metadata) {
    $isSwitch = $Metadata.SwitchParameter
    New-MamlElement $Document 'command:parameterValue' @{
        required = ([string] (-not $isSwitch)).ToLowerInvariant(); variableLength = ([string] $Metadata.ParameterType.IsArray).ToLowerInvariant()
    } -Text $Metadata.ParameterType.Name
}

# Replaces the paragraphs {{Errors}}, {{SecretErrors}} and {{Reasons}}, and {{SecretIds}} inside a paragraph.
function Expand-MamlParagraph([System.Xml.XmlElement] $Command, [string] $Cmdlet, [System.Xml.XmlNamespaceManager] $Manager) {
    $document = $Command.OwnerDocument
    $secretIds = Join-Words @($Catalog | Where-Object { Test-SecretId $_.Id } | ForEach-Object Id)
    foreach ($para in @($Command.SelectNodes('.//maml:para', $Manager))) {
        $text = $para.InnerText
        if ($text -match '^\s*\{\{(\w+)\}\}\s*$' -and $Matches[1] -ne 'SecretIds') {
            foreach ($entry in (Get-PlaceholderEntry -Name $Matches[1] -Cmdlet $Cmdlet)) {
                $null = $para.ParentNode.InsertBefore((New-MamlElement $document 'maml:para' -Text "- $(Get-EntryLabel $entry): $(ConvertTo-ListText (Get-EntryText $entry))"), $para)
            }
            $null = $para.ParentNode.RemoveChild($para)
        }
        elseif ($text.Contains('{{')) {
            $expanded = $text.Replace('{{SecretIds}}', $secretIds)
            if ($expanded -match '\{\{([^}]*)\}\}') { throw "Unknown help placeholder {{$($Matches[1])}} in the help of $Cmdlet." }
            $para.InnerText = $expanded
        }
    }
}

function Update-MamlCommand([System.Xml.XmlElement] $Command, [System.Xml.XmlNamespaceManager] $Manager) {
    $document = $Command.OwnerDocument
    $name = $Command.SelectSingleNode('command:details/command:name', $Manager).InnerText.Trim()
    $cmdlet = Get-Command -Name $name -CommandType Cmdlet
    $parametersNode = $Command.SelectSingleNode('command:parameters', $Manager)
    $documented = @($parametersNode.SelectNodes('command:parameter', $Manager))
    $order = @($documented | ForEach-Object { $_.SelectSingleNode('maml:name', $Manager).InnerText.Trim() })

    # The parameters section: what the help says stays; what the cmdlet says is written from it.
    foreach ($parameter in $documented) {
        $parameterName = $parameter.SelectSingleNode('maml:name', $Manager).InnerText.Trim()
        $metadata = $cmdlet.Parameters[$parameterName]
        if (-not $metadata) { throw "The help of $name documents -$parameterName, which the cmdlet does not have." }
        Set-ParameterAttribute $parameter (Get-ParameterAttribute $metadata @($metadata.ParameterSets.Values))
        foreach ($old in @($parameter.SelectNodes('command:parameterValue | dev:type', $Manager))) { $null = $parameter.RemoveChild($old) }
        $type = New-MamlElement $document 'dev:type'
        $null = $type.AppendChild((New-MamlElement $document 'maml:name' -Text $metadata.ParameterType.FullName))
        $null = $type.AppendChild((New-MamlElement $document 'maml:uri'))
        $anchor = $parameter.SelectSingleNode('dev:defaultValue', $Manager)
        foreach ($node in (New-ParameterValue $document $metadata), $type) {
            if ($anchor) { $null = $parameter.InsertBefore($node, $anchor) } else { $null = $parameter.AppendChild($node) }
        }
    }

    # One syntax item per parameter set, the default set first, parameters in the order the help documents them.
    $syntax = $Command.SelectSingleNode('command:syntax', $Manager)
    if (-not $syntax) {
        $syntax = New-MamlElement $document 'command:syntax'
        $null = $Command.InsertBefore($syntax, $parametersNode)
    }
    $syntax.RemoveAll()
    $sets = @($cmdlet.ParameterSets | Sort-Object { -not $_.IsDefault }, { [array]::IndexOf(@($cmdlet.ParameterSets), $_) })
    foreach ($set in $sets) {
        $item = New-MamlElement $document 'command:syntaxItem'
        $null = $item.AppendChild((New-MamlElement $document 'maml:name' -Text $name))
        $inSet = @($set.Parameters | Where-Object { $_.Name -notin $CommonParameters } |
                Sort-Object { $index = [array]::IndexOf($order, $_.Name); if ($index -lt 0) { [int]::MaxValue } else { $index } })
        foreach ($setParameter in $inSet) {
            $metadata = $cmdlet.Parameters[$setParameter.Name]
            $setMetadata = @($metadata.ParameterSets[$set.Name])
            if (-not $setMetadata[0]) { $setMetadata = @($metadata.ParameterSets['__AllParameterSets']) }
            $element = New-MamlElement $document 'command:parameter'
            Set-ParameterAttribute $element (Get-ParameterAttribute $metadata $setMetadata)
            $null = $element.AppendChild((New-MamlElement $document 'maml:name' -Text $setParameter.Name))
            if (-not $metadata.SwitchParameter) { $null = $element.AppendChild((New-ParameterValue $document $metadata)) }
            $null = $item.AppendChild($element)
        }
        $null = $syntax.AppendChild($item)
    }

    Expand-MamlParagraph $Command $name $Manager
}

function Write-Maml([string] $SourcePath, [string] $DestinationPath) {
    $document = [xml]::new()
    $document.Load($SourcePath)
    $manager = [System.Xml.XmlNamespaceManager]::new($document.NameTable)
    foreach ($prefix in $Ns.Keys) { $manager.AddNamespace($prefix, $Ns[$prefix]) }
    $manager.AddNamespace('msh', 'http://msh')
    foreach ($command in @($document.SelectNodes('/msh:helpItems/command:command', $manager))) { Update-MamlCommand $command $manager }
    # The source's opening comment explains the placeholders; the output says where it comes from instead.
    foreach ($comment in @($document.ChildNodes | Where-Object NodeType -eq 'Comment')) { $null = $document.RemoveChild($comment) }
    $note = $document.CreateComment(' Written by tools/Build-Help.ps1 from src/ConvTokens.PowerShell/en-US/ConvTokens.PowerShell.dll-Help.xml and the built module: edit those, not this file. ')
    $null = $document.InsertBefore($note, $document.DocumentElement)
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $writer = [System.Xml.XmlWriter]::Create($DestinationPath, $settings)
    try { $document.Save($writer) } finally { $writer.Dispose() }
}
#endregion

#region about_
function Write-AboutTopic([string] $SourcePath, [string] $DestinationPath) {
    # An id written by several cmdlets is explained under the first of them; the later lists point there.
    $explainedUnder = @{}
    $lines = foreach ($line in (Get-Content -LiteralPath $SourcePath)) {
        if ($line -notmatch '^(\s*)\{\{([^}]+)\}\}\s*$') {
            if ($line.Contains('{{')) { throw "Unknown help placeholder in about_ConvTokens: $line" }
            $line
            continue
        }
        $indent, $name = $Matches[1], $Matches[2]
        $group = if ($name -match '^Errors (.+)$') { $Matches[1] } else { $name }
        foreach ($entry in (Get-PlaceholderEntry -Name $name)) {
            $indent + (Get-EntryLabel $entry)
            # Inside the topic, a section of about_ConvTokens is named without the topic's name.
            $text = if ($explainedUnder.ContainsKey($entry.Id)) { "As under $($explainedUnder[$entry.Id]) above." } else { (Get-EntryText $entry) -replace ' in about_ConvTokens\b', '' }
            if (-not $explainedUnder.ContainsKey($entry.Id)) { $explainedUnder[$entry.Id] = $group }
            Format-WrappedText -Text $text -Width (80 - $indent.Length - 4) | ForEach-Object { "$indent    $_" }
        }
    }
    [IO.File]::WriteAllText($DestinationPath, (($lines -join "`n") + "`n"), [System.Text.UTF8Encoding]::new($false))
}
#endregion

$null = New-Item -ItemType Directory -Force $Destination
Write-Maml (Join-Path $Source 'ConvTokens.PowerShell.dll-Help.xml') (Join-Path $Destination 'ConvTokens.PowerShell.dll-Help.xml')
Write-AboutTopic (Join-Path $Source 'about_ConvTokens.help.txt') (Join-Path $Destination 'about_ConvTokens.help.txt')
