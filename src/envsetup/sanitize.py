"""Text on its way out of envsetup: credentials redacted, terminal control sequences removed.

Everything envsetup writes passes through here: the terminal (`for_terminal`), JSON (`dumps`),
JUnit, the install log (`RedactingWriter`), the install record and recordings (`redact_text`,
`redact_data`). Inside the process values stay real — pip and uv need the credential in an index
URL to authenticate — so redaction happens only where text leaves.

What is redacted (docs/install.md, "Credentials"):
- the user-info of every URL: `https://user:token@host/…` → `https://***@host/…`;
- the value of a query parameter whose name looks secret: `?token=…`, `&sig=…` → `=***`;
- an Anaconda token in a URL's path: `https://conda.anaconda.org/t/<token>/…` → `/t/***/…`;
- the value of an HTTP header whose name looks secret (`Authorization: Bearer …`, `Basic …`,
  `Token …`, `X-Api-Key: …`, `PRIVATE-TOKEN: …`) and any `Bearer <token>` → `***`;
- known secret values wherever they appear: those of environment variables with secret-looking
  names (secrets.py), the credentials inside URL-valued environment variables (a proxy,
  PIP_INDEX_URL, ENVSETUP_INDEX_URL_BASE, ...), and whatever `register_secret` was given.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
import re
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Optional
from urllib.parse import unquote

from envsetup.lazy_pattern import lazy
from envsetup.secrets import REDACTED, is_secret_name

USERINFO_MASK = "***"
# Shorter known values are not searched for outside URLs: redacting every "ubuntu" or "x11"
# (desktop-session variables match the secret-name pattern) would garble the output, and a
# short credential still goes wherever it sits in a URL's user-info.
MIN_LITERAL_LENGTH = 8

# Compiled on first use (lazy_pattern) but for _HEADER and _QUERY_PARAMETER, which redaction
# tries on thousands of strings per document (see explain/paste.py for why that matters).
# scheme://USERINFO@ — the user-info may itself hold an unencoded "@" (the last one before the
# host counts, as for pip); it stops at what ends a URL's authority or the URL itself.
_URL_USERINFO = lazy(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#\"'<>`\\]*)@")
_QUERY_PARAMETER = re.compile(
    r"(?P<lead>[?&;](?P<name>[A-Za-z0-9_.\-]+)=)(?P<value>[^&#;\s\"'<>`]+)"
)
# Anaconda's token URLs (conda.anaconda.org, Anaconda Server): the path segment after /t/ of an
# http(s) URL (a file:// mirror's directory named "t" is a path, not a token).
_PATH_TOKEN = lazy(
    r"(?P<lead>\bhttps?://[^\s/?#\"'<>`\\]*(?:/[^\s/?#\"'<>`\\]*)*?/t/)"
    r"(?P<value>[^\s/?#\"'<>`\\]+)",
    re.IGNORECASE,
)
# `Name: [scheme] value` as curl, pip's --header, wget and a pasted request spell a header; the
# name decides (see _masks_header). The auth-scheme word stays, so the text still says what it was.
# A name right after a path separator is a file ("--facts /etc/passwd: no such file"), not a header.
_HEADER = re.compile(
    r"(?P<lead>(?<![/\\])\b(?P<name>[A-Za-z][A-Za-z0-9_\-]*)[ \t]*:[ \t]*"
    r"(?:(?:Bearer|Basic|Token|Digest|Bot|Negotiate|NTLM|OAuth|ApiKey)[ \t]+)?)"
    r"(?P<value>[^\s\"'`,;]+)",
    re.IGNORECASE,
)
_BEARER = lazy(r"(?P<lead>\bBearer[ \t]+)(?P<value>[^\s\"'`,;]+)", re.IGNORECASE)
# Signed-URL parameters (S3, GCS, Azure SAS) on top of the secret-name pattern.
_SECRET_QUERY_NAME = lazy(r"SIG|SIGNATURE|CREDENTIAL|^CODE$|^PWD$|^PASS$", re.IGNORECASE)

# ECMA-48: CSI, the string controls (OSC, DCS, SOS, PM, APC) up to their terminator, other
# two-byte ESC sequences, and the same in their 8-bit C1 forms. One cut short at the end of a
# line goes whole, like one that is complete.
_ESCAPE_SEQUENCE = lazy(
    r"""
      (?:\x1b\[|\x9b) [0-?]* [ -/]* (?:[@-~]|$)
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)
    | \x1b [ -/]* [0-~]
    """,
    re.VERBOSE | re.MULTILINE,
)
# What is left: C0 controls but newline and tab, DEL, and C1 controls (a lone ESC, \r, \b, ...).
_CONTROL_CHARACTER = lazy(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1_OR_DEL = lazy(r"[\x7f-\x9f]")

_registered: set[str] = set()


# ----------------------------------------------------------------------------- known secrets


def register_secret(value: Optional[str]) -> None:
    """Redact `value` (and the credentials of any URL in it) from every output of this run."""
    if not value:
        return
    if len(value) >= MIN_LITERAL_LENGTH:
        _registered.add(value)
    _registered.update(url_credentials(value))


def register_url_credentials(text: Optional[str]) -> None:
    """Redact the credentials of the URLs in `text` (see url_credentials), not `text` itself: an
    index location without user-info, a local path above all, is no secret, and redacting it
    would garble every path under it (the environment, the log, the record's owner)."""
    if text:
        _registered.update(url_credentials(text))


def register_environ(environ: Mapping[str, str]) -> None:
    """Redact the secrets of another environment than this process's: a recorded host's, whose
    values doctor may print cut into pieces (LD_LIBRARY_PATH's entries) where no rule sees a URL."""
    _registered.update(environ_secrets(environ))


def forget_registered_secrets() -> None:
    """For tests that run several commands in one process."""
    _registered.clear()


def url_credentials(text: str) -> set[str]:
    """The secret part of every URL user-info in `text`: the password, or a lone user name (a
    token used as the user, as GitHub and many package mirrors take it); raw and percent-decoded."""
    found: set[str] = set()
    for match in _URL_USERINFO.finditer(text):
        user, has_password, password = match.group("userinfo").partition(":")
        secret = password if has_password else user
        for form in (secret, unquote(secret)):
            if len(form) >= MIN_LITERAL_LENGTH and USERINFO_MASK not in form:
                found.add(form)
    return found


def _names_a_secret(name: str) -> bool:
    # A desktop session's variables (XDG_SESSION_TYPE=x11, DESKTOP_SESSION=ubuntu) and git's
    # GIT_AUTHOR_NAME say nothing secret; AWS_SESSION_TOKEN still matches on TOKEN.
    return is_secret_name(re.sub("SESSION|AUTHOR", "", name, flags=re.IGNORECASE))


def environ_secrets(environ: Mapping[str, str]) -> frozenset[str]:
    """Values in `environ` never to be written out: those of secret-named variables (not paths:
    SSH_AUTH_SOCK and XAUTHORITY name files) and the credentials in URL-valued ones."""
    found: set[str] = set()
    for name, value in environ.items():
        if (
            _names_a_secret(name)
            and len(value) >= MIN_LITERAL_LENGTH
            and not value.startswith(("/", "~"))
        ):
            found.add(value)
        if "@" in value:
            found.update(url_credentials(value))
    return frozenset(found)


# The environment's secrets as last computed, with the environment they were computed from.
_environ_memo: tuple[tuple[Any, ...], frozenset[str]] = ((), frozenset())


def _environ_state() -> tuple[Any, ...]:
    """This process's environment as a comparable value, read without decoding it: CPython's
    os.environ keeps its encoded items in `_data` (decoding every value was most of the cost of
    printing a line: doctor and explain redact each one)."""
    data = getattr(os.environ, "_data", None)
    return tuple(data.items()) if isinstance(data, dict) else tuple(os.environ.items())


def known_secrets() -> frozenset[str]:
    """The registered values and those of this process's environment, read afresh each time (a
    test, or a command, may change the environment)."""
    global _environ_memo
    state = _environ_state()
    if state != _environ_memo[0]:
        _environ_memo = (state, environ_secrets(os.environ))
    return _environ_memo[1] | frozenset(_registered) if _registered else _environ_memo[1]


@functools.lru_cache(maxsize=8)
def _literal_pattern(secrets: frozenset[str]) -> Optional[re.Pattern[str]]:
    if not secrets:
        return None
    # Longest first: a secret that contains another is replaced whole.
    ordered = sorted(secrets, key=lambda s: (-len(s), s))
    return re.compile("|".join(re.escape(s) for s in ordered))


# ----------------------------------------------------------------------------- redaction


def _mask_query_value(match: re.Match[str]) -> str:
    name = match.group("name")
    if is_secret_name(name) or _SECRET_QUERY_NAME.search(name):
        return match.group("lead") + USERINFO_MASK
    return match.group(0)


def _mask_value(match: re.Match[str]) -> str:
    return match.group("lead") + USERINFO_MASK


# Header names that carry a key without saying KEY or TOKEN: Artifactory's X-JFrog-Art-Api, and
# any other name whose last word is "Api".
_SECRET_HEADER_NAME = lazy(r"(?:^|_)API$", re.IGNORECASE)


def is_secret_header_name(name: str) -> bool:
    """Whether an HTTP header called `name` carries a credential: "Authorization", "X-Api-Key",
    "PRIVATE-TOKEN", "Cookie", "X-JFrog-Art-Api" do; "Author" and "Session" do not."""
    name = name.replace("-", "_")
    if name.upper() == "AUTHOR":
        return False
    return is_secret_name(re.sub("SESSION", "", name, flags=re.I)) or bool(
        _SECRET_HEADER_NAME.search(name)
    )


def _mask_header_value(match: re.Match[str]) -> str:
    # "auth://host" is a URL, not a header; "Authorization: //8A…" (base64) is one.
    url = match.group("lead") == match.group("name") + ":" and match.group("value")[:2] == "//"
    if url or not is_secret_header_name(match.group("name")):
        return match.group(0)
    return match.group("lead") + USERINFO_MASK


def reveals_secret(text: str) -> bool:
    """Whether `text` holds something redaction would mask: user-info, a token in a URL's path or
    query, a secret header, a known secret value."""
    return redact_text(text) != text


def redact_text(text: str, secrets: Optional[Iterable[str]] = None) -> str:
    """`text` with URL user-info, secret query values and known secret values masked.

    `secrets` defaults to `known_secrets()`. Idempotent: redacting twice changes nothing more.
    """
    if not text:
        return text
    if "://" in text:
        text = _URL_USERINFO.sub(lambda m: m.group("scheme") + USERINFO_MASK + "@", text)
    # Known values before the rules that reach across whitespace: a header rule masking the
    # first word of one ("password: correct horse ...") would leave the rest unrecognisable.
    pattern = _literal_pattern(frozenset(known_secrets() if secrets is None else secrets))
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    if "://" in text and "/t/" in text:
        text = _PATH_TOKEN.sub(_mask_value, text)
    if ":" in text:
        text = _HEADER.sub(_mask_header_value, text)
    if "earer" in text:
        text = _BEARER.sub(_mask_value, text)
    if "=" in text:
        text = _QUERY_PARAMETER.sub(_mask_query_value, text)
    return text


def redact_data(value: Any) -> Any:
    """A copy of `value` — strings, dicts, lists, tuples and dataclasses of them, numbers — with
    every string redacted. Redact before cutting text short: a URL cut before its "@" no longer
    shows that its user-info is one."""
    secrets = known_secrets()
    if secrets:
        return map_strings(value, lambda text: redact_text(text, secrets))

    def change(text: str) -> str:
        # With no known secret, redact_text changes only text with a ":" (user-info, a header),
        # "earer" or "=" in it: the other strings of a document (most) skip the call.
        if ":" in text or "=" in text or "earer" in text:
            return redact_text(text, secrets)
        return text

    return map_strings(value, change)


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """A copy of `value` with `change` applied to every string in it, dictionary keys included."""
    # The plain JSON types first, by exact type (the rule below for each is the same): a
    # document is thousands of them, and is_dataclass asked of each first was a third of the
    # walk (explain --json on a 1 MB paste, bench/bench_explain.py).
    kind = type(value)
    if kind is str:
        return change(value)
    if kind is dict:
        return {map_strings(k, change): map_strings(v, change) for k, v in value.items()}
    if kind is list:
        return [map_strings(item, change) for item in value]
    if kind is int or kind is float or kind is bool or value is None:
        return value
    if isinstance(value, str):
        return change(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            item.name: map_strings(getattr(value, item.name), change)
            for item in dataclasses.fields(value)
            if item.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, dict):
        return {map_strings(k, change): map_strings(v, change) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(map_strings(item, change) for item in value)
    return value


def dumps(value: Any, **options: Any) -> str:
    """json.dumps of the redacted `value`. JSON escapes C0 controls itself; C1 controls and DEL,
    which it passes through raw with ensure_ascii=False, are escaped too (they can only occur
    inside strings, so the document stays valid and means the same)."""
    text = json.dumps(redact_data(value), **options)
    return _C1_OR_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# ----------------------------------------------------------------------------- the terminal


def strip_controls(text: str) -> str:
    """`text` without escape sequences (colours, cursor moves, OSC titles, screen clears) and
    without other C0/C1 control characters; newlines and tabs stay."""
    if not text:
        return text
    return _CONTROL_CHARACTER.sub("", _ESCAPE_SEQUENCE.sub("", text))


def for_terminal(text: str) -> str:
    """External text made safe to print: control sequences stripped, then secrets redacted (a
    secret split by an escape sequence is whole again after stripping)."""
    return redact_text(strip_controls(text))


def for_rich(text: str) -> str:
    """for_terminal, and rich markup escaped: `[bold]` in a GPU name prints as written."""
    from rich.markup import escape

    return escape(for_terminal(text))


# ----------------------------------------------------------------------------- files


# How much of a line without whitespace a writer holds back before writing it out anyway: a
# credential longer than this (or inside a whitespace-free run this long) is the only one a
# flush can cut. Bounds the memory one endless line takes.
MAX_PENDING_CHARS = 1024 * 1024
# The end of each run of whitespace, where text may be cut without splitting a word.
_WORD_START = lazy(r"\s(?=\S)|\s\Z")
# A header or Bearer lead whose value would follow the cut: probing with a stand-in value, and
# with the colon still to come ("Authorization" | ": Bearer ..."), shows whether a rule spans it.
_PROBES = ("x", ": x")
# How many words before a cut a rule's lead can reach back: name, colon, auth scheme.
_LEAD_WORDS = 3


def _lead_start(text: str, cut: int) -> int:
    """Where the last _LEAD_WORDS words before `cut` (which follows whitespace) start: after
    whitespace or at the start of `text`, so a word boundary there means the same."""
    start = cut
    for _ in range(_LEAD_WORDS):
        while start > 0 and text[start - 1].isspace():
            start -= 1
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        if start == 0:
            break
    return start


def _splits_a_rule(text: str, cut: int, spaced_secrets: Iterable[str]) -> bool:
    """Whether cutting `text` at `cut` would split what one redaction rule masks whole: a
    header's or Bearer's lead from its value (each piece is redacted on its own, and the value
    alone matches no rule), or a known secret that holds whitespace."""
    if text[cut - 1] in " \t":
        window = text[_lead_start(text, cut) : cut]
        for probe in _PROBES:
            probed = window + probe
            masked = _BEARER.sub(_mask_value, _HEADER.sub(_mask_header_value, probed))
            if masked != probed:
                return True
    for secret in spaced_secrets:
        for index in range(1, len(secret)):
            if (
                index <= cut
                and secret[index - 1].isspace()
                and text.startswith(secret[:index], cut - index)
            ):
                return True
    return False


def whitespace_cut(text: str, limit: int, start: int = 0) -> int:
    """Where to cut `text` (not a whole line) so that no word — a URL, a token — is split and no
    redaction rule is (see _splits_a_rule): after the last whitespace that splits none; if there
    is none, at `limit` once `text` is that long; 0: keep it all. Cuts before `start` are known
    not to do (whether a cut splits a rule depends only on the text before it)."""
    spaced = [secret for secret in known_secrets() if any(c.isspace() for c in secret)]
    for cut in _cuts_backward(text, max(start - 1, 0)):
        if not _splits_a_rule(text, cut, spaced):
            return cut
    return len(text) if len(text) >= limit else 0


def _cuts_backward(text: str, low: int, block: int = 4096) -> Iterator[int]:
    """The ends of whitespace runs in text[low:], last first, looking at a block at a time: the
    last one usually does, and a 64 KiB piece holds thousands."""
    end = len(text)
    while end > low:
        begin = max(end - block, low)
        # One character past the block, so that the lookahead sees what follows its last one.
        found = _WORD_START.finditer(text, begin, min(end + 1, len(text)))
        yield from reversed([m.end() for m in found if m.start() < end])
        end = begin


class RedactingWriter(io.TextIOBase):
    """A text file that redacts what is written to it, a line at a time (a credential is never
    split between two redactions). `flush()` writes a pending partial line up to its last
    whitespace that splits no redaction rule (whitespace_cut), so a log flushed after each write
    survives kill -9 all but its last words, and a URL or an `Authorization: Bearer` header
    written in two pieces is redacted whole."""

    def __init__(self, raw: IO[str]) -> None:
        super().__init__()
        self._raw = raw
        self._pending = ""
        self._searched = 0  # no cut before this in _pending will do

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        if lines:
            self._searched = 0
            self._raw.write("".join(redact_text(line) + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        self._write_pending(whitespace_cut(self._pending, MAX_PENDING_CHARS, self._searched))
        self._searched = len(self._pending)
        self._raw.flush()

    def _write_pending(self, cut: int) -> None:
        if cut:
            self._raw.write(redact_text(self._pending[:cut]))
            self._pending = self._pending[cut:]
            self._searched = 0

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._write_pending(len(self._pending))  # the last partial line, whole
            super().close()
        finally:
            self._raw.close()
