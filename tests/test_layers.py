"""The flow of the code, read from its imports (docs/architecture.md, "Layers").

Every module of src/envsetup belongs to one layer; a module imports only from its own layer or
from layers below it: the test walks each module's syntax tree (imports at the top, inside
functions, under TYPE_CHECKING, and `importlib.import_module("literal")`). A second test keeps
processes, the environment, the file system and the questions of which machine this is (os.name,
sys.platform, the pid, the working and home directories) at the edges: host/ and the few modules
listed in IO_ALLOWED, each with its reason; the list may only shrink. Its walk is itself tested
on one-line samples, caught and let through (CAUGHT, NOT_CAUGHT), so it cannot quietly weaken.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "envsetup"
WORKER = "envsetup.verify.worker_root"

# Low to high. A module belongs to the layer of its longest prefix listed here.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "envsetup.errors",
            "envsetup.exit_codes",
            "envsetup.digits",
            "envsetup.safe_read",
            "envsetup.secrets",
            "envsetup.sanitize",
            "envsetup.lazy_pattern",
        ),
    ),
    ("model", ("envsetup.model", "envsetup.facts", "envsetup.record_state")),
    ("compat", ("envsetup.compat",)),
    ("parsers", ("envsetup.parsers",)),
    ("host", ("envsetup.host",)),
    ("probe", ("envsetup.probe",)),
    ("profiles", ("envsetup.profiles",)),
    ("diagnose", ("envsetup.diagnose",)),
    ("resolve", ("envsetup.resolve",)),
    ("command_check", ("envsetup.command_check",)),
    # Pasted text -> sections -> facts merged over a host's -> findings; pure (no I/O). Its
    # section readers use only model and parsers.
    ("explain", ("envsetup.explain",)),
    ("install", ("envsetup.install",)),
    # The worker's registry is read by the tool (catalogue); its modules import no envsetup.
    ("verify", ("envsetup.verify",)),
    ("verified_install", ("envsetup.verified_install",)),
    # Every node of a cluster through its scheduler (Slurm's srun), and their reports merged (issue 13).
    ("fleet", ("envsetup.fleet",)),
    # failure: the error envelope and its kinds, which render.schema publishes.
    ("render", ("envsetup.render", "envsetup.failure")),
    # A command's run apart from its flags (doctor's and explain's: the fast path calls them without typer).
    ("runs", ("envsetup.doctor_run", "envsetup.explain_run", "envsetup.node_outputs")),
    ("commands", ("envsetup.commands",)),
    ("entry", ("envsetup.cli", "envsetup.entry", "envsetup.fast_path", "envsetup.__main__")),
]
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> Optional[str]:
    if module == "envsetup":
        return "base"  # the package itself: __version__
    best: Optional[tuple[int, str]] = None
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), name)
    return best[1] if best else None


def modules() -> list[tuple[str, Path]]:
    return sorted((module_name(p), p) for p in PACKAGE.rglob("*.py"))


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def _is_module(name: str) -> bool:
    base = SRC.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(module imported, line) for every import in the file, wherever it stands."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                # `from envsetup import compat` imports a module; `from x import name` an attribute.
                whole = f"{source}.{alias.name}"
                yield (whole if _is_module(whole) else source), node.lineno
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "__import__")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value, node.lineno


def test_every_module_has_a_layer() -> None:
    """A new package must be placed (here and in docs/architecture.md) before it is used."""
    unplaced = [m for m, _ in modules() if layer_of(m) is None]
    assert not unplaced, f"modules in no layer of tests/test_layers.py: {unplaced}"


def test_no_module_imports_a_layer_above_it() -> None:
    upward = []
    for module, path in modules():
        mine = layer_of(module)
        if mine is None or module.startswith(WORKER + "."):
            continue
        for target, line in imported(module, path):
            theirs = layer_of(target) if target.startswith("envsetup") else None
            if theirs is not None and RANK[theirs] > RANK[mine]:
                upward.append(
                    f"{path.relative_to(SRC)}:{line} ({mine}) imports {target} ({theirs})"
                )
    assert not upward, "imports of a higher layer:\n" + "\n".join(sorted(set(upward)))


def test_commands_do_not_import_each_other() -> None:
    """Each command is one module of flags and output; what two share lives below them."""
    crossing = []
    for module, path in modules():
        if not module.startswith("envsetup.commands."):
            continue
        for target, line in imported(module, path):
            if target.startswith("envsetup.commands.") and target != module:
                crossing.append(f"{path.relative_to(SRC)}:{line} imports {target}")
    assert not crossing, "\n".join(crossing)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="sys.stdlib_module_names is 3.10+")
def test_the_verify_worker_imports_the_standard_library_and_torch_only() -> None:
    """It runs in the target interpreter, where envsetup is not installed."""
    allowed = set(sys.stdlib_module_names) | {"torch", "__future__"}
    foreign = []
    for module, path in modules():
        if not module.startswith(WORKER + "."):
            continue
        for target, line in imported(module, path):
            top = target.split(".")[0]
            # __main__ runs as a script with worker_root first on sys.path: absolute there.
            own = target.startswith(WORKER) or top == "envsetup_verify_worker"
            if not own and top not in allowed:
                foreign.append(f"{path.relative_to(SRC)}:{line} imports {target}")
    assert not foreign, "\n".join(foreign)


def test_the_walk_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    """The walk itself: a lazy import in a function body and a relative one are both found."""
    found = dict(imported("envsetup.probe.python_env", PACKAGE / "probe" / "python_env.py"))
    assert "envsetup.host.interpreter" in found  # also imported inside target_interpreter()
    lazy = dict(imported("envsetup.resolve.quick", PACKAGE / "resolve" / "quick.py"))
    assert "envsetup.profiles.loader" in lazy  # only inside resolve_quickly()
    dunder = tmp_path / "dunder.py"
    dunder.write_text("def f():\n    return __import__('envsetup.install.execute')\n", "utf-8")
    assert "envsetup.install.execute" in dict(imported("envsetup.model.dunder", dunder))
    relative = dict(imported(f"{WORKER}.envsetup_verify_worker.loop", _worker("loop.py")))
    assert f"{WORKER}.envsetup_verify_worker.registry" in relative
    assert layer_of("envsetup.install.record") == "install"
    assert layer_of("envsetup.record_state") == "model"
    assert RANK["probe"] < RANK["install"] < RANK["verify"] < RANK["commands"]


def _worker(name: str) -> Path:
    return PACKAGE / "verify" / "worker_root" / "envsetup_verify_worker" / name


# ------------------------------------------------------------------------ processes, environment, files

# host/ is the boundary (live host, recorded host, processes): everything in it may reach the OS.
IO_HOME = ("envsetup.host",)
# The verify worker runs in the target interpreter: it is the far side of the boundary.
IO_FAR_SIDE = (WORKER,)

# (module, kind) -> why it still reaches the OS itself. Kinds: subprocess, environ, filesystem,
# machine (which machine this is: os.name, sys.platform, sys.executable, the pid, platform).
# The list may only shrink: an entry that is no longer needed fails the test too.
IO_ALLOWED: dict[tuple[str, str], str] = {
    (
        "envsetup.safe_read",
        "filesystem",
    ): "the bounded, non-blocking reader host/ (and so install, profiles) and --facts share",
    ("envsetup.sanitize", "environ"): "the secret values to redact are this process's variables "
    "(base layer, below host/: read afresh at each redaction)",
    ("envsetup.commands.verify", "filesystem"): "writes the --junit report file",
    ("envsetup.commands.fleet", "filesystem"): "fleet report writes the --junit report file",
    (
        "envsetup.render.schema",
        "filesystem",
    ): "`python -m envsetup.render.schema DIR` writes docs/schema",
    (
        "envsetup.fast_path",
        "environ",
    ): "sees click's shell-completion request, to leave it to typer, before anything is imported",
    ("envsetup.fast_path", "machine"): "on Windows the C runtime, not a shell, expanded argv: "
    "decided from os.name before anything is imported (host/ costs tens of ms to import)",
    ("envsetup.render.stdout", "machine"): "click.echo writes to the Windows console by its own "
    "API: the stream's kind, decided where it is written, on every start-up (no host/ import)",
}

_OS_FILE_CALLS = {
    "open", "fdopen", "remove", "unlink", "rename", "replace", "mkdir", "makedirs", "rmdir",
    "removedirs", "listdir", "scandir", "stat", "lstat", "chmod", "fchmod", "chown", "walk",
    "symlink", "link", "readlink", "access", "utime", "truncate", "ftruncate", "fsync", "mkfifo",
    "getcwd", "getcwdb", "chdir", "statvfs",
}  # fmt: skip
_OS_PROCESS_CALLS = {
    "system", "popen", "fork", "execv", "execve", "execvp", "spawnv", "posix_spawn", "kill",
    "killpg", "waitpid",
}  # fmt: skip
_ENVIRON = {"environ", "getenv", "putenv", "unsetenv", "environb"}
# Which machine this is (its OS, this process, its user): what a recorded host answers instead.
_OS_MACHINE = {
    "name", "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getlogin", "uname",
    "cpu_count", "getloadavg",
}  # fmt: skip
_SYS_MACHINE = {"platform", "executable", "getwindowsversion", "_base_executable"}
# Modules whose every use reaches the OS: importing one is enough.
_IO_MODULES = {
    "subprocess": "subprocess",
    "psutil": "subprocess",
    "shutil": "filesystem",
    "tempfile": "filesystem",
    "glob": "filesystem",
    "fcntl": "filesystem",
    "msvcrt": "filesystem",
    "platformdirs": "filesystem",
    "platform": "machine",
    "getpass": "machine",
    "pwd": "machine",
}
# Method names only files have (a Host's read_text/exists/glob are the boundary, not a bypass).
_PATH_CALLS = {
    "write_text", "write_bytes", "mkdir", "unlink", "rmdir", "touch", "symlink_to", "open",
    "hardlink_to", "chmod", "lchmod", "readlink", "samefile",
}  # fmt: skip
# os.path functions that ask the file system or the working directory (join, basename... are
# string work), and the one that reads the environment.
_OS_PATH_CALLS = {
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "realpath", "getsize",
    "getmtime", "getatime", "getctime", "samefile", "abspath", "expanduser",
}  # fmt: skip
_OS_PATH_ENVIRON = {"expandvars"}
# pathlib queries, and the Path methods that ask the working directory or the home directory
# (`Path.cwd()`, `p.resolve()`, `p.absolute()`, `p.expanduser()`). envsetup.host.files.Files has
# methods of these names too: calls on a receiver named for the boundary (`host.glob`,
# `self._host.exists`, install's `host_files.is_dir`) are the boundary, not a bypass. The name
# must be the receiver's own (its last identifier), not a word inside it (`ghost_path`).
_PATH_QUERIES = {
    "exists", "is_file", "is_dir", "is_symlink", "iterdir", "glob", "rglob", "read_text",
    "read_bytes", "stat", "lstat", "resolve", "absolute", "expanduser", "cwd", "home",
}  # fmt: skip
_BOUNDARY_RECEIVERS = {"host", "_host", "host_files", "_host_files"}
# What `from os import ...` may bring in that reaches the OS, by kind.
_FROM_OS = {
    **{name: "environ" for name in _ENVIRON},
    **{name: "filesystem" for name in _OS_FILE_CALLS | {"path"}},
    **{name: "subprocess" for name in _OS_PROCESS_CALLS},
    **{name: "machine" for name in _OS_MACHINE},
}
_FROM_OS_PATH = {
    **{name: "filesystem" for name in _OS_PATH_CALLS},
    **{name: "environ" for name in _OS_PATH_ENVIRON},
}


def _receiver_name(node: ast.expr) -> Optional[str]:
    """The last identifier of a call's receiver: `host` in `self.host.glob`, None for `Path(x)`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _attribute_kind(owner: str, attr: str) -> Optional[str]:
    """What `owner.attr` reaches, for the OS modules spelled by their own names."""
    if owner == "os":
        if attr in _ENVIRON:
            return "environ"
        if attr in _OS_FILE_CALLS:
            return "filesystem"
        if attr in _OS_PROCESS_CALLS:
            return "subprocess"
        if attr in _OS_MACHINE:
            return "machine"
    if owner == "sys" and attr in _SYS_MACHINE:
        return "machine"
    return None


def io_kinds(path: Path) -> set[str]:
    """What a module does to the OS itself: spawns processes, reads the environment, touches files,
    asks which machine it runs on."""
    return io_kinds_of(path.read_text(encoding="utf-8"))


def io_kinds_of(source: str) -> set[str]:
    kinds: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top in _IO_MODULES:
                    kinds.add(_IO_MODULES[top])
                elif alias.asname and alias.name in ("os", "os.path", "sys"):
                    # `import os as o`: o.* is not followed; count it
                    kinds.add("machine" if alias.name == "sys" else "filesystem")
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            top = node.module.split(".")[0]
            if top in _IO_MODULES:
                kinds.add(_IO_MODULES[top])
            for alias in node.names:
                if node.module == "os" and alias.name in _FROM_OS:
                    kinds.add(_FROM_OS[alias.name])
                elif node.module == "os.path" and alias.name in _FROM_OS_PATH:
                    kinds.add(_FROM_OS_PATH[alias.name])
                elif node.module == "sys" and alias.name in _SYS_MACHINE:
                    kinds.add("machine")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and (node.value.value.id, node.value.attr) == ("os", "path")
        ):
            if node.attr in _OS_PATH_CALLS:
                kinds.add("filesystem")
            elif node.attr in _OS_PATH_ENVIRON:
                kinds.add("environ")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            kind = _attribute_kind(node.value.id, node.attr)
            if kind:
                kinds.add(kind)
        if isinstance(node, ast.Call):
            func = node.func
            if (
                (isinstance(func, ast.Name) and func.id == "open")
                or (isinstance(func, ast.Attribute) and func.attr in _PATH_CALLS)
                or (
                    isinstance(func, ast.Attribute)
                    and func.attr in _PATH_QUERIES
                    and _receiver_name(func.value) not in _BOUNDARY_RECEIVERS
                )
            ):
                kinds.add("filesystem")
    return kinds


def io_found() -> dict[tuple[str, str], str]:
    found = {}
    for module, path in modules():
        if module.startswith(IO_HOME + IO_FAR_SIDE):
            continue
        for kind in io_kinds(path):
            found[(module, kind)] = str(path.relative_to(SRC))
    return found


def test_processes_environment_and_files_only_at_the_edges() -> None:
    found = io_found()
    new = sorted(
        f"{path}: {kind}"
        for (module, kind), path in found.items()
        if (module, kind) not in IO_ALLOWED
    )
    assert not new, (
        "reaches the OS outside host/ (go through the Host or the execution layer, or add it to "
        "IO_ALLOWED with its reason):\n" + "\n".join(new)
    )


def test_the_io_allow_list_only_shrinks() -> None:
    found = io_found()
    stale = sorted(
        f"{module}: {kind}" for module, kind in IO_ALLOWED if (module, kind) not in found
    )
    assert not stale, "no longer needed; remove from IO_ALLOWED:\n" + "\n".join(stale)


# Modules that read only envsetup's own shipped data (once, cached): data, not the machine.
SHIPPED_DATA = {
    "envsetup.compat": "the CUDA driver table, src/envsetup/data/cuda_drivers.toml",
    "envsetup.compat.rocm": "the ROCm gfx target table, src/envsetup/data/rocm_gfx_targets.toml",
    "envsetup.compat.nvcc": "what each nvcc builds, src/envsetup/data/nvcc_support.toml",
    "envsetup.compat.gpu_names": "GPU names and PCI ids -> compute capability, "
    "src/envsetup/data/gpu_capabilities.toml and gpu_pci_ids.toml",
}


def reached_from(package: str) -> set[str]:
    """Every envsetup module the modules of `package` import, directly or through others
    (not followed past a reader of shipped data)."""
    paths = dict(modules())
    todo = [m for m in paths if m == package or m.startswith(package + ".")]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen or module not in paths:
            continue
        seen.add(module)
        if module not in SHIPPED_DATA:
            todo += [target for target, _ in imported(module, paths[module])]
    return seen


def test_diagnose_does_no_io_itself() -> None:
    """Rules are pure: the profile lookup is passed in (commands/doctor.py passes it)."""
    reached = reached_from("envsetup.diagnose")
    assert "envsetup.profiles.build_info" in reached
    io_modules = {module for module, _ in io_found()} | {"envsetup.safe_read"}
    touching = sorted(m for m in reached if m in io_modules or m.startswith(IO_HOME))
    assert not touching, f"diagnose reaches the OS through {touching}"


def test_the_io_walk_sees_each_kind(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom pathlib import Path\n"
        "def f():\n    import subprocess\n    x = os.environ.get('A')\n    Path(x).write_text('')\n",
        encoding="utf-8",
    )
    assert io_kinds(sample) == {"subprocess", "environ", "filesystem"}
    (tmp_path / "pure.py").write_text("import re\nX = re.compile('a').sub('b', 'c')\n", "utf-8")
    assert io_kinds(tmp_path / "pure.py") == set()
    # The spellings that hide the os module, and file system questions that write nothing.
    for source, kind in [
        ("from os import environ\n", "environ"),
        ("from os import getenv\n", "environ"),
        ("from shutil import rmtree\n", "filesystem"),
        ("import os as o\n", "filesystem"),
        ("import os\nos.path.exists('/x')\n", "filesystem"),
        ("from pathlib import Path\nPath('/x').is_dir()\n", "filesystem"),
        ("def f(where):\n    return list(where.glob('*.toml'))\n", "filesystem"),
    ]:
        (tmp_path / "hidden.py").write_text(source, "utf-8")
        assert io_kinds(tmp_path / "hidden.py") == {kind}, source
    # A Host's methods of the same names are the boundary itself.
    (tmp_path / "probe.py").write_text("def f(host):\n    return host.glob('/x/*')\n", "utf-8")
    assert io_kinds(tmp_path / "probe.py") == set()
    (tmp_path / "paths.py").write_text("import os\nos.path.join('a', 'b')\n", "utf-8")
    assert io_kinds(tmp_path / "paths.py") == set()


# One line each: what the walk must catch, with its kind. Each is a way a module once reached, or
# could reach, the machine past the boundary; a weakened rule fails here, not silently.
CAUGHT = [
    ("import subprocess", "subprocess"),
    ("import psutil", "subprocess"),
    ("import os\nos.kill(1, 9)", "subprocess"),
    ("import os\nos.environ.get('A')", "environ"),
    ("from os import environ", "environ"),
    ("from os import getenv", "environ"),
    ("import os\nos.path.expandvars('$HOME')", "environ"),
    ("from os.path import expandvars", "environ"),
    ("import os as o", "filesystem"),
    ("import shutil", "filesystem"),
    ("from shutil import rmtree", "filesystem"),
    ("import shutil as s", "filesystem"),
    ("from shutil import disk_usage", "filesystem"),
    ("import tempfile", "filesystem"),
    ("from tempfile import mkdtemp", "filesystem"),
    ("import platformdirs", "filesystem"),
    ("import glob", "filesystem"),
    ("import os\nos.path.exists('/x')", "filesystem"),
    ("import os\nos.getcwd()", "filesystem"),
    ("from os import getcwd", "filesystem"),
    ("import os\nos.chdir('/')", "filesystem"),
    ("import os\nos.path.expanduser('~')", "filesystem"),
    ("from os.path import expanduser", "filesystem"),
    ("import os\nos.path.abspath('x')", "filesystem"),
    ("from pathlib import Path\nPath.cwd()", "filesystem"),
    ("from pathlib import Path\nPath.home()", "filesystem"),
    ("from pathlib import Path\nPath('x').resolve()", "filesystem"),
    ("from pathlib import Path\nPath('x').absolute()", "filesystem"),
    ("from pathlib import Path\nPath('~').expanduser()", "filesystem"),
    ("from pathlib import Path\nPath('/x').is_dir()", "filesystem"),
    ("def f(where):\n    return list(where.glob('*.toml'))", "filesystem"),
    ("def f(ghost_path):\n    return ghost_path.read_text()", "filesystem"),
    ("def f(self):\n    return self.ghost.exists()", "filesystem"),
    ("def f(hostname):\n    return hostname.is_file()", "filesystem"),
    ("open('/x')", "filesystem"),
    ("import os\nos.name", "machine"),
    ("from os import name", "machine"),
    ("import os\nos.getpid()", "machine"),
    ("from os import getpid", "machine"),
    ("import os\nos.cpu_count()", "machine"),
    ("import sys\nsys.platform", "machine"),
    ("from sys import platform", "machine"),
    ("import sys\nsys.executable", "machine"),
    ("import sys as s", "machine"),
    ("import platform", "machine"),
    ("from platform import system", "machine"),
    ("import getpass", "machine"),
]
# One line each: string work, the boundary's own methods, and names that only look like the OS.
NOT_CAUGHT = [
    "import re\nX = re.compile('a').sub('b', 'c')",
    "import re\nre.match('(a)', 'a').group(1)",
    "import os\nos.path.join('a', 'b')",
    "import os\nos.path.isabs('a')",
    "import os\nos.path.normcase('A')",
    "import os\nos.devnull",
    "import sys\nsys.version_info",
    "import sys\nsys.stdout.write('')",
    "from pathlib import Path\nPath('a') / 'b'",
    "from pathlib import Path\nPath('a').is_absolute()",
    "from pathlib import Path\nPath(__file__).parent",
    "def f(host):\n    return host.glob('/x/*')",
    "def f(self):\n    return self._host.exists('/x')",
    "def f(host_files):\n    return host_files.is_dir('/x')",
    "def f(host_files):\n    return host_files.absolute(host_files.expand_user('~/x'))",
    "def f(host_files):\n    return host_files.cwd()",
    "def f(host):\n    p = host.platform()\n    return p.system",
    "def f(s):\n    return s.replace('a', 'b')",
    "def f(resolver):\n    return resolver.resolve_quickly()",
]


@pytest.mark.parametrize(("source", "kind"), CAUGHT, ids=[s for s, _ in CAUGHT])
def test_the_io_walk_catches(source: str, kind: str) -> None:
    assert io_kinds_of(source) == {kind}


@pytest.mark.parametrize("source", NOT_CAUGHT)
def test_the_io_walk_lets_through(source: str) -> None:
    assert io_kinds_of(source) == set()
