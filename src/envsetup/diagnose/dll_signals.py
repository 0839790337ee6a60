"""Windows could not load a DLL: torch's preload of its own DLLs (`[WinError 126] ... Error
loading "...\\torch\\lib\\fbgemm.dll" or one of its dependencies`) or an extension module's
"DLL load failed while importing X".

Facts behind the fix:
- WinError 126 (ERROR_MOD_NOT_FOUND) names the DLL Windows tried to load, but the missing file
  is often a DLL *it* depends on: the Microsoft Visual C++ runtime (vcruntime140*.dll, msvcp140.dll)
  or an OpenMP runtime (Microsoft's "System error codes", winerror.h).
- torch 2.4.0's Windows wheels: fbgemm.dll needs libomp140.x86_64.dll, which neither the wheel nor
  the VC++ redistributable ships; fixed in 2.4.1 (pytorch/pytorch#131662, fix #130697).
- WinError 127 (ERROR_PROC_NOT_FOUND): a DLL of another version, found first on PATH, lacks a
  function; WinError 193 (ERROR_BAD_EXE_FORMAT): a 32-bit DLL in a 64-bit process or the reverse.
"""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence, finding_of
from envsetup.facts import Facts
from envsetup.model.paste import Signal

# torch releases whose Windows fbgemm.dll needs libomp140.x86_64.dll without shipping it.
_FBGEMM_LIBOMP_RELEASES = ("2.4.0",)


def _reason(library: str, winerror: object, torch_version: str) -> str:
    if winerror == 193:
        return "wrong-architecture"
    if winerror == 127:
        return "procedure-not-found"
    public = torch_version.partition("+")[0]
    try:
        release = str(Version(public)) if public else ""
    except InvalidVersion:
        release = ""
    if library.lower() == "fbgemm.dll" and (not release or release in _FBGEMM_LIBOMP_RELEASES):
        return "fbgemm-libomp"
    return "dependency-missing"


def judge_dll_load_failed(signals: list[Signal], facts: Facts, ev: Evidence) -> list[Finding]:
    """One `windows-dll-load-failed` per DLL named; params: library, path, winerror, module,
    torch_lib (the DLL is one of torch's own), torch (version), reason."""
    out: list[Finding] = []
    seen: set[object] = set()
    for s in signals:
        p = s.params
        key = (p.get("library"), p.get("module"))
        if key in seen:
            continue
        seen.add(key)
        library = str(p.get("library") or "")
        torch_version = facts.torch.version or ""
        out.append(
            finding_of(
                "windows-dll-load-failed",
                "error",
                [x for x in signals if (x.params.get("library"), x.params.get("module")) == key],
                ev,
                library=p.get("library"),
                path=p.get("path"),
                winerror=p.get("winerror"),
                module=p.get("module"),
                torch_lib=p.get("torch_lib"),
                torch=torch_version or None,
                reason=_reason(library, p.get("winerror"), torch_version),
            )
        )
    return out
