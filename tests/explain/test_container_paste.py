"""explain on a container's GPU (explain12): the paste's container signs (a root@<container id>
prompt, the `docker run` that started it, a pod spec) with nvidia-smi missing in it, and the
runtime's and the hook's own errors. Real pastes: tests/fixtures/explain/container (SOURCES.tsv);
the few lines written here are marked as such and only combine real lines or plain prompts.
"""

from __future__ import annotations

from envsetup.explain.run import explain
from envsetup.parsers.signals.container import prompt_signals
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import fixture_text

C = "explain/container/"


def _findings(text: str) -> dict:
    return {f.id: f for f in explain(text, None, lookup_build).findings}


def test_a_container_id_prompt_is_a_container_sign_a_host_name_is_not() -> None:
    assert prompt_signals(["root@00921839c781:/anomalib# nvcc --version"])[0].params == {
        "id": "00921839c781"
    }
    assert prompt_signals(["(base) root@4728a09607c1:/workspace# python"])
    for host in ("root@myserver:~# nvidia-smi", "root@123456789012:/# ls", "me@deadbeefcafe:~$ ls"):
        assert not prompt_signals([host]), host


def test_the_prompt_is_cited_by_its_container_id() -> None:
    text = fixture_text(C + "docker-root-hex-prompt-nvidia-smi-not-found-anomalib.txt")
    found = _findings(text)["container-gpu-not-passed"]
    assert found.evidence[0] == (
        "paste:2: prompt root@00921839c781 (a container's id as its host name)"
    )


def test_nvidia_smi_missing_on_a_host_is_no_container_finding() -> None:
    # Written here: a host's prompt, and bash's message as in the anomalib paste.
    text = "user@workstation:~$ nvidia-smi\nbash: nvidia-smi: command not found\n"
    found = _findings(text)
    assert not {"container-gpu-not-passed", "container-gpu-not-injected"} & set(found)
    rhel = fixture_text("paste/nvidia-smi/nvidia-smi-not-found-diagnostics-rhel8.txt")
    assert "container-gpu-not-passed" not in _findings(rhel)


def test_a_container_started_with_the_gpu_is_not_said_to_lack_it() -> None:
    # Written here: the anomalib container's lines, started with --gpus all.
    text = "$ docker run --gpus all -it test\nbash: nvidia-smi: command not found\n"
    assert "container-gpu-not-passed" not in _findings(text)


def test_each_real_container_without_the_gpu_gets_the_runtime_s_fix() -> None:
    for name, runtime in (
        ("docker-root-hex-prompt-nvidia-smi-not-found-anomalib.txt", "docker"),
        ("docker-run-no-gpus-nvidia-smi-not-found-host-v100.txt", "docker"),
        ("docker-env-visible-devices-only-exec-nvidia-smi-not-found.txt", "docker"),
        ("podman-env-visible-devices-exec-nvidia-smi-not-found.txt", "podman"),
    ):
        found = _findings(fixture_text(C + name))["container-gpu-not-passed"]
        assert found.params["runtime"] == runtime, name
        words = words_for(found)
        assert "install the driver" not in words.fix.replace("install the driver on the host", "")
        assert ("--gpus all" if runtime == "docker" else "nvidia.com/gpu=all") in words.fix, name


def test_nvidia_visible_devices_alone_is_said_to_do_nothing_without_the_nvidia_runtime() -> None:
    found = _findings(
        fixture_text(C + "docker-env-visible-devices-only-exec-nvidia-smi-not-found.txt")
    )
    fix = words_for(found["container-gpu-not-passed"]).fix
    assert "NVIDIA_VISIBLE_DEVICES=all` alone does nothing" in fix
    assert found["container-gpu-not-passed"].params["host_driver"] == "510.47.03"


def test_torch_s_no_driver_in_a_pasted_container_defers_to_the_container() -> None:
    paste = fixture_text(C + "docker-root-hex-prompt-nvidia-smi-not-found-anomalib.txt")
    paste += "\n" + fixture_text("torch-errors/no-nvidia-driver-found.txt")
    found = _findings(paste)
    assert "container-gpu-not-passed" in found and "torch-no-nvidia-driver" not in found


def test_a_pod_whose_runtime_injected_nothing_gets_kubernetes_words() -> None:
    found = _findings(fixture_text(C + "k8s-pod-gpu-limit-exec-nvidia-smi-not-found-nvkind.txt"))
    words = words_for(found["container-gpu-not-injected"])
    assert "Kubernetes pod" in words.title and "nvidia.com/gpu: 2" in words.title
    assert "runtimeClassName: nvidia" in words.fix and "--gpus" not in words.fix


def test_the_image_s_cuda_requirement_names_the_driver_floor_of_that_cuda() -> None:
    for name, driver in (
        ("nvidia-container-cli-requirement-cuda12.8-driver-550.txt", "550.144.03"),
        ("nvidia-container-cli-requirement-cuda12.8-windows-551.txt", "551.78"),
    ):
        found = _findings(fixture_text(C + name))["container-cuda-requirement-unmet"]
        assert found.params["cuda"] == "12.8" and found.params["host_driver"] == driver
        # data/cuda_drivers.toml: CUDA 12.8 shipped with 570.26 (Linux), 570.65 (Windows).
        assert (found.params["need_linux"], found.params["need_windows"]) == ("570.26", "570.65")
        assert "570.26" in words_for(found).fix and "<= CUDA 12.4" in words_for(found).fix


def test_the_runtime_s_setup_errors_get_their_setup_fix() -> None:
    cdi = _findings(fixture_text(C + "podman-docker-cdi-unresolvable-nvidia-gpu-all.txt"))
    assert "nvidia-ctk cdi generate" in words_for(cdi["container-cdi-spec-missing"]).fix
    for name in (
        "docker-unknown-or-invalid-runtime-name-nvidia.txt",
        "jetson-l4t-36.4.7-invalid-runtime-nvidia-retold.txt",
    ):
        found = _findings(fixture_text(C + name))["container-toolkit-missing"]
        assert found.params["runtime_name"] == "nvidia"
        assert "nvidia-ctk runtime configure --runtime=docker" in words_for(found).fix


def test_nvml_insufficient_permissions_is_permissions_not_the_driver() -> None:
    for name in (
        "podman-cdi-nvml-insufficient-permissions.txt",
        "docker-fedora-selinux-nvml-insufficient-permissions.txt",
        "docker-hook-nvml-error-insufficient-permissions.txt",
    ):
        found = _findings(fixture_text(C + name))
        assert "nvml-insufficient-permissions" in found, name
        assert not {"could-not-read", "container-runtime-no-driver"} & set(found), name
        fix = words_for(found["nvml-insufficient-permissions"]).fix
        assert "container_use_devices" in fix and "Do not reinstall the driver" in fix
