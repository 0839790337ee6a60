"""resolve() for one request, cheaply: the release that usually decides is loaded first."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envsetup.facts import Facts
    from envsetup.resolve.request import InstallRequest
    from envsetup.resolve.resolution import Resolution


def resolve_quickly(request: InstallRequest, facts: Facts) -> Resolution:
    """resolve() with every profile loaded, but try the one release that usually decides first.

    A plan for release R depends on R's profile alone, and without --torch the resolver returns
    the newest release that fits; so when that one profile resolves, the answer is the same as
    with all of them. A refusal is recomputed with every profile, for its alternatives.
    """
    from envsetup.profiles.loader import load_release, load_releases, release_files
    from envsetup.resolve.resolution import ResolutionRefused
    from envsetup.resolve.resolver import resolve

    files = release_files()
    wanted = request.torch_release or files[-1][0]
    first = [load_release(path) for name, path in files if name == wanted]
    if first:
        try:
            return resolve(request, facts, first)
        except ResolutionRefused:
            pass
    return resolve(request, facts, load_releases())
