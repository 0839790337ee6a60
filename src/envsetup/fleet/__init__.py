"""Fleets: many nodes' reports, merged (issue 13, docs/fleet.md).

`fleet report DIR` reads a run folder (one doctor or verify `--json` envelope per node, `.started`
markers, `fleet.json`), groups the nodes by fingerprint and says which nodes differ, which findings
and failed checks they have, which to drain and which never answered. The folder is read through
host/files.py; everything after that is pure (merge, grouping, hostlist).
"""
