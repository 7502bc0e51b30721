# Dot-sourced by the stand-in modules: compiles C# sources into an assembly once per machine and loads it.
# The assembly is kept in a cache folder under a name made of a hash of the sources (and of what it references),
# so a child pwsh loads it instead of compiling again (a compiler run costs seconds). Test code only.
function Import-StandInAssembly {
    param([string] $Stem, [string[]] $Path, [string[]] $Reference = @())
    $sha = [Security.Cryptography.SHA256]::Create()
    try {
        $text = (@($Path | ForEach-Object { [IO.File]::ReadAllText($_) }) + $Reference + @($PSVersionTable.PSVersion.ToString())) -join "`n"
        $hash = [BitConverter]::ToString($sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($text))).Replace('-', '').Substring(0, 16)
    }
    finally { $sha.Dispose() }
    $cache = Join-Path ([IO.Path]::GetTempPath()) ('convtokens-standin-' + [Environment]::UserName)
    $null = New-Item -ItemType Directory -Force -Path $cache
    $dll = Join-Path $cache "$Stem.$hash.dll"
    if (-not (Test-Path -LiteralPath $dll)) {
        # Compiled under a name of its own, then moved into place: processes that compile at once never share a file.
        $temp = Join-Path $cache ("$Stem.$hash.{0}.tmp" -f [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $temp
        $tempDll = Join-Path $temp "$Stem.$hash.dll"
        $compile = @{ Path = $Path; OutputAssembly = $tempDll; OutputType = 'Library' }
        if ($Reference) {
            # Naming references replaces Add-Type's default set: give it back (the reference assemblies of this pwsh).
            $compile.ReferencedAssemblies = @($Reference) + @([psobject].Assembly.Location) +
                @(Get-ChildItem -Path (Join-Path $PSHOME 'ref') -Filter *.dll -ErrorAction Ignore | ForEach-Object FullName)
        }
        Add-Type @compile -ErrorAction Stop
        if ((Get-Item -LiteralPath $tempDll).Length -eq 0) { throw "Add-Type wrote an empty assembly for $Stem." }
        try { Move-Item -LiteralPath $tempDll -Destination $dll -ErrorAction Stop } catch { if (-not (Test-Path -LiteralPath $dll)) { throw } }
        Remove-Item -LiteralPath $temp -Recurse -Force -ErrorAction Ignore
    }
    [Reflection.Assembly]::LoadFrom($dll)
}
