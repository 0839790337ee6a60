"""os-release's values: the fast path for plain and simply double-quoted words answers what the
character-by-character reading answers, on any word and either line state."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers.os_release import _unquote, _unquote_word

_WORDS = st.text(alphabet=list("aZ9 .=$`\"'\\\t-"), max_size=12)


@settings(max_examples=2000, deadline=None)
@given(raw=_WORDS, line_complete=st.booleans())
def test_the_fast_path_agrees_with_the_full_reading(raw: str, line_complete: bool) -> None:
    assert _unquote(raw, line_complete) == _unquote_word(raw, line_complete)


def test_the_forms_the_fast_path_takes() -> None:
    assert _unquote('"Ubuntu 22.04.4 LTS"', False) == "Ubuntu 22.04.4 LTS"
    assert _unquote("ubuntu", True) == "ubuntu"
    assert _unquote("ubuntu", False) is None  # may have been cut
    assert _unquote('"cut', True) is None
    assert _unquote('""', True) == ""
    assert _unquote('"a"b', True) == "ab"  # two words: the full reading
    assert _unquote('"a"b"', True) is None  # a quote left open
