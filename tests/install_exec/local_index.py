"""A real PEP 503 package index on disk, laid out like download.pytorch.org/whl.

Wheels are built with zipfile: METADATA, WHEEL and a RECORD with real sha256 digests, so pip and
uv install them exactly as they would a downloaded wheel. `torch/version.py` carries `cuda` like
the real package, so a test can tell which variant landed by importing it in the environment.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

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
            target.symlink_to(wheel.resolve())
    write_simple_pages(variant_root)
