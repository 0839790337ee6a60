"""conda's "incompatible with the existing python installation": the Python versions the packages
were built for, as conda printed them ("|" between alternatives, each a conda version spec:
"3.5.*", "2.7", ">=3.6,<3.7.0a0"), read as Python minor versions with packaging's specifiers.

An alternative with no upper bound (">=3.6") names no set of minors (it does not say which newer
Pythons the package exists for): such a package is left out of `supported` and keeps its spec.
Pure.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from envsetup.diagnose.signal_common import Evidence, finding_of
from envsetup.facts import Facts
from envsetup.model.paste import Signal
from envsetup.model.versions import major_minor

# Python minors a conda spec is tested against: 2.7 and 3.0 to 3.29 (a bounded spec names some).
_CANDIDATES = ("2.7", *(f"3.{minor}" for minor in range(30)))
_PLAIN = re.compile(r"(\d{1,2})\.(\d{1,3})(?:\.(?:\*|\d{1,4}))?")


def minors_of(alternative: str) -> Optional[set[str]]:
    """'3.5.*' -> {'3.5'}; '>=3.6,<3.7.0a0' -> {'3.6'}; '>=3.6' -> None (no upper bound)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    alternative = alternative.strip()
    plain = _PLAIN.fullmatch(alternative)
    if plain:
        return {f"{plain.group(1)}.{plain.group(2)}"}
    parts = [p.strip() for p in alternative.split(",") if p.strip()]
    if not parts or not any(p.startswith("<") for p in parts):
        return None
    # conda writes "3.5.*" without an operator; PEP 440 needs "==3.5.*".
    parts = [p if p[0] in "<>=!~" else f"=={p}" for p in parts]
    try:
        spec = SpecifierSet(",".join(parts))
    except InvalidSpecifier:
        return None
    return {
        c for c in _CANDIDATES if spec.contains(f"{c}.0", True) or spec.contains(f"{c}.99", True)
    }


def supported_pythons(requires: Mapping[str, str]) -> Optional[list[str]]:
    """The Python minors every package with bounded specs was built for, oldest first; None when
    no package's specs are all bounded."""
    common: Optional[set[str]] = None
    for spec in requires.values():
        sets = [minors_of(a) for a in spec.split("|") if a.strip()]
        if not sets or any(s is None for s in sets):
            continue
        union = set().union(*(s for s in sets if s is not None))
        common = union if common is None else common & union
    if common is None:
        return None
    return sorted(common, key=lambda v: tuple(int(x) for x in v.split(".")))


def judge_conda_python(signals: list[Signal], facts: Facts, ev: Evidence):
    """One finding: which Python the packages need, this environment's, the one to create."""
    s = signals[0]
    requires: dict[str, Any] = dict(s.params.get("requires") or {})
    supported = supported_pythons(requires)
    python = s.params.get("python")
    if python is None and (facts.python.source or "").startswith("paste"):
        python = major_minor(facts.python.version)  # the same paste's, not another machine's
    return [
        finding_of(
            "conda-python-incompatible",
            "error",
            signals,
            ev,
            python=python,
            packages=list(requires) or None,
            requires=requires or None,
            supported=supported or None,
            suggest=supported[-1] if supported else None,
        )
    ]
