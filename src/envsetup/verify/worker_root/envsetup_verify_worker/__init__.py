"""The verify worker: runs in the TARGET interpreter, with the standard library and torch only.

The target environment may not have envsetup installed, so nothing here imports envsetup; the
modules import each other relatively. The tool starts
`[python, .../envsetup_verify_worker/__main__.py, .../envsetup/model/capability.py]`, which puts
this package's parent directory (holding nothing else) first on sys.path; the one envsetup module
the worker uses (the GPU-architecture rule) is loaded by path, see shipped.py.

Protocol (one JSON object per line):
  worker -> runner, on start:  {"event": "hello", "protocol": 1, "python": ..., "torch_found": ...}
  runner -> worker:            {"op": "run", "id": "matmul", "options": {"require_gpu": false}}
  worker -> runner:            {"event": "start", "id": ...}, then
                               {"event": "result", "id": ..., "status": "pass"|"fail"|"skip",
                                "reason": ..., "evidence": {...}, "fix": ..., "duration_s": ...}
  runner -> worker:            {"op": "exit"}
Anything the checks (or torch's C++ code) print goes to stderr: fd 1 is pointed at stderr at start,
and the protocol uses a private copy of the original stdout.
"""

PROTOCOL_VERSION = 1
