"""Text to stdout as typer.echo writes it, without loading typer and click on the common path."""

from __future__ import annotations

import codecs
import os
import sys


def echo(text: str) -> None:
    """`text` and a newline on stdout, flushed: what typer.echo (click.echo) does with a str.

    click.echo also strips escape sequences when stdout is not a terminal, rewraps a stream whose
    encoding is ASCII as UTF-8 and writes to the Windows console by its own API: in those cases
    it is called itself, so the output stays the same byte for byte.
    """
    stream = sys.stdout
    if stream is None:  # no stream at all (pythonw): click.echo writes nothing either
        return
    if "\x1b" in text or os.name == "nt" or _ascii_encoded(stream):
        import typer

        typer.echo(text)
        return
    stream.write(text + "\n")
    stream.flush()


def _ascii_encoded(stream: object) -> bool:
    """click's test for a misconfigured stream: no encoding, or one that is ASCII."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False
