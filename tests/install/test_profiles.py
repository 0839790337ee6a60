"""The shipped profiles hold compat.md's facts, and the schema check rejects broken copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from envsetup import compat
from envsetup.model.compute_platform import PlatformKind
from envsetup.profiles.loader import (
    PROFILES_ENV,
    ProfileError,
    Release,
    load_releases,
    platform_key_for,
    profiles_dir,
)
from envsetup.profiles.lookup import lookup_build

SHIPPED = profiles_dir()


def _by_name(releases: list[Release]) -> dict[str, Release]:
    return {r.release: r for r in releases}


def test_every_release_from_2_0_to_2_14_has_one_profile(releases: list[Release]) -> None:
    assert [r.release for r in releases] == [f"2.{n}" for n in range(15)]


@pytest.mark.parametrize(
    ("release", "default"),
    # compat.md §8.2: the PyPI default CUDA changes silently between releases.
    [("2.0", "cu117"), ("2.1", "cu121"), ("2.4", "cu121"), ("2.5", "cu124"), ("2.7", "cu126"),
     ("2.8", "cu128"), ("2.10", "cu128"), ("2.11", "cu130"), ("2.13", "cu130")],
)  # fmt: skip
def test_pypi_default_on_linux_follows_compat_md(
    releases: list[Release], release: str, default: str
) -> None:
    assert _by_name(releases)[release].platforms["linux-x86_64"].pypi_default == default


def test_every_cuda_build_has_a_driver_floor_from_the_driver_table(
    releases: list[Release],
) -> None:
    # Driver floors have one source, data/cuda_drivers.toml: each CUDA major a profile builds
    # for must be in its minor-version-compatibility table, or the build would go unjudged.
    for release in releases:
        for variant in release.variants.values():
            if variant.kind != "cuda":
                assert variant.min_driver("Linux") is None
                continue
            assert variant.cuda is not None
            for system in ("Linux", "Windows"):
                floor = compat.min_driver_for_torch_cuda(variant.cuda, system)
                assert floor is not None, (release.release, variant.name, system)
                assert variant.min_driver(system) == floor.driver
    assert _by_name(releases)["2.0"].variants["cu118"].min_driver("Windows") == "452.39"


def test_conda_stops_after_2_5_with_a_reason(releases: list[Release]) -> None:
    for release in releases:
        assert release.conda == (release.release in {"2.0", "2.1", "2.2", "2.3", "2.4", "2.5"})
        if not release.conda:
            assert "2.5" in release.conda_reason and "#138506" in release.conda_reason


def test_intel_macs_end_at_2_2(releases: list[Release]) -> None:
    with_intel_mac = [r.release for r in releases if "macos-x86_64" in r.platforms]
    assert with_intel_mac == ["2.0", "2.1", "2.2"]


def test_every_source_tag_used_is_described(releases: list[Release]) -> None:
    for release in releases:
        used = set(release.source)
        for variant in release.variants.values():
            used.update(variant.source)
        assert used <= set(release.sources), release.path


def test_arch_lists_keep_ptx_markers_and_differ_per_platform(releases: list[Release]) -> None:
    r20 = _by_name(releases)["2.0"]
    assert r20.variants["cu117"].arch_list("linux-x86_64") == ["3.7", "5.0", "6.0", "7.0", "7.5", "8.0", "8.6"]  # fmt: skip
    assert r20.variants["cu118"].arch_list("windows-x86_64")[0] == "3.7+PTX"
    r212 = _by_name(releases)["2.12"]
    assert r212.variants["cu130"].arch_list("linux-aarch64")[-1] == "12.0+PTX"
    assert r212.variants["cu130"].arch_list("windows-x86_64")[-1] == "12.0"


def test_python_range_per_platform(releases: list[Release]) -> None:
    by_name = _by_name(releases)
    assert by_name["2.0"].python_range("linux-x86_64") == ("3.8", "3.11")
    assert by_name["2.2"].python_range("linux-x86_64") == ("3.8", "3.12")
    assert by_name["2.9"].python_range("macos-arm64") == ("3.10", "3.14")


def test_lookup_reads_the_local_label() -> None:
    info = lookup_build("2.4.0+cu121", "Linux", "x86_64")
    assert info is not None
    assert (info.release, info.variant) == ("2.4", "cu121")
    assert info.arch_list[-1] == "9.0"


def test_lookup_without_label_is_the_pypi_default() -> None:
    linux = lookup_build("2.11.0", "Linux", "x86_64")
    windows = lookup_build("2.11.0", "Windows", "AMD64")
    assert linux is not None and linux.variant == "cu130"
    assert windows is not None and windows.variant == "cpu"


def test_a_build_s_own_glibc_floor_is_below_its_platform_s(releases: list[Release]) -> None:
    # 2.6 on Linux x86_64: cu118 and cu124 on the manylinux2014 image (glibc 2.17), cu126 on
    # manylinux_2_28; the platform's floor stays 2.28, the default of every other build.
    for version, floor in [
        ("2.6.0+cu124", "2.17"),
        ("2.6.0", "2.17"),  # no label: PyPI's default there, the manylinux1-tagged cu124 wheel
        ("2.6.0+cu118", "2.17"),
        ("2.6.0+cu126", "2.28"),
        ("2.6.0+cpu", "2.28"),
        ("2.7.1+cu118", "2.28"),
    ]:
        info = lookup_build(version, "Linux", "x86_64")
        assert info is not None and info.glibc_min == floor, version
    release = next(r for r in releases if r.release == "2.6")
    assert release.platforms["linux-x86_64"].glibc_min == "2.28"
    assert release.build("cu124", "linux-x86_64").glibc_min == "2.17"
    assert release.build("cu126", "linux-x86_64").glibc_min == "2.28"
    assert release.build("cu124", "windows-x86_64").glibc_min is None
    status = release.variants["cu118"].status_on("linux-x86_64")
    assert status["glibc_min"] == "D"  # from the build image, no wheel name seen


def test_lookup_unknown_builds_are_none() -> None:
    assert lookup_build("2.0.1+cu121", "Linux", "x86_64") is None  # no such 2.0 build
    assert lookup_build("1.13.1+cu117", "Linux", "x86_64") is None  # no profile
    assert lookup_build("2.3.0", "Darwin", "x86_64") is None  # Intel Macs end at 2.2
    assert lookup_build("garbage", "Linux", "x86_64") is None
    assert lookup_build("\u00b2.4.0", "Linux", "x86_64") is None  # isdigit() but no int()


@pytest.mark.parametrize(
    ("system", "machine", "key"),
    [("Linux", "x86_64", "linux-x86_64"), ("Linux", "aarch64", "linux-aarch64"),
     ("Windows", "AMD64", "windows-x86_64"), ("Darwin", "arm64", "macos-arm64"),
     ("Darwin", "x86_64", "macos-x86_64"), ("Linux", "ppc64le", None), ("FreeBSD", "amd64", None)],
)  # fmt: skip
def test_platform_key_for(system: str, machine: str, key: str) -> None:
    assert platform_key_for(system, machine) == key


def test_profiles_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(SHIPPED / "torch-2.3.toml", tmp_path / "torch-2.3.toml")
    monkeypatch.setenv(PROFILES_ENV, str(tmp_path))
    assert [r.release for r in load_releases()] == ["2.3"]


def test_adding_a_release_is_adding_a_file(tmp_path: Path) -> None:
    shutil.copytree(SHIPPED, tmp_path / "p")
    text = (SHIPPED / "torch-2.13.toml").read_text(encoding="utf-8")
    text = text.replace('release = "2.13"', 'release = "2.99"').replace('"2.13.0"', '"2.99.0"')
    (tmp_path / "p" / "torch-2.99.toml").write_text(text, encoding="utf-8")
    assert load_releases(str(tmp_path / "p"))[-1].release == "2.99"


def test_missing_directory_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such directory"):
        load_releases(str(tmp_path / "nope"))
    with pytest.raises(ProfileError, match="no torch-"):
        load_releases(str(tmp_path))


# Each case: a real profile, one edit, and the key and reason the error must name.
BROKEN = [
    ("torch-2.0.toml", 'cuda = "11.8"', "cuda = 11.8", "variants.cu118.cuda", "expected"),
    ("torch-2.0.toml", 'cudnn = "8.7.0.84"\n', "", None, None),  # optional key: still loads
    ("torch-2.1.toml", 'pypi_default = "cu121"', 'pypi_default = "cu122"', "platforms.linux-x86_64.pypi_default", "not in this platform"),
    ("torch-2.4.toml", '"3.7", "5.0"', '"3.7", "five"', "variants.cu118.on.linux-x86_64.arch_list", "expected a list like"),
    ("torch-2.5.toml", 'schema = 1', 'schema = 2', "schema", "reads schema 1"),
    ("torch-2.6.toml", 'release = "2.6"', 'release = "2.7"', "release", "does not match the file name"),
    ("torch-2.7.toml", 'source = ["REL", "TI-M"]', 'source = ["REL", "NOPE"]', "source", "'NOPE' is not in the [sources] table"),
    ("torch-2.8.toml", "[platforms.macos-arm64]", "[platforms.macos-riscv]", "platforms.macos-riscv", "unknown platform"),
    ("torch-2.9.toml", 'kind = "cuda"', 'knd = "cuda"', "variants.cu126.knd", "unknown key"),
    ("torch-2.10.toml", 'torch = "2.10.0"  #', 'torch = "2.10.7"  #', "torch", "not one of the [[patches]]"),
    ("torch-2.11.toml", 'conda = "none"', 'conda = "maybe"', "conda", '"pytorch-channel" or "none"'),
    ("torch-2.12.toml", 'status = { torchvision = "D"', 'status = { torchvision = "X"', "patches[0].status.torchvision", "expected C, D or U"),
    ("torch-2.13.toml", 'python = ["3.10", "3.14"]', 'python = ["3.14", "3.10"]', "platforms.linux-x86_64.python", "a range like"),
    ("torch-2.0.toml", 'cuda = "11.7"\n', 'cuda = "11.7"\nmin_driver = { linux = "450.80.02" }\n', "variants.cu117.min_driver", "no longer read"),
    ("torch-2.3.toml", "[[patches]]", "[[patches]\n", None, "not valid TOML"),
    ("torch-2.6.toml", 'glibc_min = "2.17"\nsource = ["3P", "I-ml2014", "PYPI-WHL"]', 'glibc_min = "2.34"\nsource = ["3P", "I-ml2014", "PYPI-WHL"]', "variants.cu124.on.linux-x86_64.glibc_min", "strictest floor"),
    ("torch-2.6.toml", 'glibc_min = "2.17"\nsource = ["3P", "I-ml2014", "PYPI-WHL"]', 'glibc_min = "two"\nsource = ["3P", "I-ml2014", "PYPI-WHL"]', "variants.cu124.on.linux-x86_64.glibc_min", "a glibc version"),
    ("torch-2.3.toml", "[variants.cu118.on.windows-x86_64]", '[variants.cu118.on.windows-x86_64]\nglibc_min = "2.17"', "variants.cu118.on.windows-x86_64.glibc_min", "has no glibc_min to lower"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "key", "reason"), BROKEN)
def test_malformed_profile_is_rejected_with_file_key_and_reason(
    tmp_path: Path, name: str, old: str, new: str, key: str, reason: str
) -> None:
    text = (SHIPPED / name).read_text(encoding="utf-8")
    assert old in text, "the edit must apply to the shipped profile"
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    if reason is None:
        assert load_releases(str(tmp_path))[0].release == name[6:-5]
        return
    with pytest.raises(ProfileError) as caught:
        load_releases(str(tmp_path))
    message = str(caught.value)
    assert str(target) in message
    if key is not None:
        assert f"key '{key}" in message
    assert reason in message
    assert "fix:" in message
    assert "\n" not in message


def test_a_file_name_that_names_no_release_is_rejected(tmp_path: Path) -> None:
    shutil.copy(SHIPPED / "torch-2.3.toml", tmp_path / "torch-latest.toml")
    with pytest.raises(
        ProfileError, match=r"torch-latest.toml: the file name does not name a release"
    ):
        load_releases(str(tmp_path))


# compat.md §1: CUDA wheels for Linux x86_64 and Windows per release.
CUDA_BUILDS = {
    "2.0": ["cu117", "cu118"], "2.1": ["cu118", "cu121"], "2.2": ["cu118", "cu121"],
    "2.3": ["cu118", "cu121"], "2.4": ["cu118", "cu121", "cu124"], "2.5": ["cu118", "cu121", "cu124"],
    "2.6": ["cu118", "cu124", "cu126"], "2.7": ["cu118", "cu126", "cu128"],
    "2.8": ["cu126", "cu128", "cu129"], "2.9": ["cu126", "cu128", "cu130"],
    "2.10": ["cu126", "cu128", "cu130"], "2.11": ["cu126", "cu128", "cu130"],
    "2.12": ["cu126", "cu130", "cu132"], "2.13": ["cu126", "cu130", "cu132"],
    "2.14": ["cu126", "cu130", "cu132"],
}  # fmt: skip


def test_cuda_builds_per_release_follow_compat_md(releases: list[Release]) -> None:
    for release in releases:
        for key in ("linux-x86_64", "windows-x86_64"):
            cuda = [v.name for v in release.variants_on(key) if v.kind is PlatformKind.CUDA]
            assert cuda == CUDA_BUILDS[release.release], (release.release, key)


def test_torchvision_minor_pairs_with_the_release(releases: list[Release]) -> None:
    # compat.md §4: torch 2.N pairs with torchvision 0.(15+N).
    for release in releases:
        minor = int(release.release.split(".")[1])
        for patch in release.patches:
            assert patch.torchvision.startswith(f"0.{15 + minor}."), patch


def test_unconfirmed_facts_are_marked(releases: list[Release]) -> None:
    by_name = _by_name(releases)
    assert by_name["2.6"].variants["cu126"].status_on("linux-x86_64")["arch_list"] == "U"
    assert by_name["2.13"].patch("2.13.0").status["torchaudio"] == "U"  # type: ignore[union-attr]
    assert by_name["2.5"].platforms["linux-aarch64"].status["variants"] == "U"
    assert by_name["2.11"].variants["cu130"].status_on("linux-x86_64").get("arch_list") is None


def test_2_14_holds_the_additions_of_2026_11_30(releases: list[Release]) -> None:
    # compat.md "Additions 2026-11-30": PR #194367 (Python, CUDA builds, cuDNN, ROCm 7.14),
    # PR #197555 (arch lists as 2.13), RFC #190355 against test-infra (PyPI's default CUDA: U).
    by_name = _by_name(releases)
    new, old = by_name["2.14"], by_name["2.13"]
    assert new.release_date == "2026-09-02"
    assert new.python_range("linux-x86_64") == ("3.10", "3.14")
    assert [v.cudnn for v in new.variants_on("linux-x86_64") if v.cuda] == [
        "9.10.2.21",
        "9.24.0.43",
        "9.24.0.43",
    ]
    assert [v.name for v in new.variants_on("linux-x86_64") if v.rocm] == ["rocm7.14"]
    for variant in ("cu126", "cu130", "cu132"):
        for key in ("linux-x86_64", "linux-aarch64", "windows-x86_64"):
            assert new.variants[variant].arch_list(key) == old.variants[variant].arch_list(key)
    # PyPI's own 2.14.1 wheel (version.py 2.14.1+cu130, tag manylinux_2_28_x86_64) settles what
    # compat.md left open; torchvision 0.29.0's wheel pins torch==2.14.0.
    assert new.torch == "2.14.1" and new.platforms["linux-x86_64"].pypi_default == "cu130"
    assert "pypi_default" not in new.platforms["linux-x86_64"].status
    assert new.platforms["linux-x86_64"].glibc_min == "2.28"
    assert new.patch("2.14.0").torchvision == "0.29.0"  # type: ignore[union-attr]
    assert new.patch("2.14.1").status["torchvision"] == "D"  # type: ignore[union-attr]
    # Facts only release candidates had (cu134) stay out.
    assert not new.conda and "cu134" not in new.variants
