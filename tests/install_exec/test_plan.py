"""Plans are pure: argv lists per backend, built from a Resolution."""

from __future__ import annotations

from typing import Optional

import pytest

from envsetup.install.backends import CondaBackend, PipBackend, UvBackend
from envsetup.install.backends.base import Backend
from envsetup.install.plan import Plan, build_plan
from envsetup.install.runner import step_environment
from envsetup.resolve.resolution import Pin, Resolution

INDEX = "https://download.pytorch.org/whl/cu118"


def _resolution(manager: str) -> Resolution:
    return Resolution(
        torch_release="2.0",
        variant="cu118",
        python_version="3.10",
        manager=manager,
        pins=[Pin("torch", "2.0.1+cu118"), Pin("torchvision", "0.15.2+cu118")],
        index_url=INDEX,
        conda_channels=["pytorch", "nvidia"],
        conda_specs=["pytorch==2.0.1", "torchvision==0.15.2", "pytorch-cuda=11.8"],
        env_path="/srv/envs/torch",
    )


def _plan(
    backend: Backend,
    *,
    create_env: bool = True,
    report: Optional[str] = None,
    index_url: str = INDEX,
) -> Plan:
    return build_plan(
        _resolution(backend.name),
        backend,
        env_path="/srv/envs/torch",
        index_url=index_url,
        log_path="/var/log/envsetup/install.log",
        create_env=create_env,
        report_path=report,
    )


def test_pip_plan_creates_checks_then_installs_from_one_index() -> None:
    plan = _plan(PipBackend("/usr/bin/python3.10", windows=False), report="/tmp/r.json")
    assert plan.step_ids() == ["create-env", "check-resolves", "install"]
    create, check, install = plan.steps
    assert create.argv == ("/usr/bin/python3.10", "-m", "venv", "/srv/envs/torch")
    assert check.argv[:4] == ("/srv/envs/torch/bin/python", "-m", "pip", "install")
    assert "--dry-run" in check.argv
    assert install.argv[-2:] == ("torch==2.0.1+cu118", "torchvision==0.15.2+cu118")
    assert install.argv[install.argv.index("--report") + 1] == "/tmp/r.json"
    for step in (check, install):
        assert step.argv[step.argv.index("--index-url") + 1] == INDEX
        assert "--extra-index-url" not in step.argv
        assert "--find-links" not in step.argv
        assert "PIP_EXTRA_INDEX_URL" in step.env_unset
        assert "PIP_FIND_LINKS" in step.env_unset
        assert dict(step.env_set)["PIP_CONFIG_FILE"]  # os.devnull: no config file at all
    assert plan.python == "/srv/envs/torch/bin/python"


def test_uv_plan_asks_uv_for_the_python_and_ignores_uv_config() -> None:
    plan = _plan(UvBackend("/opt/uv", windows=False))
    create, check, install = plan.steps
    assert create.argv[:2] == ("/opt/uv", "venv")
    assert create.argv[create.argv.index("--python") + 1] == "3.10"
    assert "--allow-existing" in create.argv  # the directory already holds the install record
    at_hand = _plan(UvBackend("/opt/uv", interpreter="/usr/bin/python3.10", windows=False))
    assert at_hand.steps[0].argv[at_hand.steps[0].argv.index("--python") + 1] == (
        "/usr/bin/python3.10"
    )
    assert check.argv[:3] == ("/opt/uv", "pip", "install")
    assert "--dry-run" in check.argv and "--dry-run" not in install.argv
    for step in plan.steps:
        assert "--no-config" in step.argv
        assert "UV_EXTRA_INDEX_URL" in step.env_unset
    assert install.argv[install.argv.index("--python") + 1] == "/srv/envs/torch/bin/python"


def test_conda_plan_uses_only_the_profile_channels() -> None:
    plan = _plan(CondaBackend("/opt/conda/bin/conda", windows=False))
    create, check, install = plan.steps
    assert create.argv[:3] == ("/opt/conda/bin/conda", "create", "--yes")
    assert "python=3.10" in create.argv
    for step in plan.steps:
        assert "--override-channels" in step.argv
        channels = [step.argv[i + 1] for i, a in enumerate(step.argv) if a == "--channel"]
        assert channels == ["pytorch", "nvidia"]
    assert install.argv[-1] == "pytorch-cuda=11.8"
    assert "--dry-run" in check.argv


def test_an_upgrade_plan_does_not_create_the_environment() -> None:
    plan = _plan(UvBackend("uv", windows=False), create_env=False)
    assert plan.step_ids() == ["check-resolves", "install"]


@pytest.mark.parametrize(
    ("backend", "python"),
    [
        (PipBackend("py", windows=True), "C:\\envs\\torch\\Scripts\\python.exe"),
        (UvBackend("uv.exe", windows=True), "C:\\envs\\torch\\Scripts\\python.exe"),
        (CondaBackend("conda.exe", windows=True), "C:\\envs\\torch\\python.exe"),
        (CondaBackend("conda", windows=False), "C:\\envs\\torch/bin/python"),
    ],
)
def test_the_environment_python_follows_the_platform_layout(backend: Backend, python: str) -> None:
    assert backend.python_in_env("C:\\envs\\torch\\") == python


def test_every_step_is_an_argv_tuple_of_strings_and_the_plan_serialises() -> None:
    for backend in (PipBackend("python3"), UvBackend("uv"), CondaBackend("conda")):
        plan = _plan(backend)
        for step in plan.steps:
            assert isinstance(step.argv, tuple)
            assert all(isinstance(part, str) and part for part in step.argv)
            assert step.timeout_s > 0
        data = plan.to_dict()
        assert [s["id"] for s in data["steps"]] == plan.step_ids()
        assert isinstance(data["steps"][0]["argv"], list)


@pytest.mark.parametrize(
    ("backend", "variable"),
    [
        (PipBackend("/usr/bin/python3.10", windows=False), "PIP_INDEX_URL"),
        (UvBackend("/opt/uv", windows=False), "UV_DEFAULT_INDEX"),
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "https://ci:idx-T0ken-42@mirror.lan/whl/cu118",
        "https://idx-T0ken-42@mirror.lan/whl/cu118",  # a token as the user name
        "http://ci:idx%40T0ken-42@127.0.0.1:8080/whl/cu118",
        # Credentials elsewhere than the user-info: whatever the output redacts stays off argv.
        "http://127.0.0.1:8080/t/tk-idx-T0ken-42/whl/cu118",  # an Anaconda-style path token
        "https://mirror.lan/whl/cu118?token=idx-T0ken-42",
        "https://bucket.s3.lan/whl/cu118?X-Amz-Signature=idx-T0ken-42&X-Amz-Expires=60",
    ],
)
def test_an_index_credential_goes_through_the_environment_never_the_command_line(
    backend: Backend, variable: str, url: str
) -> None:
    # /proc/PID/cmdline is readable by every local user; /proc/PID/environ only by the owner.
    plan = _plan(backend, index_url=url)
    user = {variable: "https://user-own-index.lan/simple", "PATH": "/usr/bin"}
    for step in plan.steps:
        assert not any("T0ken" in arg for arg in step.argv), step.argv
        assert "--index-url" not in step.argv
        if step.id == "create-env":
            continue
        # The plan's index replaces the user's own setting of the same variable.
        assert step_environment(user, step)[variable] == url


@pytest.mark.parametrize(
    ("backend", "variable"),
    [
        (PipBackend("/usr/bin/python3.10", windows=False), "PIP_INDEX_URL"),
        (UvBackend("/opt/uv", windows=False), "UV_DEFAULT_INDEX"),
    ],
)
def test_an_index_without_credential_stays_on_the_command_line_and_the_user_index_goes(
    backend: Backend, variable: str
) -> None:
    plan = _plan(backend)
    for step in plan.steps[1:]:
        assert step.argv[step.argv.index("--index-url") + 1] == INDEX
        assert variable not in step_environment({variable: "https://elsewhere/simple"}, step)
