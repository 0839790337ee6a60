"""verify's node-check flags (issue 13): --out, --prometheus, --budget, on real venvs (a real
worker, a real check that hangs), as real processes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from venvs import bare_venv, fake_torch, verify_cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real venv whose `torch` is an empty package: enough for the test-only checks."""
    python = bare_venv(tmp_path_factory.mktemp("venv") / "env")
    fake_torch(python)
    return python


def schema() -> dict[str, Any]:
    return json.loads((ROOT / "docs" / "schema" / "verify.schema.json").read_text("utf-8"))


def test_budget_ends_a_hanging_check_skips_the_rest_and_writes_the_node_report(
    target: str, tmp_path: Path
) -> None:
    """_test.hang never returns; its own --timeout is 120 s. --budget 4 ends it in time, skips
    the check after it, and says both were cut, without calling either a failure."""
    started = time.monotonic()
    done = verify_cli(
        "--python", target, "--only", "_test.hang,_test.noisy", "--timeout", "120",
        "--budget", "4", "--json",
        "--out", str(tmp_path / "{host}.json"), "--prometheus", str(tmp_path / "{host}.prom"),
    )  # fmt: skip
    wall = time.monotonic() - started
    assert wall < 15, wall
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, schema())
    data = document["data"]
    assert data["budget"]["seconds"] == 4.0
    assert data["budget"]["cut"] == ["_test.hang", "_test.noisy"]
    checks = {c["id"]: c for c in data["checks"]}
    assert checks["_test.hang"]["status"] == "skip"
    assert "--budget of 4 s was spent" in checks["_test.hang"]["reason"]
    assert checks["_test.noisy"]["status"] == "skip"
    assert checks["_test.noisy"]["reason"].startswith("not run")
    (cut,) = [f for f in document["findings"] if f["id"] == "budget-cut"]
    assert cut["severity"] == "warning" and cut["params"]["cut"] == ["_test.hang", "_test.noisy"]
    (report,) = tmp_path.glob("*.json")
    assert json.loads(report.read_text(encoding="utf-8")) == document
    assert data["node"] == report.stem
    prom = report.with_suffix(".prom").read_text(encoding="utf-8")
    assert 'envsetup_check_passed{command="verify",check="_test.hang",status="skip"} 0' in prom
    assert 'envsetup_budget_cut{command="verify"} 1' in prom


def test_the_fingerprint_describes_the_target(target: str, tmp_path: Path) -> None:
    done = verify_cli(
        "--python", target, "--only", "_test.noisy", "--out", str(tmp_path / "n.json")
    )
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))["data"]
    version = data["target"]["python_version"]
    assert version and data["fingerprint"]["python"] == version
    assert data["budget"] is None and data["node"]
    assert len(data["fingerprint"]["key"]) == 12


def test_an_unusable_target_s_report_is_kept_not_replaced_by_the_error(tmp_path: Path) -> None:
    """No torch: exit 3 and one line on stderr; the file holds verify's own document, which
    says why (data.unusable), not a bare error envelope."""
    python = bare_venv(tmp_path / "env")
    done = verify_cli("--python", python, "--out", str(tmp_path / "n.json"))
    assert done.returncode == 3
    written = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))
    assert written["outcome"] == "unusable" and written["exit_code"] == 3
    assert "torch is not installed" in written["data"]["unusable"]["reason"]


@pytest.mark.parametrize(
    "args, says",
    [
        (("--budget", "0"), "--budget 0: not a positive number of seconds"),
        (("--out", "/nonexistent-folder/{host}.json"), "its folder /nonexistent-folder does"),
        (("--prometheus", "/nonexistent-folder/x.prom"), "--prometheus /nonexistent-folder/"),
    ],
)
def test_bad_node_flags_are_usage_errors_before_any_check(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    # --python names nothing: the flags are checked first, so its error is not reached.
    done = verify_cli("--python", str(tmp_path / "nopython"), *args)
    assert done.returncode == 2 and says in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
