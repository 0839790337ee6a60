"""A real PEP 503 package index on disk, laid out like download.pytorch.org/whl.

Wheels are built with zipfile: METADATA, WHEEL and a RECORD with real sha256 digests, so pip and
uv install them exactly as they would a downloaded wheel. `torch/version.py` carries `cuda` like
the real package, so a test can tell which variant landed by importing it in the environment.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import http.server
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Optional

from packaging.requirements import Requirement

# The real 2.0.1 release triplet (torchvision 0.15.2 and torchaudio 2.0.2 pair with torch 2.0.1).
RELEASE_2_0_1 = {"torch": "2.0.1", "torchvision": "0.15.2", "torchaudio": "2.0.2"}
# variant → the CUDA version torch.version.cuda reports (None for CPU builds).
VARIANTS = {"cu117": "11.7", "cu118": "11.8", "cpu": None}


@dataclass(frozen=True)
class BuiltWheel:
    project: str
    version: str
    path: Path

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def normalize(name: str) -> str:
    """PEP 503 project name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(
    directory: Path,
    project: str,
    version: str,
    files: dict[str, str],
    requires: Iterable[str] = (),
) -> BuiltWheel:
    """A pure-Python py3-none-any wheel holding `files`."""
    dist = f"{project.replace('-', '_')}-{version}"
    info = f"{dist}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {project}", f"Version: {version}"]
    metadata += [f"Requires-Dist: {requirement}" for requirement in requires]
    contents = {name: text.encode() for name, text in files.items()}
    contents[f"{info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    contents[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: envsetup-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [_record_line(name, data) for name, data in contents.items()]
    contents[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return BuiltWheel(project, version, path)


def write_simple_pages(variant_root: Path) -> None:
    """index.html for the variant and for each project directory under it (PEP 503)."""
    projects = sorted(p for p in variant_root.iterdir() if p.is_dir())
    links = "".join(f'<a href="{p.name}/">{p.name}</a>\n' for p in projects)
    (variant_root / "index.html").write_text(f"<html><body>\n{links}</body></html>\n")
    for project in projects:
        files = sorted(f for f in project.iterdir() if f.suffix == ".whl")
        anchors = "".join(
            f'<a href="{html.escape(f.name)}">{html.escape(f.name)}</a>\n' for f in files
        )
        (project / "index.html").write_text(f"<html><body>\n{anchors}</body></html>\n")


def torch_files(version: str, cuda: Optional[str]) -> dict[str, str]:
    return {
        "torch/__init__.py": f"__version__ = {version!r}\nfrom torch import version\n",
        "torch/version.py": f"__version__ = {version!r}\ncuda = {cuda!r}\n",
    }


def build_pytorch_index(root: Path, variants: dict[str, Optional[str]] = VARIANTS) -> Path:
    """<root>/<variant>/<project>/<wheel> for torch, torchvision and torchaudio 2.0.1-era builds."""
    for variant, cuda in variants.items():
        variant_root = root / variant
        local = f"+{variant}"
        torch_version = RELEASE_2_0_1["torch"] + local
        build_wheel(
            variant_root / "torch", "torch", torch_version, torch_files(torch_version, cuda)
        )
        for project in ("torchvision", "torchaudio"):
            version = RELEASE_2_0_1[project] + local
            build_wheel(
                variant_root / project,
                project,
                version,
                {f"{project}/__init__.py": f"__version__ = {version!r}\n"},
                requires=[f"torch=={torch_version}"],
            )
        write_simple_pages(variant_root)
    return root


def link_into_index(variant_root: Path, wheels: Iterable[Path]) -> None:
    """Put existing wheel files (symlinked, not copied: torch is ~200 MB) into an index."""
    for wheel in wheels:
        project = normalize(wheel.name.split("-", 1)[0])
        directory = variant_root / project
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / wheel.name
        if not target.exists():
            try:
                target.symlink_to(wheel.resolve())
            except OSError:  # Windows without the symlink privilege
                shutil.copyfile(wheel, target)
    write_simple_pages(variant_root)


PY_TAG = f"cp{sys.version_info[0]}{sys.version_info[1]}"


def pip_find_links() -> list[Path]:
    """The directories pip is configured to look in (config files and PIP_FIND_LINKS)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found: list[Path] = []
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.endswith("find-links"):
            found.extend(Path(p) for p in shlex.split(value.strip("'\"")))
    found.extend(Path(p) for p in os.environ.get("PIP_FIND_LINKS", "").split())
    return [p for p in found if p.is_dir()]


def torch_cpu_wheel() -> Optional[Path]:
    for directory in pip_find_links():
        for wheel in sorted(directory.glob(f"torch-*+cpu-{PY_TAG}-*.whl")):
            return wheel
    return None


def runtime_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    requirements = []
    for line in metadata.splitlines():
        if line.startswith("Requires-Dist:"):
            requirement = Requirement(line.split(":", 1)[1].strip())
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                requirements.append(str(requirement))
    return requirements


def build_torch_cpu_index(root: Path, wheel: Path) -> str:
    """<root>/cpu/ with `wheel` and its dependencies, fetched through this machine's pip setup
    (its package mirror). Returns the torch version; RuntimeError if the dependencies fail."""
    deps = root / "downloads"
    fetched = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:"),
            *("--dest", str(deps), *runtime_requirements(wheel)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if fetched.returncode != 0:
        raise RuntimeError(f"torch's dependencies could not be fetched: {fetched.stderr[-300:]}")
    link_into_index(root / "cpu", [wheel, *deps.glob("*.whl")])
    version = re.match(r"torch-([^-]+)-", wheel.name)
    if version is None:
        raise RuntimeError(f"{wheel.name}: not a torch wheel name")
    return version.group(1)


def build_broken_torch_index(root: Path) -> Path:
    """<root>/cpu/torch/ holding a torch that installs fine and fails to import."""
    version = RELEASE_2_0_1["torch"] + "+cpu"
    build_wheel(
        root / "cpu" / "torch",
        "torch",
        version,
        {
            "torch/__init__.py": "raise ImportError('libtorch_cpu.so: cannot open shared object file')\n"
        },
    )
    write_simple_pages(root / "cpu")
    return root


class _SlowHandler(http.server.SimpleHTTPRequestHandler):
    delay_s = 0.0
    chunk_delay_s = 0.0

    def do_GET(self) -> None:
        time.sleep(self.delay_s)
        super().do_GET()

    def copyfile(self, source: IO[bytes], outputfile: IO[bytes]) -> None:  # type: ignore[override]
        while True:
            chunk = source.read(4096)
            if not chunk:
                return
            outputfile.write(chunk)
            outputfile.flush()
            time.sleep(self.chunk_delay_s)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_slowly(root: Path, delay_s: float = 0.4, chunk_delay_s: float = 0.05) -> Iterator[str]:
    """Serve the index at `root` over real HTTP on localhost, slowly: each request waits
    `delay_s`, and each 4 KB of a file `chunk_delay_s`, so an install spends seconds in the
    network and a kill lands inside a step. Yields the base URL (for --index-url-base)."""
    handler = type(
        "SlowHandler", (_SlowHandler,), {"delay_s": delay_s, "chunk_delay_s": chunk_delay_s}
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
