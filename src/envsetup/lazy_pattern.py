"""Regular expressions compiled on first use, for modules that hold many and use few per run.

explain's section readers and error classifier hold some 200 patterns, compiled at import by
re.compile: on a short paste most are never used, and compiling them was an eighth of the
command's instructions (bench/bench_explain.py). `lazy(source)` stands for `re.compile(source)`:
the pattern is compiled by re.compile itself the first time one of its methods is looked up,
which then become the compiled pattern's own bound methods (no extra call after the first).
"""

from __future__ import annotations

import re
from typing import Any

# The methods and attributes of re.Pattern that the first look-up binds on the instance.
_BOUND = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split",
          "scanner", "groups", "groupindex", "flags")  # fmt: skip


class LazyPattern:
    """re.compile(pattern, flags), compiled when first used. `pattern` is the source, as on a
    compiled pattern (explain/detect.py joins the readers' start patterns by it)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        # Called only for a name not yet on the instance: the first use of any method.
        if name.startswith("__") or name not in _BOUND:
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for bound in _BOUND:
            setattr(self, bound, getattr(compiled, bound))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str, flags: int = 0) -> Any:
    """A pattern with re.Pattern's methods, compiled on first use (typed Any: it is used as an
    re.Pattern[str] everywhere)."""
    return LazyPattern(pattern, flags)
