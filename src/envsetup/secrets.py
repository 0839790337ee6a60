"""Environment variables whose values must never be printed or recorded."""

from __future__ import annotations

import re

_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH|COOKIE|SESSION|_KEY$|^KEY$",
    re.IGNORECASE,
)
REDACTED = "<redacted>"


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def redact(name: str, value: str) -> str:
    return REDACTED if is_secret_name(name) else value
