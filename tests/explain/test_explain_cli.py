"""`envsetup explain` as a real process: standard input and files, --json against its published
schema, --no-host, --replay with the real recordings (tests/fixtures/hosts, cases/*/host), --record that doctor
replays, and bad input as one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import jsonschema
import pytest

from explain.corpus import FIXTURES, text
from hostbuilder import case_host, host_name, recorded_host_dirs

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schema" / "explain.schema.json").read_text(encoding="utf-8"))
NVCC_128 = FIXTURES / "nvcc" / "nvcc-12.8.93.txt"
NOTES = FIXTURES / "paste" / "markdown-notes-os-release-uname-ubuntu-24.04.txt"


def explain(*args: str, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess[str]:
    process = subprocess.run(
        [sys.executable, "-m", "envsetup", "explain", *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, "COLUMNS": "100"},
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(
        process.args,
        process.returncode,
        process.stdout.decode("utf-8", "replace"),
        process.stderr.decode("utf-8", "replace"),
    )


def document(out: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    doc = json.loads(out.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["command"] == "explain" and doc["exit_code"] == out.returncode
    return doc


def test_standard_input_and_a_file_say_the_same() -> None:
    from_stdin = document(explain("--no-host", "--json", stdin=NOTES.read_bytes()))
    from_dash = document(explain("-", "--no-host", "--json", stdin=NOTES.read_bytes()))
    from_file = document(explain(str(NOTES), "--no-host", "--json"))
    assert from_stdin == from_file == from_dash
    data = from_file["data"]
    assert [s["kind"] for s in data["sections"]] == ["os-release", "uname"]
    assert data["facts"]["os"]["kernel"] == "6.11.0-26-generic"
    assert data["fact_sources"]["os.kernel"] == "paste:32"
    assert data["facts"]["os"]["source"] == "paste:32"  # Facts' own source field says it too
    # lsb_release's "No LSB modules are available.", in a [first, last] run of unplaced lines
    assert any(first <= 4 <= last for first, last in data["unplaced"]), data["unplaced"]


def test_text_output_names_the_sections_and_the_facts() -> None:
    out = explain(str(NOTES), "--no-host")
    assert out.returncode == 0, out.stderr
    assert "os-release" in out.stdout and "lines 13-27" in out.stdout
    assert "6.11.0-26-generic" in out.stdout and "paste:32" in out.stdout


def test_several_files_are_numbered_through_in_order() -> None:
    doc = document(explain(str(NOTES), str(NVCC_128), "--no-host", "--json"))
    notes_lines = len(text(NOTES).splitlines())
    sections = {s["kind"]: s for s in doc["data"]["sections"]}
    assert sections["nvcc-version"]["first"] == notes_lines + 1
    assert doc["data"]["facts"]["cuda"]["nvcc_on_path_version"] == "12.8.93"


def test_paste_over_a_recorded_host_wins_and_the_host_keeps_the_rest() -> None:
    """Case 09's machine (driver 460.73.01, nvcc 10.1 on PATH) with a pasted nvcc 12.8: the
    pasted nvcc replaces the host's, the driver stays the host's, and a toolkit newer than the
    driver is found from the two together."""
    host = str(case_host("09-nvcc101-vs-torch-cu111-rtx3090"))
    doc = document(explain(str(NVCC_128), "--replay", host, "--json"))
    facts, sources = doc["data"]["facts"], doc["data"]["fact_sources"]
    assert facts["cuda"]["nvcc_on_path_version"] == "12.8.93"
    assert sources["cuda.nvcc_on_path_version"] == "paste:4"
    assert facts["nvidia"]["driver_version"] == "460.73.01"
    assert facts["nvidia"]["driver_source"] == "command:nvidia-smi"  # the host's own
    assert facts["torch"]["version"] == "1.8.1+cu111"
    assert "toolkit-newer-than-driver" in [f["id"] for f in doc["findings"]]
    alone = document(explain(str(NVCC_128), "--no-host", "--json"))
    assert "toolkit-newer-than-driver" not in [f["id"] for f in alone["findings"]]


@pytest.mark.parametrize("host", [host_name(p) for p in recorded_host_dirs()])
def test_every_recorded_host_takes_a_paste(host: str) -> None:
    doc = document(explain(str(NOTES), "--replay", str(case_host(host)), "--json"))
    assert doc["data"]["facts"]["os"]["distro_version"] == "24.04"
    assert doc["outcome"] in ("ok", "problems")


def test_record_writes_a_host_that_doctor_replays(tmp_path: Path) -> None:
    """The merged facts (case 09's host, the pasted os-release, uname and nvcc) recorded, then
    read back by doctor: what the recording can say comes back the same."""
    record = tmp_path / "rec"
    host = str(case_host("09-nvcc101-vs-torch-cu111-rtx3090"))
    merged = document(explain(str(NOTES), "--replay", host, "--json", "--record", str(record)))
    assert (record / "host.json").is_file()
    replay = subprocess.run(
        [sys.executable, "-m", "envsetup", "doctor", "--replay", str(record), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert replay.returncode in (0, 1), replay.stderr
    again = json.loads(replay.stdout)["data"]["facts"]
    want = merged["data"]["facts"]
    for block, keys in {
        "os": ("system", "kernel", "arch", "distro_id", "distro_name", "distro_version"),
        "python": ("version", "executable"),
        "nvidia": ("driver_version", "driver_cuda_version"),
        "torch": ("version", "cuda_version", "flavor"),
    }.items():
        for key in keys:
            assert again[block][key] == want[block][key], f"{block}.{key}"
    assert [g["name"] for g in again["nvidia"]["gpus"]] == [
        g["name"] for g in want["nvidia"]["gpus"]
    ]


def test_record_with_no_host_writes_what_the_paste_states(tmp_path: Path) -> None:
    record = tmp_path / "rec"
    out = explain(str(NOTES), "--no-host", "--record", str(record))
    assert out.returncode == 0, out.stderr
    replay = subprocess.run(
        [sys.executable, "-m", "envsetup", "doctor", "--replay", str(record), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    facts = json.loads(replay.stdout)["data"]["facts"]
    assert (facts["os"]["distro_name"], facts["os"]["kernel"]) == ("Ubuntu", "6.11.0-26-generic")


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["/nonexistent/paste.txt"], None, "no such file"),
        ([str(FIXTURES)], None, "a directory"),
        (["-"], b"\x7fELF\x02\x01\x01\x00\x00\x00\x00", "not text"),
        (
            ["--replay", str(case_host("09-nvcc101-vs-torch-cu111-rtx3090")), "--no-host"],
            b"",
            "--no-host",
        ),
        (["--replay", str(NVCC_128), "-"], b"", "a file, not a recording directory"),
    ],
    ids=["missing file", "directory", "binary", "--replay with --no-host", "--replay FILE"],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], stdin: Optional[bytes], words: str
) -> None:
    out = explain(*args, stdin=stdin)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and words in out.stderr, out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    as_json = explain(*args, "--json", stdin=stdin)
    error = document(as_json)
    assert error["outcome"] == "error" and error["error"]["kind"] == "usage"


def test_a_utf16_file_from_powershell_reads(tmp_path: Path) -> None:
    pasted = tmp_path / "nvcc.txt"
    pasted.write_bytes(b"\xff\xfe" + text(NVCC_128).replace("\n", "\r\n").encode("utf-16-le"))
    doc = document(explain(str(pasted), "--no-host", "--json"))
    assert doc["data"]["facts"]["cuda"]["nvcc_on_path_version"] == "12.8.93"


def test_the_json_path_does_not_load_rich() -> None:
    probe = (
        "import sys, runpy; sys.argv = ['envsetup', 'explain', '--no-host', '--json', "
        f"{str(NOTES)!r}]\n"
        "try:\n    runpy.run_module('envsetup', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write('RICH' if 'rich' in sys.modules else 'NO-RICH')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.stderr.endswith("NO-RICH"), out.stderr


def test_unplaced_lines_are_the_detections_lines_in_runs() -> None:
    from envsetup.explain.run import explain as explain_paste
    from envsetup.explain_run import read_paste

    runs = document(explain(str(NOTES), "--no-host", "--json"))["data"]["unplaced"]
    lines = explain_paste(read_paste([str(NOTES)]), None).detection.unplaced
    assert [n for first, last in runs for n in range(first, last + 1)] == lines
    # Each run as long as it goes: the next one starts after a placed or blank line.
    assert all(later[0] > earlier[1] + 1 for earlier, later in zip(runs, runs[1:]))
    assert any(first < last for first, last in runs)  # this paste has a run of several lines


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        (b"", "standard input: empty"),
        (b"  \n\n\t\r\n", "standard input: empty"),
        (b"hello\nworld\n", "standard input: explain recognised nothing in it"),
    ],
    ids=["empty", "blanks", "nothing recognised"],
)
def test_nothing_to_explain_is_one_line_and_exit_2(stdin: bytes, words: str) -> None:
    out = explain("--no-host", stdin=stdin)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and words in out.stderr and "fix: " in out.stderr
    assert "No problems found" not in out.stderr
    error = document(explain("--no-host", "--json", stdin=stdin))
    assert error["outcome"] == "error" and error["error"]["kind"] == "usage"
    assert words in error["error"]["message"]


def test_an_empty_file_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"\n \n")
    out = explain(str(empty), "--no-host")
    assert out.returncode == 2 and f"{empty}: empty" in out.stderr


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_reads(tmp_path: Path, codec: str) -> None:
    # `iconv -t utf-16le` (and .NET without its preamble) writes no BOM: once "binary data".
    pasted = tmp_path / "nvcc.txt"
    pasted.write_bytes(text(NVCC_128).replace("\n", "\r\n").encode(codec))
    doc = document(explain(str(pasted), "--no-host", "--json"))
    assert doc["data"]["facts"]["cuda"]["nvcc_on_path_version"] == "12.8.93"


def test_binary_with_nul_bytes_at_both_positions_is_still_not_text() -> None:
    from envsetup.explain.paste import NotText, decode

    elf = Path(sys.executable).resolve().read_bytes()[:8192]
    with pytest.raises(NotText):
        decode(elf)
    assert decode("ab\u00e9c\n".encode("utf-16-le")) == "ab\u00e9c\n"


def test_pasted_emoji_codes_are_printed_as_written() -> None:
    # rich turns ":fire:" and ":100:" into pictures by default; explain prints what was pasted.
    error = text(FIXTURES / "paste" / "errors" / "capfix-k80-thcudacheck-209.txt")
    device = "execution on the device"
    assert device in error
    pasted = error.replace(device, device + " :fire: :100: :x:", 1)
    out = explain("--no-host", "-v", stdin=pasted.encode())
    shown = out.stdout
    assert ":fire:" in shown and ":100:" in shown, shown
    pictures = ("\N{FIRE}", "\N{HUNDRED POINTS SYMBOL}", "\N{CROSS MARK}")
    assert not any(picture in shown for picture in pictures), shown
