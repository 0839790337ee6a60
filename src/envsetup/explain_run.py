"""explain's run, apart from its flags: read the paste, probe the host (live, --replay DIR, or
none with --no-host), explain (envsetup/explain, pure), print.

Free of typer, so that the console script's fast path (envsetup.fast_path) runs `explain` without
loading typer and click; commands/explain.py declares the flags and calls run_explain the same way.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

from envsetup.errors import UsageError
from envsetup.exit_codes import ExitCode

if TYPE_CHECKING:
    from envsetup.explain.run import ExplainResult
    from envsetup.facts import Facts

_FIX_FILE = (
    "fix: name a text file holding the pasted output, or pipe it in (`... | envsetup explain`)"
)


def run_explain(
    files: Optional[list[str]] = None,
    replay: Optional[str] = None,
    no_host: bool = False,
    json_output: bool = False,
    verbose: bool = False,
    record: Optional[str] = None,
) -> int:
    """explain with its flags' values; the exit code (0, or 1 when a finding is an error).
    Raises UsageError for bad input: --replay with --no-host, a file that cannot be read or is
    not text, an unusable --record directory."""
    if replay and no_host:
        raise UsageError(
            "--replay and --no-host cannot be used together: --replay DIR merges over a recorded "
            "host, --no-host over none; fix: drop one of them"
        )
    text = read_paste(files or [])
    host_facts, host = _host_facts(replay, no_host)  # a bad --replay is named first
    if not text.strip():
        raise UsageError(
            f"{_named(files)}: empty (nothing but blank lines): nothing to explain; fix: paste "
            "the output itself (the error, collect_env, nvidia-smi, ...) or name the file holding it"
        )
    from envsetup.explain.run import explain
    from envsetup.profiles.lookup import caching_lookup

    result = explain(text, host_facts, caching_lookup())
    from envsetup.resolve.install_refusal import with_install_refusal

    with_install_refusal(result.findings, result.facts)
    if not recognised(result):
        raise UsageError(
            f"{_named(files)}: explain recognised nothing in it: it reads collect_env, nvidia-smi, "
            "nvcc --version, OS and driver files, package lists, Python tracebacks, CUDA, pip and "
            "conda errors, kernel logs (docs/explain.md lists every kind); fix: paste the whole "
            "output as printed, with the command that printed it"
        )
    exit_code = (
        ExitCode.FINDINGS if any(f.severity == "error" for f in result.findings) else ExitCode.OK
    )
    deep_recorded = _record(result, record) if record else False
    if json_output:
        from envsetup.render.explain_json import explain_document, to_json
        from envsetup.render.stdout import echo

        echo(to_json(explain_document(result, int(exit_code))))
    else:
        from envsetup.render import style
        from envsetup.render.explain_text import render_explain

        render_explain(style.console(), result, host, verbose)
        if record:
            import shlex

            replay = f"envsetup doctor --replay {shlex.quote(record)}" + (
                " --deep" if deep_recorded else ""
            )
            err = style.console(stderr=True)
            style.text(err, f"Recorded the merged facts into {record}.")
            style.command(err, "replay", replay, indent=0)
    return int(exit_code)


def recognised(result: ExplainResult) -> bool:
    """Whether explain found anything in the paste: a section, an error, or a stated fact. Text
    with none of them is not a paste explain can judge (exit 2, docs/explain.md), never "no
    problems"."""
    detection = result.detection
    return bool(detection.readings or detection.signals or result.fact_sources)


def _named(files: Optional[list[str]]) -> str:
    """The input in words: 'standard input', or the files' names."""
    names = [("standard input" if name == "-" else name) for name in files or ["-"]]
    return ", ".join(dict.fromkeys(names))


def read_paste(files: list[str]) -> str:
    """The text of `files` in order ('-': standard input, read once), each ended by a newline;
    none: standard input. Lines are numbered through them all. Raises UsageError naming the file."""
    from envsetup.explain.paste import MAX_PASTE_BYTES, NotText, decode
    from envsetup.safe_read import Unreadable, read_regular

    texts = []
    stdin_text: Optional[str] = None
    for name in files or ["-"]:
        if name == "-":
            if stdin_text is None:
                stdin_text = _decode("standard input", _read_stdin(), decode, NotText)
            texts.append(stdin_text)
            continue
        try:
            data = read_regular(name, MAX_PASTE_BYTES)
        except FileNotFoundError:
            raise UsageError(f"{name}: no such file; {_FIX_FILE}") from None
        except Unreadable as exc:
            raise UsageError(f"{name}: {exc}; {_FIX_FILE}") from None
        texts.append(_decode(name, data, decode, NotText))
    return "".join(t if t.endswith("\n") or not t else t + "\n" for t in texts)


def _read_stdin() -> bytes:
    stream = sys.stdin
    if stream is None:
        return b""
    if stream.isatty():
        sys.stderr.write(
            "envsetup explain: paste the output, then Ctrl-D (Ctrl-Z Enter on Windows)\n"
        )
    from envsetup.explain.paste import MAX_PASTE_BYTES

    data = stream.buffer.read(MAX_PASTE_BYTES + 1)
    if len(data) > MAX_PASTE_BYTES:
        raise UsageError(
            f"standard input: more than {MAX_PASTE_BYTES >> 20} MiB; fix: paste the relevant part"
        )
    return data


def _decode(name: str, data: bytes, decode, not_text) -> str:  # type: ignore[no-untyped-def]
    try:
        return decode(data)
    except not_text as exc:
        raise UsageError(f"{name}: not text: {exc}; {_FIX_FILE}") from None


def _host_facts(replay: Optional[str], no_host: bool) -> tuple[Optional[Facts], str]:
    """The facts the paste is merged over, and words for whose they are."""
    if no_host:
        return None, "no host"
    from envsetup.probe import probe_all

    if replay:
        from envsetup.host.recorded import RecordedHost
        from envsetup.sanitize import register_environ

        recorded = RecordedHost(replay)
        register_environ(recorded.environ())
        return probe_all(recorded), f"the recorded host {replay}"
    from envsetup.host.live import LiveHost

    return probe_all(LiveHost()), "this machine"


def _record(result: ExplainResult, directory: str) -> bool:
    """Write the recording; whether it answers --deep's torch check (replay with --deep)."""
    from envsetup.explain.record import DEEP_TAG, recording_of, torch_stderr_of
    from envsetup.host.recording import write_recording

    signals = [
        *result.detection.signals,
        *(s for r in result.detection.readings for s in r.signals),
    ]
    stderr = torch_stderr_of(signals, {line.number: line.text for line in result.lines})
    manifest, files = recording_of(result.facts, stderr)
    try:
        write_recording(directory, (manifest, files))
    except OSError as exc:
        raise UsageError(
            f"--record {directory}: cannot write there ({exc.strerror or exc}); fix: pick a "
            "writable directory"
        ) from exc
    return any(DEEP_TAG in command.get("argv", ()) for command in manifest.get("commands", ()))
