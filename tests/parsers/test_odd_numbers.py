"""A number in tool output may be any run of digits: 5,000 of them, "²" (isdigit() but not int()),
or "١" (an Arabic-Indic one). Each parser still returns a result or raises ParseError, and so do
the version helpers that read what the parsers found."""

from __future__ import annotations

import contextlib
import random
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from envsetup import compat
from envsetup.diagnose import diagnose
from envsetup.digits import is_small_int, small_int
from envsetup.facts import CudaToolkit, Facts, OsFacts, PythonFacts, TorchFacts
from envsetup.model.capability import ArchTarget, ComputeCapability
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.versions import version_key
from envsetup.parsers import ParseError
from envsetup.parsers.collect_env import parse_collect_env
from envsetup.parsers.cudnn import parse_cudnn_header
from envsetup.parsers.driver import parse_proc_driver_version
from envsetup.parsers.nvcc import parse_nvcc_version
from envsetup.parsers.nvidia_smi import (
    classify_smi_failure,
    parse_smi_list,
    parse_smi_query_csv,
    parse_smi_table,
    parse_smi_version,
    parse_smi_xml,
)
from envsetup.parsers.os_release import parse_os_release
from envsetup.parsers.torch_build import (
    flavor_from_local_version,
    marker_environment,
    parse_metadata_requires,
    parse_torch_version_py,
)
from envsetup.profiles.lookup import lookup_build

FIXTURES = Path(__file__).parent.parent / "fixtures"
LINUX = marker_environment(system="Linux", machine="x86_64", python_version="3.12.3")
PARSERS: list[Callable[[str], Any]] = [
    parse_smi_table,
    parse_smi_xml,
    lambda text: parse_smi_query_csv(text, ["index", "name", "memory.total", "compute_cap"]),
    parse_smi_version,
    parse_smi_list,
    classify_smi_failure,
    parse_nvcc_version,
    parse_cudnn_header,
    parse_os_release,
    parse_proc_driver_version,
    parse_torch_version_py,
    lambda text: parse_metadata_requires(text, LINUX),
    parse_collect_env,
]
ODD_NUMBERS = ["9" * 5000, "²", "١٢", "𝟗", "99999999999999999999999"]


def _variants(text: str, rng: random.Random) -> list[str]:
    runs = list(re.finditer(r"\d+", text))
    picked = rng.sample(runs, min(len(runs), 3))
    return [text[: m.start()] + odd + text[m.end() :] for m in picked for odd in ODD_NUMBERS]


@pytest.mark.parametrize(
    "fixture",
    sorted(p for p in FIXTURES.rglob("*.txt") if "hosts" not in p.parts),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_every_parser_reads_odd_numbers_without_crashing(fixture: Path) -> None:
    rng = random.Random(fixture.name)
    for text in _variants(fixture.read_text(encoding="utf-8"), rng):
        for parse in PARSERS:
            with contextlib.suppress(ParseError):
                parse(text)


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_version_helpers_take_odd_numbers_as_not_a_number(odd: str) -> None:
    assert ComputeCapability.try_parse(f"{odd}.0") is None
    assert ComputeCapability.try_parse(odd * 2) is None
    assert compat.cuda_major_minor(f"cu{odd}{odd}") is None
    assert ArchTarget.parse_entry(f"sm_{odd}{odd}") == ()
    assert lookup_build(f"{odd}.1.0", "Linux", "x86_64") is None
    version_key(f"2.{odd}.1")  # a Version (0 for no version): never an exception
    compat.parse_version(f"3.{odd}")  # None, or a Version: never an exception
    with contextlib.suppress(ParseError):
        assert flavor_from_local_version(f"2.1.0+cu{odd}")[0] != "cuda"


@pytest.mark.parametrize("odd", ODD_NUMBERS)
@pytest.mark.parametrize("torch", ["2.4.0+cu121", "2.4.{odd}+cu{odd}1"])
def test_every_rule_takes_odd_numbers_in_the_facts(odd: str, torch: str) -> None:
    facts = Facts(
        os=OsFacts(system="Linux", arch="x86_64", kernel=f"6.{odd}", glibc=f"2.{odd}"),
        python=PythonFacts(executable="/usr/bin/python3", version=f"3.{odd}.1"),
        torch=TorchFacts(
            version=torch.format(odd=odd), cuda_version=f"12.{odd}", flavor=TorchFlavor.CUDA
        ),
    )
    facts.nvidia.driver_version = f"535.{odd}"
    facts.nvidia.driver_cuda_version = f"{odd}.2"
    facts.cuda.toolkits.append(CudaToolkit(path="/usr/local/cuda", version=f"12.{odd}", source="x"))
    diagnose(facts, lookup_build)


def test_small_int_takes_only_short_ascii_digit_runs() -> None:
    assert small_int("0042") == 42 and small_int("9" * 18) == 10**18 - 1
    for text in ["", "9" * 19, "²", "١", "1.0", "-1", " 1"]:
        assert small_int(text) is None and not is_small_int(text)
