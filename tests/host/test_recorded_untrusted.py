"""A recording is untrusted input: it reads nothing outside itself, never blocks, stays bounded,
and anything its schema does not allow is one line naming the key, exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from envsetup.errors import UsageError
from envsetup.exit_codes import ExitCode
from envsetup.host import recorded
from envsetup.host.recorded import RecordedHost
from hostbuilder import HostSpec, fixture_text, recorded_host_dirs

SECRET = "SECRET-OUTSIDE-e41d"
SMI = "/usr/bin/nvidia-smi"


def _host(tmp_path: Path) -> Path:
    spec = HostSpec()
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.which["nvidia-smi"] = SMI
    spec.command([SMI], fixture_text("nvidia-smi/535.129.03-2x-rtx3090.txt"))
    spec.markers.append("/usr/local/cuda-12.2/bin/nvcc")
    directory = Path(spec.write(tmp_path / "rec"))
    # The output through a file, as --record writes it.
    manifest = json.loads((directory / "host.json").read_text())
    (directory / "commands").mkdir()
    (directory / "commands" / "001-nvidia-smi.out").write_text(manifest["commands"][0]["stdout"])
    del manifest["commands"][0]["stdout"]
    manifest["commands"][0]["stdout_file"] = "commands/001-nvidia-smi.out"
    (directory / "host.json").write_text(json.dumps(manifest))
    return directory


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    where = tmp_path / "outside"
    where.mkdir()
    (where / "secret").write_text(f"{SECRET}\n")
    (where / "os-release").write_text(f"ID={SECRET}\n")
    return where


def _load(directory: Path) -> RecordedHost:
    """RecordedHost(directory), failing the test instead of hanging on a FIFO or /dev/zero."""
    box: list[Any] = []

    def load() -> None:
        try:
            box.append(RecordedHost(str(directory)))
        except BaseException as exc:
            box.append(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(20)
    assert box, "loading the recording hung"
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def _rejected(directory: Path, *words: str) -> str:
    with pytest.raises(UsageError) as caught:
        _load(directory)
    message = str(caught.value)
    assert message.startswith(f"--replay {directory}:") and "fix:" in message
    assert "\n" not in message and SECRET not in message
    assert caught.value.exit_code == ExitCode.USAGE
    for word in words:
        assert word in message
    return message


def _manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "host.json").read_text())


def _set_manifest(directory: Path, manifest: Any) -> None:
    (directory / "host.json").write_text(json.dumps(manifest))


def _link(path: Path, target: str) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


# ----------------------------------------------------------------------------- outside


def _escape_by_file_link(d: Path, out: Path) -> str:
    _link(d / "files/etc/os-release", str(out / "os-release"))
    return "files/etc/os-release links outside"


def _escape_by_relative_link(d: Path, out: Path) -> str:
    _link(d / "files/etc/os-release", "../../../outside/os-release")
    return "files/etc/os-release links outside"


def _escape_by_directory_link(d: Path, out: Path) -> str:
    (d / "files/etc/os-release").unlink()
    (d / "files/etc").rmdir()
    _link(d / "files/etc", str(out))
    return "files/etc links outside"


def _escape_by_files_link(d: Path, out: Path) -> str:
    os.rename(d / "files", d / "files.old")
    _link(d / "files", str(out))
    return "files/ links outside"


def _escape_by_manifest_link(d: Path, out: Path) -> str:
    (out / "host.json").write_text((d / "host.json").read_text().replace("Linux", SECRET))
    _link(d / "host.json", str(out / "host.json"))
    return "host.json links outside"


def _escape_by_stdout_file(name: Callable[[Path], str]) -> Callable[[Path, Path], str]:
    def mutate(d: Path, out: Path) -> str:
        manifest = _manifest(d)
        manifest["commands"][0]["stdout_file"] = name(out)
        _set_manifest(d, manifest)
        return "commands[0].stdout_file"

    return mutate


def _escape_through_commands_link(d: Path, out: Path) -> str:
    _link(d / "commands/001-nvidia-smi.out", str(out / "secret"))
    return "commands[0].stdout_file"


@pytest.mark.parametrize(
    "escape",
    [
        _escape_by_file_link,
        _escape_by_relative_link,
        _escape_by_directory_link,
        _escape_by_files_link,
        _escape_by_manifest_link,
        _escape_by_stdout_file(lambda out: str(out / "secret")),
        _escape_by_stdout_file(lambda out: "commands/../../outside/secret"),
        _escape_by_stdout_file(lambda out: "../" * 30 + str(out / "secret").lstrip("/")),
        _escape_through_commands_link,
    ],
    ids=lambda f: getattr(f, "__name__", "stdout_file"),
)
def test_a_recording_that_points_outside_itself_reads_nothing_outside(
    tmp_path: Path, outside: Path, escape: Callable[[Path, Path], str]
) -> None:
    directory = _host(tmp_path)
    where = escape(directory, outside)
    message = _rejected(directory, where)
    assert "outside the recording" in message


def test_replay_from_the_command_line_prints_nothing_from_outside(
    tmp_path: Path, outside: Path
) -> None:
    directory = _host(tmp_path)
    _escape_by_stdout_file(lambda out: str(out / "secret"))(directory, outside)
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "envsetup", "doctor", "--replay", str(directory), *extra],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == ExitCode.USAGE, done.stderr
        assert SECRET not in done.stdout + done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert "commands[0].stdout_file" in done.stderr


def test_links_inside_the_recording_are_followed(tmp_path: Path) -> None:
    directory = _host(tmp_path)
    (directory / "files/usr/local/cuda-12.2/version.json").write_text(
        '{"cuda": {"version": "12.2.140"}}'
    )
    _link(directory / "files/usr/local/cuda", "cuda-12.2")
    (directory / "commands/os-release").write_text("ID=linked\n")
    _link(directory / "files/etc/os-release", "../../commands/os-release")
    host = _load(directory)
    assert host.read_text("/etc/os-release") == "ID=linked\n"
    assert host.exists("/usr/local/cuda/bin/nvcc")
    assert host.glob("/usr/local/cuda*/version.json") == [
        "/usr/local/cuda-12.2/version.json",
        "/usr/local/cuda/version.json",
    ]
    assert "NVIDIA-SMI 535.129.03" in host.run([SMI], timeout=1).stdout


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: _link(d / "files/etc/os-release", "os-release"), "symbolic link loop"),
        (
            lambda d: (
                _link(d / "files/etc/a", "b"),
                _link(d / "files/etc/b", "a"),
            ),
            "symbolic link loop",
        ),
        (lambda d: _link(d / "files/etc/gone", "nowhere"), "files/etc/gone cannot be read"),
    ],
    ids=["self", "pair", "dangling"],
)
def test_a_link_loop_is_a_bad_recording(
    tmp_path: Path, make: Callable[[Path], Any], words: str
) -> None:
    directory = _host(tmp_path)
    make(directory)
    _rejected(directory, words)


def test_a_directory_link_to_its_own_ancestor_is_listed_not_walked_forever(
    tmp_path: Path,
) -> None:
    directory = _host(tmp_path)
    _link(directory / "files/usr/loop", ".")
    _link(directory / "files/usr/local/up", "../..")
    host = _load(directory)
    assert host.exists("/usr/loop") and host.exists("/usr/local/up")
    assert host.read_text("/usr/loop/local/cuda-12.2/bin/nvcc") is None  # not entered again


def test_links_that_multiply_the_tree_stop_at_the_entry_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # d0/{a,b} -> d1, d1/{a,b} -> d2, ...: 2**20 paths from 40 links, with no loop.
    monkeypatch.setattr(recorded, "MAX_FILE_ENTRIES", 5000)
    directory = _host(tmp_path)
    for level in range(20):
        (directory / f"files/d{level}").mkdir(parents=True)
    for level in range(19):
        for name in "ab":
            _link(directory / f"files/d{level}/{name}", f"../d{level + 1}")
    _rejected(directory, "more than 5000 entries")


# ----------------------------------------------------------------------------- blocking, size


def _fifo_in_files(d: Path) -> str:
    (d / "files/etc/os-release").unlink()
    os.mkfifo(d / "files/etc/os-release")
    return "files/etc/os-release is not a regular file"


def _fifo_as_output(d: Path) -> str:
    (d / "commands/001-nvidia-smi.out").unlink()
    os.mkfifo(d / "commands/001-nvidia-smi.out")
    return "commands[0].stdout_file"


def _fifo_as_manifest(d: Path) -> str:
    (d / "host.json").unlink()
    os.mkfifo(d / "host.json")
    return "host.json cannot be read"


def _directory_as_output(d: Path) -> str:
    manifest = _manifest(d)
    manifest["commands"][0]["stdout_file"] = "commands"
    _set_manifest(d, manifest)
    return "commands[0].stdout_file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize(
    "make", [_fifo_in_files, _fifo_as_output, _fifo_as_manifest, _directory_as_output]
)
def test_a_fifo_or_a_directory_where_a_file_belongs_is_refused_without_blocking(
    tmp_path: Path, make: Callable[[Path], str]
) -> None:
    directory = _host(tmp_path)
    started = time.monotonic()
    _rejected(directory, make(directory))
    assert time.monotonic() - started < 10


def test_a_command_output_over_the_cap_is_a_bad_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recorded, "MAX_OUTPUT_BYTES", 4096)
    directory = _host(tmp_path)
    (directory / "commands/001-nvidia-smi.out").write_text("x" * 4097)
    _rejected(directory, "commands[0].stdout_file", "larger than")
    (directory / "commands/001-nvidia-smi.out").write_text("x" * 4096)
    assert len(_load(directory).run([SMI], timeout=1).stdout) == 4096


def test_a_manifest_over_the_cap_is_a_bad_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recorded, "MAX_MANIFEST_BYTES", 100)
    directory = _host(tmp_path)
    _rejected(directory, "host.json is larger than")


def test_a_file_is_read_as_a_live_host_reads_it(tmp_path: Path) -> None:
    directory = _host(tmp_path)
    big = "y" * (3 << 20)
    (directory / "files/etc/big").write_text(big)
    (directory / "files/etc/binary").write_bytes(b"ID=x\n\0\0")
    host = _load(directory)
    assert host.read_text("/etc/big") == big[: 1 << 20]
    assert host.read_text("/etc/big", max_bytes=10) == big[:10]
    assert host.read_text("/etc/binary") is None


# ----------------------------------------------------------------------------- schema


def _deep(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


BAD_VALUES = [
    (("platform", "release"), 5, "platform.release: is 5, expected a string"),
    (("platform",), [], "platform: is an array, expected an object"),
    (("platform", "python", "site_packages"), 5, "platform.python.site_packages"),
    (("platform", "python", "bits"), "64", "platform.python.bits"),
    (("environ",), ["PATH"], "environ: is an array, expected an object or null"),
    (("environ", "PATH"), 1, "environ.PATH: is 1, expected a string"),
    (("which", "nvidia-smi"), 3, "which.nvidia-smi"),
    (("realpath", "/usr/local/cuda"), None, "realpath./usr/local/cuda"),
    (("nvml",), [], "nvml: is an array, expected an object or null"),
    (("nvml",), {"driver_version": 535}, "nvml.driver_version"),
    (("commands",), {}, "commands: is an object, expected an array or null"),
    (("commands", 0), "nvidia-smi", 'commands[0]: is "nvidia-smi", expected an object'),
    (("commands", 0, "argv"), [], "commands[0].argv: is empty"),
    (("commands", 0, "argv"), "nvidia-smi", 'commands[0].argv: is "nvidia-smi"'),
    (("commands", 1, "argv", 0), None, "commands[1].argv[0]: is null, expected a string"),
    (("commands", 1, "returncode"), "0", 'commands[1].returncode: is "0", expected an integer'),
    (("commands", 1, "returncode"), True, "commands[1].returncode: is true"),
    (("commands", 1, "returncode"), 1.5, "commands[1].returncode: is 1.5"),
    (("commands", 1, "returncode"), 2**80, "out of range for a 64-bit integer"),
    (("commands", 1, "timed_out"), "no", "commands[1].timed_out"),
    (("commands", 1, "stdout"), "\ud800", "commands[1].stdout: holds '\\ud800'"),
    (("commands", 1, "stdout"), ["x"], "commands[1].stdout"),
    (("commands", 1, "stdout_fiel"), "x", "commands[1].stdout_fiel: unknown key"),
    (("commands", 0, "stdout_file"), 7, "commands[0].stdout_file: is 7"),
    (("commands", 0, "stdout_file"), "", "commands[0].stdout_file"),
    (("commands", 0, "stdout_file"), "commands/missing.out", "No such file"),
    (("nvml",), {"driver_version": "535", "devices": {}}, "nvml.devices"),
    (("nvml",), {"driver_version": "5", "devices": [{"index": "0"}]}, "nvml.devices[0].index"),
    (("nvml",), {"driver_version": "5", "devices": [{"index": 0, "x": 1}]}, "devices[0].x"),
    (("nvml",), {"driver_version": "5", "devices": [{}]}, "nvml.devices[0].index: missing"),
    (("nvml",), {"error": {"message": "x"}}, "nvml.error"),
    (("version",), "1", "format version '1'"),
    (("nvml",), _deep(5000), "host.json nests too deeply"),
]


def _put(manifest: dict[str, Any], path: tuple, value: Any) -> None:
    parent: Any = manifest
    for key in path[:-1]:
        parent = parent.setdefault(key, {}) if isinstance(parent, dict) else parent[key]
    parent[path[-1]] = value


@pytest.mark.parametrize(("path", "value", "words"), BAD_VALUES, ids=[w for *_, w in BAD_VALUES])
def test_a_value_the_schema_does_not_allow_is_one_line_naming_its_key(
    tmp_path: Path, path: tuple, value: Any, words: str
) -> None:
    directory = _host(tmp_path)
    manifest = _manifest(directory)
    manifest["platform"]["python"] = {"site_packages": [], "bits": 64}
    _put(manifest, path, value)
    try:
        text = json.dumps(manifest)
    except RecursionError:  # json.dumps of 5,000 levels: write the nesting by hand
        manifest["nvml"] = "@@"
        text = json.dumps(manifest).replace('"@@"', "[" * 5000 + "]" * 5000)
    (directory / "host.json").write_text(text)
    _rejected(directory, words)


def test_missing_required_entries_are_named(tmp_path: Path) -> None:
    directory = _host(tmp_path)
    valid = _manifest(directory)
    for path, words in [
        (("platform", "machine"), "platform.machine: missing"),
        (("commands", 0, "argv"), "commands[0].argv: missing"),
    ]:
        manifest = json.loads(json.dumps(valid))
        parent: Any = manifest
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
        _set_manifest(directory, manifest)
        _rejected(directory, words)


def test_an_integer_too_long_to_read_is_not_valid_json(tmp_path: Path) -> None:
    directory = _host(tmp_path)
    text = (directory / "host.json").read_text()
    (directory / "host.json").write_text(text.replace('"version": 1', '"version": ' + "1" * 5000))
    _rejected(directory, "host.json")


def test_the_real_recordings_pass_the_schema() -> None:
    for directory in recorded_host_dirs():
        assert _load(directory).platform().system


# ----------------------------------------------------------------------------- speed


def test_a_long_ld_library_path_replays_in_linear_time(tmp_path: Path) -> None:
    # Before the directory index, 3,000 entries took 3 s and 30,000 several minutes (every
    # glob scanned every recorded path).
    spec = HostSpec()
    spec.environ["LD_LIBRARY_PATH"] = ":".join(f"/opt/l{i}/lib" for i in range(30_000))
    spec.markers += [f"/usr/lib/python3/dist-packages/p{i}/RECORD" for i in range(300)]
    spec.markers += ["/opt/l7/lib/libcudart.so.12", "/opt/l29999/lib/libcudnn.so.9.1.0"]
    from envsetup.probe import probe_all

    started = time.monotonic()
    facts = probe_all(RecordedHost(spec.write(tmp_path / "rec")))
    assert time.monotonic() - started < 20
    assert facts.cuda.ld_library_path_cuda_libs == {
        "/opt/l7/lib": ["libcudart.so.12"],
        "/opt/l29999/lib": ["libcudnn.so.9.1.0"],
    }


# ----------------------------------------------------------------------------- links: bounded work
# A recording of a few hundred kilobytes can hold links whose resolution costs minutes: chains of
# links padded with "x/../" steps, links that reach the same links again through a tree, links
# named a million times from host.json. Whatever the shape, loading it is accepted or refused
# within a bound (before the budgets, the first shape below ran for more than 4 minutes).

LOAD_BOUND_S = 5.0  # the shapes load in well under a second on a quiet machine
posix_links = pytest.mark.skipif(os.name == "nt", reason="the budgeted resolver is POSIX's")


def _chain(directory: Path, name: str, hops: int, end: str, padding: int = 800) -> str:
    """chain/NAME_0 -> chain/NAME_1 -> ... -> END (relative to chain/), each target padded with
    `padding` "x/../" steps; returns the first link's path relative to the recording."""
    (directory / "chain/x").mkdir(parents=True, exist_ok=True)
    for hop in range(hops):
        nxt = f"{name}_{hop + 1}" if hop + 1 < hops else end
        _link(directory / f"chain/{name}_{hop}", "x/../" * padding + nxt)
    return f"chain/{name}_0"


def _padded_chains_in_a_tree(d: Path) -> str:
    # The attack: files/z/d{i}/l{0..3} -> a 30-hop padded chain -> files/z/d{i+1}: 80 links.
    for level in range(21):
        (d / f"files/z/d{level}").mkdir(parents=True)
    for level in range(20):
        _chain(d, f"c{level}", 30, f"../files/z/d{level + 1}")
        for fan in range(4):
            _link(d / f"files/z/d{level}/l{fan}", f"../../../chain/c{level}_0")
    return "steps to resolve"


def _a_tree_of_plain_links(d: Path) -> str:
    # 40 levels, two links each to the next: 2**40 paths through 80 links.
    for level in range(41):
        (d / f"files/t/d{level}").mkdir(parents=True)
    for level in range(40):
        for name in "ab":
            _link(d / f"files/t/d{level}/{name}", f"../d{level + 1}")
    return "symbolic links more than"


def _many_padded_links(d: Path) -> str:
    (d / "files/w/x").mkdir(parents=True)
    (d / "files/w/t").write_text("t\n")
    for number in range(3000):
        _link(d / f"files/w/l{number}", "x/../" * 800 + "t")
    return "steps to resolve"


def _links_to_every_directory_above(d: Path) -> None:
    # A link to a directory above it is listed, not entered again: accepted, and quickly.
    path = d / "files/u"
    for level in range(60):
        path = path / f"d{level}"
        path.mkdir(parents=True)
        for up in range(1, level + 2):
            _link(path / f"up{up}", "../" * up)


def _output_files_through_padded_links(d: Path) -> str:
    manifest = _manifest(d)
    first = _chain(d, "out", 5, "../commands/001-nvidia-smi.out")
    template = manifest["commands"][0]
    manifest["commands"] = [
        {**template, "argv": [f"tool{n}"], "stdout_file": first} for n in range(50)
    ] + [
        {**template, "argv": [f"pad{n}"], "stdout_file": "commands/" + "x/../" * 800 + "o"}
        for n in range(2000)
    ]
    (d / "commands/x").mkdir()
    (d / "commands/o").write_text("o\n")
    _set_manifest(d, manifest)
    return "steps to resolve"


def _one_big_output_named_many_times(d: Path) -> str:
    # Through hard links, so that no cache by path can see they are one file.
    big = d / "commands/big.out"
    big.write_text("x" * (4 << 20))
    manifest = _manifest(d)
    template = manifest["commands"][0]
    manifest["commands"] = []
    for number in range(40):
        os.link(big, d / f"commands/big{number}.out")
        manifest["commands"].append(
            {**template, "argv": [f"t{number}"], "stdout_file": f"commands/big{number}.out"}
        )
    _set_manifest(d, manifest)
    return "outputs add up to more than 64 MiB"


@posix_links
@pytest.mark.parametrize(
    "build",
    [
        _padded_chains_in_a_tree,
        _a_tree_of_plain_links,
        _many_padded_links,
        _output_files_through_padded_links,
        _one_big_output_named_many_times,
    ],
)
def test_a_recording_whose_links_cost_unbounded_work_is_refused_quickly(
    tmp_path: Path, build: Callable[[Path], str]
) -> None:
    directory = _host(tmp_path)
    reason = build(directory)
    started = time.monotonic()
    _rejected(directory, reason)
    assert time.monotonic() - started < LOAD_BOUND_S


@posix_links
def test_each_link_is_resolved_once_however_many_paths_reach_it(tmp_path: Path) -> None:
    # One padded chain costs 24,000 steps; 5,000 links to it cost that once, not 5,000 times.
    directory = _host(tmp_path)
    (directory / "files/lib/real").mkdir(parents=True)
    (directory / "files/lib/real/libcudart.so.12").write_text("elf\n")
    head = _chain(directory, "c", 30, "../files/lib/real")
    for number in range(5000):
        _link(directory / f"files/lib/l{number}", f"../../{head}")
    started = time.monotonic()
    host = _load(directory)
    assert time.monotonic() - started < LOAD_BOUND_S
    assert host.read_text("/lib/l4999/libcudart.so.12") == "elf\n"
    assert host.glob("/lib/l1*/libcudart.so.12")[:2] == [
        "/lib/l1/libcudart.so.12",
        "/lib/l10/libcudart.so.12",
    ]


@posix_links
def test_links_to_every_directory_above_are_accepted_quickly(tmp_path: Path) -> None:
    directory = _host(tmp_path)
    _links_to_every_directory_above(directory)
    started = time.monotonic()
    host = _load(directory)
    assert time.monotonic() - started < LOAD_BOUND_S
    assert host.exists("/u/d0/d1/d2/up3") and host.exists("/u/d0/d1/d2/d3/d4/up5")
    assert not host.exists("/u/d0/d1/d2/up3/d0")  # listed, not entered again


@posix_links
@pytest.mark.parametrize(("hops", "accepted"), [(39, True), (40, False)])
def test_links_within_links_go_as_deep_as_the_kernel_allows(
    tmp_path: Path, hops: int, accepted: bool
) -> None:
    directory = _host(tmp_path)
    (directory / "commands/os-release").write_text("ID=chained\n")
    head = _chain(directory, "c", hops, "../commands/os-release", padding=1)
    _link(directory / "files/etc/os-release", f"../../{head}")
    if accepted:
        assert _load(directory).read_text("/etc/os-release") == "ID=chained\n"
    else:
        _rejected(directory, "files/etc/os-release is a symbolic link loop")


@posix_links
def test_the_attack_recording_is_one_line_and_exit_2_from_the_command_line(
    tmp_path: Path,
) -> None:
    directory = _host(tmp_path)
    _padded_chains_in_a_tree(directory)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "envsetup", "doctor", "--replay", str(directory), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert time.monotonic() - started < LOAD_BOUND_S + 5  # plus the interpreter's start
    assert done.returncode == ExitCode.USAGE
    assert len(done.stderr.strip().splitlines()) == 1 and "steps to resolve" in done.stderr
    assert json.loads(done.stdout)["error"]["kind"] == "usage"


@posix_links
def test_an_absolute_link_may_name_the_recording_as_the_user_named_it(tmp_path: Path) -> None:
    directory = _host(tmp_path)
    alias = tmp_path / "alias"
    os.symlink(tmp_path, alias)
    (directory / "commands/os-release").write_text("ID=absolute\n")
    _link(directory / "files/etc/os-release", str(alias / "rec/commands/os-release"))
    assert _load(alias / "rec").read_text("/etc/os-release") == "ID=absolute\n"
    _link(directory / "files/etc/os-release", str(directory / "commands/os-release"))
    assert _load(alias / "rec").read_text("/etc/os-release") == "ID=absolute\n"


@posix_links
def test_a_link_that_climbs_out_of_the_recording_is_outside_even_if_it_comes_back(
    tmp_path: Path,
) -> None:
    directory = _host(tmp_path)
    (directory / "commands/os-release").write_text("ID=back\n")
    _link(directory / "files/etc/os-release", "../../../rec/commands/os-release")
    _rejected(directory, "files/etc/os-release links outside the recording")
