"""Why the resolver chose what it chose, as data: a reason code with parameters, never prose
(render/resolution_words.py words each reason; docs/output.md lists the codes).

Parameters are JSON-ready (strings, bools, lists); a VERDICT reason carries the compatibility
verdict itself (envsetup.compat.verdicts.Verdict), which render/verdict_words.py words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional

from envsetup.compat.verdicts import Verdict


class ReasonCode(str, Enum):
    """One step of the resolver's decision. Parameters per code are listed beside it."""

    # torch (the patch), release, release_date, asked (bool: --torch named it), platform_key, manager
    RELEASE_CHOSEN = "release-chosen"
    # python, origin (a PythonOrigin value), release, manager, low, high (the release's range)
    PYTHON_CHOSEN = "python-chosen"
    VERDICT = "verdict"  # the verdict (glibc, driver, GPU coverage) that the choice rests on
    MACOS_BUILD = "macos-build"  # platform_key: the one PyPI wheel, CPU (and MPS on arm64)
    CPU_AS_ASKED = "cpu-as-asked"  # gpus_present (bool)
    ROCM_AS_ASKED = "rocm-as-asked"  # build, rocm (the ROCm version found, or null)
    AUTO_NO_NVIDIA = "auto-no-nvidia"  # --cuda auto without an NVIDIA GPU or driver: the CPU build
    ROCM_AVAILABLE = "rocm-available"  # rocm (found), build (the newest ROCm build to ask for)
    # --cuda auto on a machine with AMD GPUs and no NVIDIA one: build, release, gfx (every GPU's
    # target), coverage ("listed": the build's confirmed list holds every target; "unconfirmed":
    # its list is not confirmed; "override": a target runs a sibling's code with override),
    # override (the HSA_OVERRIDE_GFX_VERSION value to set, or null); "hide": it runs some GPUs,
    # hide (the targets it has no code for, to hide with ROCR_VISIBLE_DEVICES, or null; an
    # integrated GPU beside a discrete one, with override then the discrete GPUs' own value)
    AUTO_ROCM_CHOSEN = "auto-rocm-chosen"
    # --cuda auto with AMD GPUs but no ROCm build of the release runs them: gfx (the targets no
    # build has code for), release; the CPU build instead
    AUTO_ROCM_NONE = "auto-rocm-none"
    # build, release, sms (every GPU's sm_XY, in index order), arch_known (false: the build's
    # arch list is not in the profile, so GPU coverage was not checked)
    AUTO_CHOSEN = "auto-chosen"
    # --cuda 12 (a CUDA major alone): major, build (the newest build of that major that runs
    # here, as --cuda auto judges them), release, builds (every build of that major the release has)
    CUDA_MAJOR_CHOSEN = "cuda-major-chosen"
    INDEX = "index"  # index_url (null: PyPI, the official command for this platform)
    CONDA_CHANNELS = "conda-channels"  # channels, why (the profile's conda_reason)
    UNCONFIRMED_FACTS = "unconfirmed-facts"  # facts: [UnconfirmedFact.to_dict(), ...]
    # A Jetson's JetPack build (resolve/jetson.py): module, l4t, jetpack, page, index_url,
    # torch, cuda, python
    JETSON_BUILD = "jetson-build"


class PythonOrigin(str, Enum):
    """Where the environment's Python version came from."""

    ASKED = "asked"  # --python
    RUNNING = "running"  # pip: the version of the inspected Python (doctor's facts.python)
    NEWEST = "newest"  # the newest the release supports (uv / conda provide it, or unknown)
    INSTALLED = "installed"  # uv: the newest installed interpreter in range (nothing to download)


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    params: dict[str, Any] = field(default_factory=dict)
    verdict: Optional[Verdict] = None  # set for ReasonCode.VERDICT

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def to_dict(self) -> dict[str, Any]:
        """{code, **params}; a VERDICT reason adds the verdict as every --json writes one."""
        out: dict[str, Any] = {"code": self.code.value, **self.params}
        if self.verdict is not None:
            out["verdict"] = self.verdict.to_dict()
        return out


def verdict_reason(verdict: Verdict) -> Reason:
    return Reason(ReasonCode.VERDICT, verdict=verdict)


class FactSubject(str, Enum):
    """Which profile entry an unconfirmed fact belongs to. Parameters per subject beside it."""

    RELEASE = "release"  # release
    PATCH = "patch"  # torch
    BUILD = "build"  # build, platform_key
    GLIBC_FLOOR = "glibc-floor"  # release
    PYTHON_RANGE = "python-range"  # release
    CONDA_RECIPE = "conda-recipe"  # release


@dataclass(frozen=True)
class UnconfirmedFact:
    """A profile fact the choice rests on that the profile marks unconfirmed (status U)."""

    subject: FactSubject
    key: str  # the profile key: torchvision, arch_list, glibc_min, python, conda...
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"subject": self.subject.value, "key": self.key, **self.params}
