"""The normaliser: real outputs wrapped the ways people post them read back as the outputs."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from envsetup.explain.paste import NotText, decode, normalise
from explain.corpus import corpus, pasted, text

CORPUS = corpus() + pasted()


def contents(pasted: str) -> list[str]:
    return [line.text for line in normalise(pasted) if line.text.strip()]


def fenced(body: str) -> str:
    return "Here is what I get:\n\n```text\n" + body + "```\nAny idea?\n"


WRAPPINGS = {
    "code fence": lambda body: fenced(body),
    "> quote": lambda body: "".join(f"> {line}\n" for line in body.splitlines()),
    ">> quote in a quote": lambda body: "".join(f">> {line}\n" for line in body.splitlines()),
    "CRLF": lambda body: body.replace("\n", "\r\n"),
    "ANSI colours": lambda body: "".join(
        f"\x1b[1;32m{line}\x1b[0m\n" for line in body.splitlines()
    ),
    "forum indentation": lambda body: "".join(f"    {line}\n" for line in body.splitlines()),
    "indented fence": lambda body: (
        "```\n" + "".join(f"\t{line}\n" for line in body.splitlines()) + "```\n"
    ),
    "GitHub Actions timestamps": lambda body: "".join(
        f"2025-03-01T10:22:33.4567890Z {line}\n" for line in body.splitlines()
    ),
    "[stderr] prefix": lambda body: "".join(f"[stderr] {line}\n" for line in body.splitlines()),
    # the loggers of the programs torch runs under (their real forms: REAL_PREFIXED below)
    "vLLM worker log": lambda body: "".join(
        f"(VllmWorkerProcess pid=78102) ERROR 02-20 16:43:12 engine.py:389] {line}\n"
        for line in body.splitlines()
    ),
    "vLLM >= 0.8 log under Ray": lambda body: "".join(
        f"(RayWorkerWrapper pid=392789, ip=10.0.0.2) INFO 03-02 19:48:25 [core.py:12] {line}\n"
        for line in body.splitlines()
    ),
    "glog": lambda body: "".join(
        f"E0220 16:43:12.123456 12345 cuda_device.cc:123] {line}\n" for line in body.splitlines()
    ),
    "Python logging": lambda body: "".join(
        f"2024-05-01 12:00:00,123 - root - ERROR - {line}\n" for line in body.splitlines()
    ),
    "torchrun rank": lambda body: "".join(f"[rank0]: {line}\n" for line in body.splitlines()),
}


# The wrappings that make each line a log line (a logger's prefix on every line).
LOG_LINES = ("GitHub Actions timestamps", "[stderr] prefix", "vLLM worker log", "glog",
             "vLLM >= 0.8 log under Ray", "Python logging", "torchrun rank")  # fmt: skip


@pytest.mark.parametrize("wrapping", sorted(WRAPPINGS))
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_wrapped_real_output_reads_as_the_output(path: Path, wrapping: str) -> None:
    original = text(path)
    if not original.endswith("\n"):
        original += "\n"  # a file cut mid-line: the wrapping starts on a line of its own
    if "fence" in wrapping and "```" in original:
        pytest.skip("a post does not put a fence inside a fence")
    # Real pastes that are posts themselves (tests/fixtures/paste ext-*): their own quote marks
    # and list dashes are the post's, not the output's.
    post = path.name.startswith("ext-")
    starts = [line.lstrip()[:3] for line in original.splitlines()] if post else []
    quoted = any(start.startswith(">") and start != ">>>" for start in starts)
    if wrapping in LOG_LINES and (quoted or any(start.startswith("- ") for start in starts)):
        pytest.skip("a log line does not carry a post's quote marks or list dashes")
    if "quote" in wrapping and quoted:
        pytest.skip("a quoted post quoted again loses the indentation before its own quote marks")
    wrapped = WRAPPINGS[wrapping](original)
    expected = contents(original)
    if wrapping == "code fence":
        expected = ["Here is what I get:", *expected, "Any idea?"]
    assert contents(wrapped) == expected


def test_line_numbers_are_those_of_the_paste_as_given() -> None:
    pasted = "```\r\n$ nvcc --version\r\n\r\nnvcc: NVIDIA (R) Cuda compiler driver\r\n```\r\n"
    lines = normalise(pasted)
    assert [line.number for line in lines] == [1, 2, 3, 4, 5]
    assert [line.text for line in lines] == ["", "nvcc --version", "", lines[3].text, ""]
    assert lines[3].text == "nvcc: NVIDIA (R) Cuda compiler driver"


@pytest.mark.parametrize(
    ("pasted", "command"),
    [
        ("$ nvidia-smi", "nvidia-smi"),
        ("# nvidia-smi -L", "nvidia-smi -L"),
        ("(base) $ nvcc -V", "nvcc -V"),
        (
            "(env) user@host:~/work$ python -m torch.utils.collect_env",
            "python -m torch.utils.collect_env",
        ),
        (
            "root@4f1c2a:/workspace# cat /proc/driver/nvidia/version",
            "cat /proc/driver/nvidia/version",
        ),
        ("[user@gpu01 ~]$ uname -a", "uname -a"),
        ("/mnt/c/Users/Jesper$ cat /proc/version", "cat /proc/version"),
        ("PS C:\\Users\\me> nvidia-smi", "nvidia-smi"),
        ('(venv) PS C:\\work> python -c "import torch"', 'python -c "import torch"'),
        ("C:\\Users\\me>nvcc --version", "nvcc --version"),
        (">>> torch.cuda.is_available()", "torch.cuda.is_available()"),
        ("In [3]: import torch", "import torch"),
        ("➜  ~ **cat /etc/os-release** ", "cat /etc/os-release"),
        ("user@host ~ % nvidia-smi", "nvidia-smi"),
        # a conda prompt whose "(" the post cut (facebookresearch/vggt#437)
        ("vggt) D:\\Anaconda\\envs\\vggt\\vggt>nvidia-smi", "nvidia-smi"),
        ("❯ mamba env update -f environment.yml", "mamba env update -f environment.yml"),
        # Kali's two-line zsh prompt, its second line (mistralai/mistral-inference#144)
        ("└─$ nvidia-smi", "nvidia-smi"),
        ("└─# nvidia-smi -L", "nvidia-smi -L"),
    ],
)
def test_prompts_are_removed_and_the_command_kept(pasted: str, command: str) -> None:
    assert normalise(pasted)[0].text == command


@pytest.mark.parametrize(
    "kept",
    [
        "#define CUDNN_MAJOR 9",
        "# comment in a file",
        "#1 SMP PREEMPT_DYNAMIC",
        "|   0  NVIDIA GeForce RTX 3090    Off |",
        "[pip3] torch==2.4.0",
        "Mon Nov 13 10:44:51 2023       ",
    ],
)
def test_text_that_only_looks_like_a_prompt_is_kept(kept: str) -> None:
    assert normalise(kept)[0].text == kept.rstrip()


def test_a_git_bash_prompt_head_line_is_a_prompt() -> None:
    # Git Bash prints "user@HOST MINGW64 /dir (branch)" on a line of its own, then "$ "
    # (radames/Real-Time-Latent-Consistency-Model#22).
    lines = normalise(
        "86186@QFordPC MINGW64 /f/Real-Time-Latent-Consistency-Model (main)\n"
        "$ pip3 install -r requirements.txt\n"
    )
    assert [line.text for line in lines[:2]] == ["", "pip3 install -r requirements.txt"]
    # prose that merely names the shell stays
    assert normalise("I use MINGW64 on Windows")[0].text == "I use MINGW64 on Windows"


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        (
            "Jan  2 03:04:05 gpu01 kernel: NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.",
            "NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.",
        ),
        (
            "Mar 10 09:15:01 h100 nv-fabricmanager[2310]: fabric manager NVIDIA GPU driver interface",
            "fabric manager NVIDIA GPU driver interface",
        ),
        (
            "[   12.345678] nouveau 0000:01:00.0: DRM: VRAM: 4096 MiB",
            "nouveau 0000:01:00.0: DRM: VRAM: 4096 MiB",
        ),
        ("[Mon Jan  2 03:04:05 2024] NVRM: loading NVIDIA UNIX", "NVRM: loading NVIDIA UNIX"),
        (
            "2024-05-01 10:00:00,123 - ERROR - CUDA error: no kernel image",
            "CUDA error: no kernel image",  # Python logging's level goes with its time
        ),
        (
            "systemd[1]: nvidia-fabricmanager.service: Failed",
            "nvidia-fabricmanager.service: Failed",
        ),
    ],
)
def test_log_prefixes_are_removed(pasted: str, message: str) -> None:
    assert normalise(pasted)[0].text == message


# Log prefixes of the programs people run torch under, each a line of a real paste (the source
# is named beside it); what is left is the message, its own indentation kept.
REAL_PREFIXED = [
    # gpustack/gpustack#1254 (vLLM < 0.8: "LEVEL MM-DD hh:mm:ss file.py:N] ", worker processes)
    (
        "(VllmWorkerProcess pid=78102) INFO 02-20 16:42:42 cuda.py:230] Using Flash Attention backend.",
        "Using Flash Attention backend.",
    ),
    (
        'ERROR 02-20 16:43:12 engine.py:389]   File "/scratch/xxxx/deepseek-venv/lib/python3.11/site-packages/vllm/engine/multiprocessing/engine.py", line 380, in run_mp_engine',
        '  File "/scratch/xxxx/deepseek-venv/lib/python3.11/site-packages/vllm/engine/multiprocessing/engine.py", line 380, in run_mp_engine',
    ),
    # MiniMax-AI/MiniMax-M2.5#9 (vLLM >= 0.8: "[file.py:N] ", "(EngineCore_DP0 pid=N) ")
    (
        "(EngineCore_DP0 pid=120905) WARNING 03-02 19:48:25 [multiproc_executor.py:921] Reducing Torch parallelism from 112 threads to 1",
        "Reducing Torch parallelism from 112 threads to 1",
    ),
    (
        "ERROR 03-02 19:49:00 [multiproc_executor.py:783] Traceback (most recent call last):",
        "Traceback (most recent call last):",
    ),
    # OpenRLHF/OpenRLHF#866 (Ray actor "(RayWorkerWrapper pid=N) " before vLLM's prefix)
    (
        "(RayWorkerWrapper pid=392789) ERROR 03-13 16:32:15 worker_base.py:574]     worker.main_loop()",
        "    worker.main_loop()",
    ),
    # verl-project/verl#316 (Ray's own "(raylet) " and an actor's)
    (
        "(WorkerDict pid=93663) WARNING 02-21 04:32:47 model_runner_base.py:143] Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.",
        "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.",
    ),
    (
        "(raylet) A worker died or was killed while executing a task by an unexpected system error.",
        "A worker died or was killed while executing a task by an unexpected system error.",
    ),
    # hiyouga/LlamaFactory#7888 (DeepSpeed's "[time] [LEVEL] [file.py:N:function] ")
    (
        "[2025-04-28 23:37:56,039] [WARNING] [real_accelerator.py:194:get_accelerator] Setting accelerator to CPU.",
        "Setting accelerator to CPU.",
    ),
    # tensorflow/tensorflow#42428 (TensorFlow's "time: L file.cc:N] ")
    (
        "2020-08-17 13:10:23.153604: I tensorflow/stream_executor/platform/default/dso_loader.cc:48] Successfully opened dynamic library libcudart.so.10.1",
        "Successfully opened dynamic library libcudart.so.10.1",
    ),
]


@pytest.mark.parametrize(("pasted", "message"), REAL_PREFIXED)
def test_log_prefixes_of_real_pastes_are_removed(pasted: str, message: str) -> None:
    # A second line without a prefix keeps the margin: the message keeps its indentation.
    assert normalise(pasted + "\nx")[0].text == message


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        (
            "E0220 16:43:12.123456 12345 file.cc:123] Check failed: err == cudaSuccess",
            "Check failed: err == cudaSuccess",
        ),
        (
            "[W1104 16:57:08.000000000 ProcessGroupNCCL.cpp:1250] Warning: WARNING: destroy",
            "Warning: WARNING: destroy",
        ),
        (
            "[W socket.cpp:663] [c10d] The client socket has failed to connect",
            "[c10d] The client socket has failed to connect",
        ),
        ("(RayWorkerWrapper pid=5, ip=10.0.0.2) INFO 01-02 03:04:05 [core.py:12] ready", "ready"),
        ("(VllmWorker rank=0 pid=77) ERROR 01-02 03:04:05 [core.py:12] boom", "boom"),
        (
            "2024-05-01 12:00:00,123 - root - ERROR - CUDA error: out of memory",
            "CUDA error: out of memory",
        ),
        ("05/01/2024 12:00:00 - INFO - __main__ - Process rank: 0", "Process rank: 0"),
        ("[2023-01-01 12:00:00,123][__main__][INFO] - Instantiating model", "Instantiating model"),
        (
            "[2024-10-10 12:00:00 TP0] Init torch distributed begin.",
            "Init torch distributed begin.",
        ),
        (
            "2024-05-01 12:00:00.123 | ERROR    | app.main:run:42 - CUDA out of memory",
            "CUDA out of memory",
        ),
        (
            "[INFO|2024-12-11 13:06:36] llamafactory.hparams.parser:355 >> Process rank: 0",
            "Process rank: 0",
        ),
        (
            "[rank0]: RuntimeError: CUDA error: no kernel image",
            "RuntimeError: CUDA error: no kernel image",
        ),
        ("[1,0]<stderr>:RuntimeError: x", "RuntimeError: x"),
        ("WARNING:tensorflow:From train.py:12", "From train.py:12"),
        (
            "2024-05-01T12:00:00+0000 gpu01 kernel: NVRM: Xid (PCI:0000:3b:00): 79",
            "NVRM: Xid (PCI:0000:3b:00): 79",
        ),
        ("trainer-1  | RuntimeError: CUDA error", "RuntimeError: CUDA error"),
        # dmesg -H: the time since the previous line (rwth-i6/returnn#1486)
        ("[  +0.000316] NVRM: Xid (PCI:0000:03:00): 79", "NVRM: Xid (PCI:0000:03:00): 79"),
        # OpenMMLab's mmengine logger (open-mmlab/mmdeploy#2469, nizhenliang/CGRSeg#12)
        ("10/07 17:11:55 - mmengine - INFO - sys.platform: linux", "sys.platform: linux"),
        ("2024/10/15 13:48:48 - mmengine - INFO - Python: 3.8.18", "Python: 3.8.18"),
    ],
)
def test_log_prefix_forms_are_removed(pasted: str, message: str) -> None:
    assert normalise(pasted)[0].text == message


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        # pip's own "ERROR: ", not a logger's
        (
            "ERROR: No matching distribution found for torch",
            "ERROR: No matching distribution found for torch",
        ),
        # no syslog program after the time: only the time goes
        ("2024-05-01 12:00:00 foo bar: baz", "foo bar: baz"),
        # brackets that are no colour code whose ESC was lost
        ("[multiproc_executor.py:783] text", "[multiproc_executor.py:783] text"),
        ("[Kernel] nouveau", "[Kernel] nouveau"),
        (
            "| NVIDIA-SMI 535.129.03   Driver Version: 535.129.03 |",
            "| NVIDIA-SMI 535.129.03   Driver Version: 535.129.03 |",
        ),
        ("(base) text in parentheses pid", "(base) text in parentheses pid"),
    ],
)
def test_text_like_a_log_prefix_is_kept(pasted: str, kept: str) -> None:
    assert normalise(pasted)[0].text == kept


def test_a_terminal_overwrite_keeps_what_was_shown_last() -> None:
    lines = normalise("Downloading  10%\rDownloading 100%\nDone\n")
    assert [line.text for line in lines] == ["Downloading 100%", "Done"]


def test_an_escape_without_its_esc_byte_is_removed() -> None:
    assert normalise("[4mGPU0\tCPU Affinity[0m")[0].text == "GPU0\tCPU Affinity"


def test_decode_reads_utf16_with_a_bom_and_refuses_binary() -> None:
    original = text(CORPUS[0])
    assert decode(codecs.BOM_UTF16_LE + original.encode("utf-16-le")) == original
    assert decode(codecs.BOM_UTF8 + original.encode()) == original
    with pytest.raises(NotText):
        decode(b"\x7fELF\x02\x01\x01\x00\x00\x00")


def test_nothing_and_blank_text() -> None:
    assert normalise("") == []
    assert [line.text for line in normalise("\n\n")] == ["", ""]


@pytest.mark.parametrize(
    ("pasted", "lines"),
    [
        # a block opened on its first line (DreamTechAI/Direct3D-S2#32), closed on its own line
        (
            "I get\n```NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible\n"
            "The current PyTorch install supports CUDA capabilities sm_50 sm_90.\n```\n",
            ["I get", "NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible",
             "The current PyTorch install supports CUDA capabilities sm_50 sm_90."],
        ),
        # a one-line block: the fence on both ends
        (
            "```pip3 install --pre torch --index-url https://download.pytorch.org/whl/cu128```\n",
            ["pip3 install --pre torch --index-url https://download.pytorch.org/whl/cu128"],
        ),
    ],
)  # fmt: skip
def test_a_fence_typed_on_the_text_line_is_no_part_of_it(pasted: str, lines: list[str]) -> None:
    assert contents(pasted) == lines


@pytest.mark.parametrize(
    ("pasted", "lines"),
    [
        ("```python\nimport torch\n```\n", ["import torch"]),  # an info string: a fence line
        ("see ```code``` here\n", ["see ```code``` here"]),  # inline code: kept as typed
        ("```a``` b\n", ["```a``` b"]),
        ("```\n```x y\n```\n", ["```x y"]),  # inside a block: a line of the output
    ],
)
def test_an_info_string_or_inline_code_is_not_a_glued_fence(pasted: str, lines: list[str]) -> None:
    assert contents(pasted) == lines
