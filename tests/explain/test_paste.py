"""The normaliser: real outputs wrapped the ways people post them read back as the outputs."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from envsetup.explain.paste import NotText, decode, normalise
from explain.corpus import corpus, text

CORPUS = corpus()


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
}


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
    if wrapping in ("GitHub Actions timestamps", "[stderr] prefix") and (
        quoted or any(start.startswith("- ") for start in starts)
    ):
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
            "ERROR - CUDA error: no kernel image",
        ),
        (
            "systemd[1]: nvidia-fabricmanager.service: Failed",
            "nvidia-fabricmanager.service: Failed",
        ),
    ],
)
def test_log_prefixes_are_removed(pasted: str, message: str) -> None:
    assert normalise(pasted)[0].text == message


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
