"""The environment reports Python tools print for bug reports: one `- Key: value` line per fact,
under "Copy-and-paste the text below in your GitHub issue" — `transformers env` /
`transformers-cli env`, `accelerate env`, `diffusers-cli env`, `llamafactory-cli env`,
`huggingface-cli env`, `trl env`, `optimum-cli env` and the many tools that copy their format.

Formats from the tools' sources (transformers/commands/env.py, accelerate/commands/env.py,
diffusers/commands/env.py, llamafactory/extras/env.py) and real reports
(tests/fixtures/paste/env-report/SOURCES.tsv):
- "Platform": platform.platform() ("Linux-5.15.0-1-generic-x86_64-with-glibc2.35",
  "Windows-10-10.0.19045-SP0", "macOS-14.4-arm64-arm-64bit"; diffusers prefixes the distribution:
  "Ubuntu 24.04 LTS - Linux-6.8.0-31-generic-x86_64-with-glibc2.39");
- "Python version": platform.python_version();
- "PyTorch version (GPU?)": "2.3.1+cu121 (True)" (torch.cuda.is_available()); "PyTorch version
  (accelerator?)": "2.6.0+cu124 (CUDA)" or "(NA)"; llamafactory's "PyTorch version": "2.7.0+cu126
  (GPU)", the "(GPU)" only when CUDA is available; "not installed (NA)";
- "GPU type" (torch.cuda.get_device_name(), device 0), "GPU number", diffusers' "Accelerator":
  "NVIDIA GeForce RTX 3090, 24576 MiB" (nvidia-smi's name and memory.total), trl's "CUDA
  device(s)"; "Driver version"/"NVIDIA driver version", "CUDA version", "cuDNN version" where a
  tool states them.

Also the "System Info" lists of bug templates, written by hand: `- **GPU:** NVIDIA GeForce RTX
4090`, `- Driver Version: 570.144`, `* CUDA Version: 12.4`, and the same without a bullet (`OS: Ubuntu
22.04`, `PyTorch version: 2.5.1`); a block of them is read when it holds two keys of _SYSTEM_KEYS at
least (a bare `Key: value` line only when its key is one of them). "CUDA Version" there is read as
nothing: a person writes the driver's, the toolkit's or torch's under that one name.

Facts: os (system, kernel, arch, glibc, WSL, Windows/macOS version, distribution), python.version,
torch version / flavor / CUDA build and whether CUDA was available, the GPUs named, the driver.
"""

from __future__ import annotations

import re
from typing import Callable, Optional, Sequence

from envsetup.explain.sections._package_facts import put_torch_build
from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.explain.sections.jetson_prose import put_jetson_words
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.kernel import wsl_from_kernel

KIND = "env-report"

# "- `transformers` version: 4.46.0", "- Platform: ...", "\t- compute_environment: ..." (a nested
# config), "- 🤗 Diffusers version: 0.28.0"; the value may be empty ("- `Accelerate` default config:").
_ITEM = lazy(r"[-*•]\s+(?P<key>[^:\n]{1,80}?)\s*:(?:\s+(?P<value>.*))?")
_COMMAND = lazy(
    r"(?:python3?\s+-m\s+)?(?:[\w.-]{1,40}-cli|transformers|accelerate|diffusers|trl|lerobot|optimum)"
    r"\s+(?:env|info)\s*:?"
)
_COPY_LINE = "Copy-and-paste the text below"
# Keys that make a block of items an environment report (one of them at least).
_REPORT_KEYS = ("platform", "python version")
_MIN_ITEMS = 3
_RUN_OUTPUT = 8  # lines a tool may print between its command and its report
_MAX_LINES = 200

_VERSION = lazy(r"\d{1,4}(?:\.\d{1,4}){1,3}(?:[a-z]{1,5}\d{0,4})?(?:\.\w{1,40})*(?:\+[\w.]{1,40})?")
_PYTHON = lazy(r"\d\.\d{1,2}(?:\.\d{1,3})?(?:[a-z]{1,2}\d{0,2})?")
_DRIVER = lazy(r"\d{3,4}\.\d{1,3}(?:\.\d{1,3})?")
_TORCH = lazy(rf"(?P<version>{_VERSION.pattern})(?:\s+\((?P<device>[^)]{{0,20}})\))?")
_ACCELERATOR = lazy(r"(?P<name>[^,]{2,120}?)\s*(?:,\s*(?P<memory>\d{2,7})\s*MiB)?")
_ARCHES = ("x86_64", "aarch64", "arm64", "ppc64le", "s390x", "armv7l", "AMD64", "i686")
# The device torch reports as available, as each tool words it.
_CUDA_YES = ("true", "gpu", "cuda")
_CUDA_NO = ("false", "na", "mps", "xpu", "npu", "hpu", "mlu", "musa", "cpu")
_NOT_NVIDIA = ("AMD ", "Radeon", "Apple", "Intel", "Ascend", "Gaudi")


# Keys of the hand-written lists (lowercase, markup removed) -> what they state.
_SYSTEM_KEYS = {
    **dict.fromkeys(("os", "operating system", "os version", "system", "platform"), "os"),
    **dict.fromkeys(("python", "python version"), "python"),
    **dict.fromkeys(
        ("pytorch", "pytorch version", "torch", "torch version", "pytorch version (gpu?)"), "torch"
    ),
    **dict.fromkeys(("gpu", "gpus", "gpu model", "gpu name", "gpu type", "graphics card"), "gpu"),
    **dict.fromkeys(
        ("driver", "driver version", "nvidia driver", "nvidia driver version", "gpu driver"),
        "driver",
    ),
    **dict.fromkeys(("cuda", "cuda version", "cudnn", "cudnn version"), "cuda"),
}
_BARE = lazy(r"(?P<key>[A-Za-z][\w .()/?-]{0,40}?)\s*:(?:\s+(?P<value>.*))?")
_MARKUP = ("**", "__")
_MIN_SYSTEM_KEYS = 2
_DISTROS = (
    "Ubuntu", "Debian", "CentOS", "Fedora", "Arch", "Manjaro", "Red Hat", "RHEL", "Rocky",
    "AlmaLinux", "openSUSE", "SUSE", "Linux Mint", "Pop!_OS", "Amazon Linux", "Kali", "Gentoo",
    "NixOS", "Oracle Linux", "Alpine",
)  # fmt: skip


def _unmarked(text: str) -> str:
    """ "- **GPU:** RTX 4090" -> "- GPU: RTX 4090" (a post's bold around the key)."""
    if "**" in text or "__" in text:
        for mark in _MARKUP:
            text = text.replace(mark, "")
    return text


def _item(text: str) -> Optional[re.Match[str]]:
    text = _unmarked(text.strip())
    match = _ITEM.fullmatch(text)
    if match is None and ":" in text[:44] and text[:1].isalpha():
        bare = _BARE.fullmatch(text)
        if bare is not None and _key(bare) in _SYSTEM_KEYS:
            return bare
    return match


def _key(match: re.Match[str]) -> str:
    """The key as a lowercase name without markup: "`Accelerate` version" -> "accelerate version"."""
    key = match.group("key").replace("`", "").replace("🤗", "").replace("*", "")
    return " ".join(key.lower().split())


def _block_end(lines: Sequence[Line], start: int) -> tuple[int, int, bool]:
    """(end, items, report): the lines from `start` that are items (or a nested item's indented
    value, or blank lines between items), how many items, and whether one names the platform or
    Python (or two name system facts: a bug template's list)."""
    end = start
    items = 0
    report = False
    system: set[str] = set()
    i = start
    while i < len(lines) and i - start < _MAX_LINES:
        raw = lines[i].text
        text = raw.strip()
        match = _item(text) if text else None
        if match is not None:
            items += 1
            report = report or _key(match) in _REPORT_KEYS
            if _key(match) in _SYSTEM_KEYS:
                system.add(_SYSTEM_KEYS[_key(match)])
                report = report or len(system) >= _MIN_SYSTEM_KEYS
            i += 1
            end = i
        elif text and raw[:1] in " \t" and items:  # "        Not found" under a config key
            i += 1
            end = i
        elif not text:
            following = i + 1
            if following < len(lines) and _item(stripped(lines, following)):
                i = following
            else:
                break
        else:
            break
    return end, items, report


def _head(lines: Sequence[Line], start: int) -> int:
    """Lines before the items: the command (and what its run printed before its report: an
    import's warning, a logger's line), the "Copy-and-paste" line and blanks between."""
    at = start
    if at < len(lines) and _is_heading(stripped(lines, at)):
        at += 1  # a bug template's "### System Info" above its list
    if at < len(lines) and _COMMAND.fullmatch(stripped(lines, at)):
        for ahead in range(1, _RUN_OUTPUT + 1):
            text = stripped(lines, at + ahead) if at + ahead < len(lines) else ""
            if _item(text) or text.startswith(_COPY_LINE):
                at += ahead
                break
        else:
            at += 1
    for _ in range(4):
        text = stripped(lines, at) if at < len(lines) else ""
        if at < len(lines) and (not text or text.startswith(_COPY_LINE)):
            at += 1
        else:
            break
    return at - start


_HEADINGS = (
    "system info", "system information", "environment", "environment information",
    "your environment", "environment info", "versions", "hardware / software",
)  # fmt: skip


def _is_heading(text: str) -> bool:
    return text.strip("#*_: ").lower() in _HEADINGS


def _scan(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if not text:
        return 0
    head = 0 if _item(text) else _head(lines, start)
    if not head and not _item(text):
        return 0
    end, items, report = _block_end(lines, start + head)
    if not report or (items < _MIN_ITEMS and not _system_list(lines[start + head : end])):
        return 0
    return end - start


def _system_list(lines: Sequence[Line]) -> bool:
    """Two system facts named at least (a bug template's list may hold only those)."""
    named = {
        _SYSTEM_KEYS[key]
        for key in (_key(m) for m in (_item(line.text) for line in lines) if m)
        if key in _SYSTEM_KEYS
    }
    return len(named) >= _MIN_SYSTEM_KEYS


def _quick(text: str) -> bool:
    # Runs on every line of a paste: string tests first, the key lookup only on a short head.
    if text[:1] in "-*•#" or text.startswith(_COPY_LINE) or " env" in text or " info" in text:
        return True
    if len(text) <= 48 and _is_heading(text):
        return True
    head, colon, _ = text[:44].partition(":")
    return bool(colon) and _unmarked(head).strip().lower() in _SYSTEM_KEYS


# -- reading ---------------------------------------------------------------------------------


def _platform(builder: ReadingBuilder, value: str, line: int) -> bool:
    distro, dash, rest = value.partition(" - ")  # diffusers: "Ubuntu 24.04 LTS - Linux-6.8.0-..."
    platform = rest.strip() if dash else value.strip()
    system = platform.split("-", 1)[0]
    if system == "Linux":
        body = platform[len("Linux-") :]
        glibc = body.rpartition("-with-glibc")[2] if "-with-glibc" in body else None
        body = body.partition("-with-")[0]
        arch = next((a for a in _ARCHES if body.endswith("-" + a)), None)
        kernel = body[: -len(arch) - 1] if arch else None
        builder.put("os.system", "Linux", line)
        builder.put("os.kernel", kernel, line)
        builder.put("os.arch", arch, line)
        builder.put("os.glibc", glibc if glibc and _PYTHON.fullmatch(glibc) else None, line)
        builder.put("os.wsl", wsl_from_kernel(kernel or ""), line)
        if dash and distro.strip():
            builder.put("os.distro_name", distro.strip(), line)
        return True
    if system == "Windows":
        parts = platform.split("-")
        version = next((p for p in parts[1:] if p.count(".") >= 2 and p[:1].isdigit()), None)
        builder.put("os.system", "Windows", line)
        builder.put("os.windows_version", version, line)
        return True
    if system in ("macOS", "Darwin"):
        parts = platform.split("-")
        builder.put("os.system", "Darwin", line)
        if system == "macOS" and len(parts) > 1 and parts[1][:1].isdigit():
            builder.put("os.macos_version", parts[1], line)
        arch = next((p for p in parts if p in _ARCHES), None)
        builder.put("os.arch", arch, line)
        return True
    return False


def _torch(builder: ReadingBuilder, key: str, value: str, line: int) -> bool:
    if value.startswith("not installed"):
        builder.put_absent("torch.version", line)
        return True
    match = _TORCH.fullmatch(value.strip())
    if match is None:
        return False
    version = match.group("version")
    builder.put("torch.version", version, line)
    put_torch_build(builder, version, line)
    device = (match.group("device") or "").strip().lower()
    if device in _CUDA_YES or (device in _CUDA_NO and ("?" in key or device != "na")):
        # "(GPU?)" and "(accelerator?)" always state it; llamafactory's bare "PyTorch version"
        # adds "(GPU)" or "(NPU)" only when one is available, so its absence says nothing.
        builder.put("torch.deep.ran", True, line)
        builder.put("torch.deep.cuda_available", device in _CUDA_YES, line)
    return True


def _gpus(builder: ReadingBuilder, value: str, line: int, count: Optional[int]) -> bool:
    names = [part.strip() for part in value.split(",")] if "MiB" not in value else [value]
    gpus = []
    for index, text in enumerate(name for name in names if name):
        match = _ACCELERATOR.fullmatch(text)
        if match is None:
            return False
        # "NVIDIA GeForce RTX 5090 (SM_120)": a person's note after the name
        name = re.sub(r"\s*\([^()]{0,40}\)$", "", match.group("name").strip())
        if name.upper() in ("NA", "N/A", "NONE", "<FILL IN>") or name.startswith(_NOT_NVIDIA):
            return True  # no NVIDIA GPU named: nothing to state
        gpu: dict[str, object] = {"index": index, "name": name}
        if match.group("memory"):
            gpu["memory_total_mib"] = int(match.group("memory"))
        gpus.append(gpu)
    if count and len(gpus) == 1 and 1 < count <= 64:
        # "GPU type" names device 0 only; "GPU number" says how many there are.
        gpus += [{"index": index} for index in range(1, count)]
    builder.put("nvidia.gpus", gpus, line)
    return True


# A driver written as the package that installed it: rpm's NAME-VERSION-RELEASE.ARCH
# ("nvidia-driver-latest-dkms-545.23.08-1.el7.x86_64", wilicc/gpu-burn #92), dpkg's NAME=VERSION
# or NAME_VERSION ("nvidia-driver-535=535.104.05-0ubuntu1").
_DRIVER_PACKAGE = lazy(
    r"(?:nvidia|cuda-drivers|kmod-nvidia)[\w.+-]{0,60}?[-=_]"
    r"(?P<version>\d{3,4}\.\d{1,3}(?:\.\d{1,3})?)(?:-[\w.~+]{1,60})?"
)


def _driver_of(value: str) -> str:
    """A driver version as written, or the version inside a driver package's name."""
    package = _DRIVER_PACKAGE.fullmatch(value)
    return package.group("version") if package else value


def _first(value: str) -> str:
    """The version at the head of a hand-written value: "3.11.4 (main, Jun  7 2023)" -> "3.11.4"."""
    words = value.strip().split()
    return words[0].rstrip(",;") if words else ""


def _os(builder: ReadingBuilder, value: str, line: int) -> bool:
    """A hand-written OS: "Ubuntu 22.04", "Windows 11", "macOS 14.4 (arm64)", or a
    platform.platform() string."""
    text = value.strip()
    if text.startswith(("Linux-", "Windows-", "macOS-", "Darwin-")):
        return _platform(builder, text, line)
    head = text.lower()
    if head.startswith(("windows", "microsoft windows", "win10", "win11")):
        builder.put("os.system", "Windows", line)
        return True
    if head.startswith(("macos", "mac os", "os x", "osx")):
        builder.put("os.system", "Darwin", line)
        version = next((w for w in text.split()[1:] if w[:1].isdigit()), None)
        builder.put(
            "os.macos_version", version if version and _PYTHON.fullmatch(version) else None, line
        )
        return True
    if text.startswith(_DISTROS) or head.startswith(("linux", "wsl")):
        builder.put("os.system", "Linux", line)
        if text.startswith(_DISTROS):
            builder.put("os.distro_name", text.split(" (", 1)[0][:80], line)
        return True
    return False


def _version_value(text: str, pattern: re.Pattern[str]) -> Optional[str]:
    value = text.strip()
    return value if pattern.fullmatch(value) else None


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    items: dict[str, tuple[str, int]] = {}
    for line in lines:
        text = line.text.strip()
        match = _item(text)
        if match is None:
            # the command, what its run printed first, the "Copy-and-paste" line, a nested
            # config's indented value: the tool's own output, nothing envsetup uses
            if text:
                builder.place(line.number)
            continue
        builder.place(line.number)  # a tool's own item: read, whatever it names
        items.setdefault(_key(match), ((match.group("value") or "").strip(), line.number))
    unread: list[int] = []

    def take(key: str, read: Callable[[str, int], bool]) -> None:
        if key in items:
            value, number = items[key]
            if value and not read(value, number):
                unread.append(number)

    take("platform", lambda v, n: _platform(builder, v, n))
    for key in ("os", "operating system", "os version", "system"):
        if not builder.get("os.system"):
            take(key, lambda v, n: _os(builder, v, n))
    for key in ("python version", "python"):
        if not builder.get("python.version"):
            take(key, lambda v, n: _put_checked(builder, "python.version", _first(v), _PYTHON, n))
    for key in (
        "pytorch version (gpu?)", "pytorch version (accelerator?)", "pytorch version", "pytorch",
        "torch version", "torch",
    ):  # fmt: skip
        if not builder.get("torch.version"):
            take(key, lambda v, n, key=key: _torch(builder, key, v, n))
    count_text = items.get("gpu number", ("", 0))[0]
    count = int(count_text) if count_text.isdigit() else None
    for key in (
        "gpu type",
        "accelerator",
        "cuda device(s)",
        "gpu",
        "gpus",
        "gpu model",
        "gpu name",
        "graphics card",
    ):
        if not builder.get("nvidia.gpus"):
            take(key, lambda v, n: _gpus(builder, v, n, count))
    for key in (
        "driver version",
        "nvidia driver version",
        "cuda driver version",
        "driver",
        "nvidia driver",
        "gpu driver",
    ):
        if not builder.get("nvidia.driver_version"):
            take(
                key,
                lambda v, n: _put_checked(
                    builder, "nvidia.driver_version", _driver_of(_first(v)), _DRIVER, n
                ),
            )
    put_jetson_words(builder, lines)  # "* **Hardware:** NVIDIA Jetson AGX Orin" (attack13 M4)
    builder.placed.difference_update(unread)
    return builder.finish(lines)


def _put_checked(
    builder: ReadingBuilder, path: str, value: str, pattern: re.Pattern[str], line: int
) -> bool:
    checked = _version_value(value, pattern)
    builder.put(path, checked, line)
    return checked is not None


READER = Reader(KIND, _scan, _read, _quick)
READERS = [READER]
