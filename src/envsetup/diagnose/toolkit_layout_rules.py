"""Broken toolkit layouts: a /usr/local/cuda link to a removed toolkit, and a toolkit whose version
files (version.json, version.txt) and nvcc name different CUDA releases (two installs mixed in one
directory). Render words them in render/words/shadow.py."""

from __future__ import annotations

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.model.toolkit import ToolkitKind
from envsetup.model.versions import release_of, version_key
from envsetup.profiles.build_info import BuildLookup


def cuda_link_dangling(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    installed = [
        t
        for t in facts.cuda.toolkits
        if ToolkitKind.of(t) is ToolkitKind.SYSTEM and t.nvcc and t.version
    ]
    newest = max(installed, key=lambda t: version_key(t.version or ""), default=None)
    return [
        Finding(
            id="cuda-link-dangling",
            severity="warning",
            evidence=[f"{link.path} -> {link.target}, which does not exist"],
            params={
                "path": link.path,
                "target": link.target,
                # a toolkit still installed the link could point at instead (None: none found)
                "installed": newest.path if newest else None,
                "installed_version": newest.version if newest else None,
            },
        )
        for link in facts.cuda_layout.dangling_links
    ]


def toolkit_nvcc_version_mismatch(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    findings = []
    for seen in facts.cuda_layout.toolkit_nvcc:
        files, nvcc = release_of(seen.files_version), release_of(seen.nvcc_version)
        if files is None or nvcc is None or files == nvcc:
            continue
        findings.append(
            Finding(
                id="toolkit-nvcc-version-mismatch",
                severity="warning",
                evidence=[
                    f"{seen.path}/{seen.files_source}: CUDA {seen.files_version}",
                    f"{seen.nvcc} --version: {seen.nvcc_version}",
                ],
                params={
                    "path": seen.path,
                    "files_version": seen.files_version,
                    "files_source": seen.files_source,
                    "nvcc": seen.nvcc,
                    "nvcc_version": seen.nvcc_version,
                },
            )
        )
    return findings


RULES = [cuda_link_dangling, toolkit_nvcc_version_mismatch]
