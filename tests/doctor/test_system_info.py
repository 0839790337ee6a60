"""doctor reports what collect_env gives beside torch and CUDA: the CPU model and count, the
memory, gcc/clang and the relevant package versions, read as files and `--version` outputs
(envsetup.probe.system_info), replayed from recordings, and read from a pasted collect_env.

The outputs are real (tests/fixtures/system_info/SOURCES.tsv); the macOS sysctl and Windows
environment hosts are built by hand, as their tests say.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from envsetup.diagnose import diagnose
from envsetup.facts import Facts
from envsetup.host.live import LiveHost
from envsetup.host.recorded import RecordedHost
from envsetup.host.recording import RecordingHost
from envsetup.model.system_info import SystemInfo, is_relevant
from envsetup.parsers.cpuinfo import (
    arm_core_name,
    parse_cpuinfo,
    parse_lscpu,
    parse_meminfo,
    parse_sysctl,
)
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.doctor_text import render_doctor
from hostbuilder import FIXTURES, HostSpec, fixture_text, recorded_host_dirs

SITE = "/home/user/venv/lib/python3.12/site-packages"


def _fixture(name: str) -> str:
    return fixture_text(f"system_info/{name}")


def _probe(spec: HostSpec, tmp_path: Path) -> Facts:
    return probe_all(RecordedHost(spec.write(tmp_path / "host")))


def _text(facts: Facts, width: int = 100, verbose: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None)
    render_doctor(console, facts, diagnose(facts, lookup_build), verbose)
    return out.getvalue()


def test_every_fixture_names_its_source() -> None:
    folder = FIXTURES / "system_info"
    with (folder / "SOURCES.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    files = sorted(f"system_info/{p.name}" for p in folder.iterdir() if p.name != "SOURCES.tsv")
    assert sorted(row["path"] for row in rows) == files
    assert all(row["category"] == "system_info" and row["source"].strip() for row in rows)


@pytest.mark.parametrize(
    "name, model, count",
    [
        ("proc-cpuinfo-x86_64-amd-epyc-2cpu-docker.txt", "AMD EPYC", 2),
        # aarch64 names no model: the implementer/part ids do, as lscpu names them
        ("proc-cpuinfo-aarch64-imx8mq-librem5.txt", "ARM Cortex-A53", 4),
        ("proc-cpuinfo-aarch64-agilex5-a55-a76.txt", "2x ARM Cortex-A55 + 2x ARM Cortex-A76", 4),
        # the board's "Hardware" line is not the CPU's name
        ("proc-cpuinfo-aarch64-nanopi-neo2-h5.txt", "ARM Cortex-A53", 4),
    ],
)
def test_cpuinfo_names_the_cpu_on_x86_and_aarch64(name: str, model: str, count: int) -> None:
    assert parse_cpuinfo(_fixture(name)) == (model, count)


def test_an_arm_part_missing_from_the_table_is_shown_by_its_number() -> None:
    assert arm_core_name("0x41", "0xd0c") == "ARM Neoverse-N1"
    assert arm_core_name("0x41", "0xd4f") == "ARM Neoverse-V2"  # Grace
    assert arm_core_name("0x41", "0xfff") == "ARM part 0xfff"
    assert arm_core_name("0x99", "0x001") == "implementer 0x99 part 0x001"
    assert arm_core_name(None, "0xd0c") == ""


def test_meminfo_and_lscpu() -> None:
    assert parse_meminfo(_fixture("proc-meminfo-debian12-docker.txt")) == (24683656, 23089256)
    assert parse_meminfo("MemTotal: lots kB\n") == (None, None)
    block = _fixture("collect-env-arch-linux-ryzen9-7950x-lscpu.txt").split("CPU:\n", 1)[1]
    assert parse_lscpu(block) == ("AMD Ryzen 9 7950X 16-Core Processor", 32)


def _linux_host() -> HostSpec:
    spec = HostSpec(
        python=f"{SITE.split('/lib/')[0]}/bin/python",
        prefix=SITE.split("/lib/")[0],
        site_packages=[SITE],
        environ={"CC": "/opt/rh/devtoolset-2/root/usr/bin/gcc"},
        which={"gcc": "/usr/bin/gcc", "clang": "/usr/bin/clang"},
    )
    spec.files["/proc/cpuinfo"] = _fixture("proc-cpuinfo-aarch64-agilex5-a55-a76.txt")
    spec.files["/proc/meminfo"] = _fixture("proc-meminfo-debian12-docker.txt")
    spec.files["/sys/fs/cgroup/memory.max"] = "8589934592\n"  # docker run --memory 8g
    spec.files["/sys/fs/cgroup/cpu.max"] = "200000 100000\n"  # docker run --cpus 2
    spec.command(["/usr/bin/gcc", "--version"], _fixture("gcc-version-debian12.txt"))
    spec.command(["/usr/bin/clang", "--version"], _fixture("clang-version-ubuntu-10.0.1.txt"))
    spec.command(
        ["/opt/rh/devtoolset-2/root/usr/bin/gcc", "--version"],
        _fixture("gcc-version-rhel-devtoolset-2.txt"),
    )
    spec.markers.append("/opt/rh/devtoolset-2/root/usr/bin/gcc")
    for entry in (
        "numpy-1.26.4.dist-info",
        "nvidia_cudnn_cu12-9.1.0.70.dist-info",
        "nvidia_nccl_cu12-2.21.5.dist-info",
        "triton-3.1.0.dist-info",
        "transformers-4.46.3.dist-info",
        "torchvision-0.20.1.dist-info",
        "requests-2.32.3.dist-info",  # not one collect_env lists
    ):
        spec.dirs.append(f"{SITE}/{entry}")
    return spec


def test_a_linux_host_reports_cpu_memory_compilers_and_packages(tmp_path: Path) -> None:
    info = _probe(_linux_host(), tmp_path).system_info
    assert (info.cpu_model, info.cpu_count) == ("2x ARM Cortex-A55 + 2x ARM Cortex-A76", 4)
    assert (info.memory_total_mib, info.memory_available_mib) == (24105, 22548)
    assert info.memory_limit_mib == 8192
    assert info.cpu_limit == 2.0
    assert info.cpu_source == "file:/proc/cpuinfo, file:/sys/fs/cgroup/cpu.max"
    assert [(c.name, c.family, c.version) for c in info.compilers] == [
        ("gcc", "gcc", "12.2.0"),
        ("clang", "clang", "10.0.1"),
        ("$CC", "gcc", "4.8.2"),  # devtoolset's gcc, named by $CC
    ]
    assert info.compilers[0].banner == "gcc (Debian 12.2.0-14+deb12u1) 12.2.0"
    assert info.compilers[0].source == "command:/usr/bin/gcc --version"
    assert info.packages == {
        "numpy": "1.26.4",
        "nvidia-cudnn-cu12": "9.1.0.70",
        "nvidia-nccl-cu12": "2.21.5",
        "torchvision": "0.20.1",
        "transformers": "4.46.3",
        "triton": "3.1.0",
    }
    assert info.packages_source == f"dir:{SITE}"


def test_the_first_site_packages_wins_as_on_sys_path(tmp_path: Path) -> None:
    user = "/home/user/.local/lib/python3.12/site-packages"
    spec = HostSpec(site_packages=[user, SITE])
    spec.dirs += [f"{user}/numpy-2.1.0.dist-info", f"{SITE}/numpy-1.26.4.dist-info"]
    spec.dirs.append(f"{SITE}/numpy-1.19.2-py3.8.egg-info")
    assert _probe(spec, tmp_path).system_info.packages == {"numpy": "2.1.0"}


def test_no_cgroup_limits_when_none_is_set_or_above_the_machine(tmp_path: Path) -> None:
    spec = HostSpec()
    spec.files["/proc/meminfo"] = _fixture("proc-meminfo-debian12-docker.txt")
    # cgroup v1's "no limit": PAGE_COUNTER_MAX pages, rounded to a page
    spec.files["/sys/fs/cgroup/memory/memory.limit_in_bytes"] = "9223372036854771712\n"
    spec.files["/sys/fs/cgroup/memory.max"] = "max\n"
    spec.files["/sys/fs/cgroup/cpu.max"] = "max 100000\n"  # cgroup v2: no CPU quota
    spec.files["/sys/fs/cgroup/cpu/cpu.cfs_quota_us"] = "-1\n"  # cgroup v1: none either
    spec.files["/sys/fs/cgroup/cpu/cpu.cfs_period_us"] = "100000\n"
    info = _probe(spec, tmp_path).system_info
    assert info.memory_total_mib == 24105 and info.memory_limit_mib is None
    assert info.cpu_limit is None


def test_macos_reads_sysctl_and_gcc_is_apple_clang(tmp_path: Path) -> None:
    # Built by hand: sysctl(8) prints "name: value" per name asked; the gcc output is real.
    spec = HostSpec(system="Darwin", release="23.1.0", machine="arm64", libc="")
    spec.which = {"sysctl": "/usr/sbin/sysctl", "gcc": "/usr/bin/gcc", "clang": "/usr/bin/clang"}
    spec.command(
        ["/usr/sbin/sysctl", "machdep.cpu.brand_string", "hw.ncpu", "hw.memsize"],
        "machdep.cpu.brand_string: Apple M2\nhw.ncpu: 8\nhw.memsize: 17179869184\n",
    )
    spec.command(["/usr/bin/gcc", "--version"], _fixture("gcc-version-macos-apple-clang-14.txt"))
    spec.command(["/usr/bin/clang", "--version"], _fixture("clang-version-apple-15-arm64.txt"))
    info = _probe(spec, tmp_path).system_info
    assert (info.cpu_model, info.cpu_count, info.memory_total_mib) == ("Apple M2", 8, 16384)
    assert [(c.name, c.family, c.version) for c in info.compilers] == [
        ("gcc", "clang", "14.0.0"),
        ("clang", "clang", "15.0.0"),
    ]
    assert info.compilers[0].banner.startswith("Apple clang version 14.0.0")


def test_windows_reads_the_processor_variables(tmp_path: Path) -> None:
    # Built by hand: the variables Windows sets for every process.
    spec = HostSpec(system="Windows", release="10", machine="AMD64", libc="")
    spec.environ = {
        "NUMBER_OF_PROCESSORS": "16",
        "PROCESSOR_IDENTIFIER": "Intel64 Family 6 Model 183 Stepping 1, GenuineIntel",
    }
    info = _probe(spec, tmp_path).system_info
    assert info.cpu_count == 16 and info.cpu_model.startswith("Intel64 Family 6")
    assert info.memory_total_mib is None


@pytest.mark.parametrize("directory", recorded_host_dirs(), ids=lambda d: d.parent.name)
def test_recordings_without_these_reads_still_load_and_say_not_recorded(directory: Path) -> None:
    facts = probe_all(RecordedHost(str(directory)))
    problems_before = [p.what for p in facts.problems]
    assert not any("cpuinfo" in what or "meminfo" in what for what in problems_before)
    if facts.system_info.cpu_model == "" and facts.system_info.cpu_count is None:
        assert "CPU            not recorded" in _text(facts)


def test_the_rows_at_60_and_100_columns(tmp_path: Path) -> None:
    facts = _probe(_linux_host(), tmp_path)
    for width in (60, 100):
        text = _text(facts, width)
        cpu = "2x ARM Cortex-A55 + 2x ARM Cortex-A76, 4 logical CPUs; cgroup quota 2 CPUs"
        assert cpu in " ".join(text.split())
        assert "23.5 GiB total, 22.0 GiB available; cgroup limit 8.0 GiB" in " ".join(text.split())
        assert "gcc (Debian 12.2.0-14+deb12u1) 12.2.0 at /usr/bin/gcc" in " ".join(text.split())
        # (a finding's fix is printed whole, to paste as one line: not these rows)
        rows = [line for line in text.splitlines() if "fix:" not in line]
        assert max(len(line) for line in rows) <= width
    libraries = " ".join(_text(facts).split())
    assert "numpy 1.26.4, transformers 4.46.3, triton 3.1.0, 2 nvidia-* wheels" in libraries
    assert "torchvision 0.20.1," not in libraries  # its own row
    assert "nvidia-cudnn-cu12 9.1.0.70" in " ".join(_text(facts, verbose=True).split())


def test_nvml_bindings_are_named_not_counted_as_a_cuda_wheel(tmp_path: Path) -> None:
    facts = _probe(_linux_host(), tmp_path)
    facts.system_info.packages["nvidia-ml-py"] = "13.580.82"
    libraries = " ".join(_text(facts).split())
    assert "nvidia-ml-py 13.580.82" in libraries and "2 nvidia-* wheels" in libraries


def test_the_json_form_round_trips_and_an_old_document_loads(tmp_path: Path) -> None:
    facts = _probe(_linux_host(), tmp_path)
    document = facts.to_dict()
    assert Facts.from_dict(document).system_info == facts.system_info
    del document["system_info"]  # written by an envsetup before these facts
    assert Facts.from_dict(document).system_info == SystemInfo()


def test_a_live_recording_replays_the_same_facts(tmp_path: Path) -> None:
    recording = RecordingHost(LiveHost())
    live = probe_all(recording).system_info
    recording.save(str(tmp_path / "rec"))
    replayed = probe_all(RecordedHost(str(tmp_path / "rec"))).system_info
    assert replayed == live
    if Path("/proc/cpuinfo").is_file():  # a Linux machine: its /proc was read
        assert live.cpu_count and live.memory_total_mib and live.cpu_source == "file:/proc/cpuinfo"


def test_relevant_is_collect_envs_substring_rule() -> None:
    assert is_relevant("nvidia_cublas_cu12") and is_relevant("pytorch-triton")
    assert is_relevant("mypy-extensions")  # collect_env lists it too (its "mypy" pattern)
    assert not is_relevant("requests")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("processor\t: 0x41d0cCPU partmodel name\n MemTotal:kB9"),
        max_size=400,
    )
)
def test_the_readers_never_raise_on_any_text(text: str) -> None:
    for parse in (parse_cpuinfo, parse_lscpu, parse_meminfo, parse_sysctl):
        parse(text)
    parse_cpuinfo(text.replace("\n", "\n\n"))  # every line a processor block of its own


def test_a_cgroup_v1_cpu_quota(tmp_path: Path) -> None:
    spec = HostSpec()
    spec.files["/sys/fs/cgroup/cpu/cpu.cfs_quota_us"] = "150000\n"  # docker run --cpus 1.5
    spec.files["/sys/fs/cgroup/cpu/cpu.cfs_period_us"] = "100000\n"
    info = _probe(spec, tmp_path).system_info
    assert info.cpu_limit == 1.5 and info.cpu_source == "file:/sys/fs/cgroup/cpu/cpu.cfs_quota_us"
    facts = _probe(spec, tmp_path / "again")
    assert "model unknown, CPU count unknown; cgroup quota 1.5 CPUs" in _text(facts)


def test_a_recording_made_before_compilers_were_read_says_not_recorded(tmp_path: Path) -> None:
    """Case 09's recording (made before doctor looked gcc and clang up: no which entry for
    either) says "not recorded", not "no gcc or clang found"; a recording that looked them up
    and found neither says that none is on PATH (built by hand); one that found gcc on PATH but
    holds no answer of its --version is not recorded either."""
    from hostbuilder import case_host

    old = probe_all(RecordedHost(str(case_host("09-nvcc101-vs-torch-cu111-rtx3090"))))
    assert old.system_info.compilers == [] and old.system_info.compilers_not_recorded
    assert _row(_text(old), "Compilers") == "not recorded"
    looked_up = HostSpec(which={"gcc": None, "clang": None})
    none = _probe(looked_up, tmp_path / "none")
    assert not none.system_info.compilers_not_recorded
    assert _row(_text(none), "Compilers") == "no gcc or clang found on PATH"
    no_version = HostSpec(which={"gcc": "/usr/bin/gcc", "clang": None})
    assert _probe(no_version, tmp_path / "no-version").system_info.compilers_not_recorded


def test_this_machine_is_never_not_recorded() -> None:
    assert not probe_all(LiveHost()).system_info.compilers_not_recorded


def _row(text: str, label: str) -> str:
    line = next(line for line in text.splitlines() if f" {label} " in line)
    return line.split(label, 1)[1].strip()
