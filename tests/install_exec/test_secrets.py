"""No credential leaves envsetup: secrets planted everywhere a user can put one, real installs
from a local index behind HTTP basic auth, then every output grepped.

The planted places: `--index-url-base http://user:token@…` or ENVSETUP_INDEX_URL_BASE, PIP_INDEX_URL
/ PIP_EXTRA_INDEX_URL / UV_INDEX_URL / UV_EXTRA_INDEX_URL with credentials, a secret-named variable,
a proxy URL with a password. The outputs: stdout, stderr (progress lines, the failure line), the
log directory, the install record, the `--json` result, and verify's JSON, JUnit and text.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import psutil
import pytest

from envsetup.install.backends.base import venv_python
from envsetup.verified_install import provision
from scripts import this_python_active

from .helpers import resolution_for
from .local_index import build_pytorch_index, build_wheel, write_simple_pages

_TOOL_ARGV = {"pip": ("-m", "pip", "install"), "uv": ("pip", "install")}

INDEX_USER = "ci-robot"
INDEX_TOKEN = "idxT0ken-5f1c2b9a7e"
PIP_TOKEN = "pipT0ken-0b7d3e4f51"
UV_TOKEN = "uvT0ken-77a1b2c3d4"
API_TOKEN = "acmeApiT0ken-9c8b7a6d"
PROXY_PASSWORD = "pr0xyPass-3e2d1c0b"
PATH_TOKEN_PREFIX = f"/t/{INDEX_TOKEN}/"
SECRETS = (INDEX_TOKEN, PIP_TOKEN, UV_TOKEN, API_TOKEN, PROXY_PASSWORD)
# Nothing listens on port 9 (discard): a configuration that leaked through would fail loudly.
NOWHERE = "127.0.0.1:9"

# The torch of the failing installs: it installs, then its import fails with a message quoting
# the environment's credentials and a terminal-title escape sequence, as a hostile or careless
# package could.
LEAKY_TORCH = (
    "import os\n"
    "raise ImportError('libtorch_cpu.so: cannot open shared object file; mirror '"
    " + os.environ.get('ENVSETUP_INDEX_URL_BASE', '') + ' token '"
    " + os.environ.get('ACME_API_TOKEN', '') + ' proxy ' + os.environ.get('HTTPS_PROXY', '')"
    " + ' \\x1b]0;pwned\\x07\\x1b[2J')\n"
)


def _planted_environ(extra: dict[str, str]) -> dict[str, str]:
    # Planned for the interpreter running the tests, not whatever python3 is first on PATH.
    active = this_python_active(os.environ)
    inherited = {k: v for k, v in active.items() if k != "ENVSETUP_INDEX_URL_BASE"}
    return {
        **inherited,
        "PIP_INDEX_URL": f"http://pip-user:{PIP_TOKEN}@{NOWHERE}/simple",
        "PIP_EXTRA_INDEX_URL": f"http://pip-user:{PIP_TOKEN}@{NOWHERE}/extra",
        "UV_INDEX_URL": f"http://{UV_TOKEN}@{NOWHERE}/simple",
        "UV_EXTRA_INDEX_URL": f"http://uv-user:{UV_TOKEN}@{NOWHERE}/extra",
        "ACME_API_TOKEN": API_TOKEN,
        "HTTPS_PROXY": f"http://proxy-user:{PROXY_PASSWORD}@{NOWHERE}",
        "HTTP_PROXY": f"http://proxy-user:{PROXY_PASSWORD}@{NOWHERE}",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **extra,
    }


class _Mirror:
    """A local index served over HTTP that answers only requests with the right credentials:
    basic auth, or the token as the first path segments (`/t/<token>/…`, as Anaconda's)."""

    def __init__(self, root: Path) -> None:
        expected = "Basic " + base64.b64encode(f"{INDEX_USER}:{INDEX_TOKEN}".encode()).decode()
        self.root = root
        self.authorized = 0
        self.refused = 0
        self.delay_s = 0.0  # a slow index keeps pip or uv running long enough to be looked at
        mirror = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(mirror.delay_s)
                if self.path.startswith(PATH_TOKEN_PREFIX):
                    self.path = self.path[len(PATH_TOKEN_PREFIX) - 1 :]
                elif self.headers.get("Authorization") != expected:
                    mirror.refused += 1
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="mirror"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                mirror.authorized += 1
                super().do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def base(self, tree: str) -> str:
        return f"http://{INDEX_USER}:{INDEX_TOKEN}@127.0.0.1:{self.port}/{tree}"

    def path_token_base(self, tree: str) -> str:
        return f"http://127.0.0.1:{self.port}{PATH_TOKEN_PREFIX}{tree}"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Mirror]:
    """/good: the 2.0.1 triplet for cpu; /leaky: the same with a torch whose import leaks."""
    root = tmp_path_factory.mktemp("auth-mirror")
    build_pytorch_index(root / "good", {"cpu": None})
    build_pytorch_index(root / "leaky", {"cpu": None})
    build_wheel(
        root / "leaky" / "cpu" / "torch", "torch", "2.0.1+cpu", {"torch/__init__.py": LEAKY_TORCH}
    )
    write_simple_pages(root / "leaky" / "cpu")
    served = _Mirror(root)
    yield served
    served.server.shutdown()


def _install(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "envsetup",
            "install",
            "--torch",
            "2.0",
            "--cuda",
            "cpu",
            "--python",
            python,
            *args,
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
        check=False,
    )


def leaks(texts: dict[str, str], roots: list[Path]) -> list[str]:
    """Every place a planted secret shows up: named texts, and every file under `roots`."""
    found = [f"{s!r} in {name}" for name, text in texts.items() for s in SECRETS if s in text]
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in files:
            data = path.read_bytes()
            found += [f"{s!r} in {path}" for s in SECRETS if s.encode() in data]
    return found


def _read_all(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(root.rglob("*")) if p.is_file())


@pytest.mark.parametrize(
    ("manager", "where", "as_json"),
    [("pip", "flag", False), ("uv", "environment", True)],
)
def test_a_successful_install_writes_the_credential_nowhere(
    tmp_path: Path, mirror: _Mirror, manager: str, where: str, as_json: bool
) -> None:
    env, logs = tmp_path / "env", tmp_path / "logs"
    base = mirror.base("good")
    args = ["--manager", manager, "--env", str(env), "--log-dir", str(logs)]
    args += ["--index-url-base", base] if where == "flag" else []
    args += ["--json"] if as_json else []
    before = mirror.authorized
    done = _install(
        args, _planted_environ({"ENVSETUP_INDEX_URL_BASE": base} if where == "environment" else {})
    )
    assert done.returncode == 0, done.stderr
    # The credential did reach the installer: the mirror refuses requests without it.
    assert mirror.authorized > before
    record = env / "envsetup-install.json"
    assert leaks({"stdout": done.stdout, "stderr": done.stderr}, [logs, record, env]) == []
    # ...and what it was written as instead: the URL with its user-info masked.
    masked = f"http://***@127.0.0.1:{mirror.port}/good/cpu"
    assert masked in _read_all(logs)
    assert masked in record.read_text()
    assert json.loads(record.read_text())["state"] == "complete"
    progress = done.stderr if as_json else done.stdout
    assert "==> [1/" in progress  # the progress lines were printed, and checked above
    if as_json:
        assert json.loads(done.stdout)["data"]["result"]["index_url"] == masked


@pytest.mark.parametrize(("manager", "as_json"), [("uv", False), ("pip", True)])
def test_a_failing_install_tells_why_without_the_credential_or_control_sequences(
    tmp_path: Path, mirror: _Mirror, manager: str, as_json: bool
) -> None:
    env, logs = tmp_path / "env", tmp_path / "logs"
    base = mirror.base("leaky")
    args = ["--manager", manager, "--env", str(env), "--log-dir", str(logs)]
    done = _install(
        args + (["--json"] if as_json else []),
        _planted_environ({"ENVSETUP_INDEX_URL_BASE": base}),
    )
    assert done.returncode != 0
    assert not env.exists()  # the new environment was removed
    assert leaks({"stdout": done.stdout, "stderr": done.stderr}, [logs]) == []
    # The failure line (stderr, or the JSON's errors) and the progress lines (stdout, or stderr
    # under --json) carry no raw control character of the planted title sequence.
    assert "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stdout + done.stderr
    message = (
        json.loads(done.stdout)["error"]["message"] if as_json else done.stderr.splitlines()[-1]
    )
    # The failure line still says what went wrong, with the secrets masked in place.
    assert message.startswith(("install failed", "envsetup: install failed")), message
    assert "at step verify" in message
    assert "libtorch_cpu.so" in message
    assert f"mirror http://***@127.0.0.1:{mirror.port}/leaky" in message
    assert "token <redacted>" in message and "proxy http://***@127.0.0.1:9" in message
    assert "step verify failed" in _read_all(logs)


def test_verify_reports_carry_no_credential_and_no_control_sequence(
    tmp_path: Path, mirror: _Mirror
) -> None:
    env = tmp_path / "env"
    provision(
        resolution_for("cpu", env, projects=("torch",)),
        index_url_base=str(mirror.root / "leaky"),
        log_dir=str(tmp_path / "logs"),
        verify=False,
    )
    python = venv_python(str(env), os.name == "nt")
    junit = tmp_path / "verify.xml"
    environ = _planted_environ({"ENVSETUP_INDEX_URL_BASE": mirror.base("leaky")})
    runs = {}
    for mode in ("json", "text"):
        runs[mode] = subprocess.run(
            [sys.executable, "-m", "envsetup", "verify", "--python", python]
            + (["--json", "--junit", str(junit)] if mode == "json" else []),
            capture_output=True,
            text=True,
            env=environ,
            timeout=300,
            check=False,
        )
        assert runs[mode].returncode == 1, runs[mode].stderr
    texts = {
        f"{mode} {stream}": getattr(done, stream)
        for mode, done in runs.items()
        for stream in ("stdout", "stderr")
    }
    assert leaks(texts, [junit]) == []
    check = next(
        c for c in json.loads(runs["json"].stdout)["data"]["checks"] if c["id"] == "torch.import"
    )
    assert "token <redacted>" in check["reason"] + check["output"]
    text = runs["text"].stdout + runs["text"].stderr
    assert "\x1b" not in text and "\x07" not in text
    assert "token <redacted>" in text
    failure = ET.parse(junit).find(".//testcase[@name='torch.import']/failure")
    assert failure is not None and "token <redacted>" in failure.get("message", "")
    assert "\x1b" not in junit.read_text()


def _command_lines_while_running(proc: subprocess.Popen[str]) -> list[list[str]]:
    """The command lines of every descendant of `proc`, polled until it exits: what any local
    user can read in /proc/PID/cmdline (psutil reads exactly that file)."""
    seen: list[list[str]] = []
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            children = parent.children(recursive=True)
        except psutil.Error:
            break
        for child in children:
            try:
                command = child.cmdline()
            except psutil.Error:  # exited between the listing and the read
                continue
            if command not in seen:
                seen.append(command)
        time.sleep(0.02)
    return seen


def _contains(command: list[str], part: tuple[str, ...]) -> bool:
    return any(tuple(command[i : i + len(part)]) == part for i in range(len(command)))


@pytest.mark.parametrize(
    ("manager", "scheme", "where", "credential"),
    # An upper-case scheme too: it is normalised, and uv then sends its requests (it sent none).
    # The token in the user-info, or in the URL's path, where no "@" tells it is one.
    [
        ("pip", "http", "flag", "user-info"),
        ("uv", "HTTP", "environment", "user-info"),
        ("pip", "http", "flag", "path"),
        ("uv", "http", "environment", "path"),
    ],
)
def test_the_index_credential_is_never_on_a_command_line_and_the_install_works(
    tmp_path: Path, mirror: _Mirror, manager: str, scheme: str, where: str, credential: str
) -> None:
    env = tmp_path / "env"
    url = mirror.base("good") if credential == "user-info" else mirror.path_token_base("good")
    base = scheme + url[len("http") :]
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    argv = [sys.executable, "-m", "envsetup", "install", "--torch", "2.0", "--cuda", "cpu"]
    argv += ["--python", python, "--manager", manager, "--env", str(env)]
    argv += ["--index-url-base", base] if where == "flag" else []
    environ = _planted_environ({"ENVSETUP_INDEX_URL_BASE": base} if where == "environment" else {})
    # A cold cache of its own: uv must fetch from the mirror, not answer from earlier tests.
    environ["UV_CACHE_DIR"] = str(tmp_path / "uv-cache")
    before = mirror.authorized
    mirror.delay_s = 0.3
    try:
        proc = subprocess.Popen(
            argv, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            commands = _command_lines_while_running(proc)
        finally:
            out, err = proc.communicate(timeout=600)
    finally:
        mirror.delay_s = 0.0
    assert proc.returncode == 0, err
    assert mirror.authorized > before  # the credential reached the tool, through its environment
    # The tool was seen running its installs (the poll did look), and no descendant of envsetup
    # ever had the credential on its command line.
    installs = [c for c in commands if _contains(c, _TOOL_ARGV[manager])]
    assert installs, commands
    # envsetup's own command line is the user's (--index-url-base as typed); a child caught
    # between fork and exec still shows it.
    leaked = [c for c in commands if c != argv and any(INDEX_TOKEN in arg for arg in c)]
    assert leaked == []
    assert leaks({"stdout": out, "stderr": err}, [env / "envsetup-install.json"]) == []


@pytest.mark.parametrize(("manager", "tree"), [("uv", "good"), ("pip", "leaky")])
def test_a_local_index_directory_is_no_secret(
    tmp_path: Path, mirror: _Mirror, manager: str, tree: str
) -> None:
    """A path is not a credential: an --index-url-base that is a plain directory, whose path
    starts the environment's and the log's paths, leaves every path whole in every output."""
    base = tmp_path / "idx"
    shutil.copytree(mirror.root / tree, base)
    env, logs = Path(f"{base}-env"), Path(f"{base}-logs")
    active = this_python_active(os.environ)  # not whatever python3 is first on PATH
    environ = {k: v for k, v in active.items() if k != "ENVSETUP_INDEX_URL_BASE"}
    args = ["--manager", manager, "--env", str(env), "--log-dir", str(logs), "--json"]
    done = _install([*args, "--index-url-base", str(base)], environ)
    outputs = [done.stdout, done.stderr, _read_all(logs)]
    document = json.loads(done.stdout)
    if tree == "good":
        assert done.returncode == 0, done.stderr
        record_text = (env / "envsetup-install.json").read_text()
        outputs.append(record_text)
        record = json.loads(record_text)
        # ownership.py matches the record's owner against the claim by this path.
        assert record["owner"]["path"] == str(env.resolve())
        assert record["plan"]["index_url"] == (base / "cpu").resolve().as_uri()
        assert document["data"]["result"]["env_path"] == str(env.resolve())
        assert document["data"]["result"]["log_path"].startswith(str(logs))
    else:
        assert done.returncode != 0
        message = document["error"]["message"]
        assert f"removed the new environment {env.resolve()}" in message, message
        assert f"log: {logs.resolve()}" in message or f"log: {logs}" in message, message
    assert not any("<redacted>" in text for text in outputs)
