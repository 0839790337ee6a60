"""Entry point: `python path/to/envsetup_verify_worker/__main__.py` (no envsetup needed)."""

import os
import sys

if __name__ == "__main__":
    # Run as a script, Python put this directory first on sys.path, where its modules would shadow
    # top-level names (`bench`, `registry`...). Put the parent there instead: it holds only this package.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[0] = os.path.dirname(here)
    from envsetup_verify_worker.shipped import use_capability_module

    if len(sys.argv) > 1:  # the runner passes envsetup/model/capability.py's path
        use_capability_module(sys.argv[1])
    from envsetup_verify_worker.loop import main

    main()
