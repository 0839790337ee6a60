"""Fleet: envsetup on every node of a cluster (Slurm first), merged into one report (issue 13,
docs/fleet.md).

`fleet run` starts doctor or verify on each node through srun (run.py, slurm.py, node_side.py);
`fleet report DIR` reads the run folder (one `--json` envelope per node, `.started` markers,
`fleet.json`), groups the nodes by fingerprint and says which differ, which to drain and which never
answered. The folder is read through host/files.py; merge, grouping and hostlist are pure.
"""
