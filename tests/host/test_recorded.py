"""Record a live host, replay it, and reject broken recordings with one clear line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.exit_codes import ExitCode
from envsetup.host.live import LiveHost
from envsetup.host.recorded import RecordedHost
from envsetup.host.recording import RecordingHost


def test_recording_replays_exactly_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "machine"
    (real / "etc").mkdir(parents=True)
    (real / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    monkeypatch.setenv("CUDA_HOME", "/usr/local/cuda")
    monkeypatch.setenv("HF_TOKEN", "hf_very_secret_value")
    recording = RecordingHost(LiveHost())
    os_release = str(real / "etc" / "os-release")
    assert recording.read_text(os_release) == 'ID=debian\nVERSION_ID="12"\n'
    assert recording.exists(str(real / "etc"))
    assert recording.glob(str(real / "etc" / "*")) == [os_release]
    env = recording.environ()
    assert env.get("CUDA_HOME") == "/usr/local/cuda"
    assert env["HF_TOKEN"] == "hf_very_secret_value"  # live value passes through...
    result = recording.run([sys.executable, "-c", "print('hello')"], timeout=30)
    assert result.ok and result.stdout.strip() == "hello"
    missing = recording.run(["envsetup-no-such-program"], timeout=5)
    assert missing.not_found

    saved = tmp_path / "rec"
    recording.save(str(saved))
    replay = RecordedHost(str(saved))
    assert replay.read_text(os_release) == 'ID=debian\nVERSION_ID="12"\n'
    assert replay.exists(str(real / "etc"))
    assert replay.glob(str(real / "etc" / "*")) == [os_release]
    assert replay.read_text(str(real / "etc" / "passwd")) is None
    assert replay.environ()["CUDA_HOME"] == "/usr/local/cuda"
    assert replay.environ()["HF_TOKEN"] == "<redacted>"  # ...but is never written down
    assert "hf_very_secret_value" not in "".join(
        p.read_text() for p in saved.rglob("*") if p.is_file()
    )
    again = replay.run([sys.executable, "-c", "print('hello')"], timeout=30)
    assert again.ok and again.stdout.strip() == "hello"
    assert replay.run(["envsetup-no-such-program"], timeout=5).not_found
    assert replay.platform() == LiveHost().platform()


def test_a_hung_command_is_killed_at_its_timeout() -> None:
    result = LiveHost().run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert result.timed_out and result.returncode is None
    assert result.duration_s < 10


def _write_manifest(directory: Path, manifest: object) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "host.json").write_text(json.dumps(manifest))


def test_recorded_argv_wildcard_and_basename_matching(tmp_path: Path) -> None:
    _write_manifest(
        tmp_path,
        {
            "format": "envsetup-recorded-host",
            "version": 1,
            "platform": {"system": "Linux", "release": "6.1", "version": "", "machine": "x86_64"},
            "commands": [
                {"argv": ["nvidia-smi"], "returncode": 9, "stdout": "NVIDIA-SMI has failed"},
                {"argv": ["/usr/bin/python3", "-c", "*"], "returncode": 0, "stdout": "{}"},
            ],
        },
    )
    host = RecordedHost(str(tmp_path))
    assert host.run(["/usr/bin/nvidia-smi"], timeout=1).returncode == 9
    assert host.run(["/usr/bin/python3", "-c", "print(1)"], timeout=1).stdout == "{}"
    assert host.run(["/usr/bin/python3", "-V"], timeout=1).not_found
    assert host.which("nvidia-smi") == "/usr/bin/nvidia-smi"


def test_a_file_given_to_replay_is_named_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "host.json"
    a_file.write_text("{}")
    with pytest.raises(UsageError) as caught:
        RecordedHost(str(a_file))
    assert str(caught.value).startswith(f"--replay {a_file}: a file, not a recording directory;")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such directory"),
        ("", "it has no host.json"),
        ("{not json", "host.json is not valid JSON"),
        ('{"format": "something-else", "version": 1}', 'host.json does not say "format"'),
        ('{"format": "envsetup-recorded-host", "version": 99}', "format version 99"),
        ('{"format": "envsetup-recorded-host", "version": 1}', "host.json platform: missing"),
    ],
)
def test_a_broken_replay_directory_is_one_clear_usage_error(
    tmp_path: Path, content: str, reason: str
) -> None:
    directory = tmp_path / "rec"
    if content is not None:
        directory.mkdir()
        if content:
            (directory / "host.json").write_text(content)
    with pytest.raises(UsageError) as caught:
        RecordedHost(str(directory))
    message = str(caught.value)
    assert reason in message
    assert message.startswith(f"--replay {directory}:")
    assert "fix:" in message and "\n" not in message
    assert caught.value.exit_code == ExitCode.USAGE
