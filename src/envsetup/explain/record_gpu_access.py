"""The NVSwitch fabric and container GPU-access facts a paste states, as the recorded answers
doctor's probe/gpu_access.py asks for (docs/recorded-host.md, items 7 and 8). Part of
`explain --record` (explain/record.py); pure.

- Each pasted GPU's "Fabric" block (state, status, CliqueId, ClusterUUID) as the answer of
  `nvidia-smi -q -x`, its <fabric> element per <gpu> (parsers/fabric.parse_smi_xml_fabric; the
  probe asks `-q -x` where a recording holds no `-q`). The XML form needs nothing the paste
  lacks; the text form wants each GPU's PCI bus id, which a pasted Fabric block does not give.
- The fabric manager's pasted version as `nv-fabricmanager --version`'s line ("Fabric Manager
  version is : 535.161.08", leptonai/gpud's parseFabricManagerVersion test) and its pasted service
  state as `systemctl is-active nvidia-fabricmanager`'s (the state on stdout; exit status 0 when
  active, else 3, LSB's "program is not running": systemd commit 1a0fce45, "systemctl: add
  is-failed").
- The fabric manager's package found absent (facts merged from a host) as the package query's
  "none installed" (exit status 1): dpkg-query on Debian and its derivatives, else rpm.
- Inside a container (the facts name one: a merged host's), its NVIDIA device nodes (empty
  markers) and `nvidia-container-cli info`'s driver and GPU models ("NVRM version:", "Model:"
  lines, parsers/fabric.parse_container_cli_info) or its failure (exit status 1, the error).

Only what the facts state: no NVSwitch device node (no paste shows /dev/nvidia-nvswitchN; doctor
asks `nvidia-smi -q` where NVML names a board's GPUs or, answering, names none: record.py has
NVML answer where a Fabric block proves the driver), no package query but a found-absent one, no
state or version the facts do not give. A tool's path the paste does not name is
the usual one (/usr/bin/NAME), as record.py writes the interpreter.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from envsetup.facts import Facts
from envsetup.probe.gpu_access import DPKG_PATTERN, FM_SERVICE, RPM_PACKAGE

SMI = "/usr/bin/nvidia-smi"
FABRIC_MANAGER = "/usr/bin/nv-fabricmanager"
SYSTEMCTL = "/usr/bin/systemctl"
CONTAINER_CLI = "/usr/bin/nvidia-container-cli"
DPKG_QUERY = "/usr/bin/dpkg-query"
RPM = "/usr/bin/rpm"
# `systemctl is-active`: 0 when active, 3 for every other state (systemd's check_one_unit).
_NOT_ACTIVE_STATUS = 3


def record_gpu_access(
    facts: Facts, files: dict[str, str], which: dict[str, str], commands: list[dict[str, Any]]
) -> None:
    """Add the fabric's and the container runtime's recorded answers the facts state."""
    _fabric_states(facts, which, commands)
    _fabric_manager(facts, which, commands)
    _container(facts, files, which, commands)


def _fabric_states(facts: Facts, which: dict[str, str], commands: list[dict[str, Any]]) -> None:
    gpus = facts.gpu_access.fabric.gpus
    if not gpus:
        return
    # <fabric>'s tags, as parse_smi_xml_fabric reads them
    tags = (("state", "state"), ("status", "status"), ("cliqueId", "clique_id"),
            ("clusterUuid", "cluster_uuid"))  # fmt: skip
    blocks = []
    for gpu in sorted(gpus, key=lambda g: g.index):
        values = [(tag, getattr(gpu, name)) for tag, name in tags]
        inner = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in values if value)
        blocks.append(f"<gpu>\n<fabric>{inner}</fabric>\n</gpu>\n")
    which.setdefault("nvidia-smi", SMI)
    commands.append(
        {
            "argv": [which["nvidia-smi"], "-q", "-x"],
            "returncode": 0,
            "stdout": '<?xml version="1.0" ?>\n<nvidia_smi_log>\n'
            + "".join(blocks)
            + "</nvidia_smi_log>\n",
        }
    )


def _fabric_manager(facts: Facts, which: dict[str, str], commands: list[dict[str, Any]]) -> None:
    fabric = facts.gpu_access.fabric
    if fabric.manager_version:
        which["nv-fabricmanager"] = FABRIC_MANAGER
        commands.append(
            {
                "argv": [FABRIC_MANAGER, "--version"],
                "returncode": 0,
                "stdout": f"Fabric Manager version is : {fabric.manager_version}\n",
            }
        )
    elif fabric.manager_package_absent:  # the package manager was asked and has none
        _no_package(facts, which, commands)
    if fabric.manager_state:
        which["systemctl"] = SYSTEMCTL
        commands.append(
            {
                "argv": [SYSTEMCTL, "is-active", FM_SERVICE],
                "returncode": 0 if fabric.manager_state == "active" else _NOT_ACTIVE_STATUS,
                "stdout": fabric.manager_state + "\n",
            }
        )


def _no_package(facts: Facts, which: dict[str, str], commands: list[dict[str, Any]]) -> None:
    """The package query doctor asks (probe/gpu_access.py's argv), answered "none installed" by
    the distribution's own tool: dpkg-query on Debian and its derivatives, else rpm."""
    os_ = facts.os
    family = {os_.distro_id, *os_.distro_like}
    if family & {"debian", "ubuntu"}:
        which["dpkg-query"] = DPKG_QUERY
        argv = [DPKG_QUERY, "-W", "-f=${db:Status-Abbrev} ${Package} ${Version}\\n", DPKG_PATTERN]
        answer = {"stderr": f"dpkg-query: no packages found matching {DPKG_PATTERN}\n"}
    else:
        which["rpm"] = RPM
        argv = [RPM, "-q", "--qf", "%{VERSION}\\n", RPM_PACKAGE]
        answer = {"stdout": f"package {RPM_PACKAGE} is not installed\n"}
    commands.append({"argv": argv, "returncode": 1, **answer})


def _container(
    facts: Facts, files: dict[str, str], which: dict[str, str], commands: list[dict[str, Any]]
) -> None:
    """The container's NVIDIA device nodes (empty markers) and `nvidia-container-cli info`'s
    answer or failure. doctor asks them inside a container only (probe/gpu_access.py): a paste
    of the tool from the host (where the toolkit usually runs it) has no place in a recording of
    no container."""
    box = facts.gpu_access.container
    if not facts.os.container:
        return
    for node in box.device_nodes:
        if node.startswith("/dev/"):
            files.setdefault(node, "")
    if box.cli_error:
        which["nvidia-container-cli"] = CONTAINER_CLI
        commands.append(
            {"argv": [CONTAINER_CLI, "info"], "returncode": 1, "stderr": box.cli_error + "\n"}
        )
        return
    if not (box.cli_driver or box.cli_gpus):
        return
    lines = [f"NVRM version:   {box.cli_driver}\n"] if box.cli_driver else []
    for index, model in enumerate(box.cli_gpus):
        lines.append(f"\nDevice Index:   {index}\nModel:          {model}\n")
    which["nvidia-container-cli"] = CONTAINER_CLI
    commands.append({"argv": [CONTAINER_CLI, "info"], "returncode": 0, "stdout": "".join(lines)})
