"""The section detector and the readers of os-release, uname -a, /proc/version and nvcc --version,
on real outputs: whole, wrapped, cut and mixed at random (Hypothesis)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envsetup.explain.detect import detect
from envsetup.explain.paste import normalise
from envsetup.explain.run import explain
from envsetup.explain.sections import kinds, readers
from envsetup.model.paste import Line
from envsetup.parsers.signals import classify
from explain.corpus import FIXTURES, corpus, listed, pasted, text

CORPUS = corpus() + pasted()
TEXTS = [text(path) for path in CORPUS]


def only(path: Path, kind: str) -> dict:
    """The one section of `kind` the whole file is, and its facts."""
    lines = normalise(text(path))
    detection = detect(lines, readers())
    assert [r.kind for r in detection.readings] == [kind], path.name
    reading = detection.readings[0]
    assert detection.unplaced == [], path.name
    assert reading.unread == [], path.name
    nonblank = [line.number for line in lines if line.text.strip()]
    assert (reading.first, reading.last) == (nonblank[0], nonblank[-1])
    return reading.facts


@pytest.mark.parametrize("path", listed("nvcc"), ids=lambda p: p.name)
def test_nvcc_version_of_every_real_output(path: Path) -> None:
    facts = only(path, "nvcc-version")
    version = re.search(r"nvcc-(\d+\.\d+\.\d+)", path.name).group(1)  # the file names the release
    assert facts["cuda"]["nvcc_on_path_version"] == version
    assert [t["version"] for t in facts["cuda"]["toolkits"]] == [version]


@pytest.mark.parametrize(
    "path", [p for p in listed("os") if "os-release" in p.name], ids=lambda p: p.name
)
def test_os_release_of_every_real_file(path: Path) -> None:
    from envsetup.parsers.os_release import parse_os_release

    facts = only(path, "os-release")["os"]
    fields = parse_os_release(text(path))
    assert facts["system"] == "Linux"
    assert facts["distro_id"] == fields["ID"]
    assert facts["distro_name"] == fields["NAME"]
    assert facts["distro_version"] == fields.get("VERSION_ID", fields.get("BUILD_ID", ""))


@pytest.mark.parametrize(
    "path", [p for p in listed("os") if "proc-version" in p.name], ids=lambda p: p.name
)
def test_proc_version_of_every_real_file(path: Path) -> None:
    facts = only(path, "proc-version")["os"]
    assert facts["wsl"] == int(re.search(r"wsl(\d)", path.name).group(1))
    assert facts["kernel"] in text(path)


def test_uname_and_os_release_in_markdown_notes() -> None:
    path = FIXTURES / "paste" / "markdown-notes-os-release-uname-ubuntu-24.04.txt"
    lines = normalise(text(path))
    detection = detect(lines, readers())
    by_kind = {r.kind: r for r in detection.readings}
    assert sorted(by_kind) == ["os-release", "uname"]
    uname = by_kind["uname"]
    assert lines[uname.first - 1].text == "uname -a"  # the command line, prompt and bold removed
    assert uname.facts["os"] == {"system": "Linux", "kernel": "6.11.0-26-generic", "arch": "x86_64"}
    assert by_kind["os-release"].facts["os"]["distro_version"] == "24.04"
    # lsb_release's lines, uptime and whoami are no kind explain reads
    assert all(lines[n - 1].text for n in detection.unplaced)
    assert "Codename:\tnoble" in [lines[n - 1].text for n in detection.unplaced]


# Real pastes whose error lines come with the lines of the same message (a traceback's frames, a
# warning's body, torch's advice, pip's explanation, conda's progress, multi-line NVRM messages):
# those belong to the signal; what stays unplaced is the person's own prose and commands.
STILL_UNPLACED = {
    "errors/detect-802-vllm-engine.txt": [
        "Worker ready; awaiting tasks",
        "Using Flash Attention backend.",
    ],
    "errors/detect-802-thcudacheck-smi.txt": [],
    "errors/detect-pep668-comfy.txt": [],
    "errors/detect-pep668-odyssey-prompt.txt": ["pip install -e ."],
    "errors/words-conda-python-incompatible-py35-pytorch3d.txt": [],
    # the `conda env update` command that ran the solver belongs to its session (readfix)
    "errors/detect-conda-demucs-cudatoolkit.txt": [],
    "errors/detect-rminit-gsp-3090.txt": [],
    "errors/detect-rminit-syslog-worker4.txt": [],
    "errors/detect-xid79-nvsentinel.txt": [],
    "errors/detect-nouveau-probe-not-called-3dev.txt": [
        "NVRM: No NVIDIA graphics adapter probed!",
        "nvidia-nvlink: Unregistered the Nvlink Core, major device number 239",
        "nvidia-nvlink: Nvlink Core is being initialized, major device number 239",
    ],
    "errors/detect-driver-too-old-6050-repeated.txt": [],
    "errors/detect-nokernel-1080ti-torch28-comfy.txt": [
        "Hi,",
        None,  # the person's prose
        "I also see the following error on boot:",
        # torch 2.8's "Please install PyTorch with a following CUDA configurations" warning: no
        # signal reads it (the capability warnings around it are read and owned)
        "/comfy/mnt/venv/lib/python3.12/site-packages/torch/cuda/__init__.py:304: UserWarning:",
        "    Please install PyTorch with a following CUDA",
        "    configurations:  12.6 following instructions at",
        "    https://pytorch.org/get-started/locally/",
        "  warnings.warn(matched_cuda_warn.format(matched_arches))",
        "The",  # the paste stops mid-line
    ],
    "detect-802-minimax-vllm-prefixed-log.txt": [
        "Run:",
        None,  # the vllm serve command line
        None,  # vLLM's "Reducing Torch parallelism ..." (its prefix removed), no kind
        "WorkerProc failed to start.",
    ],
}


@pytest.mark.parametrize("name", sorted(STILL_UNPLACED))
def test_the_lines_of_a_recognised_message_are_placed(name: str) -> None:
    lines = normalise(text(FIXTURES / "paste" / name))
    detection = detect(lines, readers(), classify)
    assert detection.signals or detection.readings
    unplaced = [lines[n - 1].text for n in detection.unplaced]
    expected = STILL_UNPLACED[name]
    assert len(unplaced) == len(expected), unplaced
    for got, want in zip(unplaced, expected):
        assert want is None or got == want


def test_a_traceback_cut_before_its_exception_owns_its_frames() -> None:
    lines = normalise(text(FIXTURES / "paste" / "errors" / "detect-802-vllm-engine.txt"))
    (cut,) = [s for s in classify(lines) if s.id == "python-traceback-cut"]
    assert lines[cut.lines[0] - 1].text == "Traceback (most recent call last):"
    assert [lines[n - 1].text.strip()[:6] for n in cut.owned] == [
        'File "',
        "engine",
        "^^^^^^",
        'File "',
        "return",
        "^^^^^^",
    ]


# readfix-*: bug templates' hand-written "System Info" lists (tested below), not a tool's report
_TOOL_REPORTS = [p for p in listed("paste/env-report") if not p.name.startswith("readfix-")]
_HAND_WRITTEN = [p for p in listed("paste/env-report") if p.name.startswith("readfix-")]


@pytest.mark.parametrize("path", _HAND_WRITTEN, ids=lambda p: p.name)
def test_a_hand_written_system_info_list_is_one_section(path: Path) -> None:
    lines = normalise(text(path))
    detection = detect(lines, readers(), classify)
    (report,) = [r for r in detection.readings if r.kind == "env-report"]
    assert report.unread == []
    # its heading and every item are placed; only text before the list may stay unplaced
    assert all(n < report.first for n in detection.unplaced), detection.unplaced
    assert report.last == max(line.number for line in lines if line.text.strip())
    assert report.facts["nvidia"]["gpus"][0]["name"]


@pytest.mark.parametrize("path", _TOOL_REPORTS, ids=lambda p: p.name)
def test_a_tools_environment_report_is_one_section(path: Path) -> None:
    lines = normalise(text(path))
    detection = detect(lines, readers(), classify)
    (report,) = [r for r in detection.readings if r.kind == "env-report"]
    assert report.unread == []
    # the person's own caption or heading may stay unplaced, nothing of the tool's output
    assert all(n < report.first for n in detection.unplaced), detection.unplaced
    assert lines[report.last - 1].text.startswith(("- ", "\t", " "))
    assert report.facts["python"]["version"] and report.facts["os"]["system"]


def test_an_environment_report_beside_an_802_says_fabric_manager_with_the_reports_facts() -> None:
    name = "detect-llamafactory-cli-env-0.9.3-torch2.7.0-cu126-no-gpu-802.txt"
    result = explain(text(FIXTURES / "paste" / "env-report" / name), None)
    assert [f.id for f in result.findings] == ["cuda-fabric-manager-not-ready"]
    assert result.facts.torch.version == "2.7.0+cu126"
    assert result.facts.torch.cuda_version == "12.6"
    assert result.fact_sources["torch.version"] == "paste:11"
    assert result.facts.os.glibc == "2.34"


def test_the_line_chaining_two_tracebacks_belongs_to_the_first() -> None:
    # CPython's own wording between chained tracebacks (Lib/traceback.py, _context_message and
    # _cause_message); the tracebacks around it are a shape, not a real paste.
    for link in (
        "During handling of the above exception, another exception occurred:",
        "The above exception was the direct cause of the following exception:",
    ):
        pasted = (
            'Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n'
            "    import torch\nImportError: libcudnn.so.9: cannot open shared object file\n\n"
            f'{link}\n\nTraceback (most recent call last):\n  File "b.py", line 2, in <module>\n'
            "    main()\nRuntimeError: no GPU\n"
        )
        detection = detect(normalise(pasted), readers(), classify)
        assert detection.unplaced == []
        first = next(s for s in detection.signals if s.id == "python-exception")
        assert 6 in first.owned and 6 not in first.lines  # owned, not cited as evidence


def test_every_reader_has_a_kind_and_kinds_are_unique() -> None:
    claimed = [r.kind for r in readers()]
    assert len(claimed) == len(set(claimed))
    given = [form for r in readers() for form in getattr(r, "forms", (r.kind,))]
    assert len(given) == len(set(given)) == len(kinds())  # no two readers give one kind
    assert {"os-release", "uname", "proc-version", "nvcc-version", "env-report"} <= set(kinds())
    assert {"collect-env", "nvidia-smi-table", "nvidia-smi-xml", "conda-info"} <= set(kinds())


# ------------------------------------------------------------------ Hypothesis over the detector


def wrap(body: str, how: int) -> str:
    lines = body.splitlines()
    if how == 1:
        return "```\n" + body + ("" if body.endswith("\n") else "\n") + "```\n"
    if how == 2:
        return "".join(f"> {line}\n" for line in lines)
    if how == 3:
        return body.replace("\n", "\r\n")
    if how == 4:
        return "".join(f"    {line}\n" for line in lines)
    if how == 5:
        return "".join(f"\x1b[31m{line}\x1b[0m\n" for line in lines)
    if how == 6:  # a vLLM worker's log lines under Ray
        return "".join(
            f"(RayWorkerWrapper pid=7) INFO 02-20 16:42:42 x.py:9] {ln}\n" for ln in lines
        )
    return body


@st.composite
def pastes(draw: st.DrawFn) -> str:
    """Up to 5 real outputs, each cut at random lines (or mid-line), wrapped at random, joined."""
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        body = TEXTS[draw(st.integers(0, len(TEXTS) - 1))]
        start = draw(st.integers(0, len(body)))
        end = draw(st.integers(start, len(body)))
        if draw(st.booleans()):  # a whole output
            start, end = 0, len(body)
        parts.append(wrap(body[start:end], draw(st.integers(0, 7))))
    glue = draw(st.sampled_from(["\n", "", "\n\nand then:\n", "\r\n"]))
    return glue.join(parts)


def check_detection(lines: list[Line]) -> None:
    detection = detect(lines, readers(), classify)
    numbers = [line.number for line in lines]
    assert numbers == list(range(1, len(lines) + 1))
    in_sections: set[int] = set()
    previous_last = 0
    for reading in detection.readings:
        assert reading.kind in kinds()
        assert previous_last < reading.first <= reading.last <= len(lines)  # in order, apart
        previous_last = reading.last
        span = set(range(reading.first, reading.last + 1))
        assert set(reading.unread) <= span
        assert all(line in span for line in reading.sources.values())
        in_sections |= span
    signal_lines = {n for s in detection.signals for n in (*s.lines, *s.owned)}
    for s in detection.signals:  # a signal owns lines of the paste, none it also cites
        assert set(s.owned) <= set(numbers) and not set(s.owned) & set(s.lines), s
    unplaced = set(detection.unplaced)
    assert not unplaced & in_sections
    assert not unplaced & signal_lines
    for line in lines:  # every non-blank line is in a section, in a signal, or unplaced
        if line.text.strip():
            assert line.number in in_sections | signal_lines | unplaced, line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pastes())
def test_cut_and_mixed_real_outputs_never_raise_and_every_line_is_placed_or_not(paste: str) -> None:
    lines = normalise(paste)
    check_detection(lines)
    result = explain(paste, None)  # the whole judgement too: never a traceback
    assert result.facts.os is not None


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_never_raises(paste: str) -> None:
    check_detection(normalise(paste))
    explain(paste, None)


def test_a_cut_os_release_value_is_a_could_not_read_finding() -> None:
    path = FIXTURES / "os" / "os-release-ubuntu-24.04.txt"
    whole = text(path)
    cut = whole[: whole.index('"', whole.index("PRETTY_NAME=") + 13) - 2] + "\n" + whole
    result = explain(cut, None)
    assert "could-not-read" in [f.id for f in result.findings]
    assert result.facts.os.distro_id == "ubuntu"  # the rest of the file is still read
