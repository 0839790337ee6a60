"""The one look of every command's text output: rich, word-wrapped, hanging indents.

A line is a mark (✓ ✗ ! i) or a label, then its text; when the text wraps, it continues under
the text's first column, never under the mark, and rich breaks it between words. A word longer
than the whole column (a path, a URL) is broken after one of its separators (`/`, `;`...), never
mid-name, unless one part of it is itself too long. A command the reader may paste is printed
whole with soft_wrap: the terminal wraps it, no newline is put inside it (a paste of
"envsetup⏎install ..." would run coreutils' install). A fix in prose wraps like prose, each
`code span` in it whole on one line (fix_line).

Every string passed here is plain text: it is escaped for rich (sanitize.for_rich) before markup
is added, so a GPU name or a pasted command cannot inject markup or control sequences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from envsetup.sanitize import for_rich, for_terminal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

MARKS = {
    "ok": "[green]✓[/]",
    "error": "[red]✗[/]",
    "warning": "[yellow]![/]",
    "info": "[blue]i[/]",
    "none": "[dim]-[/]",
    "bullet": "[dim]·[/]",
}
MARK_WIDTH = 1
INDENT = 1  # every line starts one column in; section rules start at column 0
LABEL_WIDTH = 14
FIX_INDENT = INDENT + MARK_WIDTH + 1 + 2  # under a finding's title, past its mark
MIN_TEXT_WIDTH = 20  # below this, a narrow terminal wraps rather than a column of 3 letters
HANG = 2  # prose's continuation lines, past its first column
# Where a word longer than its column may be broken: after a path's, a list's or a URL's separator.
BREAK_AFTER = "/\\;,:&?="


def console(*, stderr: bool = False, width: Optional[int] = None) -> Console:
    """The console every command prints to: rich's terminal detection, or a fixed width (tests)."""
    from rich.console import Console

    # emoji=False: a pasted ":fire:" or ":100:" is printed as written, never as a picture.
    return Console(stderr=stderr, width=width, highlight=False, emoji=False)


def section(out: Console, title: str) -> None:
    out.rule(f"[bold]{for_rich(title)}")


def _hanging(
    out: Console, first: str, first_width: int, body: str, indent: int = INDENT, hang: int = 0
) -> None:
    """`first` (markup) in a column `first_width` wide, `body` (markup) beside it, wrapped between
    words; its continuation lines hang under its first column, `hang` columns further in (prose
    without a mark or label: its own first word is what they hang under). No trailing blanks."""
    from rich.text import Text

    head = Text.from_markup(first, emoji=False)
    head.truncate(first_width, pad=True)
    gap = " " if first_width else ""
    room = max(out.width - indent - first_width - len(gap) - hang, MIN_TEXT_WIDTH)
    lines = break_long_words(Text.from_markup(body, emoji=False), room).wrap(
        out, room, overflow="fold"
    )
    lines = lines or [Text("")]
    shown = []
    for number, line in enumerate(lines):
        lead = head if number == 0 else Text(" " * (first_width + hang))
        line.rstrip()
        shown.append(Text.assemble(" " * indent, lead, gap, line))
    # One print for all of them: rich's print pipeline per line was most of a report's cost.
    out.print(Text("\n").join(shown), soft_wrap=True)


def break_points(word: str, room: int) -> list[int]:
    """Offsets in `word` (longer than `room`) to break it at: after the last separator that
    keeps each part within `room`; at `room` itself where a part has none."""
    cuts: list[int] = []
    start = 0
    while len(word) - start > room:
        part = word[start : start + room]
        after = max(part.rfind(c) for c in BREAK_AFTER) + 1
        start += after if after > 0 else room
        cuts.append(start)
    return cuts


def break_long_words(text: Text, room: int) -> Text:
    """`text` with a line break put inside each word longer than `room`, at break_points: rich
    then wraps at those rather than at the column's last cell (".../python3" | ".11/site-...")."""
    import re

    from rich.text import Text

    offsets = [
        match.start() + cut
        for match in re.finditer(r"\S+", text.plain)
        if len(match.group()) > room
        for cut in break_points(match.group(), room)
    ]
    if not offsets:
        return text
    return Text("\n").join(text.divide(offsets))


def item(out: Console, mark: str, text: str, *, indent: int = INDENT, markup: str = "") -> None:
    """One marked line: `mark` is a key of MARKS; `text` plain (escaped here); `markup` a rich
    style for the text ("bold")."""
    body = for_rich(text)
    if markup:
        body = f"[{markup}]{body}[/]"
    _hanging(out, MARKS[mark], MARK_WIDTH, body, indent)


def row(
    out: Console,
    mark: str,
    label: str,
    value: str,
    note: str = "",
    *,
    label_width: int = LABEL_WIDTH,
) -> None:
    """A fact: mark, label in its column (`label_width` wide), the value; `note` (dim) follows it
    (a source, an id). A label longer than its column is never cut: it gets a line of its own and
    the value hangs under the column."""
    body = for_rich(value) + (f"  [dim]({for_rich(note)})[/]" if note else "")
    first = f"{MARKS[mark]} [bold]{for_rich(label)}[/]"
    column = MARK_WIDTH + 1 + label_width
    if len(label) > label_width:
        _hanging(out, "", 0, first)
        _hanging(out, "", 0, body, INDENT + column + 1)
        return
    _hanging(out, first, column, body)


def text(out: Console, line: str, *, indent: int = INDENT, style: str = "") -> None:
    """Prose at `indent`, wrapped between words; its continuation lines hang HANG further in, so
    a wrapped line never reads as the next one (an evidence line, a note). The line's own
    leading blanks (a traceback's "  File ...") count as indent: it hangs under its text."""
    stripped = line.lstrip(" ")
    indent += len(line) - len(stripped)
    body = for_rich(stripped)
    if style:
        body = f"[{style}]{body}[/]"
    _hanging(out, "", 0, body, indent, HANG)


def lead(out: Console, word: str, value: str, *, indent: int = 0) -> None:
    """`word` (bold) then prose that hangs under the prose's first column: a report's first line
    ("verify /path/to/python (Python 3.11), torch ...")."""
    _hanging(out, f"[bold]{for_rich(word)}[/]", len(word), for_rich(value), indent)


def labelled(out: Console, label: str, value: str, *, indent: int = INDENT) -> None:
    """`label:` then prose that hangs under its first column."""
    _hanging(out, f"[bold]{for_rich(label)}:[/]", len(label) + 1, for_rich(value), indent)


def command(
    out: Console, label: str, argv_text: str, *, indent: int = INDENT, colon: bool = True
) -> None:
    """A command to paste, whole: soft-wrapped by the terminal, never broken by a newline."""
    pad = " " * indent
    label = for_rich(label) + (":" if colon else "")
    out.print(f"{pad}[cyan]{label}[/] {for_rich(argv_text)}", soft_wrap=True)


# A fix that is a command from its first word: printed whole, like `command`.
COMMAND_WORDS = ("envsetup", "pip", "pip3", "uv", "conda", "python", "python3", "sudo", "export")
# A fix's units for wrapping: runs of non-blanks, a `code span` whole inside one (with the
# punctuation around it: "(`envsetup verify --only compile`)").
_FIX_UNITS = r"(?:`[^`]*`|[^\s`])+"


def is_command(fix: str) -> bool:
    """Whether the fix is a command to paste as it stands, not prose around one."""
    return "`" not in fix and fix.split(" ", 1)[0] in COMMAND_WORDS


def fix_line(out: Console, text: str, *, indent: int = FIX_INDENT) -> None:
    """A finding's fix. A command: whole on its line (`command`). Prose: wrapped between words,
    hanging under its first word past "fix: ", every `code span` in it kept whole on one line (a
    paste of half a command runs the wrong one); a span longer than the line gets a line of its
    own and the terminal wraps it."""
    import re

    from rich.text import Text

    if is_command(text):
        command(out, "fix", text, indent=indent)
        return
    label = "fix: "
    room = max(out.width - indent - len(label), MIN_TEXT_WIDTH)
    lines = [""]
    for unit in re.findall(_FIX_UNITS, for_terminal(text)):
        # A path too long for any line breaks after its separators (break_points), each part
        # on the next line with nothing between; a code span stays whole.
        cuts = [] if "`" in unit else break_points(unit, room)
        parts = [unit[a:b] for a, b in zip([0, *cuts], [*cuts, len(unit)])]
        for number, part in enumerate(parts):
            if number == 0 and lines[-1] and len(lines[-1]) + 1 + len(part) <= room:
                lines[-1] += " " + part
            elif number == 0 and not lines[-1]:
                lines[-1] = part
            else:
                lines.append(part)
    shown = [
        Text.assemble(
            " " * indent, Text(label, style="cyan") if number == 0 else " " * len(label), line
        )
        for number, line in enumerate(lines)
    ]
    out.print(Text("\n").join(shown), soft_wrap=True)


def evidence(out: Console, lines: list[str]) -> None:
    """Evidence under a finding, dim, each line wrapped under itself."""
    for line in lines:
        for part in line.splitlines() or [""]:
            text(out, part, indent=FIX_INDENT, style="dim")


def finding(
    out: Console,
    severity: str,
    title: str,
    finding_id: str,
    *,
    evidence_lines: Optional[list[str]] = None,
    fix: str = "",
) -> None:
    """A finding the same way in every command: mark, title, [id]; evidence; the fix to paste."""
    title_markup = f"[bold]{for_rich(title)}[/]  [dim]\\[{for_rich(finding_id)}][/]"
    _hanging(out, MARKS[severity], MARK_WIDTH, title_markup)
    if evidence_lines:
        evidence(out, evidence_lines)
    if fix:
        fix_line(out, fix)
