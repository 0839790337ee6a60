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

Facts: os (system, kernel, arch, glibc, WSL, Windows/macOS version, distribution), python.version,
torch version / flavor / CUDA build and whether CUDA was available, the GPUs named, the driver.
"""

from __future__ import annotations

import re
from typing import Callable, Optional, Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.model.paste import Line, Reading
from envsetup.parsers import ParseError
from envsetup.parsers.kernel import wsl_from_kernel
from envsetup.parsers.torch_build import flavor_from_local_version

KIND = "env-report"

# "- `transformers` version: 4.46.0", "- Platform: ...", "\t- compute_environment: ..." (a nested
# config), "- 🤗 Diffusers version: 0.28.0"; the value may be empty ("- `Accelerate` default config:").
_ITEM = re.compile(r"[-*•]\s+(?P<key>[^:\n]{1,80}?)\s*:(?:\s+(?P<value>.*))?")
_COMMAND = re.compile(
    r"(?:python3?\s+-m\s+)?(?:[\w.-]{1,40}-cli|transformers|accelerate|diffusers|trl|lerobot|optimum)"
    r"\s+(?:env|info)\s*:?"
)
_COPY_LINE = "Copy-and-paste the text below"
# Keys that make a block of items an environment report (one of them at least).
_REPORT_KEYS = ("platform", "python version")
_MIN_ITEMS = 3
_RUN_OUTPUT = 8  # lines a tool may print between its command and its report
_MAX_LINES = 200

_VERSION = re.compile(
    r"\d{1,4}(?:\.\d{1,4}){1,3}(?:[a-z]{1,5}\d{0,4})?(?:\.\w{1,40})*(?:\+[\w.]{1,40})?"
)
_PYTHON = re.compile(r"\d\.\d{1,2}(?:\.\d{1,3})?(?:[a-z]{1,2}\d{0,2})?")
_DRIVER = re.compile(r"\d{3,4}\.\d{1,3}(?:\.\d{1,3})?")
_TORCH = re.compile(rf"(?P<version>{_VERSION.pattern})(?:\s+\((?P<device>[^)]{{0,20}})\))?")
_ACCELERATOR = re.compile(r"(?P<name>[^,]{2,120}?)\s*(?:,\s*(?P<memory>\d{2,7})\s*MiB)?")
_ARCHES = ("x86_64", "aarch64", "arm64", "ppc64le", "s390x", "armv7l", "AMD64", "i686")
# The device torch reports as available, as each tool words it.
_CUDA_YES = ("true", "gpu", "cuda")
_CUDA_NO = ("false", "na", "mps", "xpu", "npu", "hpu", "mlu", "musa", "cpu")
_NOT_NVIDIA = ("AMD ", "Radeon", "Apple", "Intel", "Ascend", "Gaudi")


def _item(text: str) -> Optional[re.Match[str]]:
    return _ITEM.fullmatch(text.strip())


def _key(match: re.Match[str]) -> str:
    """The key as a lowercase name without markup: "`Accelerate` version" -> "accelerate version"."""
    return " ".join(match.group("key").replace("`", "").replace("🤗", "").lower().split())


def _block_end(lines: Sequence[Line], start: int) -> tuple[int, int, bool]:
    """(end, items, report): the lines from `start` that are items (or a nested item's indented
    value, or blank lines between items), how many items, and whether one names the platform or
    Python."""
    end = start
    items = 0
    report = False
    i = start
    while i < len(lines) and i - start < _MAX_LINES:
        raw = lines[i].text
        text = raw.strip()
        match = _item(text) if text else None
        if match is not None:
            items += 1
            report = report or _key(match) in _REPORT_KEYS
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


def _scan(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if not text:
        return 0
    head = 0 if _item(text) else _head(lines, start)
    if not head and not _item(text):
        return 0
    end, items, report = _block_end(lines, start + head)
    if items < _MIN_ITEMS or not report:
        return 0
    return end - start


def _quick(text: str) -> bool:
    return text[:1] in "-*•" or text.startswith(_COPY_LINE) or " env" in text or " info" in text


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
    try:
        flavor, cuda = flavor_from_local_version(version)
    except ParseError:
        flavor, cuda = "", None
    if flavor in ("cuda", "rocm", "cpu", "xpu"):
        builder.put("torch.flavor", flavor, line)
    if flavor == "cuda":
        builder.put("torch.cuda_version", cuda, line)
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
        name = match.group("name").strip()
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
    take("python version", lambda v, n: _put_checked(builder, "python.version", v, _PYTHON, n))
    for key in ("pytorch version (gpu?)", "pytorch version (accelerator?)", "pytorch version"):
        take(key, lambda v, n, key=key: _torch(builder, key, v, n))
    count_text = items.get("gpu number", ("", 0))[0]
    count = int(count_text) if count_text.isdigit() else None
    for key in ("gpu type", "accelerator", "cuda device(s)", "gpu"):
        take(key, lambda v, n: _gpus(builder, v, n, count))
    for key in ("driver version", "nvidia driver version", "cuda driver version"):
        take(key, lambda v, n: _put_checked(builder, "nvidia.driver_version", v, _DRIVER, n))
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
