"""What makes two nodes "the same": a report's fingerprint fields (the fleet contract, docs/fleet.md).

A node report of this envsetup carries them in `data.fingerprint` (model/fingerprint.py makes
them on the node). Reports of older envsetup versions do not: `fingerprint_of_report` then reads
the same fields out of doctor's `data.facts` (or verify's `data.target`, which knows the
interpreter and its torch only). That fallback is the only place fleet/ reads facts; it exists so
that a folder of older reports still groups.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Mapping, Optional

from envsetup.model.compute_platform import ComputePlatform, TorchFlavor
from envsetup.model.fingerprint import FIELDS, cudnn_text, fingerprint_key, platform_tag

# FIELDS (model/fingerprint.py) are compared, in the order people read them; the contract's `key`
# is not: it is a digest of them, and a report's digest may come from another envsetup version.


def fingerprint_of_report(
    command: str, data: Mapping[str, Any], releases: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The fingerprint fields of one node report's `data` (FIELDS, then `key`).

    `data.fingerprint` when the report has one, else the fallback from facts (doctor) or the
    target (verify). `releases`: the profiled releases ("2.5", ...), for the fallback's
    `profile`."""
    given = data.get("fingerprint")
    if isinstance(given, Mapping):
        fields = {name: _plain(given.get(name)) for name in FIELDS}
        fields["gpus"] = _gpu_list(given.get("gpus"))
    elif command == "verify":
        fields = _from_verify_target(data.get("target"), releases)
    else:
        fields = _from_facts(data.get("facts"), releases)
    fields["key"] = (
        given.get("key") if isinstance(given, Mapping) and given.get("key") else digest(fields)
    )
    return fields


def digest(fields: Mapping[str, Any]) -> str:
    """The key a node computes (model/fingerprint.py fingerprint_key) over the compared fields."""
    return fingerprint_key({name: fields.get(name) for name in FIELDS})


def comparable(fields: Mapping[str, Any]) -> tuple[str, ...]:
    """The compared fields as one hashable value: equal exactly when every field is equal."""
    return tuple(json.dumps(fields.get(name), sort_keys=True) for name in FIELDS)


def _plain(value: Any) -> Optional[str]:
    return None if value in (None, "") else str(value)


def _gpu_list(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    gpus = []
    for entry in value:
        if isinstance(entry, Mapping):
            count = entry.get("count")
            gpus.append(
                {
                    "name": _plain(entry.get("name")),
                    "compute_capability": _plain(entry.get("compute_capability")),
                    "count": count if isinstance(count, int) and not isinstance(count, bool) else 1,
                }
            )
    return sorted(gpus, key=lambda g: (g["name"] or "", g["compute_capability"] or ""))


def _section(facts: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = facts.get(name)
    return value if isinstance(value, Mapping) else {}


def _from_facts(facts: Any, releases: frozenset[str]) -> dict[str, Any]:
    """The fallback for doctor reports without data.fingerprint."""
    facts = facts if isinstance(facts, Mapping) else {}
    nvidia, torch = _section(facts, "nvidia"), _section(facts, "torch")
    counted: Counter[tuple[Optional[str], Optional[str]]] = Counter()
    for gpu in nvidia.get("gpus") or []:
        if isinstance(gpu, Mapping):
            counted[(_plain(gpu.get("name")), _plain(gpu.get("compute_capability")))] += 1
    for gpu in _section(facts, "rocm").get("gpus") or []:
        if isinstance(gpu, Mapping):  # an AMD GPU's gfx target stands for its capability
            counted[
                (_plain(gpu.get("name")) or _plain(gpu.get("gfx")), _plain(gpu.get("gfx")))
            ] += 1
    version = _plain(torch.get("version"))
    return {
        "driver": _plain(nvidia.get("driver_version")),
        "driver_cuda": _plain(nvidia.get("driver_cuda_version")),
        "gpus": _gpu_list(
            [{"name": n, "compute_capability": c, "count": k} for (n, c), k in counted.items()]
        ),
        "torch": version,
        "compute_platform": _platform(version, torch) if version else None,
        "cudnn": cudnn_text(_plain(torch.get("cudnn_version"))),
        "python": _plain(_section(facts, "python").get("version")),
        "profile": _release(version, releases),
    }


def _from_verify_target(target: Any, releases: frozenset[str]) -> dict[str, Any]:
    """The fallback for verify reports without data.fingerprint: the target's Python and torch."""
    target = target if isinstance(target, Mapping) else {}
    version = _plain(target.get("torch_version"))
    platform = ComputePlatform.from_local_version(version) if version else None
    build = _plain(target.get("torch_build"))
    return {
        "driver": None,
        "driver_cuda": None,
        "gpus": [],
        "torch": version,
        "compute_platform": platform.tag if platform else (build if build == "cpu" else None),
        "cudnn": None,
        "python": _plain(target.get("python_version")),
        "profile": _release(version, releases),
    }


def _platform(version: str, torch: Mapping[str, Any]) -> Optional[str]:
    """As a node computes it (model/fingerprint.platform_tag); a flavor this envsetup does not
    know counts as unknown."""
    try:
        flavor = TorchFlavor(str(torch.get("flavor")))
    except ValueError:
        flavor = TorchFlavor.UNKNOWN
    return platform_tag(
        version, flavor, _plain(torch.get("cuda_version")), _plain(torch.get("hip_version"))
    )


def _release(version: Optional[str], releases: frozenset[str]) -> Optional[str]:
    """'2.5.1+cu124' -> '2.5' when profiles/ has that release."""
    if not version:
        return None
    release = ".".join(version.split("+")[0].split(".")[:2])
    return release if release in releases else None
