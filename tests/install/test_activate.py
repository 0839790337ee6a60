"""The activate line install prints for the user's shell (venv's scripts: bin/activate,
activate.fish, activate.csh; Scripts\\Activate.ps1 and activate.bat on Windows), and verify's."""

from __future__ import annotations

import pytest

from envsetup.install.activate import activate_command, shell_of, verify_command


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("/bin/bash", "source /w/.venv-test/bin/activate"),
        ("/usr/bin/zsh", "source /w/.venv-test/bin/activate"),
        ("/usr/bin/fish", "source /w/.venv-test/bin/activate.fish"),
        ("/bin/tcsh", "source /w/.venv-test/bin/activate.csh"),
        ("/bin/csh", "source /w/.venv-test/bin/activate.csh"),
        ("/bin/dash", ". /w/.venv-test/bin/activate"),
        ("", ". /w/.venv-test/bin/activate"),  # no $SHELL: the POSIX dot
    ],
)
def test_posix_shells(shell: str, line: str) -> None:
    environ = {"SHELL": shell} if shell else {}
    assert activate_command("/w/.venv-test", shell=shell_of(environ, False), windows=False) == line


def test_a_path_with_a_space_is_quoted_for_the_shell() -> None:
    assert activate_command("/w/my env", shell="bash", windows=False) == "source '/w/my env/bin/activate'"  # fmt: skip
    assert verify_command("/w/my env", False) == "envsetup verify --env '/w/my env'"


def test_windows_powershell_cmd_and_git_bash() -> None:
    ps = shell_of({"PSModulePath": "C:\\Program Files\\PowerShell\\Modules"}, True)
    assert ps == "powershell"
    assert activate_command("C:\\w\\.venv", shell=ps, windows=True) == "C:\\w\\.venv\\Scripts\\Activate.ps1"  # fmt: skip
    assert activate_command("C:\\my w\\.venv", shell=ps, windows=True) == '& "C:\\my w\\.venv\\Scripts\\Activate.ps1"'  # fmt: skip
    cmd = shell_of({}, True)
    assert activate_command("C:\\w\\.venv", shell=cmd, windows=True) == "C:\\w\\.venv\\Scripts\\activate.bat"  # fmt: skip
    bash = shell_of({"SHELL": "C:\\Program Files\\Git\\usr\\bin\\bash.exe"}, True)
    assert bash == "bash"
    assert activate_command("C:/w/.venv", shell=bash, windows=True) == "source C:/w/.venv/Scripts/activate"  # fmt: skip


def test_a_conda_prefix_is_activated_by_conda() -> None:
    assert activate_command("/opt/envs/t", shell="bash", windows=False, conda=True) == "conda activate /opt/envs/t"  # fmt: skip
