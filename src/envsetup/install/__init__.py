"""`envsetup install`: profiles → resolver → plan → execute."""
