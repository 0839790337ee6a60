"""`envsetup fleet report DIR` apart from its flags and output: read the run folder, merge it.

`fleet run` ends by calling `fleet_report(out_dir)` and rendering it with render/fleet_text.py
(or render/fleet_json.py, render/fleet_junit.py); nothing here prints.
"""

from __future__ import annotations

import time
from typing import Optional

from envsetup.fleet.folder import read_run_folder
from envsetup.fleet.merge import FleetReport, merge
from envsetup.host.files import LOCAL, Files


def profiled_releases() -> frozenset[str]:
    """The torch releases profiles/ describes ("2.5", ...), for older reports' fingerprints."""
    from envsetup.profiles.loader import ProfileError, release_files

    try:
        return frozenset(release for release, _ in release_files())
    except ProfileError:
        return frozenset()


def fleet_report(
    directory: str, host_files: Files = LOCAL, *, max_age_s: Optional[float] = None
) -> FleetReport:
    """The merged report of the run folder DIR, the reports' ages measured from now; with
    `max_age_s`, older reports are stale. UsageError (exit 2) when DIR is no folder."""
    run = read_run_folder(directory, host_files)
    return merge(run, profiled_releases(), now=time.time(), max_age_s=max_age_s)
