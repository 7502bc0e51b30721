# OtherVault has no commands of its own; its vault functions are in OtherVault.Extension. Test code only.
