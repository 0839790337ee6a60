"""render/finding_words.py: the word catalogues load, no id is worded twice, fallback kept."""

from envsetup.diagnose.finding import Finding
from envsetup.render.finding_words import Words, catalogue, words_for


def test_catalogues_load_and_word_each_id_once() -> None:
    words = catalogue()  # raises ValueError when two modules word one id
    assert all(callable(fn) for fn in words.values())


def test_a_finding_without_an_entry_keeps_its_own_words() -> None:
    found = Finding(id="no-such-id-anywhere", severity="info", title="T", fix="F")
    assert words_for(found) == Words("T", "F")
