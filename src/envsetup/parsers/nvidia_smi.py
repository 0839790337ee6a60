"""Everything nvidia-smi prints, read into `SmiReport` (of model.gpu.Gpu) / `SmiFailure`.

Each output form lives in its own module; this one is the single place callers import from.
"""

from __future__ import annotations

from envsetup.parsers.smi_failure import SmiFailure, classify_smi_failure
from envsetup.parsers.smi_model import SmiReport
from envsetup.parsers.smi_query import parse_smi_list, parse_smi_query_csv, parse_smi_version
from envsetup.parsers.smi_table import parse_smi_table, shows_processes_only
from envsetup.parsers.smi_xml import parse_smi_xml

__all__ = [
    "SmiFailure",
    "SmiReport",
    "classify_smi_failure",
    "parse_smi_list",
    "parse_smi_query_csv",
    "parse_smi_table",
    "parse_smi_version",
    "parse_smi_xml",
    "shows_processes_only",
]
