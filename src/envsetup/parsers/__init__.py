"""Pure text parsers for what doctor's probes read: text in, dataclass / str / None out.

No parser touches the host, prints, or raises anything but `ParseError`: fed any string, each
either returns a result that is correct as far as it goes, or raises `ParseError` with a short
reason. Text that stops mid-line (no final newline) may have been cut, so a value that runs into
the end of the text is not trusted: pass command output and file text as read, unstripped.

Modules: nvidia_smi (table, -q -x, --query-gpu CSV, --version, -L, failures), smi_log
(`nvidia-smi -q` text), nvcc, cudnn, os_release, driver (/proc and /sys driver version), kernel
(WSL), nouveau, lspci, ldconfig, collect_env, packages (pip/conda list lines), torch_build
(version.py, local version, METADATA pins). The parser of torch's error messages was removed
while nothing called it (docs/architecture.md says from which commit to restore it).
"""

from __future__ import annotations


class ParseError(ValueError):
    """The text is not the thing expected: empty, garbled, or cut before the essential part."""


__all__ = ["ParseError"]
