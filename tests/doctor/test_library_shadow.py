"""Libraries that shadow torch's own, as a kind (issue 11): beside case 02, other machines where
an older, a newer, a cached or a differently-named copy of a torch wheel library sits where the
loader looks. Which copies really win is the loader's order (model/torch_libraries.py, sourced):
only nvJitLink, asked for by wheel libraries with DT_RUNPATH, can be shadowed.

Hosts are built here by hand (tests/hostbuilder.py) around real files: torch 2.5.1's METADATA and
version.py from case 02's recording, the RECORDs of PyPI's nvidia-* wheels and real `ldconfig -p`
listings (tests/fixtures/libs/SOURCES.tsv). The toolkit directories, file names and the
hand-written `ldconfig -p` lines (in the format of the real ones) are this file's, said where used.
"""

from __future__ import annotations

from pathlib import Path

from doctor.conftest import Doctor, ids
from doctor.test_doctor_words import assert_worded
from envsetup.diagnose.finding import Finding
from hostbuilder import FIXTURES, HostSpec, fixture_text

CASE = FIXTURES / "cases/02-ldpath-nvjitlink-cuda121/host/files"
CASE_SITE = "home/user/ragflow/.venv/lib/python3.12/site-packages"
SITE = "/home/u/.venv/lib/python3.11/site-packages"
NVJITLINK_WHEEL_DIR = f"{SITE}/nvidia/nvjitlink/lib"


def _case_file(relative: str) -> str:
    return (CASE / CASE_SITE / relative).read_text(encoding="utf-8")


def torch_251_host() -> HostSpec:
    """torch 2.5.1 (CUDA 12.4 build) with its nvidia-* wheels' libraries in place: the case's
    own torch files, moved to another user's venv."""
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.11.7",
        prefix="/home/u/.venv",
        site_packages=[SITE],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    spec.files[f"{SITE}/torch/version.py"] = _case_file("torch/version.py")
    spec.files[f"{SITE}/torch-2.5.1.dist-info/METADATA"] = _case_file(
        "torch-2.5.1.dist-info/METADATA"
    )
    spec.markers += [
        f"{SITE}/nvidia/cusparse/lib/libcusparse.so.12",
        f"{NVJITLINK_WHEEL_DIR}/libnvJitLink.so.12",
        f"{SITE}/nvidia/cudnn/lib/libcudnn.so.9",
        f"{SITE}/nvidia/cudnn/lib/libcudnn_ops.so.9",
    ]
    return spec


def toolkit_on_ld_library_path(spec: HostSpec, version: str, nvjitlink_file: str) -> HostSpec:
    """A CUDA toolkit in /usr/local/cuda-X.Y whose lib64 is on LD_LIBRARY_PATH; its nvJitLink is
    the soname link to `nvjitlink_file` (a real toolkit's layout: libnvJitLink.so.12 ->
    libnvJitLink.so.12.6.77)."""
    lib64 = f"/usr/local/cuda-{version}/lib64"
    spec.environ["LD_LIBRARY_PATH"] = lib64
    spec.markers.append(f"{lib64}/{nvjitlink_file}")
    spec.markers.append(f"{lib64}/libnvJitLink.so.12")
    spec.realpath[f"{lib64}/libnvJitLink.so.12"] = f"{lib64}/{nvjitlink_file}"
    return spec


def shadow(findings: list[Finding], finding_id: str) -> list[Finding]:
    return [f for f in findings if f.id == finding_id and f.params.get("library")]


def test_an_older_nvjitlink_named_by_its_file_is_found(doctor: Doctor) -> None:
    spec = toolkit_on_ld_library_path(torch_251_host(), "12.1", "libnvJitLink.so.12.1.105")
    findings = doctor(spec)[1]
    [found] = shadow(findings, "ld-library-path-shadows-torch")
    assert found.params["version"] == "12.1.105"
    assert found.params["version_source"] == "file name"
    assert found.params["wheel_version"] == "12.4.127"
    assert found.params["wheel_directory"] == NVJITLINK_WHEEL_DIR
    assert found.params["directory"] == "/usr/local/cuda-12.1/lib64"
    assert_worded(found)  # its fix's commands split as a shell splits them


def test_a_newer_nvjitlink_first_on_the_path_is_no_shadow(doctor: Doctor) -> None:
    spec = toolkit_on_ld_library_path(torch_251_host(), "12.6", "libnvJitLink.so.12.6.77")
    facts, findings = doctor(spec)
    [copy] = facts.cuda_layout.library_copies
    assert copy.version == "12.6.77"  # read, and judged newer than the wheel's 12.4.127
    assert "ld-library-path-shadows-torch" not in ids(findings)


def test_the_same_release_with_an_older_patch_is_no_shadow(doctor: Doctor) -> None:
    # nvJitLink's symbols are versioned by release (__nvJitLinkAddData_12_1): 12.4.99 has 12.4's.
    spec = toolkit_on_ld_library_path(torch_251_host(), "12.4", "libnvJitLink.so.12.4.99")
    assert "ld-library-path-shadows-torch" not in ids(doctor(spec)[1])


def test_torch_s_own_directory_first_is_the_fix(doctor: Doctor) -> None:
    spec = toolkit_on_ld_library_path(torch_251_host(), "12.1", "libnvJitLink.so.12.1.105")
    spec.environ["LD_LIBRARY_PATH"] = f"{NVJITLINK_WHEEL_DIR}:/usr/local/cuda-12.1/lib64"
    facts, findings = doctor(spec)
    assert [c.wheel_own for c in facts.cuda_layout.library_copies] == [True, False]
    assert "ld-library-path-shadows-torch" not in ids(findings)


def test_libraries_torch_links_itself_are_not_shadowed(doctor: Doctor) -> None:
    """cuSPARSE and cuDNN are found through torch's DT_RPATH before LD_LIBRARY_PATH: older copies
    of them there are no finding (case 02 loaded libcusparse.so.12 from the wheel so)."""
    spec = torch_251_host()
    spec.environ["LD_LIBRARY_PATH"] = "/opt/old/lib64"
    spec.markers += ["/opt/old/lib64/libcusparse.so.12.1.0.106", "/opt/old/lib64/libcusparse.so.12"]
    spec.markers += ["/opt/old/lib64/libcudnn_ops.so.9.0.0", "/opt/old/lib64/libcudnn_ops.so.9"]
    facts, findings = doctor(spec)
    assert {c.soname for c in facts.cuda_layout.library_copies} == {
        "libcusparse.so.12",
        "libcudnn_ops.so.9",
    }
    assert "ld-library-path-shadows-torch" not in ids(findings)


def _ldconfig(spec: HostSpec, listing: str) -> HostSpec:
    return spec.command(
        ["ldconfig", "-p"], f"{listing.count(chr(10))} libs found in cache\n" + listing
    )


def test_an_older_nvjitlink_in_the_loader_cache_shadows_torch_2_5(doctor: Doctor) -> None:
    # A CUDA 12.1 toolkit registered with ldconfig (NVIDIA's .deb puts its targets/.../lib in
    # /etc/ld.so.conf.d): an `ldconfig -p` line written here in the real format.
    lib = "/usr/local/cuda-12.1/targets/x86_64-linux/lib"
    spec = _ldconfig(
        torch_251_host(), f"\tlibnvJitLink.so.12 (libc6,x86-64) => {lib}/libnvJitLink.so.12\n"
    )
    spec.markers += [f"{lib}/libnvJitLink.so.12", f"{lib}/libnvJitLink.so.12.1.105"]
    facts, findings = doctor(spec)
    assert facts.cuda_layout.ld_cache_source == "command:ldconfig -p"
    [found] = shadow(findings, "ld-cache-shadows-torch")
    assert (found.params["version"], found.params["directory"]) == ("12.1.105", lib)
    assert_worded(found)
    assert "ld-library-path-shadows-torch" not in ids(findings)
    # The same copy first on LD_LIBRARY_PATH: the loader never reaches its cache entry.
    spec.environ["LD_LIBRARY_PATH"] = lib
    findings = doctor(spec)[1]
    assert shadow(findings, "ld-library-path-shadows-torch")
    assert "ld-cache-shadows-torch" not in ids(findings)


def test_a_system_cudnn_of_another_major_shadows_nothing(doctor: Doctor) -> None:
    """Real listings: cuDNN 8's sub-libraries in /usr/local/cuda/lib64 (rocker-versioned2 #582)
    and cuDNN 9's in /lib/x86_64-linux-gnu (stream-whisper #28). Beside torch 2.5.1's cuDNN 9 the
    first is another soname (libcudnn_ops_infer.so.8); the second's libcudnn_ops.so.9 is the same
    soname, but libcudnn.so.9 finds its own sub-libraries through DT_RPATH $ORIGIN."""
    cudnn8 = fixture_text(
        "libs/ldconfig-p-grep-cudnn8-nvinfer8-in-usr-local-cuda-lib64-partial.txt", 2
    )
    cudnn9 = fixture_text("libs/ldconfig-p-grep-cudnn9-in-lib-x86_64-linux-gnu-partial.txt", 1)
    for listing in (cudnn8, cudnn9):
        facts, findings = doctor(_ldconfig(torch_251_host(), listing))
        copies = {c.soname for c in facts.cuda_layout.library_copies}
        assert copies == (set() if listing is cudnn8 else {"libcudnn_ops.so.9"})
        assert not {"ld-cache-shadows-torch", "ld-library-path-shadows-torch"} & ids(findings)


def cuda13_torch_host() -> HostSpec:
    """torch 2.14.1+cu130 from PyPI (its real METADATA header and version.py) with the real
    RECORDs of the nvJitLink, cuSPARSE and cuDNN wheels it installs."""
    spec = torch_251_host()
    spec.files = {k: v for k, v in spec.files.items() if "torch" not in k}
    spec.markers = [m for m in spec.markers if "/nvidia/" not in m]
    spec.torch_wheel(
        SITE,
        "torch/version.py-2.14.1.txt",
        "torch/METADATA-2.14.1-pypi-manylinux-x86_64-header.txt",
    )
    for name in (
        "nvidia_nvjitlink-13.4.92",
        "nvidia_cusparse-12.6.3.3",
        "nvidia_cudnn_cu13-9.24.0.43",
    ):
        record = fixture_text(f"libs/RECORD-{name}.txt")
        spec.files[f"{SITE}/{name}.dist-info/RECORD"] = record
        for line in record.splitlines():
            if "/lib/lib" in line:
                spec.markers.append(f"{SITE}/{line.split(',')[0]}")
    return spec


def test_cuda13_wheels_are_read_from_their_records(doctor: Doctor) -> None:
    facts, _ = doctor(cuda13_torch_host())
    libs = {lib.soname: lib for lib in facts.cuda_layout.torch_libraries}
    assert libs["libnvJitLink.so.13"].path == f"{SITE}/nvidia/cu13/lib/libnvJitLink.so.13"
    assert libs["libnvJitLink.so.13"].version == "13.4.92"
    assert libs["libnvJitLink.so.13"].source == "dist-info RECORD"
    assert libs["libcusparse.so.12"].project == "nvidia-cusparse"
    assert libs["libcudnn_graph.so.9"].version == "9.24.0.43"


def test_torch_2_6_and_later_load_their_own_nvjitlink(doctor: Doctor) -> None:
    """An older nvJitLink first on LD_LIBRARY_PATH beside torch 2.14.1, whose CUDA runtime comes
    from a wheel: torch loads the wheel's nvJitLink itself first (pytorch/pytorch#141063)."""
    spec = cuda13_torch_host()
    spec.environ["LD_LIBRARY_PATH"] = "/usr/local/cuda-13.0/lib64"
    spec.markers.append("/usr/local/cuda-13.0/lib64/libnvJitLink.so.13.0.88")
    spec.markers.append("/usr/local/cuda-13.0/lib64/libnvJitLink.so.13")
    facts, findings = doctor(spec)
    assert [c.version for c in facts.cuda_layout.library_copies] == ["13.0.88"]
    assert "ld-library-path-shadows-torch" not in ids(findings)


def test_layout_facts_survive_the_json_round_trip(tmp_path: Path) -> None:
    # The layout facts survive the JSON round trip doctor --json and explain --facts rely on.
    from envsetup.facts import Facts
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all

    spec = toolkit_on_ld_library_path(torch_251_host(), "12.1", "libnvJitLink.so.12.1.105")
    facts = probe_all(RecordedHost(spec.write(tmp_path / "host")))
    again = Facts.from_dict(facts.to_dict())
    assert again.cuda_layout == facts.cuda_layout
    assert again.cuda_layout.library_copies[0].version == "12.1.105"


def test_a_toolkit_s_version_json_names_its_nvjitlink(doctor: Doctor) -> None:
    """No versioned file beside the soname: the toolkit's version.json entry for the library (the
    format of CUDA's own, e.g. CUDA 13.2's `"libnvjitlink": {"name": "JIT Linker Library",
    "version": "13.2.86"}`; the 12.1 values here are this test's)."""
    spec = torch_251_host()
    spec.environ["LD_LIBRARY_PATH"] = "/usr/local/cuda-12.1/targets/x86_64-linux/lib"
    spec.markers.append("/usr/local/cuda-12.1/targets/x86_64-linux/lib/libnvJitLink.so.12")
    spec.files["/usr/local/cuda-12.1/version.json"] = (
        '{"cuda": {"name": "CUDA SDK", "version": "12.1.1"},\n'
        ' "libnvjitlink": {"name": "JIT Linker Library", "version": "12.1.105"}}\n'
    )
    facts, findings = doctor(spec)
    [copy] = facts.cuda_layout.library_copies
    assert (copy.version, copy.version_source) == ("12.1.105", "version.json libnvjitlink")
    assert shadow(findings, "ld-library-path-shadows-torch")
