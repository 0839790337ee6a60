"""Fix texts are safe to paste: a path with spaces, a quote or `$(...)` stays one intact argument.

Every backticked command in a fix that names the hostile path is split as a POSIX shell splits it
(shlex) and also run through a real `sh` as `set -- COMMAND`: the path must come back whole, and the
`$(touch MARKER)` inside it must never run.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from doctor.conftest import Doctor
from doctor.test_real_hosts import SMI
from envsetup.render.finding_words import words_for
from envsetup.verify.target import env_python, install_fix
from hostbuilder import HostSpec, fixture_text
from venvs import bare_venv, fake_torch, verify_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell quoting")

BACKTICKED = re.compile(r"`([^`]+)`")


def hostile(tmp_path: Path, leaf: str) -> str:
    """A path a user can really have, that runs `touch MARKER` if pasted unquoted."""
    return f"{tmp_path}/my envs/$(touch {tmp_path}/pwned)/it's {leaf}"


def shell_words(command: str, cwd: Path) -> list[str]:
    """The words a real sh makes of `command` (with its expansions), the command not run."""
    out = subprocess.run(
        ["sh", "-c", f"set -- {command}\nprintf '%s\\0' \"$@\""],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=30,
        check=True,
    )
    return out.stdout.split("\0")[:-1]


def assert_pastes_safely(text: str, path: str, tmp_path: Path) -> int:
    """Every backticked command naming `path`: one argument holds it whole. Returns how many."""
    checked = 0
    for command in BACKTICKED.findall(text):
        if "touch" not in command:
            continue
        for words in (shlex.split(command), shell_words(command, tmp_path)):
            assert any(w == path or w.endswith(f"={path}") for w in words), (command, words)
        checked += 1
    assert not (tmp_path / "pwned").exists(), f"pasting ran $(touch): {text}"
    return checked


def gpu_host_with_cpu_torch(prefix: str) -> HostSpec:
    site = f"{prefix}/lib/python3.11/site-packages"
    spec = HostSpec(
        python=f"{prefix}/bin/python",
        python_version="3.11.7",
        prefix=prefix,
        site_packages=[site],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers.append(f"{prefix}/pyvenv.cfg")
    spec.which["nvidia-smi"] = SMI
    spec.markers.append("/dev/nvidiactl")
    spec.command([SMI], fixture_text("nvidia-smi/535.129.03-2x-rtx3090.txt"))
    return spec.torch_wheel(
        site, "torch/version.py-2.13.0+cpu.txt", "torch/METADATA-2.13.0+cpu.txt"
    )


def test_doctor_fixes_quote_the_environment_and_the_toolkit_path(
    doctor: Doctor, tmp_path: Path
) -> None:
    prefix = hostile(tmp_path, ".venv")
    toolkit = hostile(tmp_path, "cuda-12.5")
    spec = gpu_host_with_cpu_torch(prefix)
    # An older apt nvcc first on PATH, a newer toolkit named by CUDA_HOME.
    spec.which["nvcc"] = "/usr/bin/nvcc"
    spec.markers += ["/usr/bin/nvcc", f"{toolkit}/bin/nvcc"]
    spec.files["/usr/include/cuda.h"] = "#define CUDA_VERSION 11050\n"
    spec.command(
        ["/usr/bin/nvcc", "--version"],
        fixture_text("nvcc/nvcc-11.5.119-ubuntu-apt-shadowing-cuda-12.5.txt"),
    )
    spec.files[f"{toolkit}/version.json"] = '{"cuda": {"name": "CUDA SDK", "version": "12.5.82"}}'
    spec.environ["CUDA_HOME"] = toolkit
    _, findings = doctor(spec)
    fixes = {f.id: words_for(f).fix for f in findings}
    assert assert_pastes_safely(fixes["torch-cpu-only-on-gpu-host"], prefix, tmp_path) == 1
    assert assert_pastes_safely(fixes["nvcc-path-shadowed"], toolkit, tmp_path) == 1
    # The toolkit's bin directory goes first on PATH, whole.
    command = BACKTICKED.findall(fixes["nvcc-path-shadowed"])[0]
    words = shell_words(command, tmp_path)
    assert any(w.startswith(f"PATH={toolkit}/bin:") for w in words), words


def test_a_cpu_torch_outside_an_environment_gets_a_fresh_env_command(
    doctor: Doctor, tmp_path: Path
) -> None:
    spec = gpu_host_with_cpu_torch("/usr")
    spec.markers.remove("/usr/pyvenv.cfg")
    _, findings = doctor(spec)
    fix = next(words_for(f).fix for f in findings if f.id == "torch-cpu-only-on-gpu-host")
    assert "`envsetup install --cuda auto`" in fix  # --python takes a version, not a path


def test_verify_fixes_quote_the_environment(tmp_path: Path) -> None:
    env_dir = hostile(tmp_path, "env")
    assert assert_pastes_safely(f"`{install_fix(env_dir)}`", env_dir, tmp_path) == 1
    # A real venv at that path, without torch: the one-line error names the quoted command.
    bare_venv(Path(env_dir))
    out = verify_cli("--env", env_dir, timeout=120)
    assert out.returncode == 3, out.stderr
    command = out.stderr.split("fix: install it: ", 1)[1].strip()
    assert_pastes_safely(f"`{command}`", str(Path(env_python(env_dir)).parent.parent), tmp_path)


def test_the_workers_own_fix_quotes_the_environment(tmp_path: Path) -> None:
    env_dir = hostile(tmp_path, "env")
    python = bare_venv(Path(env_dir))
    fake_torch(python, "raise ImportError('broken')\n")
    out = verify_cli("--python", python, "--json", timeout=120)
    checks = {c["id"]: c for c in json.loads(out.stdout)["data"]["checks"]}
    fix = checks["torch.import"]["fix"]
    prefix = subprocess.run(
        [python, "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert assert_pastes_safely(f"`{fix.split(': ', 1)[1]}`", prefix, tmp_path) == 1


@pytest.mark.parametrize("width", [40, 80, 200])
def test_the_rendered_fix_keeps_each_command_on_one_line(
    doctor: Doctor, tmp_path: Path, width: int
) -> None:
    """rich wraps long lines at the console width; a newline inside a command would make a paste
    run its first word alone (`envsetup`, then coreutils' `install ...`)."""
    import io

    from rich.console import Console

    from envsetup.render.doctor_text import render_doctor

    prefix = hostile(tmp_path, ".venv")
    facts, findings = doctor(gpu_host_with_cpu_torch(prefix))
    out = io.StringIO()
    render_doctor(Console(file=out, width=width, color_system=None), facts, findings, False)
    rendered = out.getvalue()
    commands = [c for f in findings for c in BACKTICKED.findall(words_for(f).fix)]
    assert any("touch" in c for c in commands)  # the hostile prefix, quoted
    for command in commands:
        assert f"`{command}`" in rendered, (width, command)
