"""The fabric manager's install command follows the distribution and is pinned to the driver:
apt on Debian/Ubuntu, yum on RHEL/CentOS 7 (no dnf there), dnf on RHEL 8+/Fedora, zypper on SLES
(NVIDIA/yum-packaging-fabric-manager README and spec: package nvidia-fabricmanager-BRANCH of
version VERSION-1). The real CentOS 7 host (wilicc/gpu-burn #92) is in
tests/doctor/test_gpu_access.py and tests/explain/real_pastes.py."""

from __future__ import annotations

import pytest

from envsetup.diagnose.finding import Finding
from envsetup.diagnose.gpu_access_rules import package_tool
from envsetup.facts import OsFacts
from envsetup.render.finding_words import words_for


def _os(distro_id: str = "", version: str = "", like: str = "", name: str = "") -> OsFacts:
    return OsFacts(
        system="Linux", arch="x86_64", distro_id=distro_id, distro_version=version,
        distro_like=like.split(), distro_name=name,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("os_", "tool"),
    [
        (_os("centos", "7", "rhel fedora"), "yum"),
        (_os(name="CentOS 7"), "yum"),  # a paste's "OS: CentOS 7"
        (_os("rhel", "7.9", "fedora"), "yum"),
        (_os("amzn", "2", "centos rhel fedora"), "yum"),
        (_os("rocky", "8.10", "rhel centos fedora"), "dnf"),
        (_os("rhel", "9.4", "fedora"), "dnf"),
        (_os("amzn", "2023", "fedora"), "dnf"),
        (_os("ubuntu", "22.04", "debian"), "apt"),
        (_os("sles", "15.5"), "zypper"),
        (_os(), None),
    ],
)
def test_package_tool(os_: OsFacts, tool: str) -> None:
    assert package_tool(os_) == tool


@pytest.mark.parametrize(
    ("packager", "command"),
    [
        ("yum", "`sudo yum install nvidia-fabricmanager-545-545.23.08-1`"),
        ("dnf", "`sudo dnf install nvidia-fabricmanager-545-545.23.08-1`"),
        ("apt", "`sudo apt-get install nvidia-fabricmanager-545=545.23.08-1`"),
    ],
)
def test_both_findings_pin_the_package_in_the_distributions_tool(
    packager: str, command: str
) -> None:
    params = {"driver": "545.23.08", "branch": "545", "packager": packager}
    for finding_id in ("fabric-manager-not-installed", "cuda-fabric-manager-not-ready"):
        fix = words_for(Finding(id=finding_id, severity="error", params=params)).fix
        assert command in fix, fix
        assert ("apt" in fix) is (packager == "apt"), fix


def test_unknown_distribution_names_each_form() -> None:
    params = {"driver": "545.23.08", "branch": "545"}
    fix = words_for(Finding(id="fabric-manager-not-installed", severity="error", params=params)).fix
    assert "apt-get install nvidia-fabricmanager-545=545.23.08-1" in fix
    assert "yum install nvidia-fabricmanager-545-545.23.08-1" in fix
