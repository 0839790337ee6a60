from __future__ import annotations

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.os_release import parse_os_release

# (ID, VERSION_ID) as each real file states them; Arch has no VERSION_ID.
EXPECTED = {
    "os-release-almalinux-10.txt": ("almalinux", "10.0"),
    "os-release-alpine-3.23.txt": ("alpine", "3.23.2"),  # unquoted values throughout
    "os-release-amazon-linux-ami-2016.txt": ("amzn", "2016.03"),
    "os-release-arch.txt": ("arch", None),
    "os-release-centos-7.txt": ("centos", "7"),
    "os-release-centos-stream-9.txt": ("centos", "9"),
    "os-release-debian-10.txt": ("debian", "10"),
    "os-release-debian-11.txt": ("debian", "11"),
    "os-release-debian-12.txt": ("debian", "12"),
    "os-release-debian-13.txt": ("debian", "13"),
    "os-release-fedora-42.txt": ("fedora", "42"),
    "os-release-pop-os-22.04.txt": ("pop", "22.04"),
    "os-release-rhel-7.txt": ("rhel", "7.0"),
    "os-release-rhel-9.txt": ("rhel", "9.6"),
    "os-release-rocky-8.txt": ("rocky", "8.4"),
    "os-release-rocky-9.txt": ("rocky", "9.3"),
    "os-release-sles-12.txt": ("sles", "12.1"),
    "os-release-ubuntu-22.04.2.txt": ("ubuntu", "22.04"),
    "os-release-ubuntu-24.04.txt": ("ubuntu", "24.04"),
}
OS_RELEASE = fixture_paths("os", "os-release-*")


def test_every_fixture_has_an_expectation() -> None:
    assert {path.name for path in OS_RELEASE} == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items())
def test_id_and_version(name: str, expected: tuple) -> None:
    fields = parse_os_release(read("os", name))
    assert (fields["ID"], fields.get("VERSION_ID")) == expected
    assert all('"' not in value for value in fields.values())


def test_values_with_spaces_and_id_like() -> None:
    fields = parse_os_release(read("os", "os-release-pop-os-22.04.txt"))
    assert fields["ID_LIKE"] == "ubuntu debian"
    assert fields["UBUNTU_CODENAME"] == "jammy"
    assert fields["NAME"] == "Pop!_OS"


def test_ubuntu_pretty_name() -> None:
    fields = parse_os_release(read("os", "os-release-ubuntu-24.04.txt"))
    assert fields["PRETTY_NAME"] == "Ubuntu 24.04.3 LTS"
    assert fields["VERSION_CODENAME"] == "noble"


def test_quoting_rules_of_os_release_5() -> None:
    text = (
        "# a comment\n"
        "\n"
        "NAME='Single $quoted'\n"
        'PRETTY_NAME="Escaped \\"quote\\" and \\$dollar \\\\ backslash"\n'
        "VARIANT=Plain\\ word\n"
        "not an assignment\n"
        'BROKEN="unterminated\n'
    )
    assert parse_os_release(text) == {
        "NAME": "Single $quoted",
        "PRETTY_NAME": 'Escaped "quote" and $dollar \\ backslash',
        "VARIANT": "Plain word",
    }


def test_unquoted_value_at_the_end_of_cut_text_is_not_trusted() -> None:
    assert parse_os_release("ID=ubuntu\nVERSION_ID=24") == {"ID": "ubuntu"}
    assert parse_os_release('ID=ubuntu\nVERSION_ID="24.04"') == {
        "ID": "ubuntu",
        "VERSION_ID": "24.04",
    }


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "garbage line\n"])
def test_no_assignment_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="KEY=VALUE"):
        parse_os_release(text)


@pytest.mark.parametrize("path", OS_RELEASE, ids=lambda p: p.name)
def test_cut_output(path) -> None:
    check_cuts(parse_os_release, path.read_text(encoding="utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_os_release, text)
