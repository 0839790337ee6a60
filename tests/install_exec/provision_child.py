"""Run provision() in a child process that pauses mid-install, so a test can signal it.

argv: RESOLUTION_JSON INDEX_BASE LOG_DIR MARKER [PAUSE_AT [MODE]].

Every output line is printed to stdout. PAUSE_AT says where the child pauses (after writing
MARKER): "install-output" (the default) on the first output line of the install step (the installer
is running then); a prefix such as "==> read back" on the first line that starts with it; "never"
to run on (a test then signals it at a time of its choosing). MODE: "upgrade" or "force".
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from envsetup.errors import EnvsetupError
from envsetup.resolve.resolution import Pin, Resolution
from envsetup.verified_install import provision

INSTALL_OUTPUT = "install-output"


def main() -> int:
    data, base, log_dir, marker = sys.argv[1:5]
    pause_at = sys.argv[5] if len(sys.argv) > 5 else INSTALL_OUTPUT
    mode = sys.argv[6] if len(sys.argv) > 6 else ""
    fields = json.loads(data)
    fields["pins"] = [Pin(**pin) for pin in fields["pins"]]
    resolution = Resolution(**fields)
    seen_install = False

    def on_output(line: str) -> None:
        nonlocal seen_install
        print(line, flush=True)
        if pause_at == INSTALL_OUTPUT:
            here = seen_install and not line.startswith("==>")
        else:
            here = line.startswith(pause_at)
        if here:
            Path(marker).write_text(line)
            time.sleep(120)
        seen_install = seen_install or line.startswith("==> install")

    try:
        provision(
            resolution,
            index_url_base=base,
            log_dir=log_dir,
            on_output=on_output,
            upgrade=mode == "upgrade",
            force=mode == "force",
        )
    except EnvsetupError as exc:
        print(f"envsetup: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
