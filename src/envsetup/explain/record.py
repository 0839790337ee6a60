"""A recorded host (docs/recorded-host.md) built from facts: `explain --record DIR`.

A paste states facts, not the outputs doctor's probes read, so this writes what the probes would
need to read those facts back: the platform, /etc/os-release, WSL and container markers, NVML's
answer (driver, CUDA driver version, GPUs), the Python interpreter's self-description and the
installed torch's files (torch/version.py, its dist-info METADATA), LD_LIBRARY_PATH and
CUDA_HOME, the nvcc on PATH and its `--version` answer, toolkit roots found at a path (their
version.json), and, where the paste shows torch ran (collect_env's "Is CUDA available", torch's
arch warning), the answer of `--deep`'s torch check: CUDA available, the arch list, and as its
stderr the paste's torch and CUDA error lines; the CPU, memory and C compilers (where doctor's
probe/system_info.py reads them: /proc/cpuinfo and /proc/meminfo on Linux, sysctl's answer on
macOS, NUMBER_OF_PROCESSORS and PROCESSOR_IDENTIFIER on Windows, `gcc/clang --version`'s first
line), the relevant packages as dist-info directories, and the NVSwitch fabric and container
facts doctor's probe/gpu_access.py reads (explain/record_gpu_access.py: each GPU's Fabric block
as `nvidia-smi -q -x`'s answer, the fabric manager's version and service state, a container's
device nodes and `nvidia-container-cli info`). `doctor --replay DIR` (`--deep` for the
torch check) then reads those facts again. Not written (doctor reads them back as absent):
nvidia-smi's own table and failures, the kernel module, GPUs where no driver is stated or proven
(NVML answers with a driver; a pasted Fabric block proves one), NVSwitch device nodes. cuDNN
is written where the facts give its directory (Linux): an empty libcudnn.so.X.Y.Z there (doctor
reads the version from the name) or cudnn_version.h's three defines. A path the facts do not give is written as the usual one (the interpreter
/usr/bin/python3, its site-packages, nvcc in /usr/local/cuda-X.Y/bin), and the docs say so.
Pure: host/recording.py writes the result.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from envsetup.explain.record_gpu_access import record_gpu_access
from envsetup.facts import Facts
from envsetup.lazy_pattern import lazy
from envsetup.parsers.rocm import kfd_version_from_gfx
from envsetup.probe.torch_files import DEEP_TAG

PLACEHOLDER_PYTHON = "/usr/bin/python3"
# The kinds of pasted signal whose lines torch's CUDA start-up prints (its warnings, the CUDA
# runtime's errors): --deep's check would print them again. Not tracebacks or library errors: a
# paste's may come from another program.
TORCH_STDERR_KINDS = ("torch-error", "cuda-error")


def recording_of(
    facts: Facts, torch_stderr: Sequence[str] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """(host.json without its format keys, {absolute path: text}) for `facts`. A path ending in
    "/" is a directory that exists; "" marks a path that exists. `torch_stderr`: the lines
    torch printed in the paste (`torch_stderr_of`), the recorded stderr of --deep's check."""
    files: dict[str, str] = {}
    os_ = facts.os
    system = os_.system  # "" where the paste states none: doctor reads the OS as unknown
    # torch's own start-up errors in the paste (torch_stderr) show some Python ran torch too.
    python = _python(facts, files, bool(torch_stderr))
    platform = {
        "system": system,
        "release": os_.kernel,
        "version": "",
        "machine": os_.arch,
        "libc": f"glibc {os_.glibc}" if os_.glibc else "",
        "mac_version": os_.macos_version,
        "windows_version": os_.windows_version,
        "python_executable": python.get("executable", ""),
        "python": python,
    }
    if system == "Linux":
        _linux_files(facts, files)
    _rocm_files(facts, files)  # (doctor reads them on Linux only; a paste may state no OS)
    environ = {}
    if facts.cuda.ld_library_path:
        environ["LD_LIBRARY_PATH"] = ":".join(facts.cuda.ld_library_path)
    if facts.cuda.cuda_home:
        environ["CUDA_HOME"] = facts.cuda.cuda_home
    if facts.rocm.hsa_override_gfx_version:
        environ["HSA_OVERRIDE_GFX_VERSION"] = facts.rocm.hsa_override_gfx_version
    # PATH's python is the interpreter the paste ran (doctor's target, probe/python_env.py).
    which: dict[str, str] = (
        dict.fromkeys(("python3", "python"), python["executable"]) if python else {}
    )
    commands: list[dict[str, Any]] = []
    _toolkits(facts, files)
    _cudnn(facts, files)
    _nvcc(facts, which, commands)
    _deep(facts, python, torch_stderr, commands)
    _system_info(facts, files, environ, which, commands)
    if system in ("", "Linux") and not os_.wsl:  # where doctor's probe/gpu_access.py reads
        record_gpu_access(facts, files, which, commands)
    manifest = {
        "platform": platform,
        "environ": environ,
        "which": which,
        "realpath": {},
        "nvml": _nvml(facts),
        "commands": commands,
    }
    _torch_files(facts, python, files)
    _package_files(facts, python, files)
    return manifest, files


def torch_stderr_of(signals: Sequence[Any], texts: dict[int, str]) -> list[str]:
    """The paste's lines (number -> text) that `signals` of TORCH_STDERR_KINDS rest on, in
    paste order: what torch printed."""
    numbers = sorted({n for s in signals if s.kind in TORCH_STDERR_KINDS for n in s.lines})
    return [texts[n] for n in numbers if n in texts]


def _toolkits(facts: Facts, files: dict[str, str]) -> None:
    """A system toolkit at a path: its root with version.json (what doctor reads first) and
    bin/nvcc where the facts name one."""
    for toolkit in facts.cuda.toolkits:
        if toolkit.kind == "pip-wheel" or not toolkit.path.startswith("/") or not toolkit.version:
            continue
        root = toolkit.path.rstrip("/")
        document = {"cuda": {"name": "CUDA SDK", "version": toolkit.version}}
        files[f"{root}/version.json"] = json.dumps(document) + "\n"
        if toolkit.nvcc:
            files[toolkit.nvcc] = ""


def _cudnn(facts: Facts, files: dict[str, str]) -> None:
    """cuDNN found at a path: the library file (doctor reads the version from its name) or
    cudnn_version.h with the version's three defines."""
    for install in facts.cudnn:
        path, version = install.path, install.version or ""
        if not path.startswith("/") or not version:
            continue
        name = path.rsplit("/", 1)[-1]
        if install.source == "library" and name.startswith("libcudnn") and ".so." in name:
            # doctor reads libcudnn.so.X.Y.Z: the one library standing for the install (a paste
            # may list only its parts, libcudnn_cnn_infer.so.8.9.2)
            files[f"{path.rsplit('/', 1)[0]}/libcudnn.so.{version}"] = ""
        elif install.source == "header" and name.startswith("cudnn") and version.count(".") == 2:
            major, minor, patch = version.split(".")
            files[path] = (
                f"#define CUDNN_MAJOR {major}\n#define CUDNN_MINOR {minor}\n"
                f"#define CUDNN_PATCHLEVEL {patch}\n"
            )


def _nvcc(facts: Facts, which: dict[str, str], commands: list[dict[str, Any]]) -> None:
    """The nvcc on PATH and its `--version` answer (nvcc's own wording)."""
    version = facts.cuda.nvcc_on_path_version
    if not version or facts.os.system not in ("", "Linux"):
        return
    stated = facts.cuda.nvcc_on_path or ""
    release = ".".join(version.split(".")[:2])
    path = stated if stated.startswith("/") else f"/usr/local/cuda-{release}/bin/nvcc"
    which["nvcc"] = path
    commands.append(
        {
            "argv": [path, "--version"],
            "returncode": 0,
            "stdout": "nvcc: NVIDIA (R) Cuda compiler driver\n"
            f"Cuda compilation tools, release {release}, V{version}\n",
        }
    )


def _deep(
    facts: Facts,
    python: dict[str, Any],
    stderr: Sequence[str],
    commands: list[dict[str, Any]],
) -> None:
    """--deep's torch check ("-c", "*", "envsetup-deep"), answered as the paste showed it: where
    the paste shows only torch's start-up errors (`stderr`), the answer holds no more than that
    (an empty arch list), and its stderr those lines."""
    deep = facts.torch.deep
    if not (deep.ran or stderr) or not python.get("executable"):
        return
    answer: dict[str, Any] = {"arch_list": list(deep.arch_list)}
    if deep.cuda_available is not None:
        answer["cuda_available"] = deep.cuda_available
    if deep.device_count is not None:
        answer["device_count"] = deep.device_count
    if deep.cudnn_version is not None:
        answer["cudnn_version"] = deep.cudnn_version
    if deep.error:
        answer["error"] = deep.error
    commands.append(
        {
            "argv": [python["executable"], "-c", "*", DEEP_TAG],
            "returncode": 0,
            "stdout": "ENVSETUP-DEEP " + json.dumps(answer) + "\n",
            "stderr": "".join(line + "\n" for line in stderr),
        }
    )


def _linux_files(facts: Facts, files: dict[str, str]) -> None:
    os_ = facts.os
    fields = [("ID", os_.distro_id), ("NAME", os_.distro_name), ("VERSION_ID", os_.distro_version)]
    if os_.distro_like:
        fields.append(("ID_LIKE", " ".join(os_.distro_like)))
    if any(value for _, value in fields):
        files["/etc/os-release"] = "".join(f'{k}="{v}"\n' for k, v in fields if v)
    if os_.kernel:
        files["/proc/version"] = f"Linux version {os_.kernel} (envsetup explain --record)\n"
    if os_.wsl == 2:
        files["/dev/dxg"] = ""
    if os_.container == "docker":
        files["/.dockerenv"] = ""
    elif os_.container == "podman":
        files["/run/.containerenv"] = ""
    if (facts.nvidia.driver_version or _driver_proven(facts)) and not os_.wsl:
        files["/dev/nvidiactl"] = ""  # doctor asks NVML only where the driver made its node
    _jetson_files(facts, files)


def _rocm_files(facts: Facts, files: dict[str, str]) -> None:
    """Pasted AMD GPUs as the KFD topology doctor's probe falls back to (probe/rocm.py): one
    node per GPU with its gfx_target_version (node 0 is the CPU's), and /dev/kfd. The GPUs'
    names are not kept (the topology has none); their targets are what install judges."""
    targets = [gpu.gfx for gpu in facts.rocm.gpus if gpu.gfx] or list(facts.rocm.gfx_targets)
    versions = [v for v in (kfd_version_from_gfx(t) for t in targets) if v]
    for node, version in enumerate(versions, start=1):
        path = f"/sys/class/kfd/kfd/topology/nodes/{node}/properties"
        files[path] = f"gfx_target_version {version}\n"
    if versions:
        files["/dev/kfd"] = ""


def _jetson_files(facts: Facts, files: dict[str, str]) -> None:
    """A pasted Jetson's L4T release and device-tree model, where doctor's probe reads them
    (probe/jetson.py): the release as /etc/nv_tegra_release's first line, the model as
    /proc/device-tree/model. Without them the replayed host was a Jetson of no JetPack (or no
    Jetson at all when /etc/nv_tegra_release was the only sign), and install and check-command
    could not pick NVIDIA's builds for it."""
    jetson = facts.jetson
    if not jetson.is_jetson:
        return
    if jetson.l4t:
        major, _, revision = jetson.l4t.partition(".")
        files["/etc/nv_tegra_release"] = (
            f"# R{major} (release), REVISION: {revision}, (envsetup explain --record)\n"
        )
    if jetson.model:
        files["/proc/device-tree/model"] = jetson.model


def _nvml(facts: Facts) -> dict[str, Any]:
    nvidia = facts.nvidia
    if not (nvidia.driver_version or _driver_proven(facts)):
        return {"error": nvidia.nvml_error or "not recorded (explain --record: no driver stated)"}
    return {
        # "": a driver whose version the paste does not state (torch found CUDA usable)
        "driver_version": nvidia.driver_version or "",
        "cuda_driver_version": _cuda_int(nvidia.driver_cuda_version),
        "devices": [
            {
                "index": gpu.index,
                "name": gpu.name,
                "uuid": gpu.uuid,
                "memory_total_bytes": gpu.memory_total_mib * 1024 * 1024
                if gpu.memory_total_mib
                else None,
                # host.json writes it "8.6" (recording_schema), not the model's tuple
                "compute_capability": str(gpu.compute_capability)
                if gpu.compute_capability
                else None,
                "mig_mode": gpu.mig_mode,
                "pcie_gen": gpu.pcie_gen,
                "pcie_gen_max": gpu.pcie_gen_max,
                "pcie_width": gpu.pcie_width,
                "pcie_width_max": gpu.pcie_width_max,
            }
            for gpu in nvidia.gpus
        ],
    }


def _torch_ran(facts: Facts) -> bool:
    """The paste shows torch ran (collect_env's "Is CUDA available", torch's arch warning) or
    is installed at a path: some Python ran it, though the paste may not say which."""
    return facts.torch.deep.ran or bool(facts.torch.location)


def _driver_proven(facts: Facts) -> bool:
    """torch found CUDA usable (collect_env's "Is CUDA available: True"), or `nvidia-smi -q`
    printed a GPU's Fabric block: an NVIDIA driver is loaded, whatever its version (torch's CUDA
    runtime needs one; nvidia-smi reads the block through it)."""
    torch = facts.torch
    if facts.gpu_access.fabric.gpus:
        return True
    return (
        torch.deep.cuda_available is True and torch.flavor.value != "rocm" and not torch.hip_version
    )


def _cuda_int(version: Optional[str]) -> Optional[int]:
    """ "12.4" -> 12040 (NVML's encoding); None when not a MAJOR.MINOR version."""
    parts = (version or "").split(".")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return int(parts[0]) * 1000 + int(parts[1]) * 10


def _python(facts: Facts, files: dict[str, str], torch_printed: bool = False) -> dict[str, Any]:
    """The interpreter's self-description (probe/python_env.py's introspection keys)."""
    python = facts.python
    if not (python.executable or python.version or _torch_ran(facts) or torch_printed):
        return {}
    executable = python.executable or PLACEHOLDER_PYTHON
    version = python.version
    short = ".".join(version.split(".")[:2]) if version else "3"
    prefix = python.prefix or "/usr"
    base_prefix = prefix
    if python.environment in ("venv", "uv"):
        base_prefix = "/usr"
        files[f"{prefix}/pyvenv.cfg"] = "home = /usr/bin\n" + (
            "uv = 0.0.0\n" if python.environment == "uv" else ""
        )
    elif python.environment == "conda":
        files[f"{prefix}/conda-meta/"] = ""
    site = list(python.site_packages) or [f"{prefix}/lib/python{short}/site-packages"]
    stdlib = f"{base_prefix}/lib/python{short}"
    if python.externally_managed:
        files[f"{stdlib}/EXTERNALLY-MANAGED"] = "[externally-managed]\n"
    if python.pip_version:
        files[f"{site[0]}/pip-{python.pip_version}.dist-info/"] = ""
    return {
        "executable": executable,
        "version": version,
        "implementation": python.implementation or "CPython",
        "prefix": prefix,
        "base_prefix": base_prefix,
        "stdlib": stdlib,
        "purelib": site[0],
        "site_packages": site,
        "bits": python.bits or 64,
    }


def _torch_files(facts: Facts, python: dict[str, Any], files: dict[str, str]) -> None:
    torch = facts.torch
    if not torch.version or not python:
        return
    site = python["site_packages"][0]
    requires = "".join(
        f"Requires-Dist: {name}=={version}\n" for name, version in torch.requires_nvidia.items()
    )
    files[f"{site}/torch-{torch.version}.dist-info/METADATA"] = (
        f"Metadata-Version: 2.1\nName: torch\nVersion: {torch.version}\n{requires}"
    )
    files[f"{site}/torch/version.py"] = (
        "from typing import Optional\n"
        f"__version__ = {torch.version!r}\n"
        f"cuda: Optional[str] = {torch.cuda_version!r}\n"
        f"hip: Optional[str] = {torch.hip_version!r}\n"
    )
    for name in ("torchvision", "torchaudio"):
        version = getattr(torch, name)
        if version:
            files[f"{site}/{name}-{version}.dist-info/"] = ""


# The files and commands probe/system_info.py reads (its paths and argv, kept in step).
_SYSCTL = ("/usr/sbin/sysctl", "machdep.cpu.brand_string", "hw.ncpu", "hw.memsize")
_CGROUP_CPU_PERIOD_US = 100000
_GROUPED = lazy(r"(\d{1,4})x (.+)")


def _system_info(
    facts: Facts,
    files: dict[str, str],
    environ: dict[str, str],
    which: dict[str, str],
    commands: list[dict[str, Any]],
) -> None:
    """The CPU, memory and C compilers the facts state, where doctor's probe reads them: Linux's
    /proc/cpuinfo, /proc/meminfo and the cgroup's limits; macOS's sysctl answer; Windows'
    NUMBER_OF_PROCESSORS and PROCESSOR_IDENTIFIER; each compiler's `--version` first line (on
    PATH as /usr/bin/NAME where the paste names no path)."""
    info, system = facts.system_info, facts.os.system
    if system == "Linux":
        if info.cpu_model or info.cpu_count:
            files["/proc/cpuinfo"] = _cpuinfo(info.cpu_model, info.cpu_count)
        if info.cpu_limit:
            quota = round(info.cpu_limit * _CGROUP_CPU_PERIOD_US)
            files["/sys/fs/cgroup/cpu.max"] = f"{quota} {_CGROUP_CPU_PERIOD_US}\n"
        if info.memory_total_mib is not None:
            lines = [f"MemTotal:       {info.memory_total_mib * 1024} kB"]
            if info.memory_available_mib is not None:
                lines.append(f"MemAvailable:   {info.memory_available_mib * 1024} kB")
            files["/proc/meminfo"] = "\n".join(lines) + "\n"
            if info.memory_limit_mib is not None:
                files["/sys/fs/cgroup/memory.max"] = f"{info.memory_limit_mib << 20}\n"
    elif system == "Darwin" and (info.cpu_model or info.cpu_count):
        values = [("machdep.cpu.brand_string", info.cpu_model), ("hw.ncpu", info.cpu_count)]
        if info.memory_total_mib is not None:
            values.append(("hw.memsize", info.memory_total_mib << 20))
        which["sysctl"] = _SYSCTL[0]
        stdout = "".join(f"{name}: {value}\n" for name, value in values if value)
        commands.append({"argv": list(_SYSCTL), "returncode": 0, "stdout": stdout})
    elif system == "Windows":
        if info.cpu_count is not None:
            environ["NUMBER_OF_PROCESSORS"] = str(info.cpu_count)
        if info.cpu_model:
            environ["PROCESSOR_IDENTIFIER"] = info.cpu_model
    for compiler in info.compilers:
        if compiler.name not in ("gcc", "clang") or not compiler.banner or system == "Windows":
            continue
        path = compiler.path if compiler.path.startswith("/") else f"/usr/bin/{compiler.name}"
        which.setdefault(compiler.name, path)
        commands.append(
            {"argv": [path, "--version"], "returncode": 0, "stdout": compiler.banner + "\n"}
        )


def _cpuinfo(model: str, count: Optional[int]) -> str:
    """/proc/cpuinfo listing `count` processors named `model` ("2x A + 2x B": each group's
    processors named as it says); without a count, the model on the one "Processor" line old
    arm kernels print (read back as the model, with no count)."""
    if not count:
        return f"Processor\t: {model}\n"
    groups = [_GROUPED.fullmatch(part) for part in model.split(" + ")] if model else []
    if groups and all(groups) and sum(int(g.group(1)) for g in groups if g) == count:
        names = [g.group(2) for g in groups if g for _ in range(int(g.group(1)))]
    else:
        names = [model] * count
    blocks = [
        f"processor\t: {number}\n" + (f"model name\t: {name}\n" if name else "")
        for number, name in enumerate(names)
    ]
    return "\n".join(blocks)


def _package_files(facts: Facts, python: dict[str, Any], files: dict[str, str]) -> None:
    """The relevant packages the paste lists, as dist-info directories in the interpreter's
    site-packages (doctor reads their names: probe/system_info.py)."""
    packages = facts.system_info.packages
    if not packages or not python:
        return
    site = python["site_packages"][0]
    for name, version in packages.items():
        if name in ("torch", "torchvision", "torchaudio"):
            continue  # written with their files (_torch_files)
        files.setdefault(f"{site}/{name.replace('-', '_')}-{version}.dist-info/", "")
