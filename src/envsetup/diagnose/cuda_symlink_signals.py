"""/usr/local/cuda (or another CUDA symlink) pointing at a directory that is not there: into a
temporary directory, or at one the listing does not show; the fix names the installed toolkit
when the facts list one. Called from signal_rules.judge_signals.
"""

from __future__ import annotations

from typing import Optional

from envsetup import compat
from envsetup.diagnose.signal_common import Evidence, finding_of
from envsetup.facts import Facts
from envsetup.model.paste import Signal

# Directories emptied at reboot or by the build that made them: a CUDA link into one points at
# nothing once that build is over (nvidia-container-toolkit issue #1088).
_TEMPORARY = ("/tmp/", "/var/tmp/", "/dev/shm/")


def _toolkit_dir(facts: Facts, link: str) -> Optional[str]:
    """The newest versioned toolkit directory (…/cuda-X.Y) the paste or host shows, not the
    link itself."""
    dirs = []
    for toolkit in facts.cuda.toolkits:
        path = toolkit.path.rstrip("/")
        version = compat.parse_version(path.rsplit("cuda-", 1)[-1]) if "cuda-" in path else None
        if path != link.rstrip("/") and version is not None and toolkit.kind != "pip-wheel":
            dirs.append((version, path))
    return max(dirs)[1] if dirs else None


def judge_cuda_symlinks(signals: list[Signal], facts: Facts, ev: Evidence):
    out = []
    for s in signals:
        target = str(s.params.get("target") or "")
        link = str(s.params.get("link") or "")
        if s.params.get("dangling") is True:
            reason = "target-not-listed"
        elif s.params.get("dangling") is None and target.startswith(_TEMPORARY):
            reason = "temporary-target"
        else:
            continue
        shown = link if link.startswith("/") else f"/usr/local/{link}"
        out.append(
            finding_of(
                "cuda-symlink-dangling",
                "warning",
                [s],
                ev,
                link=shown,
                target=target or None,
                reason=reason,
                toolkit=_toolkit_dir(facts, shown),
            )
        )
    return out
