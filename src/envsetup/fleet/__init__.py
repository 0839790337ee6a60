"""Fleet: envsetup on every node of a cluster (Slurm first), merged into one report (issue 13)."""
