# The start-up baseline of the Bench task: a manifest module that loads nothing and exports nothing.
# Import-Module of it pays what every module pays (finding, parsing and registering a manifest), so
# ConvTokens' start-up is quoted over it, not over a pwsh that imports nothing.
@{
    ModuleVersion     = '1.0.0'
    GUID              = '0b9f3c1e-6a2d-4e57-8c3b-5d1a7e9f2c64'
    Description       = 'Do-nothing module: the start-up baseline of bench/Measure-ConvTokens.ps1.'
    PowerShellVersion = '7.4'
    FunctionsToExport = @()
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
