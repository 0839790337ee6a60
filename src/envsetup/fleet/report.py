"""`envsetup fleet report DIR` apart from its flags and output: read the run folder, merge it.

`fleet run` ends by calling `fleet_report(out_dir)` and rendering it with render/fleet_text.py
(or render/fleet_json.py, render/fleet_junit.py); nothing here prints.
"""

from __future__ import annotations

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


def fleet_report(directory: str, host_files: Files = LOCAL) -> FleetReport:
    """The merged report of the run folder DIR. UsageError (exit 2) when DIR is no folder."""
    return merge(read_run_folder(directory, host_files), profiled_releases())
