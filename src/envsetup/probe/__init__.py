"""Probes: read the host (only through `Host`) and turn what they read into `Facts`.

Each probe module owns one area and records, for every fact, where it came from. A probe never
raises on odd output: it records a `ReadProblem`, which diagnose turns into a "could not read" finding.
"""

from __future__ import annotations

import threading
from typing import Optional

from envsetup.facts import Facts
from envsetup.host.base import Host


def probe_all(host: Host, *, deep: bool = False, python: Optional[str] = None) -> Facts:
    """Everything doctor reports about `host`. `python` picks the interpreter whose torch is read."""
    from envsetup.probe import python_env
    from envsetup.probe.common import probe_timeout
    from envsetup.probe.overrides import read_overrides

    # A bad ENVSETUP_PROBE_TIMEOUT or ENVSETUP_* override is a usage error, raised here, before
    # any command starts.
    probe_timeout(host.environ())
    overridden = read_overrides(host.environ())
    problems: list = []
    # The target interpreter's start-up is the slowest read: start it first, and import and run
    # the other probes while it runs.
    python_result: list = []

    def probe_python() -> None:
        try:
            python_result.append(python_env.probe_python(host, python, problems))
        except BaseException as exc:  # re-raised below, in the caller's thread
            python_result.append(exc)

    worker = threading.Thread(target=probe_python, daemon=True)
    worker.start()
    from envsetup.probe import (
        apple,
        cuda_layout,
        cuda_toolkit,
        cudnn,
        extension_build,
        gpu_access,
        jetson,
        nvidia,
        overrides,
        rocm,
        system,
        system_info,
        torch_files,
    )

    os_facts = system.probe_os(host, problems)
    nvidia_facts = nvidia.probe_nvidia(host, os_facts, problems)
    cuda_facts = cuda_toolkit.probe_cuda(host, os_facts, problems)
    worker.join()
    if isinstance(python_result[0], BaseException):
        raise python_result[0]
    python_facts = python_result[0]
    cuda_toolkit.add_pip_toolkits(host, python_facts, cuda_facts)
    torch_facts = torch_files.probe_torch(host, python_facts, problems, deep=deep)
    facts = Facts(
        os=os_facts,
        python=python_facts,
        nvidia=nvidia_facts,
        cuda=cuda_facts,
        cudnn=cudnn.probe_cudnn(host, os_facts, cuda_facts, python_facts, problems),
        torch=torch_facts,
        rocm=rocm.probe_rocm(host, os_facts),
        apple=apple.probe_apple(os_facts),
        jetson=jetson.probe_jetson(host, os_facts, [gpu.name for gpu in nvidia_facts.gpus]),
        overrides=overridden,
        cuda_layout=cuda_layout.probe_cuda_layout(
            host, os_facts, python_facts, cuda_facts, torch_facts, problems
        ),
        gpu_access=gpu_access.probe_gpu_access(host, os_facts, nvidia_facts, problems),
        extension_build=extension_build.probe_extension_build(host, os_facts, cuda_facts, problems),
        system_info=system_info.probe_system_info(host, os_facts, python_facts),
        problems=problems,
    )
    overrides.apply_overrides(facts)
    return facts
