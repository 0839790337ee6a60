"""Which checks a run selects, and how the target interpreter is chosen (no torch needed)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import VERIFY_TEST_CHECKS_ENV
from envsetup.errors import UsageError
from envsetup.host.interpreter_discovery import discover_here
from envsetup.verify.catalogue import all_checks, parse_only, select_checks
from envsetup.verify.target import (
    env_dir_of,
    env_python,
    resolve_python,
)
from scripts import run_envsetup


def ids(checks: list) -> list[str]:
    return [c.id for c in checks]


def test_default_selection_leaves_out_bench_and_test_only_checks() -> None:
    chosen = ids(select_checks())
    assert "torch.import" in chosen and "hello.train" in chosen
    assert not [i for i in chosen if i.startswith(("bench.", "_test."))]


def test_bench_adds_the_bench_checks_after_the_others() -> None:
    chosen = ids(select_checks(bench=True))
    bench = [i for i in chosen if i.startswith("bench.")]
    assert bench == ["bench.matmul_bf16", "bench.bandwidth", "bench.nvml"]
    assert chosen[-3:] == bench


def test_only_takes_ids_and_prefixes_in_catalogue_order() -> None:
    assert ids(select_checks(["compile", "bench", "torch.import"])) == [
        "torch.import",
        "compile",
        "bench.matmul_bf16",
        "bench.bandwidth",
        "bench.nvml",
    ]
    assert ids(select_checks(["cuda"])) == ["cuda.available", "cuda.arch"]


def test_test_only_checks_are_reachable_by_name_only() -> None:
    assert ids(select_checks(["_test.crash"])) == ["_test.crash"]
    assert all(c.hidden == c.id.startswith("_test.") for c in all_checks())


def test_unknown_check_id_is_a_usage_error_listing_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"no check named 'matmull'.*matmul"):
        select_checks(["matmull"])


def test_parse_only_splits_commas_and_rejects_an_empty_list() -> None:
    assert parse_only(" matmul, compile ,") == ["matmul", "compile"]
    assert parse_only(None) is None
    with pytest.raises(UsageError):
        parse_only(" , ")


def test_check_ids_are_unique() -> None:
    every = ids(all_checks())
    assert len(every) == len(set(every))


def test_python_and_env_together_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--python and --env"):
        resolve_python("/usr/bin/python3", "/opt/env")


def test_env_dir_maps_to_its_interpreter_and_back() -> None:
    assert env_python("/opt/env", windows=False) == "/opt/env/bin/python"
    assert env_dir_of("/opt/env/bin/python") == "/opt/env"


def test_active_environment_prefers_an_activated_venv_then_conda(tmp_path: Path) -> None:
    v, c = tmp_path / "v", tmp_path / "c"
    venv.EnvBuilder(with_pip=False).create(v)
    venv.EnvBuilder(with_pip=False).create(c)  # a conda prefix has bin/python too
    both = {"VIRTUAL_ENV": str(v), "CONDA_PREFIX": str(c)}
    assert discover_here(None, both)[0] == env_python(str(v))
    assert discover_here(None, {"CONDA_PREFIX": str(c)})[0] == env_python(str(c))


def test_an_activated_environment_that_is_gone_is_a_usage_error_for_verify() -> None:
    # doctor sets it aside and says so; verify would otherwise test another Python silently.
    out = run_envsetup("verify", env={"VIRTUAL_ENV": "/nope-deleted-venv"})
    assert out.returncode == 2
    assert out.stderr.startswith("envsetup: $VIRTUAL_ENV=/nope-deleted-venv: the activated")


def test_the_test_only_checks_are_not_shipped() -> None:
    """Without the tests' variable (as in use) no _test.* check exists: not in the catalogue, not
    runnable by name, not offered in the usage error."""
    from envsetup.verify.worker_root.envsetup_verify_worker.registry import TEST_CHECKS_ENV

    assert TEST_CHECKS_ENV == VERIFY_TEST_CHECKS_ENV
    unset = {VERIFY_TEST_CHECKS_ENV: ""}
    listing = subprocess.run(
        [sys.executable, "-c", "from envsetup.verify.catalogue import all_checks as a\n"
         "print(' '.join(c.id for c in a()))"],
        capture_output=True, text=True, env={**os.environ, **unset}, check=True, timeout=60,
    )  # fmt: skip
    shipped = listing.stdout.split()
    assert "torch.import" in shipped and not [i for i in shipped if i.startswith("_test")]
    refused = run_envsetup("verify", "--python", sys.executable, "--only", "_test.crash", env=unset)
    assert refused.returncode == 2
    assert "no check named '_test.crash'" in refused.stderr
    assert "_test." not in refused.stderr.split("choose from")[1]
