"""`python -m torch.utils.collect_env` output, as pasted into bug reports: torch 1.x to 2.9,
Linux, Windows, macOS, ROCm, "Could not collect" fields, and the variants that embed it (vLLM's
`collect_env.py` with its CPU, topology, vLLM and environment-variable parts, the sectioned layout
of vLLM >= 0.8 with "=====" banners and padded "Key   : value" lines, ScaleLLM's).

Facts: torch version and build (CUDA or ROCm), OS, kernel and WSL, glibc, Python, the NVIDIA
driver, GPU names, the CUDA toolkit nvcc reports ("CUDA runtime version"), cuDNN libraries, and
the packages of "Versions of relevant libraries".
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

from envsetup.compat.amd_gpu_ids import gfx_by_card_name, gfx_by_device_id
from envsetup.explain.sections._package_facts import add_package
from envsetup.explain.sections._reading import (
    Reader,
    ReadingBuilder,
    stripped,
    text_of,
    without_trailing_blanks,
)
from envsetup.explain.sections._system_facts import add_system_info
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.collect_env import parse_collect_env
from envsetup.parsers.cudnn import cudnn_version_from_filename
from envsetup.parsers.kernel import wsl_from_kernel
from envsetup.parsers.packages import parse_package_line
from envsetup.parsers.torch_build import flavor_from_local_version

KIND = "collect-env"

# Keys collect_env (and its vLLM / ScaleLLM variants) print; a key after a blank line must be one.
_KEYS = (
    "PyTorch version", "Is debug build", "CUDA used to build PyTorch", "ROCM used to build PyTorch",
    "OS", "GCC version", "Clang version", "CMake version", "Libc version", "Python version",
    "Python platform", "Is CUDA available", "CUDA runtime version", "CUDA_MODULE_LOADING set to",
    "GPU models and configuration", "Nvidia driver version", "cuDNN version", "HIP runtime version",
    "MIOpen runtime version", "Is XNNPACK available", "Is XPU available", "NCCL version", "CPU",
    "Versions of relevant libraries", "ROCM Version", "Neuron SDK Version", "vLLM Version",
    "vLLM Build Flags", "GPU Topology", "GPU topology", "Legend", "NIC Legend", "ScaleLLM version",
    "Aphrodite Version", "Aphrodite Build Flags", "SGLang", "Environment Variables",
)  # fmt: skip
_KEY_SET = frozenset(_KEYS)
_START_KEYS = ("PyTorch version", "Collecting environment information")
_ENV_VAR = lazy(r"[A-Z][A-Z0-9_]{0,80}=")
# /etc/os-release's keys look like environment variables: never take them for vLLM's.
_OS_RELEASE_KEYS = frozenset(
    [
        "NAME",
        "VERSION",
        "ID",
        "ID_LIKE",
        "PRETTY_NAME",
        "VERSION_ID",
        "HOME_URL",
        "SUPPORT_URL",
        "BUG_REPORT_URL",
        "PRIVACY_POLICY_URL",
        "VERSION_CODENAME",
        "UBUNTU_CODENAME",
        "LOGO",
        "ANSI_COLOR",
        "CPE_NAME",
    ]
)
# Blocks printed as free text: lscpu's, nvidia-smi topo's matrix and legend.
_FREE_BLOCKS = ("CPU:", "GPU Topology:", "GPU topology:", "Legend:", "NIC Legend:")


def _key_of(text: str) -> str:
    key, colon, _ = text.partition(":")
    return key.rstrip() if colon else ""


_VLLM_PLATFORM = "Automatically detected platform"


def _is_banner(text: str) -> bool:
    return len(text) >= 10 and text.startswith("=====") and set(text) == {"="}


def _is_start(text: str) -> bool:
    return text.startswith(_START_KEYS) or (
        text.startswith("PyTorch version") and _key_of(text) == "PyTorch version"
    )


# Keys only collect_env prints, in its "Key: value" form. A paste cut above "PyTorch version"
# ("CMake version: ...", or any later line) starts at a key line followed by another, one of them
# among these ("OS:" then "Python version:" is any report's).
_CUT_START_KEYS = _KEY_SET - {"OS", "CPU", "Python version", "Legend", "NIC Legend", "SGLang",
                              "GPU Topology", "GPU topology", "Environment Variables"}  # fmt: skip
_GENERIC_KEYS = frozenset(("OS", "CPU", "Python version"))
_CUT_LOOKAHEAD = 8


def _is_cut_start(lines: Sequence[Line], start: int, text: str) -> bool:
    """Whether a paste cut above collect_env's first lines starts here: a key line, then within
    a few lines another key, one of the two only collect_env's ("Versions of relevant
    libraries:" then its "[pip3] ..." rows)."""
    key = _key_of(text)
    if key not in _CUT_START_KEYS and key not in _GENERIC_KEYS:
        return False
    seen = 0
    for at in range(start + 1, min(len(lines), start + 1 + 8 * _CUT_LOOKAHEAD)):
        following = stripped(lines, at)
        if not following or following.startswith(("GPU ", "MIG ", "/")):
            continue  # a blank, a GPU or cuDNN library line under its key
        seen += 1
        if seen > _CUT_LOOKAHEAD:
            return False
        other = _key_of(following)
        if other != key and (
            other in _CUT_START_KEYS or (other in _GENERIC_KEYS and key in _CUT_START_KEYS)
        ):
            return True
        if key == "Versions of relevant libraries" and following.startswith(("[pip", "[conda]")):
            return True
    return False


def _start_offset(lines: Sequence[Line], start: int) -> int:
    """Where collect_env's own text begins from `start` (the command line that ran it, a warning
    it printed, its first line, or a later key line where the paste was cut above it); -1 when
    it does not begin there."""
    text = stripped(lines, start)
    if not text:
        return -1
    if _is_start(text) or (_is_banner(text) and stripped(lines, start + 1) == "System Info"):
        return 0
    if _is_cut_start(lines, start, text):
        return 0
    # "python collect_env.py", "python -m torch.utils.collect_env", runpy's RuntimeWarning about it
    # vLLM's own log line before its collect_env ("INFO 06-20 12:32:13 [__init__.py:244]
    # Automatically detected platform cuda.", vllm/platforms/__init__.py)
    if ("collect_env" in text or _VLLM_PLATFORM in text) and len(text) < 400:
        for ahead in range(1, 6):
            following = stripped(lines, start + ahead)
            if _is_start(following) or _is_banner(following):
                return 0
    return -1


def _opens_block(text: str, seen_vllm: bool) -> bool:
    """A line that may follow a blank line inside collect_env's output."""
    if _is_banner(text) or text.startswith(("[pip", "[conda]")):
        return True
    if _key_of(text) in _KEY_SET or text in _FREE_BLOCKS:
        return True
    if text.startswith(("CUDA Archs:", "Collecting environment information")):
        return True
    match = _ENV_VAR.match(text)
    return bool(seen_vllm and match and text[: match.end() - 1] not in _OS_RELEASE_KEYS)


def _belongs(text: str, free: bool, after_banner: bool) -> bool:
    """A non-blank line inside a block of collect_env's output."""
    if free or after_banner:
        return True
    # "(" starts the rest of a wrapped value: "(clang-1500.1.0.2.5)] (64-bit runtime)"
    if ":" in text or "=" in text or text.startswith(("[", "/", "GPU ", "MIG ", "(")):
        return True
    return len(text) > 2 and text[1:3] == ":\\"  # a Windows path (cuDNN DLLs)


def _scan(lines: Sequence[Line], start: int) -> int:
    if _start_offset(lines, start) < 0:
        return 0
    end = start
    free = False  # inside lscpu / topology text, or the lines before the first key
    after_banner = False
    seen_vllm = False
    seen_key = False
    preamble = True
    i = start
    while i < len(lines):
        text = stripped(lines, i)
        if not text:
            following = i + 1
            while following < len(lines) and not stripped(lines, following):
                following += 1
            if following >= len(lines):
                break
            after = stripped(lines, following)
            # lscpu's and the topology legend's own blank lines: "X    = Self", "Flags: ..."
            inside_free = free and (" = " in after or ":" in after)
            if not (inside_free or _opens_block(after, seen_vllm)):
                break
            i = following
            continue
        key = _key_of(text)
        if key in _KEY_SET or text in _FREE_BLOCKS or _is_start(text):
            seen_key = seen_key or key in _KEY_SET
            seen_vllm = seen_vllm or key.startswith(("vLLM", "ROCM Version", "Neuron"))
            free = text in _FREE_BLOCKS or key in ("CPU", "GPU Topology", "GPU topology")
            preamble = preamble and key not in _KEY_SET
            repeated = i > start and _is_start(text) and _is_start(stripped(lines, start))
            if preamble and (i - start >= 8 or repeated):
                return 0  # no key within the first lines, or another start: not from here
        elif preamble and i - start < 8:
            pass  # the command, runpy's warning, vLLM's "INFO ... detected platform" line
        elif preamble:
            return 0  # no key within the first lines: not collect_env (and never a long scan)
        elif not _belongs(text, free, after_banner):
            break
        after_banner = _is_banner(text) and not after_banner
        i += 1
        end = i
    if not seen_key:
        return 0
    return without_trailing_blanks(lines, start, end)


def _os_facts(builder: ReadingBuilder, env: Dict[str, Any], line_of: Dict[str, int]) -> None:
    os_text: Optional[str] = env.get("os")
    platform: Optional[str] = env.get("python_platform")
    platform_line = line_of.get("python_platform")
    if platform:
        system = platform.split("-", 1)[0]
        system = {"macOS": "Darwin", "Darwin": "Darwin"}.get(system, system)
        if system in ("Linux", "Windows", "Darwin"):
            builder.put("os.system", system, platform_line)
        if system == "Linux":
            kernel = _kernel_of(platform)
            builder.put("os.kernel", kernel, platform_line)
            builder.put("os.wsl", wsl_from_kernel(kernel or ""), platform_line)
        if system == "Windows":
            builder.put("os.windows_version", _after(platform, "Windows-"), platform_line)
    if os_text and not platform:  # torch < 1.8 printed no "Python platform"
        system = "Windows" if os_text.startswith("Microsoft Windows") else "Linux"
        system = "Darwin" if os_text.startswith(("macOS", "Mac OSX")) else system
        builder.put("os.system", system, line_of.get("os"))
    if os_text:
        name, arch = _name_and_arch(os_text)
        builder.put("os.arch", arch, line_of.get("os"))
        if os_text.startswith("macOS"):
            builder.put("os.macos_version", name[len("macOS") :].strip(), line_of.get("os"))
        elif not os_text.startswith("Microsoft Windows"):
            builder.put("os.distro_name", name, line_of.get("os"))
    libc = env.get("libc_version") or ""
    if libc.startswith("glibc-"):
        builder.put("os.glibc", libc[len("glibc-") :], line_of.get("libc_version"))


def _kernel_of(platform: str) -> Optional[str]:
    """ "5.15.153.1-microsoft-standard-WSL2" from "Linux-5.15.153.1-microsoft-standard-WSL2-x86_64-with-glibc2.35"."""
    body = platform[len("Linux-") :]
    for arch in ("-x86_64", "-aarch64", "-ppc64le", "-s390x", "-armv7l"):
        at = body.find(arch)
        if at > 0:
            return body[:at]
    return None


def _after(text: str, prefix: str) -> Optional[str]:
    """ "10.0.22631" from "Windows-10-10.0.22631-SP0" (platform.platform()'s release-version)."""
    rest = text[len(prefix) :] if text.startswith(prefix) else ""
    dotted = [part for part in rest.split("-") if "." in part and part[:1].isdigit()]
    return dotted[0] if dotted else None


def _name_and_arch(os_text: str) -> tuple[str, Optional[str]]:
    """("Ubuntu 22.04.5 LTS", "x86_64") from "Ubuntu 22.04.5 LTS (x86_64)"."""
    if os_text.endswith(")") and "(" in os_text:
        at = os_text.rindex("(")
        inner = os_text[at + 1 : -1]
        if inner in ("x86_64", "aarch64", "arm64", "ppc64le", "s390x", "AMD64", "armv7l"):
            return os_text[:at].rstrip(), inner
    return os_text, None


def _torch_facts(builder: ReadingBuilder, env: Dict[str, Any], line_of: Dict[str, int]) -> None:
    version = env.get("torch_version")
    builder.put("torch.version", version, line_of.get("torch_version"))
    # "PyTorch version: N/A": collect_env could not import torch, installed or not: unknown.
    cuda = env.get("cuda_build")
    rocm = env.get("rocm_build")
    builder.put("torch.cuda_version", cuda, line_of.get("cuda_build"))
    builder.put("torch.hip_version", rocm, line_of.get("rocm_build"))
    flavor = None
    if rocm:
        flavor, line = "rocm", line_of.get("rocm_build")
    elif cuda:
        flavor, line = "cuda", line_of.get("cuda_build")
    elif version:
        line = line_of.get("torch_version")
        try:
            local, _ = flavor_from_local_version(version)
        except ValueError:
            local = ""
        if local in ("cpu", "xpu"):
            flavor = local
        elif (env.get("os") or "").startswith("macOS"):
            flavor = "macos"
        elif env.get("cuda_build_raw") in ("None", "Could not collect") and not _amd(env):
            # torch/utils/collect_env.py prints torch.version.cuda, None as "Could not collect"
            # (its replace_nones, every version since 1.0) or as "None" (its no-GPU branch);
            # torch not importable prints "N/A". Both words are a build without CUDA: a CPU
            # build, once ROCm (whose own line says "N/A" for CUDA since 1.7) is ruled out.
            flavor = "cpu"
    if flavor:
        builder.put("torch.flavor", flavor, line)
    available = env.get("cuda_available")
    if available is not None:
        builder.put("torch.deep.ran", True, line_of.get("cuda_available"))
        builder.put("torch.deep.cuda_available", available, line_of.get("cuda_available"))


def _amd(env: Dict[str, Any]) -> bool:
    """ROCm stated anywhere in the dump (its build or HIP runtime line)."""
    return bool(env.get("rocm_build") or env.get("hip_runtime"))


def _nvidia_facts(builder: ReadingBuilder, env: Dict[str, Any], line_of: Dict[str, int]) -> None:
    driver = env.get("driver_version")
    builder.put("nvidia.driver_version", driver, line_of.get("driver_version"))
    # ROCm builds list AMD devices under the same heading: they are not NVIDIA GPUs.
    if env.get("rocm_build") or env.get("hip_runtime"):
        return
    gpus = [{"index": i, "name": name} for i, name in enumerate(env.get("gpus") or [])]
    if env.get("mig_devices") and len(gpus) == 1:
        gpus[0]["mig_mode"] = "Enabled"  # MIG devices listed under the one GPU
    builder.put("nvidia.gpus", gpus, line_of.get("gpu_models_raw"))


# ROCm's collect_env prints each GPU as "NAME (gcnArchName)": "AMD Radeon RX 5700 XT
# (gfx1010:xnack-)" (pytorch/pytorch #145670), "AMD Instinct MI250X (gfx90a:sramecc+:xnack-)";
# older ROCm builds only "Device 66a1" (the PCI device id).
_AMD_ARCH = lazy(r"^(.*?)\s*\((gfx[0-9a-f]{3,4})(?::[a-z+-]+(?::[a-z+-]+)*)?\)\s*$")
_AMD_DEVICE = lazy(r"^Device ([0-9a-f]{4})$")


def _amd_facts(builder: ReadingBuilder, env: Dict[str, Any], line_of: Dict[str, int]) -> None:
    """The AMD GPUs a ROCm build's "GPU models and configuration" names, with their gfx target
    (stated in parentheses; else the device id or card name through amd_gpu_ids.toml)."""
    if not _amd(env):
        return
    gpus = []
    for text in env.get("gpus") or []:
        stated = _AMD_ARCH.match(text)
        device = _AMD_DEVICE.match(text)
        if stated:
            gfx, name, source = stated.group(2), stated.group(1), "paste:collect_env"
        elif device:
            gfx, name = gfx_by_device_id(device.group(1)) or "", text
            source = "paste:collect_env device id, amd_gpu_ids.toml"
        else:
            named = gfx_by_card_name(text)
            gfx, name = (named[0] if named else ""), text
            source = "paste:collect_env GPU name, amd_gpu_ids.toml"
        if gfx:
            gpus.append({"gfx": gfx, "name": name, "source": source})
    if gpus:
        line = line_of.get("gpu_models_raw")
        builder.put("rocm.gpus", gpus, line)
        builder.put("rocm.gfx_targets", list(dict.fromkeys(g["gfx"] for g in gpus)), line)


def _cuda_and_cudnn(builder: ReadingBuilder, env: Dict[str, Any], line_of: Dict[str, int]) -> None:
    # collect_env reads "CUDA runtime version" from `nvcc --version`: the toolkit on PATH.
    runtime = env.get("cuda_runtime")
    if runtime and runtime[:1].isdigit():
        builder.put("cuda.nvcc_on_path_version", runtime, line_of.get("cuda_runtime"))
    line = line_of.get("cudnn_raw")
    raw = env.get("cudnn_raw")
    paths = env.get("cudnn_libraries") or []
    if not paths and raw and (raw.startswith("/") or raw[1:3] == ":\\"):
        paths = [raw]  # one library: "cuDNN version: C:\...\cudnn64_7.dll"
    for path in paths:
        # Windows DLLs carry the major version only (cudnn64_8.dll): still a fact.
        version = cudnn_version_from_filename(path)
        if version:
            builder.append("cudnn", {"version": version, "path": path, "source": "library"}, line)
    if not paths and raw and raw[:1].isdigit():
        builder.append("cudnn", {"version": raw, "path": "", "source": "library"}, line)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    first = next((i for i, line in enumerate(lines) if line.text.strip()), 0)
    cut_above = _is_cut_start(lines, first, stripped(lines, first))
    env = parse_collect_env(text_of(lines), cut_above=cut_above)
    line_of = {name: lines[index].number for name, index in env["lines"].items()}
    if "cuda_build" in env["lines"]:
        env["cuda_build_raw"] = lines[env["lines"]["cuda_build"]].text.partition(":")[2].strip()
    builder.place(*line_of.values())
    _torch_facts(builder, env, line_of)
    _os_facts(builder, env, line_of)
    python = env.get("python_version")
    builder.put("python.version", python, line_of.get("python_version_raw"))
    if "(64-bit runtime)" in (env.get("python_version_raw") or ""):
        builder.put("python.bits", 64, line_of.get("python_version_raw"))
    _nvidia_facts(builder, env, line_of)
    _amd_facts(builder, env, line_of)
    _cuda_and_cudnn(builder, env, line_of)
    for index, text in env["package_lines"]:
        package = parse_package_line(text)
        if package is not None:
            add_package(builder, package, lines[index].number)
    _environment_variables(builder, lines)
    add_system_info(builder, lines)
    _place_the_rest(builder, lines, env)
    return builder.finish(lines)


def _environment_variables(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    """vLLM's collect_env lists the CUDA-related variables of the environment it ran in."""
    for line in lines:
        name, equals, value = line.text.strip().partition("=")
        if not equals or not value:
            continue
        if name == "LD_LIBRARY_PATH":
            paths = [path for path in value.split(":") if path]
            builder.put("cuda.ld_library_path", paths, line.number)
        elif name in ("CUDA_HOME", "CUDA_PATH"):
            builder.put("cuda.cuda_home", value, line.number)


def _place_the_rest(builder: ReadingBuilder, lines: Sequence[Line], env: Dict[str, Any]) -> None:
    """Every line collect_env printed is read: the facts above come from some, the others
    (lscpu, topology, flags, versions of tools envsetup does not judge) are known to say nothing
    envsetup uses. Left unread: lines that are not collect_env's at all (a warning in between).
    The lines between the command and collect_env's first line are what the run printed first
    (vLLM's "Automatically detected platform cuda." log line, a warning): placed."""
    free = False
    started = False
    for line in lines:
        text = line.text.strip()
        key = _key_of(text)
        if not started:
            started = _is_start(text) or _is_banner(text)
            builder.place(line.number)
        elif key in _KEY_SET or text in _FREE_BLOCKS or _is_banner(text) or _is_start(text):
            free = text in _FREE_BLOCKS or key in ("CPU", "GPU Topology", "GPU topology")
            builder.place(line.number)
        elif (
            free
            or text.startswith(("[pip", "[conda]", "GPU ", "MIG ", "/", "("))
            or key
            or "collect_env" in text
            or text.startswith(("warn(RuntimeWarning", "warnings.warn("))
            or _ENV_VAR.match(text)
            or (len(text) > 2 and text[1:3] == ":\\")
            or (text and text == text.strip("=").strip() and _is_title(text))
        ):
            builder.place(line.number)


def _is_title(text: str) -> bool:
    return text in (
        "System Info", "PyTorch Info", "Python Environment", "CUDA / GPU Info", "CPU Info",
        "Versions of relevant libraries", "vLLM Info", "Environment Variables",
    )  # fmt: skip


def _quick(text: str) -> bool:
    return (
        text.startswith(("Collecting env", "PyTorch version", "====="))
        or "collect_env" in text
        or _VLLM_PLATFORM in text
        or text.startswith(_CUT_START_PREFIXES)
    )


_CUT_START_PREFIXES = tuple(sorted(_CUT_START_KEYS | _GENERIC_KEYS))
READER = Reader(KIND, _scan, _read, _quick)
READERS = [READER]
