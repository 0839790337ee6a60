"""NVIDIA Jetson: /etc/nv_tegra_release, an L4T kernel (`-tegra`, OE4T's `-l4t-rNN.N`), the device
tree's model, nvidia-l4t-core.

What each sign means and the tables behind the JetPack series and the GPU's compute capability
live in envsetup.model.jetson; this module only reads.
"""

from __future__ import annotations

from typing import Sequence

from envsetup.facts import OsFacts
from envsetup.host.base import Host
from envsetup.model.jetson import (
    CAPABILITY_SOURCE,
    JETPACK_SOURCE_LABEL,
    JetsonFacts,
    jetpack_for,
    jetpack_for_module,
    l4t_from_kernel,
    l4t_from_package,
    l4t_from_tegra_release,
    module_from_signs,
    tegra_kernel,
)
from envsetup.probe.common import first_line, probe_timeout

TEGRA_RELEASE = "/etc/nv_tegra_release"
# The same string twice: /proc/device-tree is a link to /sys/firmware/devicetree/base.
MODEL_PATHS = ("/proc/device-tree/model", "/sys/firmware/devicetree/base/model")
L4T_PACKAGE = "nvidia-l4t-core"


def probe_jetson(host: Host, os_facts: OsFacts, gpu_names: Sequence[str] = ()) -> JetsonFacts:
    """A Jetson's facts; JetsonFacts() (is_jetson False) on any other machine. `gpu_names`: what
    nvidia-smi / NVML called the GPUs ("NVIDIA Thor" under JetPack 7), which name the module
    when neither the device tree nor the L4T release does (a container, a pasted report)."""
    facts = JetsonFacts()
    if os_facts.system != "Linux" or os_facts.arch not in ("aarch64", "arm64"):
        return facts
    release = host.read_text(TEGRA_RELEASE)
    if release is not None:
        facts.evidence.append(f"{TEGRA_RELEASE}: {first_line(release)}")
        facts.l4t = l4t_from_tegra_release(release)
        facts.l4t_source = f"file:{TEGRA_RELEASE}" if facts.l4t else ""
    if tegra_kernel(os_facts.kernel):  # one judgement with explain's (model/jetson.py)
        facts.evidence.append(f"kernel {os_facts.kernel} (an L4T kernel)")
        if facts.l4t is None and (from_kernel := l4t_from_kernel(os_facts.kernel)):
            facts.l4t, facts.l4t_source = from_kernel, f"kernel release {os_facts.kernel}"
    model = _model(host)
    if model and "jetson" in model.lower():
        facts.evidence.append(f"device tree model: {model}")
    if not facts.evidence:
        return facts
    facts.is_jetson = True
    facts.model = model
    if facts.l4t is None:
        _l4t_from_package(host, facts)
    facts.jetpack = jetpack_for(facts.l4t)
    facts.jetpack_source = JETPACK_SOURCE_LABEL if facts.jetpack else ""
    module, where = module_from_signs(model, facts.l4t, tuple(gpu_names))
    if module is not None:
        facts.module, facts.compute_capability = module
        facts.compute_capability_source = f"{where}; {CAPABILITY_SOURCE}"
    if facts.jetpack is None and jetpack_for_module(facts.module):
        facts.jetpack = jetpack_for_module(facts.module)
        facts.jetpack_source = f"the {facts.module} module ships with JetPack {facts.jetpack} only"
    return facts


def _model(host: Host) -> str:
    for path in MODEL_PATHS:
        text = host.read_text(path)
        if text:
            return text.strip().strip("\0")
    return ""


def _l4t_from_package(host: Host, facts: JetsonFacts) -> None:
    """nvidia-l4t-core's version, when /etc/nv_tegra_release is missing (a container with only
    the L4T packages): asked of dpkg only on a machine already seen to be a Jetson."""
    dpkg = host.which("dpkg-query")
    if not dpkg:
        return
    result = host.run([dpkg, "-W", "-f=${Version}", L4T_PACKAGE], probe_timeout(host.environ()))
    l4t = l4t_from_package(result.output) if result.ok else None
    if l4t:
        facts.l4t, facts.l4t_source = l4t, f"command:dpkg-query {L4T_PACKAGE}"
        facts.evidence.append(f"{L4T_PACKAGE} {result.output.strip()}")
