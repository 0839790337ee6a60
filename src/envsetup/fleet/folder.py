"""Reading a run folder (docs/fleet.md, "The run folder"): every `<node>.json` report, every
`<node>.started` marker and the optional `fleet.json` manifest, through host/files.py.

Nothing here judges: a file that cannot be read or is not a report is kept with the reason, one
line naming it ("n7.json: not JSON (line 1, column 1): Expecting value"), for merge.py to report
against its node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from envsetup.errors import UsageError
from envsetup.host.files import LOCAL, Files

MANIFEST = "fleet.json"
REPORT_SUFFIX = ".json"
MARKER_SUFFIX = ".started"
# A node report is tens of kilobytes; a file far larger is not one (and is not read whole).
MAX_REPORT_BYTES = 16 * 1024 * 1024
MAX_MARKER_BYTES = 4096
NODE_REPORT_COMMANDS = ("doctor", "verify")


@dataclass
class NodeFile:
    """One `<node>.json`: its envelope, or why there is none."""

    node: str
    document: Optional[dict[str, Any]] = None
    problem: Optional[str] = None
    # When the file was last written (seconds since the epoch): a report carries no time of its
    # own, and `--out` renames the finished report into place (fleet/age.py). None: no stat.
    mtime: Optional[float] = None


@dataclass
class RunFolder:
    directory: str
    reports: dict[str, NodeFile] = field(default_factory=dict)
    started: dict[str, str] = field(default_factory=dict)  # node -> the marker's first line
    manifest: Optional[dict[str, Any]] = None
    manifest_problem: Optional[str] = None


def read_run_folder(directory: str, host_files: Files = LOCAL) -> RunFolder:
    """The run folder's reports, markers and manifest. UsageError (exit 2) when it is no folder."""
    where = Path(directory)
    if not host_files.is_dir(where):
        reason = "it is not a directory" if host_files.exists(where) else "no such directory"
        raise UsageError(
            f"fleet report {directory}: {reason}; fix: name the folder `envsetup fleet run "
            "--out DIR` wrote (one <node>.json per node)"
        )
    try:
        entries = host_files.list_dir(where)
    except OSError as exc:
        raise UsageError(
            f"fleet report {directory}: cannot list the folder ({exc.strerror or exc}); fix: "
            "check its permissions"
        ) from None
    run = RunFolder(directory=directory)
    for path in sorted(entries):
        name = path.name
        if name.startswith("."):  # a node's temp file mid-write (`.n3.json.tmp`), editor files
            continue
        if name == MANIFEST:
            run.manifest, run.manifest_problem = _read_manifest(path, host_files)
        elif name.endswith(REPORT_SUFFIX):
            node = name[: -len(REPORT_SUFFIX)]
            run.reports[node] = read_node_file(node, path, host_files)
        elif name.endswith(MARKER_SUFFIX):
            node = name[: -len(MARKER_SUFFIX)]
            run.started[node] = _marker_line(path, host_files)
    if not run.reports and not run.started and run.manifest is None:
        # Nothing to merge: a wrong folder, or a run whose nodes could not write to it.
        problem = f" ({run.manifest_problem})" if run.manifest_problem else ""
        raise UsageError(
            f"fleet report {directory}: no node report, start marker or fleet.json in it"
            f"{problem}; fix: name the folder `envsetup fleet run --out DIR` wrote, on a file "
            "system every node shares"
        )
    return run


def read_node_file(node: str, path: Path, host_files: Files = LOCAL) -> NodeFile:
    # Its time before its content: a report renamed into place between the two is judged by
    # the older time, never an old report by a newer one's time.
    mtime = _mtime(path, host_files)
    try:
        raw = host_files.read_regular(path, MAX_REPORT_BYTES)
    except OSError as exc:
        return NodeFile(node, problem=f"{path.name}: {exc.strerror or exc}")
    document, problem = parse_report(raw)
    return NodeFile(node, document, f"{path.name}: {problem}" if problem else None, mtime)


def _mtime(path: Path, host_files: Files) -> Optional[float]:
    try:
        return host_files.stat(path).st_mtime
    except OSError:  # reading it says why
        return None


def parse_report(raw: bytes) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """A node report's envelope, or (None, why it is not one)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start})"
    if not text.strip():
        return None, "empty (the node stopped before writing its report)"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
    except RecursionError:
        return None, "not JSON envsetup reads (nested too deeply)"
    if not isinstance(document, dict):
        return None, f"not a report (a JSON {type(document).__name__}, not an object)"
    command = document.get("command")
    if command not in NODE_REPORT_COMMANDS:
        return None, (
            f"not a doctor or verify report (command: {json.dumps(command)}); the run folder "
            "holds `envsetup doctor --json` or `envsetup verify --json` documents"
        )
    if not isinstance(document.get("findings", []), list) or not isinstance(
        document.get("data") or {}, dict
    ):
        return None, f"not a {command} report (findings or data of the wrong type)"
    return document, None


def _read_manifest(path: Path, host_files: Files) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    try:
        manifest = json.loads(host_files.read_regular(path, MAX_REPORT_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return (
            None,
            f"{path.name}: cannot be read as JSON ({exc}); the nodes are taken from the reports and markers",
        )
    nodes = manifest.get("nodes") if isinstance(manifest, dict) else None
    if not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes):
        return (
            None,
            f"{path.name}: has no `nodes` list of names; the nodes are taken from the reports and markers",
        )
    return manifest, None


def _marker_line(path: Path, host_files: Files) -> str:
    try:
        raw = host_files.read_up_to(path, MAX_MARKER_BYTES)
    except OSError:
        return ""
    lines = raw.decode("utf-8", "replace").splitlines()
    return lines[0].strip() if lines else ""
