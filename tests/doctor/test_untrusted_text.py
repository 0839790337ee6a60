"""What a machine or a recording says is untrusted text: doctor prints it without its terminal
control sequences and rich markup, and writes no credential it holds — on the terminal, in
--json, or into a recording.

Planted: a GPU name (NVML) with an OSC title, a screen clear, an 8-bit CSI and rich markup;
nvidia-smi output with escape sequences and a credential URL; LD_LIBRARY_PATH holding a
credential URL and an escape sequence; a secret-named variable and a proxy URL in the environment.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
from pathlib import Path

from envsetup.host.recorded import RecordedHost
from envsetup.host.recording import RecordingHost
from hostbuilder import HostSpec, fixture_text
from scripts import run_envsetup

SMI = "/usr/bin/nvidia-smi"
SMI_PASSWORD = "bmcPassw0rd-61d0e2"
LIB_TOKEN = "libShareT0ken-4a5b6c"
PROXY_PASSWORD = "pr0xyPass-3e2d1c0b"
API_TOKEN = "acmeApiT0ken-9c8b7a6d"
SECRETS = (SMI_PASSWORD, LIB_TOKEN, PROXY_PASSWORD, API_TOKEN)

TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
PLANTED_SEQUENCES = (TITLE, CLEAR, "\x9b31m", "\x1b]", "\x07", "\x9b")
MARKUP = "[bold red]80GB[/]"
GPU_NAME = f"NVIDIA H100 {TITLE}{CLEAR}{MARKUP}\x9b31m HBM3"
SMI_OUTPUT = (
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
    f"{TITLE}Make sure that the latest NVIDIA driver is installed and running.{CLEAR}\n"
    f"driver bundle: http://admin:{SMI_PASSWORD}@bmc.local/driver.run\n"
)
LD_LIBRARY_PATH = f"/opt/lib{CLEAR}:/mnt/https://share:{LIB_TOKEN}@nas.local/lib"


def envsetup(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_envsetup(*args, env={"ACME_API_TOKEN": API_TOKEN, **env})


def leaks(texts: dict[str, str], roots: tuple[Path, ...] = ()) -> list[str]:
    found = [f"{s!r} in {name}" for name, text in texts.items() for s in SECRETS if s in text]
    for root in roots:
        for path in (p for p in root.rglob("*") if p.is_file()):
            found += [f"{s!r} in {path}" for s in SECRETS if s.encode() in path.read_bytes()]
    return found


def hostile_host() -> HostSpec:
    spec = HostSpec(
        environ={
            "LD_LIBRARY_PATH": LD_LIBRARY_PATH,
            "https_proxy": f"http://proxy:{PROXY_PASSWORD}@proxy.corp:3128",
        },
        nvml={
            "driver_version": "535.129.03",
            "cuda_driver_version": 12020,
            "devices": [
                {
                    "index": 0,
                    "name": GPU_NAME,
                    "uuid": "GPU-0",
                    "memory_total_bytes": 85520809984,
                    "compute_capability": "9.0",
                }
            ],
        },
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers.append("/dev/nvidiactl")
    return spec


def failing_smi_host() -> HostSpec:
    spec = HostSpec(environ={"LD_LIBRARY_PATH": LD_LIBRARY_PATH})
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.which["nvidia-smi"] = SMI
    spec.markers.append("/dev/nvidiactl")
    return spec.command([SMI], SMI_OUTPUT, 9)


def test_replayed_text_reaches_the_terminal_without_control_sequences_or_markup(
    tmp_path: Path,
) -> None:
    for number, spec in enumerate((hostile_host(), failing_smi_host())):
        directory = spec.write(tmp_path / f"host{number}")
        done = envsetup("doctor", "--replay", directory, "-v", env={})
        assert done.returncode in (0, 1), done.stderr
        # stdout is a pipe, so rich adds no styles: any control character came from the host.
        assert not [c for c in done.stdout if ord(c) < 0x20 and c not in "\n\t"]
        assert not [c for c in done.stdout if 0x7F <= ord(c) <= 0x9F]
        assert leaks({"stdout": done.stdout, "stderr": done.stderr}) == []
    assert MARKUP in envsetup("doctor", "--replay", str(tmp_path / "host0"), env={}).stdout


def test_the_gpu_name_is_shown_cleaned_on_a_real_terminal_too(tmp_path: Path) -> None:
    """rich writing to a terminal adds its own styles; the planted sequences must not be there."""
    from rich.console import Console

    from envsetup.diagnose import diagnose
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build
    from envsetup.render.doctor_text import render_doctor

    directory = hostile_host().write(tmp_path / "host")
    facts = probe_all(RecordedHost(directory))
    assert facts.nvidia.gpus[0].name == GPU_NAME  # the fact itself is kept as the host said it
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200)
    render_doctor(console, facts, diagnose(facts, lookup_build), verbose=True)
    text = out.getvalue()
    for sequence in PLANTED_SEQUENCES:
        assert sequence not in text
    assert "NVIDIA H100 " in text and "80GB" in text and "HBM3" in text


def test_doctor_json_carries_no_credential_and_still_the_facts(tmp_path: Path) -> None:
    for number, spec in enumerate((hostile_host(), failing_smi_host())):
        directory = spec.write(tmp_path / f"host{number}")
        done = envsetup("doctor", "--replay", directory, "--json", env={})
        assert leaks({"stdout": done.stdout, "stderr": done.stderr}) == []
        facts = json.loads(done.stdout)["data"]["facts"]
        # LD_LIBRARY_PATH is cut at ':', so the URL's pieces are no URL any more: the recorded
        # environment's credentials are redacted as known values.
        assert "<redacted>@nas.local/lib" in facts["cuda"]["ld_library_path"]
        assert not [c for c in done.stdout if 0x7F <= ord(c) <= 0x9F or c == "\x1b"]
    failed = json.loads(
        envsetup("doctor", "--replay", str(tmp_path / "host1"), "--json", env={}).stdout
    )
    assert "http://***@bmc.local/driver.run" in failed["data"]["facts"]["nvidia"]["smi_evidence"]


def test_a_recording_of_a_recording_holds_no_credential(tmp_path: Path) -> None:
    from envsetup.probe import probe_all

    for number, spec in enumerate((hostile_host(), failing_smi_host())):
        recording = RecordingHost(RecordedHost(spec.write(tmp_path / f"host{number}")))
        probe_all(recording)
        saved = tmp_path / f"saved{number}"
        recording.save(str(saved))
        assert leaks({}, (saved,)) == []
        manifest = json.loads((saved / "host.json").read_text())
        assert "/mnt/https://***@nas.local/lib" in manifest["environ"]["LD_LIBRARY_PATH"]
        # What is not a credential is kept as it was: the recording still replays the same host.
        assert CLEAR in manifest["environ"]["LD_LIBRARY_PATH"]
    smi_out = next((tmp_path / "saved1" / "commands").glob("*nvidia-smi.out")).read_text()
    assert "http://***@bmc.local/driver.run" in smi_out and TITLE in smi_out


def test_doctor_record_on_this_machine_writes_no_credential(tmp_path: Path) -> None:
    """A real nvidia-smi (a script first on PATH) prints a credential URL and escape sequences;
    the environment holds a secret-named variable, a proxy URL and a credential in LD_LIBRARY_PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    smi = bin_dir / "nvidia-smi"
    smi.write_text(f"#!/bin/sh\nprintf '%s' {_sh_quote(SMI_OUTPUT)}\nexit 9\n")
    smi.chmod(smi.stat().st_mode | stat.S_IXUSR)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "LD_LIBRARY_PATH": LD_LIBRARY_PATH,
        "HTTPS_PROXY": f"http://proxy:{PROXY_PASSWORD}@proxy.corp:3128",
    }
    outputs = {}
    for mode in ("-v", "--json"):
        recording = tmp_path / f"rec{mode}"
        done = envsetup("doctor", "--record", str(recording), mode, env=env)
        assert done.returncode in (0, 1), done.stderr
        outputs[f"{mode} stdout"], outputs[f"{mode} stderr"] = done.stdout, done.stderr
        assert leaks({}, (recording,)) == []
    assert leaks(outputs) == []
    assert TITLE not in outputs["-v stdout"] and CLEAR not in outputs["-v stdout"]
    recorded = json.loads((tmp_path / "rec-v" / "host.json").read_text())
    smi_runs = [c for c in recorded["commands"] if c["argv"][0].endswith("nvidia-smi")]
    if smi_runs:  # a machine with a working NVML never asks nvidia-smi
        assert (
            "http://***@bmc.local/" in (tmp_path / "rec-v" / smi_runs[0]["stdout_file"]).read_text()
        )
    assert "/mnt/https://***@nas.local/lib" in recorded["environ"]["LD_LIBRARY_PATH"]


def _sh_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
