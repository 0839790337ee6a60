"""`envsetup install` provisioning: plan -> backends -> execute (target, lock, record). Resolving lives in envsetup.resolve."""
