"""Whether a failed step's output says the network failed: pip's and uv's own lines for a DNS
lookup, a proxy, a refused or timed-out connection, an untrusted certificate. Pure.

A step that cannot reach its index must be told as that ("cannot reach https://…: DNS"), not as
the resolver's conclusion that follows it: pip, having fetched nothing, goes on to say "No
matching distribution found", which reads as a wrong pin. The lines recognised are the tools' own,
quoted from public reports in tests/fixtures/network/SOURCES.tsv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Optional


class NetworkCause(str, Enum):
    PROXY = "proxy"
    DNS = "dns"
    TLS = "tls"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    CONNECT = "connect"  # a connection failed, the output does not say why


# Most specific first: pip's proxy failure also names the NewConnectionError under it, uv's DNS
# failure also says "client error (Connect)".
_CAUSES: tuple[tuple[NetworkCause, re.Pattern[str]], ...] = tuple(
    (cause, re.compile(pattern, re.IGNORECASE))
    for cause, pattern in (
        (NetworkCause.PROXY, r"ProxyError|Cannot connect to proxy|Tunnel connection failed"),
        (
            NetworkCause.DNS,
            r"name resolution|Name or service not known|dns error|failed to lookup address"
            r"|getaddrinfo failed|nodename nor servname|No such host is known"
            r"|Name does not resolve|No address associated with hostname",
        ),
        (
            NetworkCause.TLS,
            r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|problem confirming the ssl"
            r"|invalid peer certificate|SSLError",
        ),
        (NetworkCause.REFUSED, r"Connection refused|actively refused"),
        (
            NetworkCause.TIMEOUT,
            r"ConnectTimeout|Connection timed out|Read timed out|operation timed out"
            r"|timed out while|connection timeout",
        ),
        (NetworkCause.UNREACHABLE, r"Network is unreachable|No route to host"),
        (
            NetworkCause.CONNECT,
            r"NewConnectionError|Failed to establish a new connection|error sending request for url"
            r"|Could not connect, are you offline|tcp connect error|client error \(Connect\)",
        ),
    )
)

# Where pip and uv name the URL they could not reach, most telling first.
_URLS = (
    re.compile(r"error sending request for url \((\S+?)\)"),
    re.compile(r"Failed to (?:fetch|download):?\s*`?([a-z][a-z0-9+.-]*://[^\s`]+)"),
    re.compile(r"Could not fetch URL (\S+?):? "),
    re.compile(r"HTTPS?ConnectionPool\(host='([^']+)', port=(\d+)\)"),
)


@dataclass(frozen=True)
class NetworkFailure:
    cause: NetworkCause
    url: str  # what could not be reached; "" when the output names nothing
    line: str  # the tool's line that says so, whole


# The tools' frames around a message: uv's cause chain (plain and on a terminal).
_FRAME = re.compile(r"^(?:cause:|Caused by:|├─▶|╰─▶|×)\s*")


def _own_line(line: str) -> bool:
    # envsetup's own notes in the tail ("[envsetup] step … timed out after 1800 s") are not the
    # tool's words about the network.
    return line.lstrip().startswith("[envsetup]")


def _url_in(lines: list[str]) -> str:
    for pattern in _URLS:
        for line in lines:
            found = pattern.search(line)
            if found is None:
                continue
            if pattern.groups == 2:  # host and port of pip's connection pool
                host, port = found.groups()
                scheme = "http" if "HTTPConnectionPool" in found.group(0) else "https"
                default = {"https": "443", "http": "80"}[scheme]
                return f"{scheme}://{host}" + ("" if port == default else f":{port}")
            return found.group(1).rstrip(".,;'\"")
    return ""


def network_failure(lines: list[str]) -> Optional[NetworkFailure]:
    """The network failure `lines` (a step's last output lines, continuations joined) report,
    else None. The line kept is the most specific one: the DNS error, not the retry around it."""
    theirs = [line.strip() for line in lines if line.strip() and not _own_line(line)]
    for cause, pattern in _CAUSES:
        for line in reversed(theirs):
            if pattern.search(line):
                return NetworkFailure(cause, _url_in(theirs), _FRAME.sub("", line))
    return None
