"""Facts an installer's log or the command before it states about the machine, read off the
paste's lines (not signals: these lines say nothing is wrong):

- uv's "Using Python 3.11.13 environment at: /home/.../envs/vllm" (uv pip, pytorch/pytorch
  #156215) and "Using CPython 3.11.4 interpreter at: C:\\...\\python.exe" (uv add / sync,
  astral-sh/uv #15936): the exact version of the Python uv resolved for;
- an Alpine image the commands run in: "docker run -it ghcr.io/astral-sh/uv:python3.10-alpine"
  (astral-sh/uv #9901), "FROM python:3.7-alpine", a report's "From python:3.8-alpine3.15"
  (Oloren-AI/olorenchemengine #38: a line naming the image it starts from), or a command line
  that runs Alpine's package manager apk, "RUN apk update && apk add gcc g++ python3-dev
  musl-dev" (pytorch/pytorch #71381; only at a line's start, after RUN or a shell prompt): Alpine Linux's C library is musl
  (https://wiki.alpinelinux.org/wiki/Running_glibc_programs: "Alpine Linux uses musl libc"), so
  musl, its version unknown (a fallback: an os-release or the loader's line says more);
- conda's Package Plan "environment location: D:\\anaconda3" (pytorch/pytorch #92273): a drive letter
  is Windows (a fallback);
- an Apple-silicon Mac named ("Apple Mac Mini M4", "MacBook Pro M1 Max", collect_env's CPU line
  "Apple M2 Pro"; oobabooga/text-generation-webui #6527): Apple silicon, whatever CPU the pasted
  Python reports (an x86_64 Python there runs under Rosetta 2). A fallback.

Pure; explain/merge.py puts these over the facts with each one's `paste:LINE`.
"""

from __future__ import annotations

from typing import Mapping

from envsetup.explain.signal_facts import StatedFact
from envsetup.lazy_pattern import lazy

_UV_PYTHON = lazy(
    r"\bUsing (?:C?Python|PyPy) (?P<version>3\.\d{1,2}\.\d{1,2})\S{0,10} "
    r"(?:environment|interpreter) at:? "
)
# An image reference in a container command or a Dockerfile's FROM whose name or tag is Alpine's:
# "alpine", "alpine:3.18", "python:3.10-alpine", "uv:python3.10-alpine3.20".
_APPLE_CHIP = lazy(
    r"\b(?:Apple|Mac(?:Book(?: Pro| Air)?| ?[Mm]ini| Studio| Pro)?|iMac)\b[^\n]{0,40}?"
    r"\bM[1-9](?: (?:Pro|Max|Ultra))?\b"
)
_CONDA_LOCATION = lazy(r"^\s*environment location: [A-Za-z]:\\")
_IMAGE_COMMAND = lazy(r"\b(?:docker|podman|nerdctl)\s+(?:run|create|pull)\b|^\s*(?:FROM|From)\s")
_APK_COMMAND = lazy(r"^\s*(?:RUN\s+|\$\s+|#\s+)?(?:sudo\s+)?apk\s+(?:add|update|upgrade)\b")
_ALPINE_IMAGE = lazy(r"(?:^|[\s/:-])alpine(?:\d{1,2}\.\d{1,2})?(?::[\w.-]{1,40})?(?=\s|$|`)")


def installer_facts_of(texts: Mapping[int, str]) -> list[StatedFact]:
    """The facts uv's interpreter line and an Alpine image state (paste line -> text)."""
    facts: list[StatedFact] = []
    python_seen = musl_seen = apple_seen = windows_seen = False
    for number in sorted(texts):
        text = texts[number]
        if not python_seen and "Using " in text and " at" in text:
            match = _UV_PYTHON.search(text)
            if match:
                facts.append(StatedFact("python.version", match.group("version"), number))
                python_seen = True
        if not musl_seen and (
            ("alpine" in text and _IMAGE_COMMAND.search(text) and _ALPINE_IMAGE.search(text))
            or ("apk " in text and _APK_COMMAND.match(text))
        ):
            facts.append(StatedFact("os.musl", "", number, fallback=True))
            facts.append(StatedFact("os.system", "Linux", number, fallback=True))
            musl_seen = True
        if not windows_seen and "environment location" in text and _CONDA_LOCATION.match(text):
            facts.append(StatedFact("os.system", "Windows", number, fallback=True))
            windows_seen = True
        if not apple_seen and ("Apple" in text or "Mac" in text) and _APPLE_CHIP.search(text):
            facts.append(StatedFact("apple.apple_silicon", True, number, fallback=True))
            apple_seen = True
    return facts
