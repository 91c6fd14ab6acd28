<#
.SYNOPSIS
Writes the MAML help of the ModernAuth.Mail module from the cmdlets' XML documentation, then checks the module.

.DESCRIPTION
One source for the help: each cmdlet class's <summary> (<para type="synopsis">, <para type="description">) and
<example> blocks, and each parameter property's <summary>. The parameter sets, types, positions, aliases and pipeline
input come from the loaded cmdlets, so the help always matches them. Fails when a cmdlet or parameter has no text,
when the manifest is invalid, when its version is not the repository's, or when CmdletsToExport and the cmdlets differ.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $XmlDocPath,
    [Parameter(Mandatory)] [string] $Version
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
Set-StrictMode -Version Latest

$manifestPath = Join-Path $ModulePath 'ModernAuth.Mail.psd1'
$manifest = Test-ModuleManifest -Path $manifestPath
if ($manifest.Version.ToString() -ne $Version) {
    throw "ModernAuth.Mail.psd1 has ModuleVersion $($manifest.Version); the repository's version (Directory.Build.props) is $Version."
}

$docs = [xml](Get-Content -Raw -LiteralPath $XmlDocPath)
$members = @{}
foreach ($member in $docs.doc.members.member) { $members[$member.name] = $member }

function Get-Text([System.Xml.XmlNode] $node) {
    if ($null -eq $node) { return '' }
    # <see cref="T:X.Y"/> becomes Y; <c>x</c> becomes x; white space collapses.
    $clone = $node.Clone()
    foreach ($see in @($clone.SelectNodes('.//see'))) {
        $name = if ($see.HasAttribute('cref')) { ($see.cref -replace '^.:', '') -split '\.' | Select-Object -Last 1 } else { $see.langword }
        $see.ParentNode.ReplaceChild($clone.OwnerDocument.CreateTextNode($name), $see) | Out-Null
    }
    return ($clone.InnerText -replace '\s+', ' ').Trim()
}

function Get-Paras([System.Xml.XmlNode] $summary, [string] $type) {
    if ($null -eq $summary) { return @() }
    @($summary.SelectNodes("para[@type='$type']") | ForEach-Object { Get-Text $_ } | Where-Object { $_ })
}

Import-Module $manifestPath -Force
$commands = @(Get-Command -Module ModernAuth.Mail -CommandType Cmdlet | Sort-Object Name)
$exported = @($manifest.ExportedCmdlets.Keys | Sort-Object)
$names = @($commands.Name)
if (Compare-Object $exported $names) {
    throw "CmdletsToExport ($($exported -join ', ')) differs from the module's cmdlets ($($names -join ', '))."
}

$common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name +
    [System.Management.Automation.Internal.ShouldProcessParameters].GetProperties().Name
$problems = [System.Collections.Generic.List[string]]::new()

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$helpPath = Join-Path $ModulePath 'en-US/ModernAuth.Mail.PowerShell.dll-Help.xml'
$w = [System.Xml.XmlWriter]::Create($helpPath, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmdNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
function Para([string] $text) { $w.WriteStartElement('maml', 'para', $maml); $w.WriteString($text); $w.WriteEndElement() }
function Description([string[]] $paras) {
    $w.WriteStartElement('maml', 'description', $maml)
    foreach ($p in $paras) { Para $p }
    $w.WriteEndElement()
}
function PipelineInput($attribute) {
    $kinds = @()
    if ($attribute.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($attribute.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}
function WriteParameter($parameter, $attribute, [string] $text, [switch] $InSyntax) {
    $w.WriteStartElement('command', 'parameter', $cmdNs)
    $w.WriteAttributeString('required', $attribute.Mandatory.ToString().ToLowerInvariant())
    $w.WriteAttributeString('variableLength', $parameter.ParameterType.IsArray.ToString().ToLowerInvariant())
    $w.WriteAttributeString('globbing', ($parameter.Name -eq 'Attachments').ToString().ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', (PipelineInput $attribute))
    $w.WriteAttributeString('position', $(if ($attribute.Position -ge 0) { $attribute.Position } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('maml', 'name', $maml, $parameter.Name)
    Description @($text)
    $isSwitch = $parameter.ParameterType -eq [switch]
    if (-not $isSwitch) {
        $w.WriteStartElement('command', 'parameterValue', $cmdNs)
        $w.WriteAttributeString('required', 'true')
        $w.WriteString($parameter.ParameterType.Name)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $dev)
    $w.WriteElementString('maml', 'name', $maml, $parameter.ParameterType.FullName)
    $w.WriteEndElement()
    $w.WriteEndElement()
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($command in $commands) {
    $type = $command.ImplementingType
    $summary = $members["T:$($type.FullName)"].summary
    $synopsis = @(Get-Paras $summary 'synopsis')
    $description = @(Get-Paras $summary 'description')
    if (-not $synopsis) { $problems.Add("$($command.Name) has no synopsis") }
    if (-not $description) { $problems.Add("$($command.Name) has no description") }

    $parameterText = @{}
    foreach ($parameter in $command.Parameters.Values | Where-Object { $common -notcontains $_.Name }) {
        $declaring = $type.GetProperty($parameter.Name).DeclaringType.FullName
        $text = (Get-Paras $members["P:$declaring.$($parameter.Name)"].summary 'description') -join ' '
        if (-not $text) { $problems.Add("$($command.Name) -$($parameter.Name) has no description") }
        $parameterText[$parameter.Name] = $text
    }

    $w.WriteStartElement('command', 'command', $cmdNs)
    $w.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $w.WriteStartElement('command', 'details', $cmdNs)
    $w.WriteElementString('command', 'name', $cmdNs, $command.Name)
    Description $synopsis
    $w.WriteElementString('command', 'verb', $cmdNs, $command.Verb)
    $w.WriteElementString('command', 'noun', $cmdNs, $command.Noun)
    $w.WriteEndElement()
    Description $description

    $w.WriteStartElement('command', 'syntax', $cmdNs)
    foreach ($set in $command.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $cmdNs)
        $w.WriteElementString('maml', 'name', $maml, $command.Name)
        foreach ($parameter in $set.Parameters | Where-Object { $common -notcontains $_.Name } | Sort-Object { if ($_.Position -ge 0) { $_.Position } else { 1000 } }) {
            $full = $command.Parameters[$parameter.Name]
            $attribute = $full.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ParameterSetName -eq $set.Name -or $_.ParameterSetName -eq '__AllParameterSets') } | Select-Object -First 1
            WriteParameter $full $attribute $parameterText[$parameter.Name]
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $cmdNs)
    foreach ($name in $parameterText.Keys | Sort-Object) {
        $full = $command.Parameters[$name]
        $attribute = $full.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Sort-Object { -not $_.Mandatory } | Select-Object -First 1
        WriteParameter $full $attribute $parameterText[$name]
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'returnValues', $cmdNs)
    foreach ($output in $command.OutputType) {
        $w.WriteStartElement('command', 'returnValue', $cmdNs)
        $w.WriteStartElement('dev', 'type', $dev)
        $w.WriteElementString('maml', 'name', $maml, $output.Name)
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $cmdNs)
    $number = 0
    foreach ($example in @($members["T:$($type.FullName)"].SelectNodes('example'))) {
        $number++
        $w.WriteStartElement('command', 'example', $cmdNs)
        $w.WriteElementString('maml', 'title', $maml, "-------------------------- Example $number --------------------------")
        $w.WriteElementString('dev', 'code', $dev, (Get-Text $example.SelectSingleNode('code')))
        $w.WriteStartElement('dev', 'remarks', $dev)
        foreach ($p in $example.SelectNodes('para')) { Para (Get-Text $p) }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    if ($number -eq 0) { $problems.Add("$($command.Name) has no example") }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $cmdNs)
    foreach ($link in 'Send-ModernAuthMailMessage', 'Get-ModernAuthMailToken', 'Test-ModernAuthMail', 'Test-ModernAuthMailToken', 'Resolve-ModernAuthMailError' | Where-Object { $_ -ne $command.Name }) {
        $w.WriteStartElement('maml', 'navigationLink', $maml)
        $w.WriteElementString('maml', 'linkText', $maml, $link)
        $w.WriteElementString('maml', 'uri', $maml, '')
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Close()

if ($problems.Count) { throw "Help is missing: $($problems -join '; ')." }
Write-Host "help: $($commands.Count) cmdlets, $(($commands | ForEach-Object { $_.Parameters.Count }) | Measure-Object -Sum | Select-Object -ExpandProperty Sum) parameters (with common ones) -> $helpPath"
