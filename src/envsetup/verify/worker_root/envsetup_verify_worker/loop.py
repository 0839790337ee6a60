"""The worker's main loop: JSON lines in on stdin, JSON lines out on a private copy of stdout."""

from __future__ import annotations

import json
import math
import os
import sys
import time
import traceback
from typing import Any, Dict

from . import PROTOCOL_VERSION
from .outcome import CheckFailed, CheckSkipped, Context
from .registry import BY_ID, Check
from .torchenv import build_from_files, files_view

# Any one text sent is at most this long: an exception message or a repr can be hundreds of MB,
# and the runner reads a line that long as output, not as the result.
TEXT_CHARS = 16 * 1024


def bounded(text: str) -> str:
    if len(text) <= TEXT_CHARS:
        return text
    half = TEXT_CHARS // 2
    middle = len(text[half:-half].encode("utf-8", errors="replace"))
    return f"{text[:half]}[… {middle} bytes cut]{text[-half:]}"


def jsonable(value: Any) -> Any:
    """Plain JSON: unknown objects as text, NaN and infinities as text (strict parsers reject
    them), every text bounded."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {bounded(str(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, str):
        return bounded(value)
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return bounded(str(value))


def run_check(check: Check, ctx: Context) -> Dict[str, Any]:
    started = time.perf_counter()
    result: Dict[str, Any] = {"event": "result", "id": check.id, "fix": None, "evidence": {}}
    try:
        result["evidence"] = check.run(ctx) or {}
        result.update(status="pass", reason="")
    except CheckSkipped as exc:
        result.update(status="skip", reason=str(exc), evidence=exc.evidence)
    except CheckFailed as exc:
        result.update(status="fail", reason=str(exc), evidence=exc.evidence, fix=exc.fix)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result.update(
            status="fail",
            reason=f"{type(exc).__name__}: {first}",
            evidence={"traceback": traceback.format_exc(limit=-8)},
        )
    result["duration_s"] = round(time.perf_counter() - started, 4)
    return jsonable(result)


def _hello() -> Dict[str, Any]:
    import importlib.util
    import platform

    files = files_view() if importlib.util.find_spec("torch") else {}
    return {
        "event": "hello",
        "protocol": PROTOCOL_VERSION,
        "python": sys.executable,
        "python_version": platform.python_version(),
        "prefix": sys.prefix,
        "torch_found": importlib.util.find_spec("torch") is not None,
        "torch_version": files.get("dist_version"),
        "torch_build": build_from_files(files.get("version_py") or {}) if files else None,
        # For judging what torch prints on stderr against this machine (envsetup.verify.signals).
        "system": platform.system(),
        "machine": platform.machine(),
        "torch_cuda": (files.get("version_py") or {}).get("cuda") if files else None,
    }


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # C++ and Python prints now land on stderr
    sys.stdout = sys.stderr

    def send(message: Dict[str, Any]) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    # A newline first ends whatever the interpreter's start-up printed on this descriptor
    # (sitecustomize, a .pth file) without one, so that the hello is a line of its own.
    protocol.write("\n")
    send(jsonable(_hello()))
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("op") == "exit":
            break
        check = BY_ID.get(request.get("id", ""))
        if check is None:
            send(
                {
                    "event": "result",
                    "id": request.get("id"),
                    "status": "fail",
                    "reason": "unknown check id",
                    "evidence": {},
                    "fix": None,
                    "duration_s": 0.0,
                }
            )
            continue
        send({"event": "start", "id": check.id})
        send(run_check(check, Context(request.get("options", {}))))
    # Skip interpreter teardown: after torch (and inductor) it can take seconds, and nothing is
    # left to clean up (checks remove their own temporary files).
    sys.stderr.flush()
    protocol.flush()
    os._exit(0)
