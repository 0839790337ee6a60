"""The console script's first module: a Ctrl-C at any moment, start-up included, is exit 130.

Python turns SIGINT into a KeyboardInterrupt wherever it lands; during the imports of typer and rich,
before main()'s handlers exist, that is a traceback. So the quiet handler goes in first, before
anything else is imported; cli.main() hands SIGINT back to KeyboardInterrupt once its handlers and
the commands' cleanup (locks, half-made environments) are in place.
"""

from __future__ import annotations

import os
import signal
import sys


def _interrupted(signum: int, frame: object) -> None:
    try:
        from envsetup.failure import report

        report(sys.argv, "interrupted", "interrupted", 130)
    except BaseException:  # landed inside the import of failure itself: say it plainly
        os.write(2, b"envsetup: interrupted\n")
    os._exit(130)


signal.signal(signal.SIGINT, _interrupted)


def main() -> None:
    from envsetup.cli import main as cli_main

    cli_main()
