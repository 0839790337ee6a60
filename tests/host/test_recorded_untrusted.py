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
from hostbuilder import FIXTURES, HostSpec, fixture_text

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
    for directory in sorted((FIXTURES / "hosts").iterdir()):
        if directory.is_dir():
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
