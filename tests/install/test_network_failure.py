"""A step that cannot reach its index is told as a network failure, on pip's and uv's real lines
(tests/fixtures/network, each from a public report in its SOURCES.tsv), and the telling line of a
failing tool is whole even where uv wrapped it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from envsetup.install.failure import (
    NETWORK_FIX,
    StepError,
    failure_summary,
    logical_lines,
    step_failed,
    telling_line,
)
from envsetup.install.network import NetworkCause, network_failure
from envsetup.install.plan import CHECK_RESOLVES, CREATE_ENV, INSTALL

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NETWORK = FIXTURES / "network"

# fixture -> (cause, the URL the message names: from the output, else the step's index URL)
EXPECTED = {
    "pip-dns-temporary-failure-in-name-resolution.txt": (NetworkCause.DNS, ""),
    "pip-proxy-error-then-no-matching-distribution.txt": (NetworkCause.PROXY, ""),
    "pip-could-not-fetch-url-ssl.txt": (NetworkCause.TLS, "https://pypi.org/simple/pip/"),
    "pip-getaddrinfo-failed-windows.txt": (NetworkCause.DNS, ""),
    "uv-failed-to-fetch-dns-caused-by.txt": (
        NetworkCause.DNS,
        "https://pypi.org/simple/mcp-server-sqlite/",
    ),
    "uv-terminal-wrapped-dns-try-again.txt": (
        NetworkCause.DNS,
        "https://files.pythonhosted.org/packages/78/b6/6307fbef88d9b5ee7421e68d78a9f162e0da4900bc5f5793f6d3d0e34fb8/annotated_types-0.7.0-py3-none-any.whl",
    ),
    "uv-dns-no-such-host-is-known.txt": (NetworkCause.DNS, "https://pypi.org/simple/networkx/"),
}


def _tail(name: str) -> list[str]:
    return (NETWORK / name).read_text(encoding="utf-8").splitlines()


def test_every_fixture_is_sourced_and_expected() -> None:
    with (NETWORK / "SOURCES.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    listed = {row["path"].split("/", 1)[1] for row in rows}
    assert all(row["source"].startswith("https://github.com/") for row in rows)
    on_disk = {p.name for p in NETWORK.glob("*.txt")}
    assert listed == on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_network_failures_are_recognised(name: str) -> None:
    cause, url = EXPECTED[name]
    found = network_failure(logical_lines(_tail(name)))
    assert found is not None
    assert (found.cause, found.url) == (cause, url)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_message_says_cannot_reach_not_a_missing_pin(name: str) -> None:
    failure = StepError(CHECK_RESOLVES, "exit status 1", _tail(name))
    index = "https://download.pytorch.org/whl/cu121"
    said, fix = failure_summary(failure, manager="pip", python_version="3.11", index_url=index)
    assert said.startswith(f"exit status 1: cannot reach {EXPECTED[name][1] or index}: ")
    assert fix == NETWORK_FIX and "--index-url-base" in fix
    assert "pins are not on that index" not in said + fix


def test_a_missing_pin_is_no_network_failure() -> None:
    # pip's and uv's real words for a pin the index lacks (tests/install_exec runs them live).
    pip = [
        "ERROR: Could not find a version that satisfies the requirement torch==2.0.1+cu121 "
        "(from versions: 2.0.1+cu118)",
        "ERROR: No matching distribution found for torch==2.0.1+cu121",
    ]
    assert network_failure(pip) is None
    said, fix = failure_summary(StepError(CHECK_RESOLVES, "exit status 1", pip), manager="pip")
    assert said.endswith("No matching distribution found for torch==2.0.1+cu121")
    assert fix.startswith("the pins are not on that index")


def test_envsetups_own_timeout_note_is_no_network_failure() -> None:
    tail = ["Collecting torch", "[envsetup] step install timed out after 3600 s"]
    assert network_failure(tail) is None


def test_a_cause_uv_wraps_over_lines_is_told_whole() -> None:
    # uv's real output (uv 0.13, tests/install_exec): the second sentence of the cause is
    # indented under the first; today's first-line-only reading cut it off.
    tail = [
        "Using Python 3.11.7 environment at: v",
        "error: No solution found when resolving dependencies",
        "  cause: Because all versions of torchvision depend on torch==2.0.1+cpu and you require "
        "torch==2.1.0+cpu, we can conclude that your requirements and all versions of "
        "torchvision are incompatible.",
        "         And because you require torchvision==0.15.2+cpu, we can conclude that your "
        "requirements are unsatisfiable.",
    ]
    line = telling_line(tail)
    assert line.startswith("Because all versions of torchvision")
    assert line.endswith("And because you require torchvision==0.15.2+cpu, we can conclude that your requirements are unsatisfiable.")  # fmt: skip


def test_a_terminal_wrapped_cause_is_joined_behind_its_bar() -> None:
    lines = logical_lines(_tail("uv-terminal-wrapped-dns-try-again.txt"))
    assert "  ├─▶ error sending request for url (https://files.pythonhosted.org/packages/78/b6/6307fbef88d9b5ee7421e68d78a9f162e0da4900bc5f5793f6d3d0e34fb8/annotated_types-0.7.0-py3-none-any.whl)" in lines  # fmt: skip
    assert len(lines) == 9  # 12 lines, three of them continuations
    assert lines[-1].startswith("  help: `annotated-types` (v0.7.0) was included")
    assert lines[-1].endswith("which depends on `pydantic` (v2.10.6) which depends on `annotated-types`")  # fmt: skip


@pytest.mark.parametrize("step", [CREATE_ENV, INSTALL])
def test_a_uv_create_env_failure_never_tells_a_uv_user_to_use_uv(step: str) -> None:
    failure = StepError(step, "exit status 2", ["error: No interpreter found for Python 3.14"])
    message = str(step_failed(failure, "nothing was created", Path("/l.log"), manager="uv", python_version="3.14"))  # fmt: skip
    assert "--manager uv" not in message


def test_a_uv_python_download_offline_names_the_download_and_the_way_out() -> None:
    # uv 0.13's real lines when the CPython download cannot connect (tests/install_exec).
    tail = [
        "error: Failed to download `http://127.0.0.1:9/20261110/cpython-3.14.10%2B20261110-"
        "x86_64-unknown-linux-gnu-install_only_stripped.tar.gz`",
        "  cause: error sending request for url (http://127.0.0.1:9/20261110/cpython-3.14.10"
        "%2B20261110-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz)",
        "  cause: client error (Connect)",
        "  cause: tcp connect error",
        "  cause: Connection refused (os error 111)",
    ]
    said, fix = failure_summary(StepError(CREATE_ENV, "exit status 1", tail), manager="uv", python_version="3.14")  # fmt: skip
    assert said.startswith(
        "exit status 1: cannot reach http://127.0.0.1:9/20261110/cpython-3.14.10"
    )
    assert "connection refused" in said
    assert "install Python 3.14" in fix and "--python" in fix and "--manager" not in fix
