"""Worst-case time of every doctor parser on large hostile inputs (100 KB single lines, long runs
of blanks, digits and delimiters inside real table frames).

A parser whose regexes backtrack badly would take minutes here; each call should stay far below a
second. Run: .venv/bin/python bench/parsers_hostile_input.py
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any, Callable, Dict

from envsetup.parsers import ParseError
from envsetup.parsers.collect_env import parse_collect_env
from envsetup.parsers.cudnn import cudnn_version_from_filename, parse_cudnn_header
from envsetup.parsers.driver import parse_proc_driver_version, parse_sys_module_version
from envsetup.parsers.kernel import wsl_from_kernel
from envsetup.parsers.ldconfig import parse_ldconfig
from envsetup.parsers.nouveau import nouveau_evidence
from envsetup.parsers.nvcc import parse_nvcc_version
from envsetup.parsers.nvidia_smi import (
    classify_smi_failure,
    parse_smi_list,
    parse_smi_query_csv,
    parse_smi_table,
    parse_smi_version,
    parse_smi_xml,
)
from envsetup.parsers.os_release import parse_os_release
from envsetup.parsers.torch_build import (
    flavor_from_local_version,
    marker_environment,
    parse_metadata_requires,
    parse_torch_version_py,
)

SIZE = 100_000
LINUX = marker_environment(system="Linux", machine="x86_64", python_version="3.12.3")
TABLE = Path(__file__).parent.parent / "tests/fixtures/nvidia-smi/535.129.03-2x-rtx3090.txt"

PARSERS: Dict[str, Callable[[str], Any]] = {
    "parse_smi_table": parse_smi_table,
    "parse_smi_xml": parse_smi_xml,
    "parse_smi_query_csv": lambda text: parse_smi_query_csv(text, ["index", "name", "uuid"]),
    "parse_smi_version": parse_smi_version,
    "parse_smi_list": parse_smi_list,
    "classify_smi_failure": classify_smi_failure,
    "parse_nvcc_version": parse_nvcc_version,
    "parse_cudnn_header": parse_cudnn_header,
    "cudnn_version_from_filename": cudnn_version_from_filename,
    "parse_os_release": parse_os_release,
    "parse_proc_driver_version": parse_proc_driver_version,
    "parse_sys_module_version": parse_sys_module_version,
    "wsl_from_kernel": wsl_from_kernel,
    "nouveau_evidence": nouveau_evidence,
    "parse_ldconfig": parse_ldconfig,
    "parse_torch_version_py": parse_torch_version_py,
    "flavor_from_local_version": flavor_from_local_version,
    "parse_metadata_requires": lambda text: parse_metadata_requires(text, LINUX),
    "parse_collect_env": parse_collect_env,
}


def hostile_inputs() -> Dict[str, str]:
    n = SIZE
    frame = TABLE.read_text().split("|=====")[0] + "|=====|\n"
    return {
        "blanks": " " * n,
        "digits": "1" * n,
        "letters": "a" * n,
        "dotted digits": "1." * (n // 2),
        "colons": "a:" * (n // 2),
        "pipes": "|" + " |" * (n // 2),
        "newlines": "\n" * n,
        "padded line": "A" + " " * n + "x\n",
        "digits then -microsof": "1" * n + "-microsof",
        "requires padded": "Requires-Dist: nvidia-x" + " " * n,
        "gpu line padded": "GPU 0: " + " " * n,
        "version line padded": "NVIDIA-SMI version : 1.2\nKMD version : a" + " " * n + "b\n",
        "ldconfig padded": "libx.so (libc6) => /a" + " " * n + "b\n",
        "collect_env padded": "PyTorch version: 1" + " " * n + "x\nGPU 0: a" + " " * n + "b\n",
        "table cell padded": frame + "|   0  a" + " " * n + "b  |  x |\n",
        "table cell digits": frame + "|   0  a  On | " + "1" * n + " |\n",
        "found version digits": "too old (found version " + "1" * n,
    }


def main() -> None:
    worst, worst_case = 0.0, ""
    for input_name, text in hostile_inputs().items():
        for parser_name, parse in PARSERS.items():
            started = time.perf_counter()
            with contextlib.suppress(ParseError):
                parse(text)
            elapsed = time.perf_counter() - started
            if elapsed > worst:
                worst, worst_case = elapsed, f"{parser_name} on {input_name!r}"
    print(f"{len(PARSERS)} parsers x {len(hostile_inputs())} inputs of ~{SIZE // 1000} KB")
    print(f"slowest call: {worst * 1000:.1f} ms ({worst_case})")


if __name__ == "__main__":
    main()
