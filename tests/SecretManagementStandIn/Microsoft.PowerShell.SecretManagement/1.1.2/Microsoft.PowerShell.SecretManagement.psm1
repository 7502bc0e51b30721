# Test stand-in for Microsoft.PowerShell.SecretManagement 1.1.2 (backed by an in-memory "SecretStore").
# Written for this repository's tests; it is not the real module's code.
# Secrets live only in process memory and are never written to any stream, message or file.
Set-StrictMode -Version 3.0

if (-not ('SecretManagementStandIn.StandInStore' -as [type])) {
    if ('Microsoft.PowerShell.SecretManagement.SecretInformation' -as [type]) {
        throw 'The real Microsoft.PowerShell.SecretManagement module is already loaded in this process; the test stand-in cannot be imported next to it.'
    }
    Add-Type -Path (Join-Path $PSScriptRoot 'StandInTypes.cs')
}

# Get-Secret, Get-SecretInfo and Get-SecretVault are compiled cmdlets (StandInTypes.cs), so their errors carry
# the real module's FullyQualifiedErrorIds and their password prompt goes through the runspace's host.
Import-Module -Assembly ([Microsoft.PowerShell.SecretManagement.GetSecretCommand].Assembly)

$script:Store = [SecretManagementStandIn.StandInStore]
$script:SecretStoreModule = 'Microsoft.PowerShell.SecretStore'

#region private helpers

function NewStandInErrorRecord {
    param(
        [Exception] $Exception,
        [string] $ErrorId,
        [System.Management.Automation.ErrorCategory] $Category,
        [object] $Target
    )
    [System.Management.Automation.ErrorRecord]::new($Exception, $ErrorId, $Category, $Target)
}

function NewVaultNotFoundRecord {
    param([string] $VaultName, [string] $ErrorId)
    NewStandInErrorRecord ([System.Management.Automation.PSInvalidOperationException]::new("Vault not found in registry: $VaultName")) `
        $ErrorId ([System.Management.Automation.ErrorCategory]::InvalidOperation) $VaultName
}

function NewNoVaultsRecord {
    param([string] $ErrorId)
    NewStandInErrorRecord ([System.Management.Automation.PSInvalidOperationException]::new('There are currently no extension vaults registered.')) `
        $ErrorId ([System.Management.Automation.ErrorCategory]::InvalidOperation) $null
}

function NewLockedRecord {
    param([string] $VaultName)
    NewStandInErrorRecord ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException]::new()) `
        'PasswordRequired' ([System.Management.Automation.ErrorCategory]::InvalidOperation) $VaultName
}

function NewSecretNotFoundRecord {
    param([string] $SecretName, [string] $ErrorId)
    NewStandInErrorRecord ([System.Management.Automation.ItemNotFoundException]::new("The secret $SecretName was not found.")) `
        $ErrorId ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $SecretName
}

# Returns the vaults to search (one vault when -Vault is given, else default first then the rest)
# or an ErrorRecord the caller must throw as terminating.
function ResolveStandInVaults {
    param([string] $VaultName, [string] $ErrorId)
    if (-not [string]::IsNullOrEmpty($VaultName)) {
        $v = $script:Store::FindVault($VaultName)
        if ($null -eq $v) { return , (NewVaultNotFoundRecord $VaultName $ErrorId) }
        return , @($v)
    }
    if ($script:Store::VaultCount -eq 0) { return , (NewNoVaultsRecord $ErrorId) }
    return , $script:Store::GetSearchOrder()
}

# Target vault for a write: the named one, else the default vault.
function ResolveStandInWriteVault {
    param([string] $VaultName, [string] $ErrorId)
    if (-not [string]::IsNullOrEmpty($VaultName)) {
        $v = $script:Store::FindVault($VaultName)
        if ($null -eq $v) { return NewVaultNotFoundRecord $VaultName $ErrorId }
        return $v
    }
    if ($script:Store::VaultCount -eq 0) { return NewNoVaultsRecord $ErrorId }
    $default = $script:Store::DefaultVaultName
    if ([string]::IsNullOrEmpty($default)) {
        return NewStandInErrorRecord ([System.Management.Automation.PSInvalidOperationException]::new(
                'No vault was specified and no default vault is set. Use the -Vault parameter or Set-SecretVaultDefault.')) `
            $ErrorId ([System.Management.Automation.ErrorCategory]::InvalidOperation) $null
    }
    return $script:Store::FindVault($default)
}

#endregion

#region Microsoft.PowerShell.SecretManagement commands

function Set-Secret {
    [CmdletBinding(DefaultParameterSetName = 'SecureStringParameterSet', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'SecureStringParameterSet', Position = 0, Mandatory = $true)]
        [Parameter(ParameterSetName = 'ObjectParameterSet', Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(ParameterSetName = 'ObjectParameterSet', Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [object] $Secret,

        [Parameter(ParameterSetName = 'SecureStringParameterSet', Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [securestring] $SecureStringSecret,

        [Parameter(ParameterSetName = 'SecretInfoParameterSet', Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [Microsoft.PowerShell.SecretManagement.SecretInformation] $SecretInfo,

        [Parameter(ParameterSetName = 'SecureStringParameterSet', Position = 1)]
        [Parameter(ParameterSetName = 'ObjectParameterSet', Position = 1)]
        [Parameter(ParameterSetName = 'SecretInfoParameterSet', Position = 1, Mandatory = $true)]
        [string] $Vault,

        [Parameter(ParameterSetName = 'SecureStringParameterSet', Position = 2)]
        [Parameter(ParameterSetName = 'ObjectParameterSet', Position = 2)]
        [hashtable] $Metadata,

        [switch] $NoClobber
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Set-Secret')
        $target = ResolveStandInWriteVault $Vault 'SetSecretInvalidOperation'
        if ($target -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.ThrowTerminatingError($target) }
        if ($target.IsLocked) { $PSCmdlet.ThrowTerminatingError((NewLockedRecord $target.Name)) }

        switch ($PSCmdlet.ParameterSetName) {
            'SecureStringParameterSet' { $secretName = $Name; $value = $SecureStringSecret; $md = $Metadata }
            'ObjectParameterSet' { $secretName = $Name; $value = $Secret; $md = $Metadata }
            'SecretInfoParameterSet' {
                $secretName = $SecretInfo.Name
                $source = $script:Store::FindVault($SecretInfo.VaultName)
                if ($null -eq $source) { $PSCmdlet.ThrowTerminatingError((NewVaultNotFoundRecord $SecretInfo.VaultName 'SetSecretInvalidOperation')) }
                if ($source.IsLocked) { $PSCmdlet.ThrowTerminatingError((NewLockedRecord $source.Name)) }
                $value = $null
                if (-not $script:Store::TryGetSecret($source, $secretName, $false, [ref] $value)) {
                    $PSCmdlet.WriteError((NewSecretNotFoundRecord $secretName 'SetSecretNotFound'))
                    return
                }
                $md = @{}
                foreach ($k in $SecretInfo.Metadata.Keys) { $md[$k] = $SecretInfo.Metadata[$k] }
            }
        }

        if ($NoClobber -and $script:Store::ContainsSecret($target, $secretName)) {
            $PSCmdlet.WriteError((NewStandInErrorRecord ([System.Management.Automation.PSInvalidOperationException]::new(
                            "A secret with name $secretName already exists in vault $($target.Name).")) `
                        'SetSecretAlreadyExists' ([System.Management.Automation.ErrorCategory]::ResourceExists) $secretName))
            return
        }

        if ($PSCmdlet.ShouldProcess("Vault: $($target.Name)", "Write secret '$secretName'")) {
            if (-not $script:Store::SetSecret($target, $secretName, $value, $md)) {
                $typeName = if ($value -is [psobject]) { $value.BaseObject.GetType().FullName } else { $value.GetType().FullName }
                $PSCmdlet.ThrowTerminatingError((NewStandInErrorRecord ([System.ArgumentException]::new(
                                "Secret $secretName has unsupported type $typeName. Supported types are: byte[], string, SecureString, PSCredential, Hashtable.")) `
                            'SetSecretInvalidType' ([System.Management.Automation.ErrorCategory]::InvalidArgument) $secretName))
            }
            Write-Verbose "Secret '$secretName' written to vault '$($target.Name)'."
        }
    }
}

function Set-SecretInfo {
    [CmdletBinding(DefaultParameterSetName = 'NameParameterSet', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Position = 1, Mandatory = $true)]
        [hashtable] $Metadata,

        [Parameter(ParameterSetName = 'NameParameterSet', Position = 2)]
        [string] $Vault,

        [Parameter(ParameterSetName = 'InfoParameterSet', Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [Microsoft.PowerShell.SecretManagement.SecretInformation] $InputObject
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Set-SecretInfo')
        if ($PSCmdlet.ParameterSetName -eq 'InfoParameterSet') { $secretName = $InputObject.Name; $vaultName = $InputObject.VaultName }
        else { $secretName = $Name; $vaultName = $Vault }
        $targets = ResolveStandInVaults $vaultName 'SetSecretInfoInvalidOperation'
        if ($targets -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.ThrowTerminatingError($targets) }
        foreach ($v in $targets) {
            if ($v.IsLocked) { $PSCmdlet.ThrowTerminatingError((NewLockedRecord $v.Name)) }
            if ($script:Store::ContainsSecret($v, $secretName)) {
                if ($PSCmdlet.ShouldProcess("Vault: $($v.Name)", "Set metadata of secret '$secretName'")) {
                    $null = $script:Store::SetMetadata($v, $secretName, $Metadata)
                }
                return
            }
        }
        $PSCmdlet.WriteError((NewSecretNotFoundRecord $secretName 'SetSecretInfoNotFound'))
    }
}

function Remove-Secret {
    [CmdletBinding(DefaultParameterSetName = 'NameParameterSet')]
    param(
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(ParameterSetName = 'NameParameterSet', Position = 1, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Vault,

        [Parameter(ParameterSetName = 'InfoParameterSet', Position = 0, Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [Microsoft.PowerShell.SecretManagement.SecretInformation] $InputObject
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Remove-Secret')
        if ($PSCmdlet.ParameterSetName -eq 'InfoParameterSet') { $secretName = $InputObject.Name; $vaultName = $InputObject.VaultName }
        else { $secretName = $Name; $vaultName = $Vault }
        $v = $script:Store::FindVault($vaultName)
        if ($null -eq $v) { $PSCmdlet.ThrowTerminatingError((NewVaultNotFoundRecord $vaultName 'RemoveSecretInvalidOperation')) }
        if ($v.IsLocked) { $PSCmdlet.ThrowTerminatingError((NewLockedRecord $v.Name)) }
        if ($script:Store::RemoveSecret($v, $secretName)) {
            Write-Verbose "Secret '$secretName' removed from vault '$($v.Name)'."
        }
        else {
            $PSCmdlet.WriteError((NewSecretNotFoundRecord $secretName 'RemoveSecretNotFound'))
        }
    }
}

function Register-SecretVault {
    [CmdletBinding(SupportsShouldProcess = $true)]
    [OutputType([Microsoft.PowerShell.SecretManagement.SecretVaultInfo])]
    param(
        [Parameter(Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $ModuleName,

        [Parameter(Position = 1)]
        [string] $Name,

        [hashtable] $VaultParameters,

        [switch] $DefaultVault,

        [switch] $AllowClobber,

        [switch] $PassThru,

        [string] $Description
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Register-SecretVault')
        $modulePath = ''
        $moduleLeaf = $ModuleName
        if (Test-Path -LiteralPath $ModuleName) {
            $modulePath = (Resolve-Path -LiteralPath $ModuleName).ProviderPath
            $moduleLeaf = [System.IO.Path]::GetFileNameWithoutExtension($modulePath)
        }
        else {
            $loaded = Get-Module -Name $ModuleName | Select-Object -First 1
            if ($null -ne $loaded) { $modulePath = $loaded.Path }
        }
        if ([string]::IsNullOrEmpty($Name)) { $Name = $moduleLeaf }
        if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Name)) {
            $PSCmdlet.ThrowTerminatingError((NewStandInErrorRecord ([System.ArgumentException]::new(
                            "Vault name $Name cannot contain wildcard characters.")) 'RegisterSecretVaultInvalidVaultName' `
                        ([System.Management.Automation.ErrorCategory]::InvalidArgument) $Name))
        }
        if (-not $PSCmdlet.ShouldProcess($Name, 'Register secret vault')) { return }
        $ok = $script:Store::RegisterVault($Name, $moduleLeaf, $modulePath, $Description, $VaultParameters, $DefaultVault.IsPresent, $AllowClobber.IsPresent)
        if (-not $ok) {
            $PSCmdlet.ThrowTerminatingError((NewStandInErrorRecord ([System.Management.Automation.PSInvalidOperationException]::new(
                            "Provided Name $Name is already used by another registered vault. Use -AllowClobber to replace it.")) `
                        'RegisterSecretVaultInvalidVaultName' ([System.Management.Automation.ErrorCategory]::InvalidOperation) $Name))
        }
        if ($PassThru) { $PSCmdlet.WriteObject($script:Store::ToVaultInfo($script:Store::FindVault($Name))) }
    }
}

function Unregister-SecretVault {
    [CmdletBinding(DefaultParameterSetName = 'NameParameterSet', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 0, Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name,

        [Parameter(ParameterSetName = 'SecretVaultParameterSet', Position = 0, Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [Microsoft.PowerShell.SecretManagement.SecretVaultInfo] $SecretVault
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Unregister-SecretVault')
        $names = if ($PSCmdlet.ParameterSetName -eq 'SecretVaultParameterSet') { @($SecretVault.Name) } else { $Name }
        foreach ($n in $names) {
            if ($null -eq $script:Store::FindVault($n)) {
                $PSCmdlet.WriteError((NewStandInErrorRecord ([System.Management.Automation.ItemNotFoundException]::new(
                                "Unable to find secret vault $n to unregister it.")) 'UnregisterSecretVaultObjectNotFound' `
                            ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $n))
                continue
            }
            if ($PSCmdlet.ShouldProcess($n, 'Unregister secret vault')) { $null = $script:Store::UnregisterVault($n) }
        }
    }
}

function Set-SecretVaultDefault {
    [CmdletBinding(DefaultParameterSetName = 'NameParameterSet', SupportsShouldProcess = $true)]
    param(
        [Parameter(ParameterSetName = 'NameParameterSet', Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(ParameterSetName = 'SecretVaultParameterSet', Position = 0, Mandatory = $true, ValueFromPipeline = $true)]
        [ValidateNotNull()]
        [Microsoft.PowerShell.SecretManagement.SecretVaultInfo] $SecretVault,

        [Parameter(ParameterSetName = 'ClearParameterSet', Mandatory = $true)]
        [switch] $ClearDefault
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Set-SecretVaultDefault')
        if ($PSCmdlet.ParameterSetName -eq 'ClearParameterSet') {
            if ($PSCmdlet.ShouldProcess('SecretManagement vault registry', 'Clear default vault')) { $script:Store::ClearDefaultVault() }
            return
        }
        $vaultName = if ($PSCmdlet.ParameterSetName -eq 'SecretVaultParameterSet') { $SecretVault.Name } else { $Name }
        if ($null -eq $script:Store::FindVault($vaultName)) {
            $PSCmdlet.ThrowTerminatingError((NewVaultNotFoundRecord $vaultName 'SetSecretVaultDefaultInvalidOperation'))
        }
        if ($PSCmdlet.ShouldProcess($vaultName, 'Set default vault')) { $null = $script:Store::SetDefaultVault($vaultName) }
    }
}

function Test-SecretVault {
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string[]] $Name = @('*')
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Test-SecretVault')
        foreach ($n in $Name) {
            $pattern = [System.Management.Automation.WildcardPattern]::new($n, [System.Management.Automation.WildcardOptions]::IgnoreCase)
            $matched = @($script:Store::GetVaults() | Where-Object { $pattern.IsMatch($_.Name) })
            if ($matched.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
                $PSCmdlet.WriteError((NewVaultNotFoundRecord $n 'TestSecretVaultInvalidOperation'))
                continue
            }
            foreach ($v in $matched) {
                if ($v.IsLocked) {
                    $PSCmdlet.WriteError((NewLockedRecord $v.Name))
                    $PSCmdlet.WriteObject($false)
                }
                else { $PSCmdlet.WriteObject($true) }
            }
        }
    }
}

function Unlock-SecretVault {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Name,

        [Parameter(Position = 1, Mandatory = $true)]
        [ValidateNotNull()]
        [securestring] $Password
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Unlock-SecretVault')
        $v = $script:Store::FindVault($Name)
        if ($null -eq $v) { $PSCmdlet.ThrowTerminatingError((NewVaultNotFoundRecord $Name 'UnlockSecretVaultInvalidOperation')) }
        if (-not $script:Store::TryUnlock($v, $Password)) {
            $PSCmdlet.WriteError((NewStandInErrorRecord ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException]::new(
                            "Unable to unlock vault $($v.Name): the provided password is incorrect.")) 'UnlockSecretVaultInvalidPassword' `
                        ([System.Management.Automation.ErrorCategory]::AuthenticationError) $v.Name))
        }
    }
}

#endregion

#region Microsoft.PowerShell.SecretStore command (the real one lives in the SecretStore module)

function Unlock-SecretStore {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, Mandatory = $true)]
        [ValidateNotNull()]
        [securestring] $Password,

        [ValidateRange(-1, [int]::MaxValue)]
        [int] $PasswordTimeout = 900
    )
    begin {
        # A compiled cmdlet honours the caller's preference variables; a script-module function would
        # otherwise see the module/global ones. Import the caller's values unless given as parameters.
        if (-not $PSBoundParameters.ContainsKey('ErrorAction')) { $ErrorActionPreference = $PSCmdlet.GetVariableValue('ErrorActionPreference') }
        if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = $PSCmdlet.GetVariableValue('VerbosePreference') }
    }
    process {
        $script:Store::RecordCall('Unlock-SecretStore')
        foreach ($v in $script:Store::GetVaults()) {
            if ($v.ModuleName -ne $script:SecretStoreModule) { continue }
            if (-not $script:Store::TryUnlock($v, $Password)) {
                $PSCmdlet.WriteError((NewStandInErrorRecord ([Microsoft.PowerShell.SecretManagement.PasswordRequiredException]::new(
                                'Unable to unlock the Microsoft.PowerShell.SecretStore vault: the provided password is incorrect.')) `
                            'UnlockSecretStoreInvalidPassword' ([System.Management.Automation.ErrorCategory]::AuthenticationError) $v.Name))
            }
        }
    }
}

#endregion

#region Test hooks (not part of the real API)

function Set-StandInVaultLock {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $Vault,

        [Parameter(Mandatory = $true)]
        [bool] $Locked,

        [securestring] $Password,

        # SecretStore's -Interaction for this vault; every vault starts with Prompt, the real default.
        [ValidateSet('Prompt', 'None')]
        [string] $Interaction
    )
    $v = $script:Store::FindVault($Vault)
    if ($null -eq $v) { $PSCmdlet.ThrowTerminatingError((NewVaultNotFoundRecord $Vault 'SetStandInVaultLockInvalidOperation')) }
    $script:Store::SetLock($v, $Locked, $Password, $(if ($Interaction) { $Interaction } else { $null }))
}

function Get-StandInCallCount {
    [CmdletBinding()]
    param([string] $Command)
    if ([string]::IsNullOrEmpty($Command)) { return $script:Store::GetCallCounts() }
    $script:Store::GetCallCount($Command)
}

function Get-StandInCallThreads {
    [CmdletBinding()]
    [OutputType([int])]
    param([string] $Command = 'Get-Secret')
    $script:Store::GetCallThreads($Command)
}

function Reset-StandIn {
    [CmdletBinding()]
    param()
    $script:Store::Reset()
}

#endregion

Export-ModuleMember -Cmdlet 'Get-Secret', 'Get-SecretInfo', 'Get-SecretVault' -Function @(
    'Set-Secret', 'Set-SecretInfo', 'Remove-Secret',
    'Register-SecretVault', 'Unregister-SecretVault', 'Set-SecretVaultDefault',
    'Test-SecretVault', 'Unlock-SecretVault', 'Unlock-SecretStore',
    'Set-StandInVaultLock', 'Get-StandInCallCount', 'Get-StandInCallThreads', 'Reset-StandIn'
)
