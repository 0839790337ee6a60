"""doctor's torch-not-installed never sends the user to `envsetup install` where install refuses
(attack13 H2): the refusal is the resolver's own, and the fix names its remedy."""

from __future__ import annotations

import pytest

from hostbuilder import FIXTURES
from test_printed_fixes import run_cli

HOSTS = FIXTURES / "hosts"


@pytest.mark.parametrize(
    ("host", "refused", "remedy"),
    [
        ("agx-orin-r39.2-jp7.2-no-torch", "jetson-no-index", "NVIDIA lists its Jetson wheels"),
        ("alpine-musl-python3.7-no-torch", "no-release-fits", "glibc-based system"),
        (
            "centos7-glibc2.17-python3.6-8xh100",
            "no-release-fits",
            "`envsetup install --manager uv --python 3.12 --cuda auto`",
        ),
    ],
)
def test_torch_not_installed_names_the_refusal_s_remedy(
    host: str, refused: str, remedy: str
) -> None:
    import json

    replay = str(HOSTS / host)
    install = run_cli(["install", "--dry-run", "--replay", replay])
    assert "cannot install" in install.err + install.out  # install refuses here
    answer = run_cli(["doctor", "--json", "--replay", replay])
    finding = next(
        f for f in json.loads(answer.out)["findings"] if f["id"] == "torch-not-installed"
    )
    assert finding["params"]["install_refused"] == refused
    fix = finding["fix"]
    assert remedy in fix
    assert "envsetup install --cuda auto" not in fix and "picks the build" not in fix


def test_a_machine_install_serves_keeps_the_install_fix() -> None:
    from envsetup.diagnose import diagnose
    from envsetup.probe.facts_source import load_facts
    from envsetup.profiles.lookup import lookup_build

    facts = load_facts(str(HOSTS / "ci-debian12-cuda13-no-driver"), None)
    facts.torch.version = None  # the same machine without torch: install resolves there
    from envsetup.resolve.install_refusal import with_install_refusal

    judged = with_install_refusal(diagnose(facts, lookup_build), facts)
    found = [f for f in judged if f.id == "torch-not-installed"]
    assert found and "install_refused" not in found[0].params
