"""WSL from the kernel's own name: /proc/version text or `platform.release()`."""

from __future__ import annotations

import re
from typing import Optional

# WSL2 kernels are "...-microsoft-standard" (later "-microsoft-standard-WSL2"); WSL1 fakes a
# kernel named "...-Microsoft" with a capital M. The case is the only difference in a cut name.
_WSL2 = re.compile(r"microsoft-standard|-WSL2\b|\bWSL2\b")
_WSL1 = re.compile(r"\d-Microsoft\b")
_LOWER_MICROSOFT = re.compile(r"(?<=[\w.+])-microsoft\b")


def wsl_from_kernel(text: str) -> Optional[int]:
    """1 for a WSL1 kernel string, 2 for a WSL2 one, None when the string says nothing.

    A custom-built WSL2 kernel may not say so; other evidence (/run/WSL, WSLInterop) decides then.
    """
    if _WSL2.search(text):
        return 2
    if _WSL1.search(text):
        return 1
    if _LOWER_MICROSOFT.search(text):
        return 2
    return None


__all__ = ["wsl_from_kernel"]
