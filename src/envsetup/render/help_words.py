"""The words of `--help` that are not an option's own: each command's examples (its help epilog)
and the top level's. cli.py hands them to typer when it registers a command.

Help must stand on its own in an installed wheel, where docs/ is not shipped: it names no file of
the source tree; what a reader needs (the check ids, how to get a JSON Schema) is said here or in
the option's help itself.
"""

from __future__ import annotations

from typing import Optional

# --json, as every command with a result envelope says it ({what}: "report", "result", ...).
JSON_HELP = (
    "Print the {what} as one JSON document, the result envelope "
    "(python -m envsetup.render.schema DIR writes its JSON Schema)."
)

# The node outputs' option help (doctor and verify both take them, envsetup/node_outputs.py writes
# them): said once here, since commands/ modules do not import each other.
OUT_HELP = (
    "Also write the --json document to PATH, atomically; {host} in PATH is the node "
    "name ($SLURMD_NODENAME, else the host name)."
)
PROMETHEUS_HELP = (
    "Also write a node_exporter textfile (.prom) to PATH, atomically; {host} as for --out."
)
# What --budget cuts differs: doctor stops probing, verify skips the later checks.
BUDGET_HELP: dict[str, str] = {
    "doctor": "Finish within SECONDS with what is known; what was cut is listed in the report.",
    "verify": "Finish within SECONDS: checks get what is left, later ones are skipped and listed.",
}

# command -> (example command line, what it does); every line is a command the tool accepts
# (tests/test_help.py runs them through the parser).
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "doctor": [
        ("envsetup doctor", "check this machine; each problem with its fix"),
        ("envsetup doctor -v", "plus the evidence and where each fact was read"),
        ("envsetup doctor --json", "the same report as one JSON document"),
        ("envsetup doctor --python ~/envs/ml/bin/python", "inspect another environment's torch"),
        ("envsetup doctor --deep", "also import torch to confirm CUDA works"),
        ("envsetup doctor --record host-dir", "capture this host into host-dir ..."),
        ("envsetup doctor --replay host-dir", "... and diagnose it on any machine"),
    ],
    "install": [
        ("envsetup install --dry-run", "the plan: the reasons, every step"),
        ("envsetup install --cuda 11.8 --torch 2.0", "resolve that build, provision ./.venv"),
        ("envsetup install --manager uv --env ./.venv-torch", "with uv, into ./.venv-torch"),
        ("envsetup install --backend rocm --dry-run", "AMD GPUs: the ROCm build that runs them"),
        ("envsetup install --cuda cpu --python 3.12 --dry-run", "a CPU build for Python 3.12"),
        ("envsetup install --dry-run --replay host-dir", "plan for a recorded host"),
    ],
    "verify": [
        ("envsetup verify --env ./.venv", "run the smoke tests in ./.venv's interpreter"),
        ("envsetup verify --python ~/envs/ml/bin/python --require-gpu", "fail without a GPU"),
        ("envsetup verify --only matmul,compile", "only these checks"),
        ("envsetup verify --bench --junit verify.xml", "add the benchmarks; a JUnit report"),
    ],
    "check-command": [
        (
            'envsetup check-command "pip install torch --index-url '
            'https://download.pytorch.org/whl/cu118"',
            "what it would install",
        ),
        (
            'envsetup check-command "conda install pytorch cudatoolkit=11.1 -c pytorch"',
            "a conda command",
        ),
        (
            'envsetup check-command --replay host-dir "uv pip install torch"',
            "judged for a recorded host",
        ),
    ],
    "explain": [
        ("envsetup explain report.txt", "a pasted report, over this machine's facts"),
        ("xclip -o | envsetup explain", "standard input (macOS: pbpaste)"),
        ("envsetup explain log.txt --no-host", "only what the paste states"),
        ("envsetup explain report.txt --record host-dir", "the merged facts as a recorded host"),
    ],
    "fleet": [
        ("envsetup fleet run --out /shared/envsetup/run1", "inside salloc/sbatch: every node"),
        ("envsetup fleet run --out /shared/run2 -- -w gpu[01-64]", "from a login node: these"),
        ("envsetup fleet report /shared/envsetup/run1 --json", "a run folder's merged report"),
    ],
}

# A command group's subcommands (`envsetup fleet report`), by their full name.
GROUP_EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "fleet run": [
        ("envsetup fleet run --out /shared/envsetup/run1", "inside salloc/sbatch: every node"),
        ("envsetup fleet run --out /shared/run2 -- -w gpu[01-64]", "from a login node: these"),
        ("envsetup fleet run --verify --budget 300 --out /shared/run3 -- -N 8 -p gpu", "verify"),
    ],
    "fleet report": [
        ("envsetup fleet report runs/nightly", "merge the node reports in runs/nightly"),
        ("envsetup fleet report runs/nightly --json", "the merged report as one JSON document"),
        ("envsetup fleet report runs/nightly --junit fleet.xml", "also one JUnit suite per node"),
        (
            "envsetup fleet report /shared/envsetup/health --max-age 30m",
            "a health check's folder: reports older than 30 min are stale",
        ),
    ],
}

TOP_EXAMPLES: list[tuple[str, str]] = [
    ("envsetup doctor", "start here: what is wrong, how to fix it"),
    ("envsetup install --dry-run", "the PyTorch build that fits, its steps"),
    ("envsetup verify --env ./.venv", "prove an environment computes on its GPU"),
    ("envsetup COMMAND -h", "each command's options and examples"),
]


def epilog(command: str, width: Optional[int] = None) -> str:
    """The help epilog of `command` ("" for the top level): its examples, one paragraph each,
    each a command line and a shell comment saying what it does, for a terminal `width` columns
    wide (None: this terminal's, as rich detects it).

    Paragraphs, not lines: typer's rich help joins the lines of a paragraph in some releases
    (0.12) and keeps them in others (0.28). The text is rich markup, so it is escaped."""
    from rich.markup import escape

    if width is None:
        from envsetup.render.style import console

        width = console().width
    examples = (EXAMPLES.get(command) or GROUP_EXAMPLES[command]) if command else TOP_EXAMPLES
    # typer pads the epilog by one column on each side.
    room = max(width - 2, 20)
    rows = [escape(_example(line, what, room)) for line, what in examples]
    return "\n\n".join(["Examples (each line can be pasted into a shell):", *rows])


def _example(line: str, what: str, room: int) -> str:
    """`line  # what` when it fits in `room` columns; else the comment under the command, each
    of its lines a shell comment hanging under it, broken between words (a paste of any line
    still runs; where typer joins a paragraph's lines, the comments follow the command)."""
    import textwrap

    # Not aligned: padding pushes the comments past a narrow terminal's edge.
    one = f"{line}  # {what}"
    if len(one) <= room:
        return one
    comment = textwrap.wrap(what, max(room - len(COMMENT_LEAD), 10), break_long_words=False)
    return "\n".join([line, *(COMMENT_LEAD + part for part in comment)])


COMMENT_LEAD = "  # "
