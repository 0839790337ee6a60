"""--prometheus: the run's result as a node_exporter textfile-collector file.

node_exporter's textfile collector reads every `*.prom` file of its folder
(--collector.textfile.directory) at each scrape and exports the samples in it
(https://github.com/prometheus/node_exporter#textfile-collector); the file is in the Prometheus
text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/): `# HELP`
and `# TYPE` lines, then one `name{label="value",...} value` line per sample, label values with
backslash, double quote and line feed escaped as \\\\, \\" and \\n, the file ending in a line
feed. The same sample (name and label set) twice in one file is an error there, so each finding
id and severity is one sample. Every sample carries `command` (doctor or verify): both may write
to one folder.

Built from the result envelope itself (render/envelope.py), so a failed run's error envelope
makes a file too: its exit code and time, no findings.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from envsetup.model.fingerprint import FIELDS

# (name, type, help) of every metric, in the file's order.
METRICS = (
    ("envsetup_finding", "gauge", "A finding of the last envsetup run (1 per finding id)."),
    (
        "envsetup_check_passed",
        "gauge",
        "1 when the verify check passed in the last run, else 0 (its status in `status`).",
    ),
    (
        "envsetup_fingerprint_info",
        "gauge",
        "What makes this node the same as others (driver, GPUs, torch build...); always 1.",
    ),
    ("envsetup_budget_cut", "gauge", "1 when --budget cut steps of the last run short, else 0."),
    ("envsetup_exit_code", "gauge", "The exit status of the last envsetup run."),
    (
        "envsetup_last_run_timestamp_seconds",
        "gauge",
        "When the last envsetup run ended, in seconds since the Unix epoch.",
    ),
)
FINGERPRINT_LABELS = (*FIELDS, "key")


def escape_label_value(value: str) -> str:
    """A label value as the exposition format writes it between double quotes."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def sample(name: str, labels: Mapping[str, str], value: float) -> str:
    inside = ",".join(f'{key}="{escape_label_value(text)}"' for key, text in labels.items())
    return f"{name}{{{inside}}} {_number(value)}" if inside else f"{name} {_number(value)}"


def prometheus_text(document: Mapping[str, Any], timestamp: float) -> str:
    """The textfile for a doctor or verify envelope, `timestamp` being when the run ended."""
    command = str(document.get("command") or "")
    data = document.get("data") or {}
    base = {"command": command}
    samples: dict[str, list[str]] = {name: [] for name, _, _ in METRICS}
    seen: set[tuple[str, str]] = set()
    for finding in document.get("findings") or []:
        key = (str(finding.get("id")), str(finding.get("severity")))
        if key not in seen:
            seen.add(key)
            labels = {**base, "id": key[0], "severity": key[1]}
            samples["envsetup_finding"].append(sample("envsetup_finding", labels, 1))
    checks_seen: set[str] = set()
    for check in data.get("checks") or []:
        check_id = str(check.get("id"))
        if check_id in checks_seen:
            continue
        checks_seen.add(check_id)
        status = str(check.get("status"))
        labels = {**base, "check": check_id, "status": status}
        samples["envsetup_check_passed"].append(
            sample("envsetup_check_passed", labels, 1 if status == "pass" else 0)
        )
    fingerprint = data.get("fingerprint")
    if isinstance(fingerprint, Mapping):
        labels = {**base, **fingerprint_labels(fingerprint)}
        samples["envsetup_fingerprint_info"].append(sample("envsetup_fingerprint_info", labels, 1))
    budget = data.get("budget")
    if isinstance(budget, Mapping):
        cut = 1 if budget.get("cut") else 0
        samples["envsetup_budget_cut"].append(sample("envsetup_budget_cut", base, cut))
    samples["envsetup_exit_code"].append(
        sample("envsetup_exit_code", base, int(document.get("exit_code") or 0))
    )
    samples["envsetup_last_run_timestamp_seconds"].append(
        sample("envsetup_last_run_timestamp_seconds", base, round(timestamp, 3))
    )
    return "".join(_family(name, kind, text, samples[name]) for name, kind, text in METRICS)


def fingerprint_labels(fingerprint: Mapping[str, Any]) -> dict[str, str]:
    """The fingerprint as label values: null as "", the GPUs as "8x NVIDIA H100 80GB HBM3 (9.0)"
    joined with "; "."""
    labels: dict[str, str] = {}
    for key in FINGERPRINT_LABELS:
        value = fingerprint.get(key)
        if key == "gpus":
            labels[key] = "; ".join(_gpu_text(g) for g in value or [])
        else:
            labels[key] = "" if value is None else str(value)
    return labels


def _gpu_text(gpu: Mapping[str, Any]) -> str:
    capability: Optional[str] = gpu.get("compute_capability")
    suffix = f" ({capability})" if capability else ""
    return f"{gpu.get('count', 0)}x {gpu.get('name') or 'unknown GPU'}{suffix}"


def _family(name: str, kind: str, text: str, lines: Iterable[str]) -> str:
    lines = list(lines)
    if not lines:
        return ""
    return f"# HELP {name} {text}\n# TYPE {name} {kind}\n" + "".join(f"{ln}\n" for ln in lines)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
