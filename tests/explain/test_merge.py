"""The paste's facts over a recorded host's: the paste wins, the host keeps the rest, every pasted
fact keeps its line, and a section whose values do not fit is a could-not-read, not a crash."""

from __future__ import annotations

import pytest

from envsetup.explain.merge import merge
from envsetup.explain.run import explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.paste import Reading
from envsetup.probe import probe_all
from explain.corpus import FIXTURES, text
from hostbuilder import case_host


@pytest.fixture(scope="module")
def host_02() -> Facts:
    """Case 02's machine: a CUDA 12.1.1 toolkit in /usr/local/cuda-12.1, torch 2.5.1."""
    return probe_all(RecordedHost(str(case_host("02-ldpath-nvjitlink-cuda121"))))


def test_a_pasted_nvcc_of_another_release_is_added_beside_the_hosts_toolkit(host_02: Facts) -> None:
    result = explain(text(FIXTURES / "nvcc" / "nvcc-12.8.93.txt"), host_02)
    toolkits = {(t.path, t.version) for t in result.facts.cuda.toolkits}
    # the host's toolkit carries its own nvcc's version (12.1.105), not version.json's 12.1.1
    assert toolkits == {("/usr/local/cuda-12.1", "12.1.105"), ("nvcc on PATH", "12.8.93")}
    assert result.facts.cuda.nvcc_on_path_version == "12.8.93"
    assert result.fact_sources["cuda.nvcc_on_path_version"] == "paste:4"
    assert result.facts.torch.version == host_02.torch.version == "2.5.1"  # the host's, kept
    assert result.facts.torch.source == host_02.torch.source


def test_the_same_release_pasted_without_a_path_keeps_the_hosts_path(host_02: Facts) -> None:
    stated = Reading(
        kind="nvcc-version",
        first=1,
        last=3,
        # as nvcc --version states it; the host's toolkit carries its own nvcc's version too
        facts={"cuda": {"toolkits": [{"path": "nvcc on PATH", "version": "12.1.105"}]}},
        sources={"cuda.toolkits": 3},
    )
    merged = merge(host_02, [stated])
    assert [(t.path, t.version) for t in merged.facts.cuda.toolkits] == [
        ("/usr/local/cuda-12.1", "12.1.105")
    ]
    assert merged.sources == {"cuda.toolkits": "paste:3"}


def test_facts_own_source_fields_name_the_pasted_line(host_02: Facts) -> None:
    notes = text(FIXTURES / "paste" / "markdown-notes-os-release-uname-ubuntu-24.04.txt")
    result = explain(notes, host_02)
    assert result.facts.os.source == "paste:32"  # the last os fact stated: uname -a
    assert result.facts.os.kernel == "6.11.0-26-generic"
    # Ubuntu 24.04 with kernel 6.11 is not host 02's machine (kernel 5.8): the host's facts are
    # set aside, so its Python is not the paste's (explain/merge.py another_machine).
    assert "kernel" in result.host_set_aside
    assert result.facts.python.source == "" != host_02.python.source


def test_a_paste_of_the_hosts_own_machine_keeps_the_hosts_other_facts(host_02: Facts) -> None:
    """Nothing pasted about Python: the host's Python and its source stay (the nvcc paste says
    nothing against host 02 being its machine)."""
    result = explain(text(FIXTURES / "nvcc" / "nvcc-12.8.93.txt"), host_02)
    assert result.host_set_aside == ""
    assert result.facts.python.source == host_02.python.source != ""


def test_a_section_whose_values_do_not_fit_is_a_problem_and_the_others_still_merge() -> None:
    good = Reading(
        kind="uname", first=1, last=1, facts={"os": {"kernel": "6.8.0"}}, sources={"os.kernel": 1}
    )
    bad = Reading(
        kind="x", first=2, last=4, facts={"nvidia": {"gpus": "two"}}, sources={"nvidia.gpus": 2}
    )
    merged = merge(None, [good, bad])
    assert merged.facts.os.kernel == "6.8.0"
    assert merged.facts.nvidia.gpus == []
    assert merged.sources == {"os.kernel": "paste:1"}
    assert [p.what for p in merged.facts.problems] == ["the pasted x (lines 2-4)"]


def _gpus(*names: str) -> Reading:
    gpus = [{"index": i, "name": name} for i, name in enumerate(names)]
    return Reading(
        kind="nvidia-smi-list", first=1, last=len(names), facts={"nvidia": {"gpus": gpus}}
    )


def test_a_shorter_later_gpu_list_that_agrees_keeps_the_gpus_it_left_out() -> None:
    """A table cut after GPU 0 beside a whole `nvidia-smi -L` of eight (the real gpu_burn paste,
    tests/fixtures/paste/nvidia-smi/detect-L-8x-h200-uuids-cut-then-802-nvcc-12.9-table-top-cut-575.57.08.txt): eight GPUs; another machine's list
    (other names at the same indices) still replaces the earlier one."""
    eight = _gpus(*["NVIDIA H200"] * 8)
    cut = Reading(
        kind="nvidia-smi-table",
        first=10,
        last=12,
        facts={
            "nvidia": {"gpus": [{"index": 0, "name": "NVIDIA H200", "memory_total_mib": 143771}]}
        },
    )
    merged = merge(None, [eight, cut]).facts.nvidia.gpus
    assert [g.index for g in merged] == list(range(8))
    assert merged[0].memory_total_mib == 143771  # the later section's fields win
    other = merge(None, [eight, _gpus("Tesla T4")]).facts.nvidia.gpus
    assert [(g.index, g.name) for g in other] == [(0, "Tesla T4")]
    explained = explain(
        text(
            FIXTURES
            / "paste"
            / "nvidia-smi"
            / "detect-L-8x-h200-uuids-cut-then-802-nvcc-12.9-table-top-cut-575.57.08.txt"
        ),
        None,
    )
    assert len(explained.facts.nvidia.gpus) == 8
