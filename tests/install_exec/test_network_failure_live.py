"""Real pip and real uv against an index nothing answers (http://127.0.0.1:9, the discard port):
the install fails as a network failure naming the URL, not as "the pins are not on that index"."""

from __future__ import annotations

from pathlib import Path

import pytest

from envsetup.install.execute import StepFailed
from envsetup.verified_install import provision

from .helpers import resolution_for

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _few_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tools' own retry settings, passed through as a user's would be: the failure is the
    # same, reached in a second instead of ten. pip says why only on a retry (its WARNING line;
    # the final "could not fetch" is a debug message), so it keeps one.
    monkeypatch.setenv("PIP_RETRIES", "1")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")


@pytest.mark.parametrize("manager", ["pip", "uv"])
def test_an_unreachable_index_is_a_network_failure(tmp_path: Path, manager: str) -> None:
    env = tmp_path / "env"
    with pytest.raises(StepFailed) as failure:
        provision(
            resolution_for("cpu", env, manager=manager, projects=("torch",)),
            index_url_base=UNREACHABLE,
            log_dir=str(tmp_path / "logs"),
            verify=False,
        )
    message = str(failure.value)
    assert failure.value.step_id == "check-resolves"
    assert f"cannot reach {UNREACHABLE}/cpu" in message
    assert "connection refused" in message
    assert "--index-url-base" in message
    assert "pins are not on that index" not in message
    assert "\n" not in message
    assert not env.exists()
