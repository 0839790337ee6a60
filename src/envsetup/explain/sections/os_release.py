"""`cat /etc/os-release` (os-release(5)): the distribution, read by parsers/os_release.py."""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._common import command_at, put, reading
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers import ParseError
from envsetup.parsers.os_release import parse_os_release

_COMMAND = lazy(r"(?:sudo\s+)?(?:cat|more|less|head|tail)\s+(?:/usr/lib|/etc)/os-release")
_ASSIGNMENT = lazy(r"([A-Z][A-Z0-9_]*)=(.*)")
# Keys os-release(5) defines. NAME= or ID= alone may be anything; one of these says os-release.
_KEYS = {
    "NAME", "ID", "ID_LIKE", "PRETTY_NAME", "CPE_NAME", "VARIANT", "VARIANT_ID", "VERSION",
    "VERSION_ID", "VERSION_CODENAME", "BUILD_ID", "IMAGE_ID", "IMAGE_VERSION", "HOME_URL",
    "DOCUMENTATION_URL", "SUPPORT_URL", "BUG_REPORT_URL", "PRIVACY_POLICY_URL", "LOGO",
    "ANSI_COLOR", "PLATFORM_ID", "UBUNTU_CODENAME", "SUPPORT_END", "REDHAT_SUPPORT_PRODUCT",
    "REDHAT_SUPPORT_PRODUCT_VERSION", "REDHAT_BUGZILLA_PRODUCT", "REDHAT_BUGZILLA_PRODUCT_VERSION",
    "DEFAULT_HOSTNAME", "CENTOS_MANTISBT_PROJECT", "CENTOS_MANTISBT_PROJECT_VERSION",
    "ALMALINUX_MANTISBT_PROJECT", "ALMALINUX_MANTISBT_PROJECT_VERSION", "ROCKY_SUPPORT_PRODUCT",
    "ROCKY_SUPPORT_PRODUCT_VERSION", "VENDOR_NAME", "VENDOR_URL", "EXPERIMENT", "ARCHITECTURE",
    "CONFEXT_LEVEL", "SYSEXT_LEVEL", "PORTABLE_PREFIXES",
}  # fmt: skip
_STRONG = {"PRETTY_NAME", "VERSION_ID", "ID_LIKE", "VERSION_CODENAME", "HOME_URL", "BUILD_ID"}
# Facts.os field <- os-release key
_FIELDS = (("distro_id", "ID"), ("distro_name", "NAME"), ("distro_version", "VERSION_ID"))


def _key(line: Line) -> str:
    match = _ASSIGNMENT.fullmatch(line.text.strip())
    return match.group(1) if match and match.group(1) in _KEYS else ""


def _belongs(line: Line) -> bool:
    """An assignment (a vendor may add keys of its own) or a comment."""
    text = line.text.strip()
    return bool(_ASSIGNMENT.fullmatch(text)) or text.startswith("#")


class OsReleaseReader:
    kind = "os-release"
    start = lazy(r"(?:[A-Z][A-Z0-9_]*=|(?:sudo\s+)?(?:cat|more|less|head|tail)\s)")

    def extent(self, lines: Sequence[Line], start: int) -> int:
        head = command_at(lines, start, _COMMAND)
        end = start + head
        keys = []
        while end < len(lines):
            if not lines[end].text.strip():
                # A blank line inside the file (AlmaLinux, RHEL): go on when os-release goes on.
                after = next((n for n in range(end, len(lines)) if lines[n].text.strip()), None)
                if not keys or after is None or not _key(lines[after]):
                    break
                end = after
            if not _belongs(lines[end]):
                break
            if _key(lines[end]):
                keys.append(_key(lines[end]))
            end += 1
        if not keys or (len(keys) < 2 and not _STRONG.intersection(keys) and not head):
            return 0
        return end - start

    def read(self, lines: Sequence[Line]) -> Reading:
        result = reading(self.kind, lines)
        fields: dict[str, str] = {}
        where: dict[str, int] = {}
        for line in lines:
            text = line.text.strip()
            if not text or text.startswith("#") or _COMMAND.fullmatch(text):
                continue
            try:
                # One line at a time: a value cut or mis-quoted is that line's problem alone.
                parsed = parse_os_release(text + "\n")
            except ParseError:
                result.unread.append(line.number)
                continue
            for key, value in parsed.items():
                fields[key], where[key] = value, line.number
        if not fields:
            return result
        put(result, "os.system", "Linux", min(where.values()))
        for field, key in _FIELDS:
            if key in fields:
                put(result, f"os.{field}", fields[key], where[key])
        if "VERSION_ID" not in fields and "BUILD_ID" in fields:
            put(result, "os.distro_version", fields["BUILD_ID"], where["BUILD_ID"])
        if "ID_LIKE" in fields:
            put(result, "os.distro_like", fields["ID_LIKE"].split(), where["ID_LIKE"])
        return result


READERS = [OsReleaseReader()]
