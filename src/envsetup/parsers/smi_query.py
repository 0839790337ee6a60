"""The short nvidia-smi forms: `--query-gpu=... --format=csv`, `--version` and `-L`."""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional

from envsetup.digits import is_small_int, small_int
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu, MigDevice
from envsetup.parsers import ParseError
from envsetup.parsers._text import all_lines, complete_lines, is_version, version_or_none
from envsetup.parsers.smi_model import SmiReport

_MISSING = {"", "N/A", "[N/A]", "[Not Supported]", "Not Supported", "[Unknown Error]", "[ERR!]"}
_LEADING_INT = re.compile(r"(\d+)")
_COMPUTE_CAP = re.compile(r"\d+\.\d+")

# nvidia-smi accepts several names for a field and prints its own in the header row.
_ALIASES = {
    "gpu_name": "name",
    "gpu_uuid": "uuid",
    "gpu_bus_id": "pci.bus_id",
    "compute_capability": "compute_cap",
}


def _is_missing(value: str) -> bool:
    # nvidia-smi brackets every value it could not read: [N/A], [Not Supported], [Unknown Error]...
    return value in _MISSING or (value.startswith("[") and value.endswith("]"))


def _without_unit(field: str) -> str:
    """ "memory.total [MiB]" -> "memory.total" (a header row names units in brackets)."""
    field = field.strip()
    if field.endswith("]") and "[" in field:
        field = field[: field.rindex("[")].rstrip()
    return field


def _canonical(field: str) -> str:
    name = _without_unit(field).lower()
    return _ALIASES.get(name, name)


def _int_value(value: str) -> Optional[int]:
    match = _LEADING_INT.match(value)
    return small_int(match.group(1)) if match else None


def _set_mig(gpu: Gpu, value: str) -> None:
    gpu.mig_mode = value if value in ("Enabled", "Disabled") else None


def _set_compute_cap(gpu: Gpu, value: str) -> None:
    found = _COMPUTE_CAP.fullmatch(value)
    gpu.compute_capability = ComputeCapability.try_parse(value) if found else None


_SETTERS: Dict[str, Callable[[Gpu, str], None]] = {
    "name": lambda gpu, value: setattr(gpu, "name", value),
    "uuid": lambda gpu, value: setattr(gpu, "uuid", value),
    "pci.bus_id": lambda gpu, value: setattr(gpu, "bus_id", value),
    "memory.total": lambda gpu, value: setattr(gpu, "memory_total_mib", _int_value(value)),
    "compute_cap": _set_compute_cap,
    "mig.mode.current": _set_mig,
    "driver_model.current": lambda gpu, value: setattr(gpu, "driver_model", value),
    # The CSV says Enabled/Disabled where the table says On/Off; report the table's spelling.
    "persistence_mode": lambda gpu, value: setattr(
        gpu, "persistence_mode", {"Enabled": "On", "Disabled": "Off"}.get(value, value)
    ),
    "pcie.link.gen.current": lambda gpu, value: setattr(gpu, "pcie_gen", _int_value(value)),
    "pcie.link.gen.gpucurrent": lambda gpu, value: setattr(gpu, "pcie_gen", _int_value(value)),
    "pcie.link.gen.max": lambda gpu, value: setattr(gpu, "pcie_gen_max", _int_value(value)),
    "pcie.link.gen.gpumax": lambda gpu, value: setattr(gpu, "pcie_gen_max", _int_value(value)),
    "pcie.link.width.current": lambda gpu, value: setattr(gpu, "pcie_width", _int_value(value)),
    "pcie.link.width.max": lambda gpu, value: setattr(gpu, "pcie_width_max", _int_value(value)),
}


def _split_row(line: str) -> list[str]:
    return [value.strip() for value in line.split(",")]


def _is_header(values: list[str], fields: list[str], is_cut: bool) -> bool:
    names = [_canonical(value) for value in values]
    if not is_cut:
        return names == fields
    # A header cut inside its last name still is the header.
    known = len(names) - 1
    if known >= len(fields) or names[:known] != fields[:known]:
        return False
    last = values[-1].split("[")[0].strip().lower()
    return fields[known].startswith(last)


_BUS_ID = re.compile(r"[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]")
_INT_VALUE = re.compile(r"\d+(?:\s*(?:MiB|x))?")
# What a value of each typed field looks like; anything else means the text is not our CSV
# (an error message such as "No devices were found" is one value wide too).
_FORMATS: Dict[str, Callable[[str], bool]] = {
    "index": str.isdigit,
    "driver_version": is_version,
    "uuid": lambda value: value.startswith(("GPU-", "MIG-")),
    "pci.bus_id": lambda value: _BUS_ID.fullmatch(value) is not None,
    "memory.total": lambda value: _INT_VALUE.fullmatch(value) is not None,
    "compute_cap": lambda value: _COMPUTE_CAP.fullmatch(value) is not None,
    "mig.mode.current": lambda value: value in ("Enabled", "Disabled"),
    "pcie.link.gen.current": str.isdigit,
    "pcie.link.gen.max": str.isdigit,
    "pcie.link.width.current": str.isdigit,
    "pcie.link.width.max": str.isdigit,
}


def _check_formats(fields: list[str], values: list[str], row_number: int) -> None:
    for field, value in zip(fields, values):
        check = _FORMATS.get(field)
        if not _is_missing(value) and check is not None and not check(value):
            raise ParseError(
                f"CSV row {row_number}: {value[:40]!r} is not a {field} value: "
                "not nvidia-smi --query-gpu output"
            )


def parse_smi_query_csv(text: str, fields: List[str]) -> SmiReport:
    """Read `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]`.

    `fields` are the names passed to --query-gpu, in order. A header row (with or without units)
    is skipped; "[N/A]" and "[Not Supported]" read as unknown.
    """
    wanted = [_canonical(field) for field in fields]
    if not wanted:
        raise ParseError("no query fields given")
    lines, last_complete = all_lines(text)
    rows = [(n, line) for n, line in enumerate(lines) if line.strip()]
    if not rows:
        raise ParseError("empty output: no CSV rows from nvidia-smi --query-gpu")
    report = SmiReport(driver_version=None, cuda_version=None, cuda_version_raw=None)
    for n, line in rows:
        values = _split_row(line)
        # A last line without its newline may have been cut inside its last value.
        is_cut = n == len(lines) - 1 and not last_complete
        if _is_header(values, wanted, is_cut):
            continue
        if len(values) != len(wanted):
            if is_cut:
                report.partial = True
                continue
            raise ParseError(
                f"CSV row {n + 1} has {len(values)} values, expected {len(wanted)}: {line.strip()[:80]!r}"
            )
        if is_cut:
            values[-1] = ""
            report.partial = True
        _check_formats(wanted, values, n + 1)
        _add_row(report, wanted, values)
    if not report.gpus and not report.partial:
        raise ParseError("no GPU rows in nvidia-smi --query-gpu output")
    return report


def _add_row(report: SmiReport, fields: list[str], values: list[str]) -> None:
    gpu = Gpu(index=len(report.gpus))
    for field, value in zip(fields, values):
        if _is_missing(value):
            continue
        if field == "index":
            index = _int_value(value)
            gpu.index = gpu.index if index is None else index
        elif field == "driver_version":
            report.driver_version = report.driver_version or version_or_none(value)
        elif field in _SETTERS:
            _SETTERS[field](gpu, value)
    report.gpus.append(gpu)


_VERSION_KEY = re.compile(r"[A-Za-z][A-Za-z \-]*")


def parse_smi_version(text: str) -> SmiReport:
    """Read `nvidia-smi --version` (R590 "DRIVER version" and R610 "KMD version" forms)."""
    values: dict[str, str] = {}
    for line in complete_lines(text):
        key, colon, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if colon and value and _VERSION_KEY.fullmatch(key):
            values[key.lower()] = value
    # R610 keeps the old names with "Deprecated, see ..." in place of a value.
    values = {key: value for key, value in values.items() if not value.startswith("Deprecated")}
    smi = version_or_none(values.get("nvidia-smi version"))
    if smi is None and not values:
        raise ParseError("no 'NVIDIA-SMI version : ...' lines: not nvidia-smi --version output")
    # R610 prints "Deprecated, see ..." under the old names; the KMD/UMD names carry the values.
    driver = version_or_none(values.get("kmd version")) or version_or_none(
        values.get("driver version")
    )
    cuda_raw = values.get("cuda umd version")
    if version_or_none(cuda_raw) is None:
        cuda_raw = values.get("cuda version", cuda_raw)

    if smi is None and driver is None:
        raise ParseError("no NVIDIA-SMI or driver version in nvidia-smi --version output")
    return SmiReport(
        driver_version=driver,
        cuda_version=version_or_none(cuda_raw),
        cuda_version_raw=cuda_raw,
        smi_version=smi,
        nvml_version=version_or_none(values.get("nvml version")),
        partial=driver is None or cuda_raw is None,
    )


_LIST_GPU = re.compile(r"GPU\s+(\d+):\s+(\S.*)")
_LIST_MIG = re.compile(r"MIG\s+(\S+)\s+Device\s+(\d+):")
# Before R470 a MIG UUID named its parent and instance ids: MIG-GPU-<uuid>/<gi>/<ci>.
_OLD_MIG_UUID = re.compile(r"MIG-GPU-[^/]+/(\d+)/(\d+)")


def _head_and_uuid(line: str) -> Optional[tuple[str, str]]:
    """("GPU 0: A100-PCIE-40GB", "GPU-...") from "GPU 0: A100-PCIE-40GB (UUID: GPU-...)"."""
    text = line.strip()
    at = text.rfind("(UUID:")
    # The closing parenthesis proves the UUID was not cut.
    if at < 0 or not text.endswith(")"):
        return None
    uuid = text[at + len("(UUID:") : -1].strip()
    if not uuid or any(char.isspace() or char in "()" for char in uuid):
        return None
    return text[:at].rstrip(), uuid


def parse_smi_list(text: str) -> List[Gpu]:
    """Read `nvidia-smi -L`: one Gpu per physical GPU, MIG instances in `mig_devices`."""
    gpus: list[Gpu] = []
    for line in text.splitlines():
        parts = _head_and_uuid(line)
        if parts is None:
            continue
        head, uuid = parts
        gpu_match = _LIST_GPU.fullmatch(head)
        mig_match = _LIST_MIG.fullmatch(head)
        if gpu_match and is_small_int(gpu_match.group(1)):
            gpus.append(Gpu(index=int(gpu_match.group(1)), name=gpu_match.group(2), uuid=uuid))
        elif mig_match and gpus and is_small_int(mig_match.group(2)):
            gpus[-1].mig_devices.append(_mig_device(mig_match, uuid))
    if not gpus:
        raise ParseError("no 'GPU N: <name> (UUID: ...)' lines: not nvidia-smi -L output")
    return gpus


def _mig_device(match: re.Match[str], uuid: str) -> MigDevice:
    device = MigDevice(index=int(match.group(2)), profile=match.group(1), uuid=uuid)
    old = _OLD_MIG_UUID.fullmatch(uuid)
    if old:
        device.gpu_instance_id = small_int(old.group(1))
        device.compute_instance_id = small_int(old.group(2))
    return device


__all__: List[str] = ["parse_smi_list", "parse_smi_query_csv", "parse_smi_version"]
