"""envsetup.lazy_pattern: a pattern stands for re.compile's until first used, then is it."""

from __future__ import annotations

import re

import pytest

from envsetup.lazy_pattern import lazy


def test_compiled_only_when_first_used() -> None:
    pattern = lazy(r"Driver Version: (\d+\.\d+)")
    assert "match" not in vars(pattern)  # nothing compiled at import
    assert pattern.pattern == r"Driver Version: (\d+\.\d+)"
    found = pattern.search("| NVIDIA-SMI 550.54.15  Driver Version: 550.54 |")
    assert found is not None and found.group(1) == "550.54"
    # Bound to the compiled pattern's own methods now: no wrapper left in the call.
    assert pattern.match.__self__ is re.compile(r"Driver Version: (\d+\.\d+)")


def test_every_method_answers_as_re_compile() -> None:
    source, flags, text = r"(?P<word>cu)(\d+)", re.IGNORECASE, "CU121 cu118 and Cu124"
    lazy_one, compiled = lazy(source, flags), re.compile(source, flags)
    assert lazy_one.findall(text) == compiled.findall(text)
    assert lazy_one.sub("x", text) == compiled.sub("x", text)
    assert lazy_one.split(text) == compiled.split(text)
    assert [m.span() for m in lazy_one.finditer(text)] == [
        m.span() for m in compiled.finditer(text)
    ]
    assert lazy_one.fullmatch("cu121").groups() == ("cu", "121")
    assert (lazy_one.groups, lazy_one.groupindex, lazy_one.flags) == (
        compiled.groups,
        compiled.groupindex,
        compiled.flags,
    )


def test_a_bad_pattern_fails_at_first_use_as_re_does() -> None:
    pattern = lazy(r"(unclosed")
    with pytest.raises(re.error):
        pattern.match("x")


def test_other_attributes_are_not_invented() -> None:
    with pytest.raises(AttributeError):
        lazy("x").no_such_method  # noqa: B018
    assert not hasattr(lazy("x"), "__iter__")
