"""The `envsetup install` a fix prints, aimed at a target install accepts on this host.

Into the inspected environment (`--env PREFIX --upgrade`) when it is one (venv, uv, conda:
docs/install.md) and not the environment envsetup itself runs from: install would replace the
packages envsetup runs on, and refuses to remove that environment. Otherwise a new environment
where nothing is yet in the working directory (probe/python_env.py names it: ./.venv, else
./.venv-torch...), since install refuses an existing directory without --upgrade or --force.
"""

from __future__ import annotations

import shlex
from typing import Any, Sequence

from envsetup.facts import Facts

ENVIRONMENTS = ("venv", "conda", "uv")
DEFAULT_NEW_ENV = (
    "./.venv",
    ".\\.venv",
)  # install's default --env, spelled as new_env_dir spells it


def into_inspected(facts: Facts) -> bool:
    """Whether a fix may install into the inspected environment itself (with --upgrade)."""
    python, choice = facts.python, facts.python.chosen_by
    own = bool(choice and choice.envsetup_environment)
    return python.environment in ENVIRONMENTS and bool(python.prefix) and not own


def install_command(facts: Facts, flags: Sequence[str]) -> str:
    """`envsetup install` with `flags`, quoted for a POSIX shell (a prefix may hold spaces or
    `$(...)`): `--env PREFIX FLAGS --upgrade` into the inspected environment, else a new one."""
    if into_inspected(facts):
        return shlex.join(
            ["envsetup", "install", "--env", facts.python.prefix, *flags, "--upgrade"]
        )
    return new_env_command(facts, flags)


def new_env_command(facts: Facts, flags: Sequence[str]) -> str:
    """`envsetup install FLAGS` into a new environment: install's default ./.venv when nothing is
    there (or the working directory is not known), else the free directory the probe found."""
    new = _new_env_dir(facts)
    if not new or new in DEFAULT_NEW_ENV:
        return shlex.join(["envsetup", "install", *flags])
    return shlex.join(["envsetup", "install", "--env", new, *flags])


def install_params(facts: Facts, flags: Sequence[str]) -> dict[str, Any]:
    """A finding's params for its install fix: the command, where it installs, whether that is a
    new environment, and whether the inspected one is envsetup's own (render words say why)."""
    choice = facts.python.chosen_by
    inspected = into_inspected(facts)
    return {
        "install": install_command(facts, flags),
        "install_into": facts.python.prefix if inspected else (_new_env_dir(facts) or "./.venv"),
        "install_new_env": not inspected,
        "envsetup_environment": bool(choice and choice.envsetup_environment),
    }


def _new_env_dir(facts: Facts) -> str:
    choice = facts.python.chosen_by
    return choice.new_env_dir if choice else ""


# Why `envsetup install --cuda auto` would pick no CUDA build on the machine the facts describe
# (resolve/build_choice.py, _pick_auto: without an NVIDIA GPU or driver it takes a ROCm build for
# a visible AMD GPU, else the CPU build; macOS has no CUDA build at all).
AUTO_NOT_CUDA_MACOS = "macos"
AUTO_NOT_CUDA_AMD = "amd"
AUTO_NOT_CUDA_NO_NVIDIA = "no-nvidia"


def auto_not_cuda(facts: Facts) -> dict[str, Any]:
    """Params saying why `--cuda auto` gives no CUDA build here: `auto_not_cuda` (one of the
    codes above) with what was seen (`gfx`, `nvidia_seen`); {} when it would give one, or when the
    facts do not say (no host: a paste alone, where NVIDIA was never looked for)."""
    from envsetup.compat.machine import machine_from_facts

    system = facts.os.system
    if system == "Darwin":
        return {"auto_not_cuda": AUTO_NOT_CUDA_MACOS}
    nvidia = facts.nvidia
    looked = nvidia.smi_state != "not-run" or bool(nvidia.nvml_error or nvidia.driver_source)
    if not system or not looked:
        return {}
    machine = machine_from_facts(facts, strict=False)
    if machine.has_nvidia:
        return {}
    if machine.amd_gfx and system == "Linux":  # PyTorch's ROCm wheels are Linux's only
        return {"auto_not_cuda": AUTO_NOT_CUDA_AMD, "gfx": list(machine.amd_gfx)}
    return {
        "auto_not_cuda": AUTO_NOT_CUDA_NO_NVIDIA,
        "nvidia_seen": nvidia.nvml_error or f"nvidia-smi {nvidia.smi_state}",
    }
