"""The console script's first module: a Ctrl-C at any moment, start-up included, is exit 130.

Python turns SIGINT into a KeyboardInterrupt wherever it lands; during the imports of typer and rich,
before main()'s handlers exist, that is a traceback. So the quiet handler goes in first, before
anything heavy is imported; cli.main() hands SIGINT back to KeyboardInterrupt once its handlers and
the commands' cleanup (locks, half-made environments) are in place.
"""

from __future__ import annotations

from envsetup.failure import quiet_interrupts

quiet_interrupts()


def main() -> None:
    from envsetup.cli import main as cli_main

    cli_main()
