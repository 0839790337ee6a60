import subprocess
import sys

from envsetup import __version__


def test_version_prints_the_package_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", "--version"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"envsetup {__version__}"
