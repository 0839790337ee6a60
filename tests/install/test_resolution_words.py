"""render/resolution_words.py: the resolver hands over codes and parameters; the sentences people
read (the plan's reasons, a refusal's one line) are made here, word for word as before the
resolver stopped writing prose."""

from __future__ import annotations

import json

import pytest

from envsetup.profiles.loader import Release
from envsetup.render.install_json import resolution_dict
from envsetup.render.install_text import refusal_line
from envsetup.render.resolution_words import explanation, refusal_note
from envsetup.resolve.reasons import ReasonCode
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolution import RefusalCode, ResolutionRefused
from envsetup.resolve.resolver import resolve

from .machines import make_facts

RTX_3090 = ("NVIDIA GeForce RTX 3090", "8.6")
RTX_5090 = ("NVIDIA GeForce RTX 5090", "12.0")
V100 = ("Tesla V100-SXM2-16GB", "7.0")


def _refusal(releases: list[Release], machine: dict, **request: str) -> ResolutionRefused:
    with pytest.raises(ResolutionRefused) as caught:
        resolve(parse_request(**request), make_facts(**machine), releases)
    return caught.value


def test_a_plan_is_worded_one_line_per_reason(releases: list[Release]) -> None:
    facts = make_facts(driver="535.104.05", driver_cuda="12.2", gpus=[RTX_3090])
    plan = resolve(parse_request(torch="2.0"), facts, releases)
    assert [r.code for r in plan.reasons] == [
        ReasonCode.RELEASE_CHOSEN,
        ReasonCode.VERDICT,  # glibc
        ReasonCode.PYTHON_CHOSEN,
        ReasonCode.VERDICT,  # driver
        ReasonCode.VERDICT,  # the GPU's arch
        ReasonCode.AUTO_CHOSEN,
        ReasonCode.INDEX,
        ReasonCode.UNCONFIRMED_FACTS,
    ]
    assert explanation(plan) == [
        "torch 2.0.1 (release 2.0 of 2023-03, as asked) for linux-x86_64 with pip",
        "glibc 2.35 ≥ 2.17",
        "Python 3.11 (the version of the Python doctor inspects here) is in 3.8–3.11",
        "driver 535.104.05 supports CUDA ≤ 12.2: enough for cu118 (CUDA 11.8, driver ≥ 450.80.02)",
        "GPU 0 (NVIDIA GeForce RTX 3090): sm_86 is in the cu118 build",
        "auto: cu118 is the highest CUDA build of 2.0 this driver runs whose arch list holds "
        "every GPU (sm_86)",
        "from https://download.pytorch.org/whl/cu118",
        "rests on unconfirmed facts: torch 2.0: release_date is unconfirmed in the profile; "
        "glibc floor of torch 2.0: glibc_min is unconfirmed in the profile",
    ]


def test_install_json_keeps_the_sentences_and_adds_the_codes_beside_them(
    releases: list[Release],
) -> None:
    plan = resolve(parse_request(torch="2.5", cuda="cpu"), make_facts(), releases)
    data = json.loads(json.dumps(resolution_dict(plan)))
    assert data["explanation"] == explanation(plan)
    assert [r["code"] for r in data["reasons"]] == [r.code.value for r in plan.reasons]
    assert len(data["reasons"]) == len(data["explanation"])
    # The unconfirmed facts stay sentences in JSON; as data they travel in their reason.
    assert data["unconfirmed"] and all(
        line.endswith("in the profile") for line in data["unconfirmed"]
    )
    assert data["reasons"][-1]["facts"] == [fact.to_dict() for fact in plan.unconfirmed]
    assert data["explanation"][-1] == "rests on unconfirmed facts: " + "; ".join(
        data["unconfirmed"]
    )


def test_every_cuda_build_blocked_by_the_driver_is_said_per_build(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "418.87.00", "driver_cuda": "10.1", "gpus": [V100]}, torch="2.4")  # fmt: skip
    assert refusal.code is RefusalCode.NO_CUDA_BUILD_RUNS
    assert refusal_line(refusal) == (
        "envsetup: cannot install: no CUDA build of torch 2.4 runs here: cu118 needs driver ≥ "
        "450.80.02, this one is 418.87.00; cu121 needs driver ≥ 525.60.13, this one is "
        "418.87.00; cu124 needs driver ≥ 525.60.13, this one is 418.87.00; instead try: upgrade "
        "the NVIDIA driver to ≥ 450.80.02 | --cuda cpu"
    )


def test_every_cuda_build_without_kernels_is_said_per_build(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "570.86.10", "driver_cuda": "12.8", "gpus": [RTX_5090]}, torch="2.0")  # fmt: skip
    assert refusal_line(refusal) == (
        "envsetup: cannot install: no CUDA build of torch 2.0 runs here: cu117 has no kernels for "
        "sm_120 (arch list 3.7;5.0;6.0;7.0;7.5;8.0;8.6); cu118 has no kernels for sm_120 (arch "
        "list 3.7;5.0;6.0;7.0;7.5;8.0;8.6;9.0); instead try: --cuda cpu | --torch 2.7 (cu128) | "
        "--torch 2.8 (cu128)"
    )


def test_a_summary_refusal_says_the_refusal_it_stands_for(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"python": "3.8.10"}, cuda="auto", manager="uv", python="3.7")
    assert refusal.code is RefusalCode.NO_RELEASE_FITS and refusal.cause is not None
    assert refusal_line(refusal) == (
        "envsetup: cannot install: no release fits this machine; for the newest, torch 2.14: "
        "Python 3.7 is not supported by torch 2.14 (wheels for 3.10–3.14); instead try: "
        "--python 3.14"
    )
    assert refusal_note(refusal) == (
        "no release fits this machine; for the newest, torch 2.14: Python 3.7 is not supported "
        "by torch 2.14 (wheels for 3.10–3.14) (try: --python 3.14)"
    )


def _recorded(name: str):  # type: ignore[no-untyped-def]
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from hostbuilder import case_host

    return probe_all(RecordedHost(str(case_host(name))))


def test_auto_says_arch_coverage_was_not_checked_when_the_arch_list_is_unknown(
    releases: list[Release],
) -> None:
    # The GB200 box (case 03): cu128 on linux-aarch64, whose arch list the profile lacks.
    plan = resolve(parse_request(), _recorded("03-aarch64-gb200-pypi-cpu-wheel"), releases)
    auto = next(r for r in plan.reasons if r.code is ReasonCode.AUTO_CHOSEN)
    assert auto.params["arch_known"] is False
    assert any(r.verdict is not None and r.verdict.code.value == "arch-unknown" for r in plan.reasons)  # fmt: skip
    line = explanation(plan)[plan.reasons.index(auto)]
    assert "holds every GPU" not in line and "unchecked" in line
    # dstack's H100 box: cu129's arch list is known and holds sm_90 (once, for eight GPUs).
    plan = resolve(parse_request(), _recorded("07-fabricmanager-802-h100"), releases)
    auto = next(r for r in plan.reasons if r.code is ReasonCode.AUTO_CHOSEN)
    assert auto.params["arch_known"] is True
    assert explanation(plan)[plan.reasons.index(auto)].endswith("every GPU (sm_90)")


@pytest.mark.parametrize(
    ("machine", "nearer"),
    [
        # attack12c hosts 16 (CentOS 7, glibc 2.17, Python 3.6.8) and 24 (Ubuntu 18.04, glibc
        # 2.27, Python 3.7 with driver 418): glibc stops 2.6 and later, but what stops 2.5, which
        # that glibc allows, is the Python, not glibc.
        (
            {"glibc": "2.17", "python": "3.6.8"},
            "torch 2.5: Python 3.6 is not supported by torch 2.5",
        ),
        (
            {
                "glibc": "2.27",
                "python": "3.7.3",
                "driver": "418.67",
                "driver_cuda": "10.1",
                "gpus": [V100],
            },
            "torch 2.5: Python 3.7 is not supported by torch 2.5",
        ),
    ],
)
def test_no_release_fits_names_the_next_constraint_that_binds(
    releases: list[Release], machine: dict, nearer: str
) -> None:
    refusal = _refusal(releases, machine, cuda="auto")
    assert refusal.code is RefusalCode.NO_RELEASE_FITS
    assert refusal.nearer is not None and refusal.nearer.params["release"] == "2.5"
    line = refusal_line(refusal)
    assert "for the newest, torch 2.14: torch 2.14 wheels for linux-x86_64 need glibc ≥ 2.28" in line  # fmt: skip
    assert f"the newest release without that block, {nearer}" in line
