"""explain's text for people, at 60 columns: the sections, the pasted facts with their lines, and
each finding in words with its fix (a command whole, prose wrapped with its code spans whole: the
style every command shares)."""

from __future__ import annotations

import re

from envsetup.explain.run import explain
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render import style
from envsetup.render.explain_text import render_explain
from envsetup.render.finding_words import words_for
from explain.corpus import FIXTURES, text
from hostbuilder import case_host
from test_text_style import assert_readable, narrow


def test_explain_at_60_columns() -> None:
    host = probe_all(RecordedHost(str(case_host("09-nvcc101-vs-torch-cu111-rtx3090"))))
    notes = text(FIXTURES / "paste" / "markdown-notes-os-release-uname-ubuntu-24.04.txt")
    # Ubuntu 24.04's kernel 6.11 is not host 09's 5.8: another machine, the host set aside (its
    # driver would otherwise judge the pasted nvcc); torch's sm_120 warning gives a finding.
    warning = text(
        FIXTURES / "paste" / "errors" / "torch-sm120-not-compatible-rtx5090-leggedlab.txt"
    )
    pasted = notes + text(FIXTURES / "nvcc" / "nvcc-12.8.93.txt") + warning
    result = explain(pasted, host, lookup_build)
    assert result.findings and result.host_set_aside
    console, out = narrow()
    render_explain(console, result, "the recorded host 09", verbose=True)
    shown = out.getvalue()
    assert_readable(shown, [words_for(f).title for f in result.findings])
    for finding in result.findings:
        fix = words_for(finding).fix
        if fix and style.is_command(fix):
            assert f"fix: {fix}" in shown  # one line, whole
        elif fix:  # prose: wrapped between words, each `code span` whole on one line
            assert " ".join(f"fix: {fix}".split()) in " ".join(shown.split())
            for span in re.findall(r"`[^`]*`", fix):
                assert any(span in line for line in shown.splitlines()), span
    for kind in ("os-release", "uname", "nvcc-version"):
        assert kind in shown
    assert "12.8.93" in shown and f"paste:{len(notes.splitlines()) + 4}" in shown
    assert "set aside" in shown and "6.11.0-26-generic" in shown


def test_a_paste_with_nothing_explain_reads_says_so() -> None:
    console, out = narrow()
    render_explain(console, explain("hello\nworld\n", None), "no host", verbose=False)
    shown = out.getvalue()
    assert "Nothing in it is a kind of output explain reads." in shown
    assert "2 line(s): 1-2" in shown
    assert "No problems found." not in shown and "Nothing judged" in shown


def test_each_pasted_fact_label_fits_its_column_and_names_a_real_fact() -> None:
    from envsetup.facts import Facts, OsFacts, PythonFacts
    from envsetup.render.explain_text import _LABELS, fact_label
    from envsetup.render.style import LABEL_WIDTH

    document = Facts(os=OsFacts(system="", arch=""), python=PythonFacts(executable="")).to_dict()
    for path in _LABELS:
        node = document
        for key in path.split("."):
            assert isinstance(node, dict) and key in node, f"{path}: no such fact"
            node = node[key]
        assert len(fact_label(path)) <= LABEL_WIDTH, path
    assert fact_label("nvidia.driver_version") == "driver"
    assert fact_label("os.container") == "os container"


def _report(pasted: str, width: int) -> str:
    import io

    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    render_explain(console, explain(pasted, None, lookup_build), "no host", verbose=False)
    return out.getvalue()


def test_kind_names_are_never_cut_at_60_or_100_columns() -> None:
    # An nvidia-smi table and a traceback: "nvidia-smi-table" and "python-traceback" are longer
    # than the 14-column labels doctor uses; they were shown as "nvidia-smi-tab", "python-traceba".
    pasted = text(FIXTURES / "nvidia-smi" / "535.129.03-2x-rtx3090.txt") + (
        'Traceback (most recent call last):\n  File "train.py", line 3, in <module>\n'
        "    x = torch.ones(1).cuda()\n"
        + text(FIXTURES / "torch-errors" / "no-kernel-image-available-old-format.txt")
    )
    result = explain(pasted, None, lookup_build)
    kinds = [r.kind for r in result.detection.readings] + [s.kind for s in result.detection.signals]
    assert "nvidia-smi-table" in kinds and any(len(k) > 14 for k in kinds), kinds
    for width in (60, 100):
        shown = _report(pasted, width)
        if width == 60:
            assert_readable(shown, [])
        paste = shown.split("Facts")[0].splitlines()[1:-1]
        for kind in kinds:
            assert any(line.split()[1:2] == [kind] for line in paste), (kind, shown)
        # One column: every row's value starts where the others' do.
        starts = {len(line) - len(line[3:].lstrip().split(" ", 1)[1].lstrip()) for line in paste}
        assert len(starts) == 1, shown


def test_a_label_wider_than_its_column_gets_a_line_of_its_own() -> None:
    from envsetup.render import style

    console, out = narrow()
    style.row(console, "ok", "a-label-far-too-long-for-it", "the value", "paste:3", label_width=14)
    first, second = out.getvalue().splitlines()
    assert first == " ✓ a-label-far-too-long-for-it"
    assert second.strip() == "the value  (paste:3)"
    assert second.index("the") == 1 + 1 + 1 + 14 + 1


def test_what_collect_env_says_is_unknown_is_left_out() -> None:
    # Jetson's collect_env: "PyTorch version: N/A" once showed as "torch  ?".
    pasted = text(FIXTURES / "paste" / "collect-env" / "jetson-orin-nano-torch-na-cuda11.4-cudnn8.6-aarch64.txt")  # fmt: skip
    result = explain(pasted, None, lookup_build)
    # N/A is unknown (collect_env prints it whenever `import torch` fails): no fact, no row.
    assert "torch.version" not in result.fact_sources and result.facts.torch.version is None
    shown = _report(pasted, 100)
    assert " ?" not in shown and not any(
        line.split()[:2] == ["✓", "torch"] for line in shown.splitlines()
    ), shown
