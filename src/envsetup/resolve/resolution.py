"""What the resolver decided (or why it refused). Shared by the resolver, the backends and render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from envsetup.compat.verdicts import Verdict, VerdictCode
    from envsetup.resolve.reasons import Reason, UnconfirmedFact


@dataclass(frozen=True)
class Pin:
    name: str  # torch, torchvision, torchaudio
    version: str  # exactly as the index names it, e.g. "2.0.1+cu118" or "2.0.1"

    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass
class Resolution:
    """A request resolved against the profiles for one machine: what to install, from where, why."""

    torch_release: str  # "2.0"
    variant: str  # "cu118", "cpu", "rocm5.4.2"
    python_version: str  # "3.10"
    manager: str  # pip, uv, conda
    pins: list[Pin] = field(default_factory=list)
    index_url: Optional[str] = None  # None: the default index (PyPI)
    conda_channels: list[str] = field(default_factory=list)
    conda_specs: list[str] = field(
        default_factory=list
    )  # e.g. ["pytorch==2.0.1", "pytorch-cuda=11.8"]
    env_path: Optional[str] = None  # venv directory (pip, uv) or conda prefix
    env_name: Optional[str] = None  # conda --name
    cuda_version: Optional[str] = None
    cudnn_version: Optional[str] = None
    # Why, step by step, as data (render/resolution_words.py words one line per reason).
    reasons: list[Reason] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # where the facts behind the choice come from
    # Profile facts the choice rests on that the profile marks unconfirmed (status U).
    unconfirmed: list[UnconfirmedFact] = field(default_factory=list)
    # envsetup.compat.assess on the chosen build: codes and parameters behind the reasons.
    verdicts: list[Verdict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, no prose: reasons as {code, **parameters}, unconfirmed facts as
        {subject, key, **parameters}, each verdict as every --json writes one."""
        data = asdict(self)
        data["reasons"] = [reason.to_dict() for reason in self.reasons]
        data["unconfirmed"] = [fact.to_dict() for fact in self.unconfirmed]
        data["verdicts"] = [verdict.to_dict() for verdict in self.verdicts]
        return data


class RefusalCode(str, Enum):
    """Why the resolver refused, when it is about the request rather than the machine
    (the machine's reasons are envsetup.compat.verdicts.VerdictCode). A refusal's parameters
    per code are listed beside it; the machine's refusals of one release carry, beside their
    verdicts: no-build-for-platform (release, platform_key), glibc-below-floor (release,
    platform_key), musl-libc (release, platform_key), python-outside-range (python, release,
    low, high)."""

    NO_PROFILES = "no-profiles"
    NO_PLATFORM = "no-platform"  # system, arch: PyTorch publishes no wheels for this OS / CPU
    UNKNOWN_RELEASE = "unknown-release"  # torch, oldest, newest (the releases with a profile)
    UNKNOWN_PATCH = "unknown-patch"  # torch, release, known (its patches)
    # The asked compute platform has no build: release (null when no release has it), build,
    # platform_key, builds (those of its kind there are), kind (cuda, rocm); oldest, newest.
    NO_SUCH_BUILD = "no-such-build"
    # --cuda auto: every CUDA build is blocked. release, platform_key, builds (each blocked by
    # the verdicts whose `build` names it).
    NO_CUDA_BUILD_RUNS = "no-cuda-build-runs"
    NO_RELEASE_FITS = "no-release-fits"  # release (the newest; `cause` says why it refused)
    PIP_PYTHON_MISMATCH = "pip-python-mismatch"  # python (asked), running
    NO_GPU_BUILDS_ON_MACOS = "no-gpu-builds-on-macos"  # build
    NO_CONDA_PACKAGE = "no-conda-package"  # release, why (the profile's conda_reason)
    NO_CONDA_RECIPE = "no-conda-recipe"  # release, build, platform_key
    # A Jetson (resolve/jetson.py); each names module, l4t, jetpack, page, index_url:
    JETSON_BUILD_ONLY = "jetson-build-only"  # + build: a PyTorch CUDA build asked for
    JETSON_NO_INDEX = "jetson-no-index"  # no pip index of NVIDIA's builds for this JetPack
    JETSON_NO_SUCH_RELEASE = "jetson-no-such-release"  # + torch (asked), known (on the index)
    JETSON_NO_CONDA = "jetson-no-conda"  # NVIDIA's Jetson builds are pip wheels only
    JETSON_PYTHON = "jetson-python"  # + python (asked or running), wheels_python


class AlternativeKind(str, Enum):
    FLAGS = "flags"  # flags: install flags that resolve here; build: the build they pick (auto)
    UPGRADE_DRIVER = "upgrade-driver"  # driver: the lowest driver version that would do
    REINSTALL = "reinstall"  # reinstall envsetup (its profiles are missing)
    SUPPORTED_MACHINE = "supported-machine"  # a machine PyTorch publishes wheels for


@dataclass(frozen=True)
class Alternative:
    """One request that would work on this machine (or the step that would make one work)."""

    kind: AlternativeKind
    flags: tuple[str, ...] = ()  # ("--cuda", "11.8"), ("--manager", "uv", "--python", "3.12")
    build: Optional[str] = None  # FLAGS under --cuda auto: the build they resolve to ("cu128")
    driver: Optional[str] = None  # UPGRADE_DRIVER: "450.80.02"

    @classmethod
    def of(cls, *flags: str, build: Optional[str] = None) -> Alternative:
        return cls(AlternativeKind.FLAGS, tuple(flags), build=build)


class ResolutionRefused(Exception):
    """An impossible request: why as a code with parameters, the nearest requests that would work
    (data), and every code behind it. render/resolution_words.py words the one-line reason.

    `code`: a RefusalCode when the request is the problem; a VerdictCode when the machine's
    blocking verdicts (`verdicts`) are (the build has no wheels here, glibc or Python out of range,
    the driver or GPU cannot run it). `params`: the values the reason is made of (the release,
    the build asked for, the builds there are...). `cause`: the refusal a summary refusal stands
    for (NO_RELEASE_FITS: why the newest release refused; `nearer`: why the newest release that
    block lets through refused). `codes` holds the RefusalCode and
    VerdictCode members (both str enums) of the refusal, its cause and its verdicts: what callers
    and tests test.
    """

    def __init__(
        self,
        code: Union[RefusalCode, VerdictCode],
        alternatives: Optional[list[Alternative]] = None,
        verdicts: tuple[Verdict, ...] = (),
        params: Optional[dict[str, Any]] = None,
        cause: Optional[ResolutionRefused] = None,
        nearer: Optional[ResolutionRefused] = None,
    ) -> None:
        super().__init__(code.value)  # the sentence is render's (resolution_words.refusal_reason)
        self.code = code
        self.params = dict(params or {})
        self.alternatives = list(alternatives or [])
        self.verdicts = tuple(verdicts)
        self.cause = cause
        # NO_RELEASE_FITS: why the newest release that `cause`'s block lets through refused (its
        # `params["release"]` names it): the next constraint that binds, e.g. glibc 2.17 stops
        # 2.6+, and Python 3.6 stops 2.5, which glibc allows. None when every release refused
        # for the same reason.
        self.nearer = nearer
        own = [code] if isinstance(code, RefusalCode) else []
        self.codes = tuple(
            dict.fromkeys([*own, *(cause.codes if cause else ()), *(v.code for v in verdicts)])
        )
