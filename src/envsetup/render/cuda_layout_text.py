"""doctor's rows for facts.cuda_layout: the libraries torch's nvidia-* wheels bring, other copies
of them where the loader looks, and toolkit links that point nowhere (the findings judge them)."""

from __future__ import annotations

from typing import Callable

from envsetup.model.cuda_layout import CudaLayoutFacts
from envsetup.model.torch_libraries import family_of_soname

Row = Callable[..., None]  # doctor_text's row(mark, label, value, source="")


def render_cuda_layout(row: Row, layout: CudaLayoutFacts, verbose: bool) -> None:
    for link in layout.dangling_links:
        row("warning", "Toolkit link", f"{link.path} -> {link.target} (missing)")
    for copy in layout.library_copies:
        if copy.wheel_own:
            continue
        version = f" {copy.version}" if copy.version else ""
        row(
            "ok",
            "Library copy",
            f"{copy.soname}{version} at {copy.directory} ({copy.via})",
            copy.version_source,
        )
    if layout.torch_libraries:
        versions = sorted(
            {
                f"{family.name} {lib.version or '?'}"
                for lib in layout.torch_libraries
                if (family := family_of_soname(lib.soname)) is not None
                and family.name != "cuDNN sub-library"
            }
        )
        shown = ", ".join(versions) if verbose else f"{len(versions)} libraries"
        row("ok", "Wheel libs", f"torch's nvidia-* wheels: {shown}")
