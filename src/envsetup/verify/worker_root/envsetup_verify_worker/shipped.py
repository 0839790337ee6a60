"""envsetup modules shipped to the worker: loaded by file path under a private name.

The worker runs in the target's Python, where envsetup is usually not installed (or is another
version). The runner passes each shipped module's path on the command line; run in-process (the
tests), the module is found in the envsetup tree this package belongs to. Loading by path puts
no directory on sys.path, so nothing shadows the target's own modules.

Shipped modules are stdlib-only and Python-3.8-compatible (envsetup/model/capability.py says so).
"""

import importlib.util
import os
import sys
from types import ModuleType
from typing import Optional

CAPABILITY_NAME = "envsetup_verify_worker_capability"
# worker_root/envsetup_verify_worker/shipped.py -> envsetup/model/capability.py
_ENVSETUP = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
)
_capability_path: Optional[str] = None


def use_capability_module(path: str) -> None:
    """Load the compatibility rule from `path` (what the runner passed)."""
    global _capability_path
    _capability_path = path


def capability() -> ModuleType:
    """envsetup.model.capability: ComputeCapability, coverage (NVIDIA's compatibility rule)."""
    loaded = sys.modules.get(CAPABILITY_NAME)
    if loaded is not None:
        return loaded
    path = _capability_path or os.path.join(_ENVSETUP, "model", "capability.py")
    spec = importlib.util.spec_from_file_location(CAPABILITY_NAME, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load envsetup's capability module from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[CAPABILITY_NAME] = module  # NamedTuple and Enum look their module up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[CAPABILITY_NAME]
        raise
    return module
