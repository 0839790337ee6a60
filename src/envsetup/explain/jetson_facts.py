"""A Jetson from what a paste states: its signs -> the board, JetPack series and the integrated
GPU's compute capability, by the rules doctor's probe/jetson.py applies to the files.

Signs (model/jetson.py gives each one's source): /etc/nv_tegra_release's L4T release and
jetson_release's model (explain/sections/jetson.py), an L4T kernel ("-tegra", "-l4t-r36.3") in
`uname -a` or collect_env's platform, a GPU named "... (nvgpu)" (the Tegra GPU's driver, as
nvidia-smi and torch name it on JetPack 6). Pure: merge.py calls derive_jetson after the merge.
"""

from __future__ import annotations

from envsetup.facts import Facts
from envsetup.model.jetson import (
    CAPABILITY_SOURCE,
    JETPACK_SOURCE_LABEL,
    NVGPU_SUFFIX,
    JetsonFacts,
    jetpack_for,
    jetpack_for_module,
    l4t_from_kernel,
    module_from_signs,
    module_of,
    tegra_kernel,
)

_ARM = ("aarch64", "arm64")


def derive_jetson(facts: Facts, sources: dict[str, str]) -> None:
    """Set facts.jetson where the paste states a Jetson sign (the host's stand otherwise);
    `sources` gains a "jetson.*" entry per fact derived, citing the sign's line."""
    evidence: list[str] = []
    cited: list[str] = []
    pasted = facts.jetson if "jetson.evidence" in sources or "jetson.l4t" in sources else None
    if pasted is not None:
        evidence += pasted.evidence or [f"L4T {pasted.l4t}"]
        cited.append(sources.get("jetson.evidence") or sources["jetson.l4t"])
    kernel = facts.os.kernel if "os.kernel" in sources else ""
    if kernel and tegra_kernel(kernel):
        evidence.append(f"kernel {kernel} (an L4T kernel)")
        cited.append(sources["os.kernel"])
    names = [g.name for g in facts.nvidia.gpus if g.name] if "nvidia.gpus" in sources else []
    nvgpu = [n for n in names if n.rstrip().endswith(NVGPU_SUFFIX)]
    if nvgpu:
        evidence.append(f"GPU {nvgpu[0]} (the Tegra integrated GPU's nvgpu driver)")
        cited.append(sources["nvidia.gpus"])
    # "NVIDIA Thor" is the name torch and NVML give Jetson Thor's integrated GPU (data/
    # gpu_capabilities.toml's alias; vllm-project/vllm issue #34470's collect_env "GPU 0: NVIDIA
    # Thor"): compute capability 11.0, an aarch64 machine (attack13 H1).
    thor = [n for n in names if (module_of(n) or ("",))[0] == "Thor"]
    if thor and not nvgpu:
        evidence.append(f"GPU {thor[0]} (Jetson Thor's integrated GPU)")
        cited.append(sources["nvidia.gpus"])
    if not evidence or facts.os.arch not in (*_ARM, ""):
        return  # no sign, or a paste of another architecture's machine
    jetson = JetsonFacts(is_jetson=True, evidence=list(dict.fromkeys(evidence)))
    jetson.model = pasted.model if pasted is not None else ""
    jetson.l4t = (pasted.l4t if pasted is not None else None) or l4t_from_kernel(kernel)
    if jetson.l4t:
        jetson.l4t_source = sources.get("jetson.l4t") or sources.get("os.kernel", "")
    jetson.jetpack = jetpack_for(jetson.l4t)
    jetson.jetpack_source = JETPACK_SOURCE_LABEL if jetson.jetpack else ""
    module, where = module_from_signs(jetson.model, jetson.l4t, names)
    if module is not None:
        jetson.module, jetson.compute_capability = module
        jetson.compute_capability_source = f"{where}; {CAPABILITY_SOURCE}"
    if jetson.jetpack is None and jetpack_for_module(jetson.module):
        jetson.jetpack = jetpack_for_module(jetson.module)
        jetson.jetpack_source = (
            f"the {jetson.module} module ships with JetPack {jetson.jetpack} only"
        )
    facts.jetson = jetson
    sources["jetson.is_jetson"] = cited[0]
    if not facts.os.arch:  # every L4T release runs on aarch64 only
        facts.os.arch = "aarch64"
        sources["os.arch"] = cited[0]
    if not facts.os.system:
        facts.os.system = "Linux"
        sources["os.system"] = cited[0]
