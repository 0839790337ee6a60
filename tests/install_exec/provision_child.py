"""Run provision() in a child process that pauses mid-install, so a test can signal it.

argv: RESOLUTION_JSON INDEX_BASE LOG_DIR MARKER. The child pauses on the first output line of the
install step (the installer is running then), after writing MARKER.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from envsetup.errors import EnvsetupError
from envsetup.install.execute import provision
from envsetup.install.resolution import Pin, Resolution


def main() -> int:
    data, base, log_dir, marker = sys.argv[1:5]
    fields = json.loads(data)
    fields["pins"] = [Pin(**pin) for pin in fields["pins"]]
    resolution = Resolution(**fields)
    seen_install = False

    def on_output(line: str) -> None:
        nonlocal seen_install
        if seen_install and not line.startswith("==>"):
            Path(marker).write_text(line)
            time.sleep(120)
        seen_install = seen_install or line.startswith("==> install")

    try:
        provision(resolution, index_url_base=base, log_dir=log_dir, on_output=on_output)
    except EnvsetupError as exc:
        print(f"envsetup: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
