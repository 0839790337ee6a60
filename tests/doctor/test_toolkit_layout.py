"""Broken toolkit layouts (issue 11): a /usr/local/cuda link to a toolkit that is gone, and a
toolkit whose version file and nvcc name different releases.

Hosts are built by hand (tests/hostbuilder.py) after public reports, said at each: the nvcc
outputs are real (tests/fixtures/nvcc/SOURCES.tsv); version files and links are this file's.
"""

from __future__ import annotations

from doctor.conftest import Doctor, ids
from doctor.test_doctor_words import assert_worded
from hostbuilder import HostSpec, fixture_text


def cuda_image(link_target: str) -> HostSpec:
    """NVIDIA's nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04 image as NVIDIA/nvidia-container-
    toolkit#1088 describes it: CUDA 11.8 in /usr/local/cuda-11.8 and /usr/local/cuda a link to
    `link_target` (there: /tmp/tmpayalvm_3m/cuda-11, removed after the image was built)."""
    spec = HostSpec()
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.files["/usr/local/cuda-11.8/version.json"] = (
        '{"cuda": {"name": "CUDA SDK", "version": "11.8.0"}}\n'
    )
    spec.markers.append("/usr/local/cuda-11.8/bin/nvcc")
    spec.realpath["/usr/local/cuda"] = link_target
    return spec


def test_a_link_to_a_removed_toolkit_is_named_with_the_one_still_installed(doctor: Doctor) -> None:
    facts, findings = doctor(cuda_image("/tmp/tmpayalvm_3m/cuda-11"))
    [link] = facts.cuda_layout.dangling_links
    assert (link.path, link.target) == ("/usr/local/cuda", "/tmp/tmpayalvm_3m/cuda-11")
    [finding] = [f for f in findings if f.id == "cuda-link-dangling"]
    assert finding.params["installed"] == "/usr/local/cuda-11.8"
    from envsetup.render.finding_words import words_for

    # the report's own workaround
    assert "sudo ln -sfn /usr/local/cuda-11.8 /usr/local/cuda" in words_for(finding).fix
    assert_worded(finding)


def test_a_link_to_an_installed_toolkit_is_no_finding(doctor: Doctor) -> None:
    facts, findings = doctor(cuda_image("/usr/local/cuda-11.8"))
    assert facts.cuda_layout.dangling_links == []
    assert "cuda-link-dangling" not in ids(findings)


def toolkit_with_nvcc(version_file: str, text: str, nvcc_fixture: str) -> HostSpec:
    """A toolkit in /usr/local/cuda-9.2 whose nvcc is on PATH. spconv#65 (traveller59/spconv)
    shows such a mix: /usr/local/cuda-9.2 whose headers said 10.1 after an update went over it."""
    spec = HostSpec()
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.files[f"/usr/local/cuda-9.2/{version_file}"] = text
    spec.markers.append("/usr/local/cuda-9.2/bin/nvcc")
    spec.which["nvcc"] = "/usr/local/cuda-9.2/bin/nvcc"
    spec.command(["/usr/local/cuda-9.2/bin/nvcc", "--version"], fixture_text(nvcc_fixture))
    return spec


def test_version_files_and_nvcc_that_disagree_are_named(doctor: Doctor) -> None:
    spec = toolkit_with_nvcc("version.txt", "CUDA Version 9.2.148\n", "nvcc/nvcc-10.1.243.txt")
    facts, findings = doctor(spec)
    [seen] = facts.cuda_layout.toolkit_nvcc
    assert (seen.files_version, seen.files_source, seen.nvcc_version) == (
        "9.2.148",
        "version.txt",
        "10.1.243",
    )
    [finding] = [f for f in findings if f.id == "toolkit-nvcc-version-mismatch"]
    assert finding.params["path"] == "/usr/local/cuda-9.2"
    assert_worded(finding)


def test_a_version_json_that_agrees_with_nvcc_is_no_finding(doctor: Doctor) -> None:
    # version.json's 12.8.1 is the toolkit's release; nvcc's 12.8.93 its compiler's: both 12.8.
    spec = toolkit_with_nvcc(
        "version.json", '{"cuda": {"version": "12.8.1"}}\n', "nvcc/nvcc-12.8.93.txt"
    )
    facts, findings = doctor(spec)
    assert [t.nvcc_version for t in facts.cuda_layout.toolkit_nvcc] == ["12.8.93"]
    assert "toolkit-nvcc-version-mismatch" not in ids(findings)


def test_the_toolkit_and_extension_build_take_nvcc_own_version_over_the_files(
    doctor: Doctor,
) -> None:
    # version.json says 12.4.1 while the nvcc beside it is 12.8.93 (real output): builds run that
    # nvcc, so the toolkit PATH selects and the extension build's nvcc are 12.8, and the mismatch
    # stays named from the files' side.
    spec = toolkit_with_nvcc(
        "version.json", '{"cuda": {"version": "12.4.1"}}\n', "nvcc/nvcc-12.8.93.txt"
    )
    facts, findings = doctor(spec)
    assert facts.cuda.nvcc_on_path_version == "12.8.93"
    assert facts.extension_build.nvcc_version == "12.8.93"
    [seen] = facts.cuda_layout.toolkit_nvcc
    assert (seen.files_version, seen.nvcc_version) == ("12.4.1", "12.8.93")
    assert "toolkit-nvcc-version-mismatch" in ids(findings)
