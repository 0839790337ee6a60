"""The flow of the code, read from its imports (docs/architecture.md, "Layers").

Every module of src/envsetup belongs to one layer; a module imports only from its own layer or
from layers below it: the test walks each module's syntax tree (imports at the top, inside
functions, under TYPE_CHECKING, and `importlib.import_module("literal")`). A second test keeps
processes, the environment and the file system at the edges: host/ and the few modules listed in
IO_ALLOWED, each with its reason; the list may only shrink.
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
    # failure: the error envelope and its kinds, which render.schema publishes.
    ("render", ("envsetup.render", "envsetup.failure")),
    # A command's run apart from its flags (doctor's and explain's: the fast path calls them without typer).
    ("runs", ("envsetup.doctor_run", "envsetup.explain_run")),
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

# (module, kind) -> why it still reaches the OS itself. Kinds: subprocess, environ, filesystem.
# The list may only shrink: an entry that is no longer needed fails the test too.
IO_ALLOWED: dict[tuple[str, str], str] = {
    (
        "envsetup.safe_read",
        "filesystem",
    ): "the bounded, non-blocking reader host/ (and so install, profiles) and --facts share",
    ("envsetup.sanitize", "environ"): "the secret values to redact are this process's variables "
    "(base layer, below host/: read afresh at each redaction)",
    ("envsetup.commands.verify", "filesystem"): "writes the --junit report file",
    (
        "envsetup.render.schema",
        "filesystem",
    ): "`python -m envsetup.render.schema DIR` writes docs/schema",
    (
        "envsetup.fast_path",
        "environ",
    ): "sees click's shell-completion request, to leave it to typer, before anything is imported",
}

_OS_FILE_CALLS = {
    "open", "fdopen", "remove", "unlink", "rename", "replace", "mkdir", "makedirs", "rmdir",
    "removedirs", "listdir", "scandir", "stat", "lstat", "chmod", "fchmod", "chown", "walk",
    "symlink", "link", "readlink", "access", "utime", "truncate", "ftruncate", "fsync", "mkfifo",
}  # fmt: skip
_OS_PROCESS_CALLS = {
    "system",
    "popen",
    "fork",
    "execv",
    "execve",
    "execvp",
    "spawnv",
    "posix_spawn",
}
_ENVIRON = {"environ", "getenv", "putenv", "unsetenv", "environb"}
# Method names only files have (a Host's read_text/exists/glob are the boundary, not a bypass).
_PATH_CALLS = {
    "write_text",
    "write_bytes",
    "mkdir",
    "unlink",
    "rmdir",
    "touch",
    "symlink_to",
    "open",
}
_SHUTIL_FILE_CALLS = {"rmtree", "copy", "copy2", "copyfile", "copytree", "move", "which"}
# os.path functions that ask the file system (join, basename... are string work).
_OS_PATH_CALLS = {
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "realpath", "getsize",
    "getmtime", "getatime", "getctime", "samefile",
}  # fmt: skip
# pathlib queries. A Host has read_text/exists/glob too: calls on a receiver whose spelling
# names a host (`host.glob`, `self._host.exists`, install's `host_files.is_dir`, the
# envsetup.host.files.Files it is given) are the boundary, not a bypass.
_PATH_QUERIES = {
    "exists", "is_file", "is_dir", "is_symlink", "iterdir", "glob", "rglob", "read_text",
    "read_bytes", "stat", "lstat",
}  # fmt: skip
# What `from os import ...` / `from shutil import ...` may bring in that touches the OS.
_FROM_OS = _ENVIRON | _OS_FILE_CALLS | _OS_PROCESS_CALLS


def io_kinds(path: Path) -> set[str]:
    """What a module does to the OS itself: spawns processes, reads the environment, touches files."""
    kinds: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            if any(n and n.split(".")[0] == "subprocess" for n in names):
                kinds.add("subprocess")
            if isinstance(node, ast.Import) and any(
                a.asname and a.name in ("os", "shutil") for a in node.names
            ):
                kinds.add("filesystem")  # `import os as o`: o.* is not followed; count it
            if isinstance(node, ast.ImportFrom) and node.module in ("os", "shutil"):
                for alias in node.names:
                    if alias.name in _ENVIRON:
                        kinds.add("environ")
                    elif node.module == "shutil" or alias.name in _FROM_OS | {"path"}:
                        kinds.add("subprocess" if alias.name in _OS_PROCESS_CALLS else "filesystem")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and (node.value.value.id, node.value.attr) == ("os", "path")
            and node.attr in _OS_PATH_CALLS
        ):
            kinds.add("filesystem")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, attr = node.value.id, node.attr
            if owner == "os" and attr in _ENVIRON:
                kinds.add("environ")
            elif owner == "os" and attr in _OS_FILE_CALLS:
                kinds.add("filesystem")
            elif owner == "os" and attr in _OS_PROCESS_CALLS:
                kinds.add("subprocess")
            elif owner == "shutil" and attr in _SHUTIL_FILE_CALLS:
                kinds.add("filesystem")
        if isinstance(node, ast.Call):
            func = node.func
            if (
                (isinstance(func, ast.Name) and func.id == "open")
                or (isinstance(func, ast.Attribute) and func.attr in _PATH_CALLS)
                or (
                    isinstance(func, ast.Attribute)
                    and func.attr in _PATH_QUERIES
                    and "host" not in ast.unparse(func.value).lower()
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
SHIPPED_DATA = {"envsetup.compat": "the CUDA driver table, src/envsetup/data/cuda_drivers.toml"}


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
