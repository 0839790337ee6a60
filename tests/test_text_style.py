"""One text style for every command, read at 60 columns: lines fit, prose breaks between words
with a hanging indent, and a command to paste stays whole on its line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from envsetup.command_check.check import check_command
from envsetup.diagnose import diagnose
from envsetup.host.recorded import RecordedHost
from envsetup.install.preview import preview
from envsetup.probe import probe_all
from envsetup.profiles.loader import load_releases
from envsetup.profiles.lookup import lookup_build
from envsetup.render import style
from envsetup.render.check_command_text import instead_label
from envsetup.render.check_command_text import render_report as render_check_command
from envsetup.render.command_line import instead_command
from envsetup.render.doctor_text import render_doctor
from envsetup.render.finding_words import words_for
from envsetup.render.install_text import render_plan
from envsetup.render.resolution_words import explanation
from envsetup.render.verify_text import render_report as render_verify
from envsetup.resolve.quick import resolve_quickly
from envsetup.resolve.request import parse_request
from envsetup.verify.results import CheckResult, Target, VerifyReport
from hostbuilder import FIXTURES, case_host
from install.machines import make_facts
from test_json_envelope import PASTED

WIDTH = 60
# Lines style.command prints whole (the terminal wraps them; a paste runs them as shown).
PASTEABLE = re.compile(
    r"^\s*(\$ |fix: |Instead: |envsetup install would pick: |or: |Index URL: |Log: |Command \()"
    r"|^\s*[^\s`]*`[^`]*`\S*$"  # a prose fix's code span too long for a line: on its own
)
GPU_BOX = make_facts(
    driver="535.104.05", driver_cuda="12.2", gpus=[("NVIDIA GeForce RTX 3090", "8.6")]
)


def narrow() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=WIDTH, color_system=None, highlight=False), out


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_readable(text: str, prose: list[str]) -> None:
    """Every line fits in 60 columns, except a whole command; every prose string is there with
    its words intact (a break inside a word would put a space in it)."""
    for line in text.splitlines():
        if not PASTEABLE.match(line):
            assert len(line) <= WIDTH, line
        assert line == line.rstrip(), f"trailing blanks: {line!r}"
    joined = flat(text)
    for sentence in prose:
        if max((len(w) for w in sentence.split()), default=0) < WIDTH - 10:
            assert flat(sentence) in joined, sentence


def test_a_wrapped_item_hangs_under_its_text_and_breaks_between_words() -> None:
    console, out = narrow()
    words = "the cu121 build needs NVIDIA driver ≥ 530.30.02; this driver is 470.86: " * 3
    style.item(console, "error", words.strip())
    lines = out.getvalue().splitlines()
    assert len(lines) > 2
    assert lines[0].startswith(" ✗ the cu121")
    text_column = lines[0].index("the")
    for line in lines[1:]:
        assert line[:text_column].strip() == "" and line[text_column] != " ", lines
    assert flat(out.getvalue()) == flat("✗ " + words)


def test_a_fact_row_hangs_under_its_value() -> None:
    console, out = narrow()
    style.row(console, "ok", "Toolkit", "13.0.88 at /usr/local/cuda-13.0 " * 3, "nvcc on PATH")
    lines = out.getvalue().splitlines()
    value_column = lines[0].index("13.0.88")
    assert value_column == 1 + 1 + 1 + style.LABEL_WIDTH + 1
    assert all(line[:value_column].strip() == "" for line in lines[1:]), lines


def test_a_command_to_paste_is_never_broken() -> None:
    console, out = narrow()
    command = "pip install torch==2.1.2+cu121 torchvision==0.16.2+cu121 --index-url https://download.pytorch.org/whl/cu121"  # fmt: skip
    style.command(console, "Instead", command, indent=0)
    assert out.getvalue() == f"Instead: {command}\n"


def test_doctor_at_60_columns() -> None:
    facts = probe_all(RecordedHost(str(FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver")))
    findings = diagnose(facts, lookup_build)
    assert findings
    console, out = narrow()
    render_doctor(console, facts, findings, verbose=True)
    assert_readable(out.getvalue(), [words_for(f).title for f in findings])
    for finding in findings:
        fix = words_for(finding).fix
        if fix and style.is_command(fix):
            assert f"fix: {fix}" in out.getvalue()  # one line, whole
        elif fix:
            assert flat(f"fix: {fix}") in flat(out.getvalue())  # prose: wrapped, words whole


@pytest.mark.parametrize("pasted", PASTED)
def test_check_command_at_60_columns(pasted: str) -> None:
    report = check_command(pasted, GPU_BOX, load_releases())
    console, out = narrow()
    render_check_command(console, report)
    text = out.getvalue()
    assert_readable(text, [words_for(f).title for f in report.findings] + report.installs)
    instead = instead_command(report)
    if instead:
        assert f"{instead_label(report)}: {instead}\n" in text


def test_install_dry_run_at_60_columns(tmp_path: Path) -> None:
    request = parse_request(torch="2.1", env=str(tmp_path / "env"))
    resolution = resolve_quickly(request, GPU_BOX)
    (tmp_path / resolution.variant).mkdir()  # the local mirror holds the plan's build directory
    planned = preview(resolution, index_url_base=str(tmp_path), environ={"PATH": "/usr/bin:/bin"})
    console, out = narrow()
    render_plan(console, resolution, planned)
    text = out.getvalue()
    lines = explanation(resolution, planned.plan.index_url)  # the mirror the steps use
    assert_readable(text, lines + [s.description for s in planned.plan.steps])
    shown = [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("$ ")]
    assert shown == [" ".join(_quoted(step.argv)) for step in planned.plan.steps]


def _quoted(argv: tuple[str, ...]) -> list[str]:
    import shlex

    return [shlex.quote(word) for word in argv]


def test_verify_at_60_columns() -> None:
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "<string>", line 1, in <module>\n'
        "RuntimeError: CUDA error: no kernel image is available for execution on the device"
    )
    report = VerifyReport(
        target=Target("/home/u/.venv/bin/python", "3.11.7", "/home/u/.venv", "2.1.2", "cuda"),
        checks=[
            CheckResult("torch.import", "import torch", "pass", duration_s=1.2),
            CheckResult(
                "matmul",
                "matmul on every device",
                "fail",
                reason="cuda:0 raised RuntimeError: CUDA error: no kernel image is available for execution on the device",
                evidence={"error": traceback, "device": "cuda:0"},
                fix="envsetup install --env /home/u/.venv --force --cuda auto",
            ),
            CheckResult("compile", "torch.compile", "skip", reason="no C++ compiler found"),
        ],
        duration_s=3.4,
    )
    console, out = narrow()
    render_verify(report, console)
    text = out.getvalue()
    assert_readable(text, [report.checks[1].reason])
    assert "fix: envsetup install --env /home/u/.venv --force --cuda auto" in text


def test_gpus_are_named_by_sm_once_each_and_the_driver_line_reads_plainly() -> None:
    # dstack #2348's 8× H100 box: doctor, install --cuda cpu and install auto name the GPUs alike.
    from envsetup.render.install_json import install_findings
    from envsetup.resolve.resolver import resolve

    facts = probe_all(RecordedHost(str(case_host("07-fabricmanager-802-h100"))))
    console, out = narrow()
    render_doctor(console, facts, diagnose(facts, lookup_build), verbose=False)
    gpu_rows = [line for line in out.getvalue().splitlines() if "GPU " in line and "H100" in line]
    assert len(gpu_rows) == 8 and all(", sm_90," in row for row in gpu_rows)
    releases = load_releases()
    cpu = resolve(parse_request(cuda="cpu"), facts, releases)
    found = next(f for f in install_findings(cpu) if f.id == "cpu-build-on-nvidia-gpu")
    assert found.params["sms"] == ["sm_90"] * 8  # the data keeps one per GPU
    assert words_for(found).title.count("sm_90") == 1  # the words name it once
    auto = resolve(parse_request(), facts, releases)
    driver = next(r for r in auto.reasons if r.verdict and r.verdict.code.value == "driver-ok")
    line = explanation(auto)[auto.reasons.index(driver)]
    assert re.search(r"≤ [\d.]+ ≥", line) is None  # not "CUDA ≤ 12.2 ≥ 12.1"
    assert driver.verdict.params["build"] in line and driver.verdict.params["need"] in line


# ----------------------------------------------------------------------------- the real CLI
# Each command's human output, rendered by the real CLI (COLUMNS sets rich's width when the output
# is a pipe) at 60 and 100 columns, is read against the same output at a width where nothing
# wraps: every line fits, no word is broken, and a wrapped line hangs under its own text.

UNWRAPPED = 1000
BOX = re.compile(r"[─━│┃┏┓┗┛┡┩┣┫╇╋┳┻└┘┌┐├┤┼┬┴]")  # rules and table borders: drawn to the width


def cli_output(width: int, *args: str) -> str:
    from scripts import run_envsetup

    out = run_envsetup(*args, env={"COLUMNS": str(width)}, timeout=300)
    assert out.returncode in (0, 1), out.stderr  # a diagnosis with errors exits 1
    assert "Traceback" not in out.stderr
    return out.stdout


# What differs between two runs: durations, the time and pid in a log file's name.
DURATION = re.compile(r"\b\d+\.\d+s\b|\d{8}T\d{6}Z-\d+")


def prose_lines(text: str) -> list[str]:
    """The output's lines but rules and table rows (drawn to the width), durations as one word
    (two runs take different times)."""
    return [
        DURATION.sub("T", line)
        for line in text.splitlines()
        if line.strip() and not BOX.search(line)
    ]


def logical_groups(wide: list[str], narrow: list[str]) -> list[list[str]]:
    """The narrow lines each unwrapped line became, matched by their words."""
    groups: list[list[str]] = []
    at = 0
    for line in wide:
        want = "".join(line.split())
        got: list[str] = []
        while "".join("".join(x.split()) for x in got) != want:
            assert at < len(narrow) and want.startswith(
                "".join("".join(x.split()) for x in [*got, narrow[at]])
            ), f"{line!r} is not what the narrow output says: {narrow[at : at + 3]!r}"
            got.append(narrow[at])
            at += 1
        groups.append(got)
    assert at == len(narrow), narrow[at:]
    return groups


def broken_words(wide: list[str], narrow: list[str], width: int) -> list[str]:
    """Words of the unwrapped text the narrow text split, but a word longer than the room it had,
    split after a separator (style.BREAK_AFTER)."""
    whole = [w for line in narrow for w in line.split()]
    at, broken = 0, []
    for word in (w for line in wide for w in line.split()):
        if whole[at] == word:
            at += 1
            continue
        parts: list[str] = []
        while "".join(parts) != word:
            parts.append(whole[at])
            at += 1
        # A part with no separator at its end is one that filled its line: none was in reach.
        if len(word) < width // 2 or any(
            p[-1] not in style.BREAK_AFTER and len(p) < width - 20 for p in parts[:-1]
        ):
            broken.append(" | ".join(parts))
    return broken


def assert_reads_well(wide_text: str, narrow_text: str, width: int) -> None:
    for line in narrow_text.splitlines():
        assert PASTEABLE.match(line) or len(line) <= width, f"{len(line)} > {width}: {line!r}"
        assert line == line.rstrip(), f"trailing blanks: {line!r}"
    wide, narrow = prose_lines(wide_text), prose_lines(narrow_text)
    assert broken_words(wide, narrow, width) == []
    for group in logical_groups(wide, narrow):
        if len(group) < 2:
            continue
        first, rest = group[0], group[1:]
        hang = len(rest[0]) - len(rest[0].lstrip())
        indent = len(first) - len(first.lstrip())
        # Continuation lines all start at one column: under the start of a word of the first line
        # (the text's column, past its mark or label), or for prose style.HANG further in.
        assert all(len(line) - len(line.lstrip()) == hang for line in rest), group
        under_a_word = hang > indent and first[hang - 1] == " " and first[hang] != " "
        assert under_a_word or hang == indent + style.HANG, group


CLI_HOSTS = [
    FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver",
    case_host("07-fabricmanager-802-h100"),
    case_host("05-jetson-orin-pypi-cpu-wheel"),
    case_host("10-rocm-rx6700xt-gfx1031"),
    case_host("02-ldpath-nvjitlink-cuda121"),
]
CLI_RUNS = [
    *(("doctor", "--replay", str(host), "--verbose") for host in CLI_HOSTS),
    *(("install", "--dry-run", "--replay", str(host)) for host in CLI_HOSTS),
    *(("check-command", "--replay", str(CLI_HOSTS[1]), pasted) for pasted in PASTED[:5]),
    ("check-command", "--replay", str(CLI_HOSTS[2]), PASTED[1]),
    ("check-command", "--replay", str(CLI_HOSTS[3]), PASTED[6]),
]


@pytest.mark.parametrize("width", [60, 100])
@pytest.mark.parametrize("args", CLI_RUNS, ids=lambda a: f"{a[0]}-{Path(a[2]).name}")
def test_every_command_reads_well_at_60_and_100_columns(args: tuple[str, ...], width: int) -> None:
    assert_reads_well(cli_output(UNWRAPPED, *args), cli_output(width, *args), width)


@pytest.mark.parametrize("width", [60, 100])
def test_verify_with_a_failing_check_reads_well(tmp_path: Path, width: int) -> None:
    from venvs import bare_venv, fake_torch

    python = bare_venv(tmp_path / "a-venv-with-a-long-name-for-the-path-to-need-breaking")
    fake_torch(python, "raise ImportError('libtorch_cuda.so: cannot open shared object file')\n")
    args = ("verify", "--python", python, "--only", "torch.import,matmul")
    wide, narrow = cli_output(UNWRAPPED, *args), cli_output(width, *args)
    assert_reads_well(wide, narrow, width)
    table = [line for line in narrow.splitlines() if BOX.search(line)]
    assert table and all(len(line) <= width for line in table)


def test_a_prose_fix_wraps_and_keeps_each_code_span_on_one_line() -> None:
    console, out = narrow()
    span = "`export CUDA_HOME=/usr/local/cuda-12.4 PATH=/usr/local/cuda-12.4/bin:$PATH`"
    text = f"Install the CUDA 12.4 toolkit, then point CUDA_HOME at it, e.g. {span}, and rebuild the extension."  # fmt: skip
    style.fix_line(console, text)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("     fix: Install the CUDA 12.4")
    # Whole, on a line of its own (longer than the room).
    assert f"{span}," in [line.strip() for line in lines]
    assert all(len(line) <= WIDTH for line in lines if "`" not in line)
    column = lines[0].index("Install")
    assert all(line[:column].strip() == "" and line[column] != " " for line in lines[1:]), lines
    assert flat(out.getvalue()) == flat(f"fix: {text}")
    console, out = narrow()
    style.fix_line(console, "envsetup install --env /home/u/.venv --force --cuda auto --torch 2.1 --python 3.11")  # fmt: skip
    assert out.getvalue().count("\n") == 1  # a command: whole, the terminal wraps it


def test_the_checks_catch_what_they_look_for() -> None:
    wide = [" ✓ Python         3.9.21 CPython at /opt/conda/envs/workflow/bin/python"]
    mid_word = [" ✓ Python         3.9.21 CPython at /opt/conda/envs/workflow/bin/pyth", "on"]
    assert broken_words(wide, mid_word, 60) == ["/opt/conda/envs/workflow/bin/pyth | on"]
    at_slash = [" ✓ Python         3.9.21 CPython at /opt/conda/envs/workflow/bin/", "python"]
    assert broken_words(wide, at_slash, 60) == []
    flush_left = [" ✓ Python         3.9.21 CPython at", "/opt/conda/envs/workflow/bin/python"]
    with pytest.raises(AssertionError):
        assert_reads_well(wide[0], "\n".join(flush_left), 60)
    hung = [" ✓ Python         3.9.21 CPython at", "                  /opt/conda/envs/workflow/bin/python"]  # fmt: skip
    assert_reads_well(wide[0], "\n".join(hung), 60)
