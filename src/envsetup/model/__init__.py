"""envsetup's domain model: the field's terms as types, no I/O and no policy.

- compute_platform: PlatformKind, ComputePlatform (cpu, cu128, rocm6.2, xpu, mps), TorchFlavor
  (facts.torch.flavor: what an installed torch was built for)
- capability: ComputeCapability, ArchTarget, coverage (STDLIB ONLY, Python 3.8: shipped to the
  verify worker)
- versions: every version comparison, on packaging.version.Version
- toolkit: ToolkitKind (a system CUDA toolkit, a pip wheel's, conda's)
- gpu: Gpu (one NVIDIA GPU, as NVML, nvidia-smi's parsers, facts and Machine all see it), MigDevice
- machine: Machine, the facts a compatibility judgement reads; platform keys

Nothing is re-exported here: doctor imports only the modules it needs (start-up time).
"""
