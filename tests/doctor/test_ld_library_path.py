"""ld-library-path-shadows-torch from the host alone (case 02, tests/fixtures/cases/02-ldpath-nvjitlink-cuda121/PROVENANCE.md: "It should
say so from the host alone"): a CUDA 12.1 toolkit's lib64 on LD_LIBRARY_PATH ahead of torch
2.5.1+cu124's nvidia-* wheels (same major, older minor: the loader takes libnvJitLink 12.1)."""

from __future__ import annotations

from doctor.test_signal_rules import recorded
from envsetup.diagnose.cuda_rules import ld_library_path_shadows_torch
from envsetup.profiles.lookup import lookup_build


def test_an_older_minor_toolkit_ahead_of_the_wheels_is_named() -> None:
    facts = recorded("02-ldpath-nvjitlink-cuda121")
    [finding] = ld_library_path_shadows_torch(facts, lookup_build)
    assert finding.severity == "warning"
    assert finding.params["directory"] == "/usr/local/cuda-12.1/lib64"
    assert finding.params["version"] == "12.1.1"  # the toolkit's CUDA (version.json)
    assert finding.params["library"] == "nvJitLink"


def test_the_same_minor_or_no_wheels_is_no_clash() -> None:
    facts = recorded("02-ldpath-nvjitlink-cuda121")
    for copy in facts.cuda_layout.library_copies:
        copy.version = "12.4.1"
    assert ld_library_path_shadows_torch(facts, lookup_build) == []
    facts = recorded("02-ldpath-nvjitlink-cuda121")
    # a torch that links the system's CUDA, as conda's does: no nvidia-* wheel libraries
    facts.torch.requires_nvidia = {}
    facts.cuda_layout.torch_libraries = []
    assert ld_library_path_shadows_torch(facts, lookup_build) == []
