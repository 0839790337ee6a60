"""Seconds to replay a recorded host whose LD_LIBRARY_PATH holds N entries (issue 8).

The host has a few hundred recorded files (a CUDA toolkit's libraries, site-packages); every
LD_LIBRARY_PATH entry is globbed for the CUDA runtime and cuDNN names. Replay time must grow
linearly with N.

    .venv/bin/python bench/bench_replay_ldpath.py --entries 3000 30000 100000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostbuilder import HostSpec


def build(directory: Path, entries: int) -> str:
    spec = HostSpec()
    spec.environ["LD_LIBRARY_PATH"] = ":".join(f"/opt/lib{i}/lib64" for i in range(entries))
    # A realistic haystack: a toolkit's libraries and a site-packages of a few hundred files.
    for lib in range(200):
        spec.markers.append(f"/usr/local/cuda-12.4/lib64/libfoo{lib}.so.12")
    for dist in range(200):
        spec.markers.append(f"/usr/lib/python3/dist-packages/pkg{dist}-1.0.dist-info/RECORD")
    # A few entries really hold CUDA libraries, so the probe has something to find.
    for i in range(0, entries, max(1, entries // 10)):
        spec.markers.append(f"/opt/lib{i}/lib64/libcudart.so.12")
    return spec.write(directory)


def replay_seconds(directory: str) -> tuple[float, int]:
    from envsetup.diagnose import diagnose
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build
    from envsetup.render.doctor_json import doctor_document, to_json

    started = time.perf_counter()
    facts = probe_all(RecordedHost(directory))
    findings = diagnose(facts, lookup_build)
    to_json(doctor_document(facts, findings, 0))
    return time.perf_counter() - started, len(facts.cuda.ld_library_path_cuda_libs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[3000, 30000, 100000])
    args = parser.parse_args()
    replay_seconds(build(Path(tempfile.mkdtemp()) / "warm", 10))  # imports, profiles
    rows = []
    for entries in args.entries:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, found = replay_seconds(build(Path(tmp) / "host", entries))
        rows.append({"entries": entries, "seconds": round(seconds, 3), "with_cuda_libs": found})
        print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()
