"""Findings from a Python program's own failure in words: torch not found by the interpreter that
ran, `import torch` failing, or an exception with no environment cause. Judged in
diagnose/signal_rules.py (program_signals.py).
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words
from envsetup.render.words.params import or_unknown as _or


def _exception_title(prefix: str, p: Mapping[str, Any]) -> str:
    exception = _or(p, "exception", "an exception")
    message = f": {p['message']}" if p.get("message") else ""
    return f"{prefix} {exception}{message}"


def _python_exception(p: Mapping[str, Any]) -> Words:
    where = (
        f"it was raised at {p['at']}: read that line and the message"
        if p.get("at")
        else "read the traceback's last frames and the message"
    )
    fix = (
        f"explain sees no environment cause behind {_or(p, 'exception', 'this exception')}: "
        f"{where}. If it "
        "fails only on this machine, paste the whole traceback together with the output of "
        "`envsetup doctor --deep` (or `python -m torch.utils.collect_env`)."
    )
    return Words(_exception_title("The program failed:", p), fix)


def _torch_not_found(p: Mapping[str, Any]) -> Words:
    if p.get("pip_build"):
        package = p.get("package") or "PACKAGE"
        return Words(
            f"pip's build of {p.get('package') or 'a package'} imports torch, but pip builds it "
            "in an isolated environment without torch",
            "Install torch first (`envsetup install --cuda auto`, or the build you use), then "
            f"build the package against it: `pip install --no-build-isolation {package}`.",
        )
    at = f" ({p['at']})" if p.get("at") else ""
    return Words(
        f"The Python that ran this{at} has no torch: 'No module named torch'",
        "Run it with the interpreter of the environment that has torch (activate it; `sudo "
        "python` runs the system's, not the environment's; `python -c 'import sys; "
        "print(sys.executable)'` shows which one runs), or install torch into this one: "
        "`envsetup install --cuda auto`.",
    )


def _torch_import_error(p: Mapping[str, Any]) -> Words:
    at = f" (raised at {p['at']})" if p.get("at") else ""
    fix = (
        f"torch is broken in this environment{at}: `envsetup doctor --deep` names the cause "
        f"when it is a known one; otherwise reinstall torch in a fresh environment: "
        f"`{_or(p, 'install')}`."
    )
    return Words(_exception_title("import torch failed:", p), fix)


def _python_traceback_cut(p: Mapping[str, Any]) -> Words:
    return Words(
        "The pasted traceback stops before its last line: the exception that ended it is not "
        "in the paste",
        "Paste the traceback to its end: its last line, after the last `File ...` frame and its "
        "source line, names the exception and its message, which is what explain judges.",
    )


WORDS: dict[str, WordFn] = {
    "python-traceback-cut": _python_traceback_cut,
    "torch-import-error": _torch_import_error,
    "torch-not-found-by-python": _torch_not_found,
    "python-exception": _python_exception,
}
