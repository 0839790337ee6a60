"""fleet/hostlist.py: node names compressed into Slurm's hostlist syntax and expanded back; where
Slurm's own scontrol is installed, it expands what we compress to the same names."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envsetup.fleet.hostlist import compress, expand, natural_key


@pytest.mark.parametrize(
    ("names", "expression"),
    [
        (["n1", "n2", "n3", "n7"], "n[1-3,7]"),
        (["n7", "n3", "n1", "n2", "n3"], "n[1-3,7]"),  # any order, duplicates once
        (["n5"], "n5"),
        (["n9", "n10"], "n[9-10]"),
        ([f"node{i:03d}" for i in range(1, 11)], "node[001-010]"),
        (["node098", "node099", "node100"], "node[098-100]"),  # 100 is of the padded width
        (["login", "n2", "n1"], "login,n[1-2]"),
        (["gpu01", "gpu02", "cpu1"], "cpu1,gpu[01-02]"),
        ([], ""),
    ],
)
def test_compress(names: list[str], expression: str) -> None:
    assert compress(names) == expression


def test_expand_reads_ranges_padding_and_plain_names() -> None:
    assert expand("n[1-3,7],login") == ["n1", "n2", "n3", "n7", "login"]
    assert expand("node[008-010]") == ["node008", "node009", "node010"]
    assert expand("rack[1-2]-gpu") == ["rack1-gpu", "rack2-gpu"]


@pytest.mark.parametrize("bad", ["n[3-1]", "n[a]", "n[1", "n[1-2]x[", "n]"])
def test_expand_names_what_is_not_a_hostlist(bad: str) -> None:
    with pytest.raises(ValueError, match="not a hostlist"):
        expand(bad)


_NAMES = st.lists(
    st.builds(
        lambda prefix, number, padded: f"{prefix}{number:03d}" if padded else f"{prefix}{number}",
        st.sampled_from(["n", "gpu", "node-a"]),
        st.integers(0, 1200),
        st.booleans(),
    ),
    max_size=40,
)


@given(_NAMES)
def test_expansion_of_the_compressed_form_is_the_names(names: list[str]) -> None:
    expanded = expand(compress(names))
    assert sorted(expanded) == sorted(set(names))


@pytest.mark.skipif(shutil.which("scontrol") is None, reason="Slurm's scontrol is not installed")
def test_slurm_expands_what_we_compress_to_the_same_names(tmp_path: Path) -> None:
    """scontrol's hostlist functions need only a slurm.conf to start (no controller)."""
    conf = tmp_path / "slurm.conf"
    conf.write_text("ClusterName=t\nSlurmctldHost=localhost\nNodeName=n1 CPUs=1\n")
    names = ["n1", "n2", "n3", "n7", "n9", "n10", "node098", "node099", "node100", "login"]
    expression = compress(names)
    result = subprocess.run(
        ["scontrol", "show", "hostnames", expression],
        capture_output=True,
        text=True,
        env={"SLURM_CONF": str(conf), "PATH": "/usr/bin:/bin"},
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"scontrol could not run here: {result.stderr.strip()[:200]}")
    assert sorted(result.stdout.split()) == sorted(names)
    assert sorted(expand(expression)) == sorted(names)


def test_nodes_sort_by_number_not_by_character() -> None:
    names = ["n10", "n2", "gpu01", "n1", "login"]
    assert sorted(names, key=natural_key) == ["gpu01", "login", "n1", "n2", "n10"]
    assert sorted(["a1", "1a", "a"], key=natural_key) == ["1a", "a", "a1"]
