"""Garbled recordings: every one is either a bad recording (one UsageError line) or a report.

The seeds are the real recordings (hostbuilder.recorded_host_dirs) and hosts assembled (tests/hostbuilder.py)
from every captured output under tests/fixtures/. Each mutated copy — bytes of a file or a command's
output, the JSON types of host.json, links and FIFOs — runs through the real pipeline in-process:
RecordedHost → probe_all → diagnose → JSON and text reports → the install resolver on the facts.
Anything else raised is an internal error, and a run past its time limit is a hang.

ENVSETUP_FUZZ_COUNT sets how many mutants (default 2,000), ENVSETUP_FUZZ_SEED the seed.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from hostbuilder import FIXTURES, HostSpec, fixture_text, recorded_host_dirs

pytestmark = pytest.mark.fuzz

COUNT = int(os.environ.get("ENVSETUP_FUZZ_COUNT", "2000"))
SEED = int(os.environ.get("ENVSETUP_FUZZ_SEED", "8"))
TIME_LIMIT_S = float(os.environ.get("ENVSETUP_FUZZ_TIME_LIMIT", "20"))
# Planted outside every recording; no report may ever show it.
OUTSIDE_SECRET = "OUTSIDE-THE-RECORDING-7f3a9c"
SMI = "/usr/bin/nvidia-smi"
SITE = "/home/u/.venv/lib/python3.11/site-packages"


# ----------------------------------------------------------------------------- seeds


def _fixtures(folder: str) -> list[str]:
    return sorted(
        f"{folder}/{p.name}" for p in (FIXTURES / folder).iterdir() if p.name != "SOURCES.tsv"
    )


def _seed_spec(i: int) -> HostSpec:
    """Host number i: the i-th capture of each kind (cycling), so every capture is in some seed."""

    def pick(folder: str) -> str:
        names = _fixtures(folder)
        return names[i % len(names)]

    from envsetup.probe.nvidia import QUERY_FIELDS

    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.11.7",
        prefix="/home/u/.venv",
        site_packages=[SITE],
        environ={"LD_LIBRARY_PATH": "/usr/local/cuda/lib64:/opt/x", "CUDA_HOME": "/usr/local/cuda"},
    )
    os_files = [n for n in _fixtures("os") if "os-release" in n]
    spec.files["/etc/os-release"] = fixture_text(os_files[i % len(os_files)])
    proc = [n for n in _fixtures("os") if "proc-version" in n]
    spec.files["/proc/version"] = fixture_text(proc[i % len(proc)])
    spec.files["/proc/driver/nvidia/version"] = fixture_text(
        [n for n in _fixtures("driver") if "proc-driver" in n][i % 3]
    )
    spec.files["/proc/modules"] = "nvidia_uvm 1 0 - Live\nnouveau 2 0 - Live\n"
    spec.files["/proc/1/cgroup"] = "0::/docker/abc\n"
    spec.markers += ["/home/u/.venv/pyvenv.cfg", "/dev/nvidiactl", "/.dockerenv"]
    spec.which["nvidia-smi"] = SMI
    smi = [*_fixtures("nvidia-smi"), *_fixtures("nvidia-smi-failures")]
    name = smi[i % len(smi)]
    spec.command([SMI], fixture_text(name), 9 if "failures" in name else 0)
    query = [n for n in _fixtures("nvidia-smi-query") if n.endswith("csv.txt")]
    spec.command(
        [SMI, f"--query-gpu={','.join(QUERY_FIELDS)}", "--format=csv,noheader,nounits"],
        fixture_text(query[0]) if i % 2 else fixture_text(pick("nvidia-smi-query")),
    )
    spec.which["lspci"] = "/usr/bin/lspci"
    spec.command(
        ["/usr/bin/lspci", "-vv", "-d", "10de:"],
        fixture_text("driver/lspci-kernel-driver-in-use-nouveau-gtx970.txt"),
    )
    nvcc = "/usr/local/cuda-12.5/bin/nvcc"
    spec.which["nvcc"] = nvcc
    spec.markers += [nvcc, "/usr/local/cuda/bin/nvcc"]
    spec.realpath["/usr/local/cuda"] = "/usr/local/cuda-12.5"
    spec.command([nvcc, "--version"], fixture_text(pick("nvcc")))
    spec.files["/usr/local/cuda-12.5/include/cuda.h"] = "#define CUDA_VERSION 12050\n"
    spec.files["/usr/local/cuda-11.8/version.json"] = '{"cuda": {"version": "11.8.89"}}'
    spec.files["/usr/local/cuda-10.2/version.txt"] = "CUDA Version 10.2.89\n"
    spec.files["/usr/include/cudnn_version.h"] = fixture_text(pick("cudnn"))
    spec.markers += [
        "/usr/local/cuda/lib64/libcudart.so.12.5.82",
        "/usr/lib64/libcudnn.so.8.9.2",
        f"{SITE}/torch/lib/libcudnn.so.9",
        f"{SITE}/nvidia_cudnn_cu12-9.1.0.70.dist-info/RECORD",
        f"{SITE}/nvidia_cuda_runtime_cu12-12.4.127.dist-info/RECORD",
        f"{SITE}/pip-24.0.dist-info/RECORD",
    ]
    versions = [n for n in _fixtures("torch") if "version.py" in n]
    spec.torch_wheel(SITE, versions[i % len(versions)], "torch/METADATA-2.13.0+cpu.txt")
    spec.files["/home/u/.venv/envsetup-install.json"] = '{"state": "complete"}'
    spec.files["/opt/conda/conda-meta/pytorch-2.1.0-py3.11_cuda12.1_cudnn8.9.2_0.json"] = (
        '{"version": "2.1.0", "build": "py3.11_cuda12.1_cudnn8.9.2_0"}'
    )
    deep_ok = 'ENVSETUP-DEEP {"cuda_available": true, "device_count": 1, "arch_list": ["sm_80"]}'
    spec.command(
        [spec.python, "-c", "*", "envsetup-deep"],
        deep_ok if i % 2 else "",
        0 if i % 2 else 1,
        stderr="" if i % 2 else fixture_text(pick("torch-errors")),
    )
    if i % 3 == 0:
        spec.nvml = {
            "driver_version": "535.129.03",
            "cuda_driver_version": 12020,
            "devices": [
                {
                    "index": 0,
                    "name": "NVIDIA H100 80GB HBM3",
                    "uuid": "GPU-1",
                    "memory_total_bytes": 85520809984,
                    "compute_capability": "9.0",
                    "mig_mode": "Disabled",
                    "pcie_gen": 5,
                    "pcie_gen_max": 5,
                    "pcie_width": 16,
                    "pcie_width_max": 16,
                }
            ],
        }
    return spec


def _seed_count() -> int:
    kinds = ["nvidia-smi", "nvidia-smi-failures", "nvcc", "os", "torch-errors", "cudnn"]
    return max(
        len(_fixtures("nvidia-smi")) + len(_fixtures("nvidia-smi-failures")),
        *(len(_fixtures(k)) for k in kinds),
    )


@dataclass
class Recording:
    """A recording held in memory: host.json parsed, every other file as bytes."""

    manifest: Any
    files: dict[str, bytes]  # path relative to the recording -> content
    links: dict[str, str] = field(default_factory=dict)  # path -> link target
    fifos: list[str] = field(default_factory=list)
    raw_manifest: Optional[bytes] = None  # host.json's bytes, when a mutation garbled them

    @classmethod
    def read(cls, directory: Path) -> Recording:
        files = {
            str(p.relative_to(directory)): p.read_bytes()
            for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != "host.json"
        }
        manifest = json.loads((directory / "host.json").read_text(encoding="utf-8"))
        return cls(manifest, files)

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True)
        raw = self.raw_manifest
        if raw is None:
            raw = json.dumps(self.manifest, indent=1).encode("utf-8", "surrogatepass")
        if "host.json" not in self.links and "host.json" not in self.fifos:
            (directory / "host.json").write_bytes(raw)
        for relative, content in self.files.items():
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        for relative, pointed in self.links.items():
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)
            os.symlink(pointed, target)
        for relative in self.fifos:
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.unlink()
            os.mkfifo(target)


def seeds(workdir: Path) -> list[Recording]:
    found = []
    found += [Recording.read(directory) for directory in recorded_host_dirs()]
    for i in range(_seed_count()):
        written = _seed_spec(i).write(workdir / f"seed{i}")
        found.append(Recording.read(Path(written)))
    return found


# ----------------------------------------------------------------------------- mutations

Mutation = Callable[[random.Random, Recording, Path], str]


def _entries(rec: Recording) -> list[tuple[int, dict[str, Any]]]:
    """The commands[] entries that are still objects (an earlier mutation may have retyped them)."""
    commands = rec.manifest.get("commands") if isinstance(rec.manifest, dict) else None
    if not isinstance(commands, list):
        return []
    return [(n, e) for n, e in enumerate(commands) if isinstance(e, dict)]


def _text_targets(rec: Recording) -> list[tuple[str, Any]]:
    """Every file and every inline command output: (name, key) pairs the byte mutations hit."""
    targets: list[tuple[str, Any]] = [(name, None) for name in rec.files]
    for number, entry in _entries(rec):
        for stream in ("stdout", "stderr"):
            if isinstance(entry.get(stream), str):
                targets.append((f"commands[{number}].{stream}", (number, stream)))
    return targets


# Values real tools print where a number or version belongs, and a few that no tool should.
TOKENS = [
    b"N/A",
    b"[N/A]",
    b"ERR!",
    b"Unknown Error",
    b"-",
    b"|",
    b"0x",
    b"99999999999999999999999",
    b"9" * 5000,
    b"1.2.3.4.5",
    b"12.",
    b".4",
    b"cu",
    b"sm_",
    b"+",
    b"None",
    b"'",
    b'"',
    b"{",
    b"}",
    b"[",
    b"==",
    b"MiB",
    b"%",
    b"(",
    b")",
]


def _garble(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    kind = rng.choice(
        [
            "truncate",
            "flip",
            "nul",
            "invalid-utf8",
            "huge-line",
            "empty",
            "digits",
            "repeat",
            "control",
            "shuffle-lines",
            "splice",
            "unicode-digits",
            "tokens",
            "tokens",
        ]
    )
    n = len(data)
    at = rng.randrange(n + 1)
    if kind == "truncate":
        return data[:at], kind
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 12)):
            if out:
                out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out), kind
    if kind == "nul":
        return data[:at] + b"\0" * rng.randint(1, 3) + data[at:], kind
    if kind == "invalid-utf8":
        bad = rng.choice([b"\xff\xfe", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])
        return data[:at] + bad + data[at:], kind
    if kind == "huge-line":
        size = rng.choice([10_000, 200_000, 1_500_000])
        return data[:at] + rng.choice([b"9", b"x", b"|", b" ", b"-"]) * size + data[at:], kind
    if kind == "empty":
        return b"", kind
    if kind == "digits":
        out = bytearray(data)
        spots = [k for k, b in enumerate(out) if 48 <= b <= 57]
        big = rng.choice([b"99999999999999999999999", b"0", b"-1", b"1e999", b"9" * 5000, b"."])
        for spot in rng.sample(spots, min(len(spots), rng.randint(1, 4)))[::-1] if spots else []:
            out[spot : spot + 1] = big
        return bytes(out), kind
    if kind == "repeat":
        return data * rng.randint(2, 40), kind
    if kind == "control":
        junk = rng.choice([b"\x1b[2J", b"\r", b"\x1b]0;x\x07", b"\t\t", b"\x08\x08", b"\x00\xff"])
        return data[:at] + junk + data[at:], kind
    if kind == "unicode-digits":
        # str.isdigit() is true for "²", whose int() fails; \\d matches "١" and "𝟗".
        text = data.decode("utf-8", "surrogateescape")
        spots = [k for k, c in enumerate(text) if c.isascii() and c.isdigit()]
        chars = list(text)
        for spot in rng.sample(spots, min(len(spots), rng.randint(1, 6))):
            chars[spot] = rng.choice(["²", "١", "𝟗", "٣", "Ⅻ", "½", "０"])
        return "".join(chars).encode("utf-8", "surrogateescape"), kind
    if kind == "tokens":
        parts = re.split(rb"(\s+)", data)
        words = [k for k in range(0, len(parts), 2) if parts[k]]
        for spot in rng.sample(words, min(len(words), rng.randint(1, 8))):
            parts[spot] = rng.choice(TOKENS)
        return b"".join(parts), kind
    if kind == "shuffle-lines":
        lines = data.splitlines(keepends=True)
        rng.shuffle(lines)
        return b"".join(lines), kind
    lines = data.splitlines(keepends=True)
    if lines:
        del lines[rng.randrange(len(lines))]
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(data.splitlines(keepends=True)))
    return b"".join(lines), kind


def mutate_bytes(rng: random.Random, rec: Recording, outside: Path) -> str:
    targets = _text_targets(rec)
    if not targets:
        return "nothing to garble"
    name, key = rng.choice(targets)
    if key is None:
        garbled, kind = _garble(rng, rec.files[name])
        rec.files[name] = garbled
    else:
        entry = rec.manifest["commands"][key[0]]
        data = entry[key[1]].encode("utf-8", "surrogatepass")
        garbled, kind = _garble(rng, data)
        entry[key[1]] = garbled.decode("utf-8", "surrogateescape")
    return f"bytes:{kind}:{name}"


def _paths(value: Any, here: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indexes) to a value inside the manifest."""
    found = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*here, k))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            found += _paths(v, (*here, k))
    return found


def _deep(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


REPLACEMENTS: list[Callable[[], Any]] = [
    lambda: None,
    lambda: True,
    lambda: False,
    lambda: 0,
    lambda: -1,
    lambda: 2**70,
    lambda: 1.5,
    lambda: float("nan"),
    lambda: float("inf"),
    lambda: "",
    lambda: "x",
    lambda: "12",
    lambda: "\ud800",
    lambda: "a\nb\x1b[31m",
    lambda: [],
    lambda: ["x"],
    lambda: [1, None],
    lambda: {},
    lambda: {"a": 1},
    lambda: {"argv": []},
    lambda: _deep(40),
]


def _retype(rng: random.Random, document: Any) -> tuple[Any, str]:
    """`document` with one value replaced by another JSON type, or deleted, or a key added."""
    where = rng.choice(_paths(document))
    action = rng.choice(["replace", "replace", "replace", "delete", "add-key"])
    if not where:
        return rng.choice(REPLACEMENTS)(), "replace-root"
    parent: Any = document
    for k in where[:-1]:
        parent = parent[k]
    last = where[-1]
    if action == "delete":
        del parent[last]
        return document, f"delete:{where}"
    if action == "add-key" and isinstance(parent, dict):
        parent[rng.choice(["stdout_fiel", "python", "extra", "devices"])] = rng.choice(
            REPLACEMENTS
        )()
        return document, f"add-key:{where[:-1]}"
    parent[last] = rng.choice(REPLACEMENTS)()
    return document, f"replace:{where}"


def mutate_json_type(rng: random.Random, rec: Recording, outside: Path) -> str:
    entries = _entries(rec)
    if rng.random() < 0.1 and entries:
        rng.choice(entries)[1]["argv"] = []
        return "json:empty-argv"
    rec.manifest, described = _retype(rng, rec.manifest)
    return f"json:{described}"


DEEP_MARKER = "ENVSETUP-DEEP "


def _payloads(rec: Recording) -> list[tuple[str, Any]]:
    """Structured text inside the recording: JSON files, the --deep marker line's JSON, the
    introspection line (a Python literal). (name, where) pairs for mutate_payload."""
    found: list[tuple[str, Any]] = [
        (name, None) for name in rec.files if name.endswith(".json") or name.endswith(".out")
    ]
    for number, entry in _entries(rec):
        if isinstance(entry.get("stdout"), str) and entry["stdout"]:
            found.append((f"commands[{number}].stdout", number))
    return found


def _decode_payload(text: str) -> Optional[tuple[str, Any, str]]:
    """(prefix, value, kind) of a JSON document, a marker line or a Python literal, else None."""
    import ast

    if DEEP_MARKER in text:
        prefix, _, body = text.rpartition(DEEP_MARKER)
        with contextlib.suppress(ValueError, RecursionError):
            return prefix + DEEP_MARKER, json.loads(body), "json"
    with contextlib.suppress(ValueError, RecursionError):
        return "", json.loads(text), "json"
    with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return "", ast.literal_eval(text.strip()), "literal"
    return None


def mutate_payload(rng: random.Random, rec: Recording, outside: Path) -> str:
    """The JSON types of a file or command output that holds JSON or a Python literal."""
    for name, where in rng.sample(_payloads(rec), len(_payloads(rec))):
        if where is None:
            text = rec.files[name].decode("utf-8", "replace")
        else:
            text = rec.manifest["commands"][where]["stdout"]
        decoded = _decode_payload(text)
        if decoded is None:
            continue
        prefix, value, kind = decoded
        if rng.random() < 0.15:
            depth = rng.choice([50, 3000])
            body, described = "[" * depth + "]" * depth, f"deep-{depth}"
        else:
            value, described = _retype(rng, value)
            try:
                body = json.dumps(value) if kind == "json" else repr(value)
            except (ValueError, RecursionError):
                continue
        mutated = prefix + body + "\n"
        if where is None:
            rec.files[name] = mutated.encode("utf-8", "surrogatepass")
        else:
            rec.manifest["commands"][where]["stdout"] = mutated
        return f"payload:{kind}:{described}:{name}"
    return "payload:none"


def mutate_json_text(rng: random.Random, rec: Recording, outside: Path) -> str:
    kind = rng.choice(["nest-5000", "nest-value", "truncate", "bom", "dup", "bigint", "nul"])
    raw = json.dumps(rec.manifest).encode()
    if kind == "nest-5000":
        rec.raw_manifest = b"[" * 5000 + b"]" * 5000
    elif kind == "nest-value":
        rec.raw_manifest = raw[:-1] + b', "nvml": ' + b"{" + b'"a":{' * 5000 + b"}" * 5001 + b"}"
    elif kind == "truncate":
        rec.raw_manifest = raw[: rng.randrange(len(raw))]
    elif kind == "bom":
        rec.raw_manifest = b"\xef\xbb\xbf" + raw
    elif kind == "dup":
        rec.raw_manifest = raw[:-1] + b', "commands": 5}'
    elif kind == "bigint":
        rec.raw_manifest = raw[:-1] + b', "version": ' + b"1" * 5000 + b"}"
    else:
        rec.raw_manifest = raw.replace(b'"Linux"', b'"Lin\\u0000ux"')
    return f"json-text:{kind}"


def mutate_links(rng: random.Random, rec: Recording, outside: Path) -> str:
    names = sorted(rec.files)
    victim = rng.choice(names) if names else "files/etc/os-release"
    secret = str(outside / "secret.txt")
    kind = rng.choice(
        [
            "link-out",
            "link-out-dir",
            "link-loop",
            "link-self",
            "link-inside",
            "link-dir-loop",
            "fifo",
            "dev-zero",
            "stdout-file-escape",
            "stdout-file-absolute",
            "stdout-file-dev",
            "stdout-file-dir",
            "host-json-fifo",
            "host-json-link",
            "files-link-out",
        ]
    )
    if kind == "link-out":
        rec.links[victim] = secret
    elif kind == "link-out-dir":
        rec.links["files/etc"] = str(outside)
        rec.files["files/etc/os-release"] = b"ID=x\n"  # replaced by the link
    elif kind == "link-loop":
        rec.links[victim] = victim.rsplit("/", 1)[-1] + ".other"
        rec.links[victim + ".other"] = victim.rsplit("/", 1)[-1]
    elif kind == "link-self":
        rec.links[victim] = victim.rsplit("/", 1)[-1]
    elif kind == "link-inside":
        rec.links["files/etc/os-release"] = "../../commands/" + "x.out"
        rec.files["commands/x.out"] = b"ID=linked\n"
    elif kind == "link-dir-loop":
        rec.links["files/usr/loop"] = "."
        rec.links["files/usr/lib64/up"] = "../.."
    elif kind == "fifo":
        rec.files.pop(victim, None)
        rec.fifos.append(victim)
    elif kind == "dev-zero":
        rec.links[victim] = "/dev/zero"
    elif kind == "host-json-fifo":
        rec.fifos.append("host.json")
    elif kind == "host-json-link":
        rec.links["host.json"] = secret
    elif kind == "files-link-out":
        rec.links["files"] = str(outside)
    else:
        pointed = {
            "stdout-file-escape": "commands/../../../../../../" + secret.lstrip("/"),
            "stdout-file-absolute": secret,
            "stdout-file-dev": rng.choice(["/dev/zero", "/dev/stdin", "/dev/urandom"]),
            "stdout-file-dir": "commands",
        }[kind]
        entries = _entries(rec)
        if not entries:
            return "links:no-commands"
        rng.choice(entries)[1]["stdout_file"] = pointed
    return f"links:{kind}:{victim}"


MUTATIONS: list[tuple[Mutation, int]] = [
    (mutate_bytes, 14),
    (mutate_json_type, 6),
    (mutate_json_text, 1),
    (mutate_payload, 4),
    (mutate_links, 3),
]


# ----------------------------------------------------------------------------- the pipeline


@dataclass
class Outcome:
    verdict: str  # "report", "usage", "internal", "hang"
    detail: str = ""
    seconds: float = 0.0
    output: str = ""


# Facts and findings already rendered (as their JSON document): text and plan are pure functions of
# them, so a mutant that probes to the same facts as an earlier one needs no second rendering.
_RENDERED: set[int] = set()


@functools.cache
def _lookup_build(torch_version: str, system: str, machine: str) -> Any:
    """diagnose's profile lookup (a pure function of its arguments), read once per key."""
    from envsetup.profiles.lookup import lookup_build

    return lookup_build(torch_version, system, machine)


def run_pipeline(directory: str, deep: bool) -> Outcome:
    """What `doctor --replay DIR [--json]` and `install --replay DIR --dry-run` do, in-process."""
    from rich.console import Console

    from envsetup.diagnose import diagnose
    from envsetup.errors import UsageError
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from envsetup.render.doctor_json import doctor_document, to_json
    from envsetup.render.doctor_text import render_doctor
    from envsetup.render.install_text import render_resolution
    from envsetup.resolve.quick import resolve_quickly
    from envsetup.resolve.request import parse_request
    from envsetup.resolve.resolution import ResolutionRefused

    try:
        facts = probe_all(RecordedHost(directory), deep=deep)
    except UsageError as exc:
        return Outcome("usage", str(exc))
    findings = diagnose(facts, _lookup_build)
    document = to_json(doctor_document(facts, findings, 0))
    json.loads(document)
    if hash(document) in _RENDERED:
        return Outcome("report", output=document)
    # The terminal is UTF-8 and strict: text that cannot be encoded would crash the real print.
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    render_doctor(Console(file=stream, width=100), facts, findings, True)
    stream.flush()
    text = stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    try:
        render_resolution(Console(file=stream, width=100), resolve_quickly(parse_request(), facts))
    except ResolutionRefused as refusal:
        stream.write(str(refusal))
    stream.flush()
    plan = stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    _RENDERED.add(hash(document))
    return Outcome("report", output=document + text + plan)


def run_limited(directory: str, deep: bool) -> Outcome:
    box: list[Outcome] = []

    def work() -> None:
        try:
            box.append(run_pipeline(directory, deep))
        except Exception:
            box.append(Outcome("internal", traceback.format_exc()))

    started = time.monotonic()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(TIME_LIMIT_S)
    seconds = time.monotonic() - started
    if not box:
        return Outcome("hang", f"still running after {TIME_LIMIT_S:g} s", seconds)
    box[0].seconds = seconds
    return box[0]


def _crash_site(trace: str) -> str:
    """The innermost envsetup frame of a traceback: one line per distinct crash."""
    frames = [line.strip() for line in trace.splitlines() if line.strip().startswith("File ")]
    ours = [f for f in frames if "envsetup" in f and "test_fuzz" not in f]
    return (ours or frames or ["?"])[-1] + " " + trace.strip().splitlines()[-1][:120]


# ----------------------------------------------------------------------------- the test


def _fast_tmp() -> Optional[str]:
    """A RAM-backed directory when there is one: thousands of small trees are written and removed."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def test_garbled_recordings_give_a_report_or_one_usage_line() -> None:
    rng = random.Random(SEED)
    failures: list[str] = []
    sites: dict[str, int] = {}
    counts: dict[str, int] = {}
    slowest = (0.0, "")
    with tempfile.TemporaryDirectory(prefix="envsetup-fuzz-", dir=_fast_tmp()) as tmp:
        work = Path(tmp)
        outside = work / "outside"
        outside.mkdir()
        (outside / "secret.txt").write_text(f"{OUTSIDE_SECRET}\nroot:x:0:0\n")
        (outside / "os-release").write_text(f"ID={OUTSIDE_SECRET}\n")
        bases = seeds(work / "seeds")
        for number in range(COUNT):
            rec = copy.deepcopy(rng.choice(bases))
            mutation = rng.choices([m for m, _ in MUTATIONS], [w for _, w in MUTATIONS])[0]
            described = mutation(rng, rec, outside)
            if rng.random() < 0.3:  # a second mutation on top
                described += " + " + rng.choice([m for m, _ in MUTATIONS])(rng, rec, outside)
            directory = work / f"m{number}"
            rec.write(directory)
            outcome = run_limited(str(directory), deep=number % 2 == 0)
            counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
            if outcome.seconds > slowest[0]:
                slowest = (outcome.seconds, described)
            if outcome.verdict in ("internal", "hang"):
                site = _crash_site(outcome.detail) if outcome.verdict == "internal" else "hang"
                sites[site] = sites.get(site, 0) + 1
                failures.append(f"#{number} {described}: {outcome.verdict}\n{outcome.detail}")
                if outcome.verdict == "hang" and sites["hang"] >= 3:
                    break  # each costs the whole time limit
                continue  # a hung thread may still hold the directory
            elif outcome.verdict == "usage":
                if "\n" in outcome.detail or not outcome.detail.startswith("--replay "):
                    failures.append(f"#{number} {described}: not one line: {outcome.detail!r}")
            elif OUTSIDE_SECRET in outcome.output:
                failures.append(f"#{number} {described}: read outside the recording")
            shutil.rmtree(directory, ignore_errors=True)
    summary = (
        f"fuzz: {sum(counts.values())} mutated recordings (seed {SEED}): {counts}; "
        f"longest run {slowest[0]:.2f} s ({slowest[1]})"
    )
    print(summary, file=sys.stderr)
    for site, times in sorted(sites.items(), key=lambda kv: -kv[1]):
        print(f"  {times:4d}  {site}", file=sys.stderr)
    assert not failures, f"{summary}\n{len(failures)} failures, first:\n" + "\n\n".join(
        failures[:3]
    )
