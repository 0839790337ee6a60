"""The outward-text rules (envsetup.sanitize): credentials redacted, control sequences stripped."""

from __future__ import annotations

import io
import json
import string
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup import sanitize
from envsetup.sanitize import (
    RedactingWriter,
    dumps,
    environ_secrets,
    for_rich,
    for_terminal,
    redact_data,
    redact_text,
    register_secret,
    strip_controls,
)

# What a token, a password or a user name can be made of (RFC 3986 user-info, unreserved and
# sub-delims, plus the unencoded ':' of user:password and ones people paste unencoded).
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-._~!$&()*+,;=%"
tokens = st.text(TOKEN_ALPHABET, min_size=8, max_size=40).filter(lambda t: ":" not in t)
users = st.text(string.ascii_letters + string.digits + "-._", min_size=1, max_size=12)
hosts = st.sampled_from(["mirror.lan", "127.0.0.1:8080", "pypi.corp.example.com", "[::1]:3128"])
schemes = st.sampled_from(["http", "https", "file", "git+https", "socks5h"])
paths = st.sampled_from(["", "/", "/whl/cpu", "/simple/torch/", "?x=1", "#frag"])
# Free text around a URL: anything but what could make it a credential-bearing URL or query.
surroundings = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="@="), max_size=30
)


@pytest.fixture(autouse=True)
def _no_registered_secrets() -> None:
    sanitize.forget_registered_secrets()
    yield
    sanitize.forget_registered_secrets()


@settings(max_examples=300, deadline=None)
@given(schemes, users, tokens, hosts, paths, surroundings, surroundings)
def test_no_url_user_info_survives_whatever_surrounds_it(
    scheme: str, user: str, token: str, host: str, path: str, before: str, after: str
) -> None:
    url = f"{scheme}://{user}:{token}@{host}{path}"
    out = redact_text(f"{before} {url} {after}")
    assert out == f"{before} {scheme}://***@{host}{path} {after}"
    assert redact_text(out) == out  # idempotent: redacting twice changes nothing more


@settings(max_examples=200, deadline=None)
@given(schemes, tokens, hosts)
def test_a_token_used_as_the_user_name_is_redacted(scheme: str, token: str, host: str) -> None:
    out = redact_text(f"git clone {scheme}://{token}@{host}/repo.git")
    assert out == f"git clone {scheme}://***@{host}/repo.git"


@pytest.mark.parametrize(
    "text",
    [
        "https://download.pytorch.org/whl/cu121",
        "see https://example.com, mail foo@bar.com",
        "https://host:8080/path?email=a@b.c",
        "file:///srv/mirror/whl/cpu",
        "user@host:/path (an scp target, no scheme)",
        "torch==2.0.1+cu118 from https://mirror.lan/whl/cu118/torch-2.0.1%2Bcu118.whl",
    ],
)
def test_text_without_credentials_is_left_as_it_is(text: str) -> None:
    assert redact_text(text) == text
    assert for_terminal(text) == text


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("token", True),
        ("access_token", True),
        ("api_key", True),
        ("X-Amz-Signature", True),
        ("X-Amz-Credential", True),
        ("sig", True),
        ("password", True),
        ("version", False),
        ("platform", False),
    ],
)
def test_secret_query_parameters_are_masked_and_others_kept(name: str, masked: bool) -> None:
    url = f"https://mirror.lan/simple/torch/?{name}=Zq81-secret-value&page=2"
    out = redact_text(url)
    assert ("Zq81-secret-value" not in out) is masked
    assert "&page=2" in out
    if masked:
        assert f"?{name}=***&page=2" in out


def test_values_of_secret_named_variables_and_url_credentials_in_the_environment() -> None:
    environ = {
        "HF_TOKEN": "hf_aBcDeFgHiJkLmNoP",
        "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEJr//////////wEaDM",
        "https_proxy": "http://proxyuser:Pr0xy-Passw0rd@proxy.corp:3128",
        "PIP_EXTRA_INDEX_URL": "https://a.lan/simple https://ci:Extra-T0ken-99@b.lan/simple",
        "UV_INDEX_URL": "https://uvTokenAsUser1234@mirror/simple",
        # Secret-looking names that hold nothing secret, or paths: never searched for.
        "XDG_SESSION_TYPE": "wayland-session",
        "DESKTOP_SESSION": "ubuntu-xorg",
        "GIT_AUTHOR_NAME": "Jane Q. Developer",
        "SSH_AUTH_SOCK": "/run/user/1000/keyring/ssh",
        "TOKENIZERS_PARALLELISM": "false",
        "PATH": "/usr/bin:/bin",
    }
    assert environ_secrets(environ) == {
        "hf_aBcDeFgHiJkLmNoP",
        "FwoGZXIvYXdzEJr//////////wEaDM",
        "Pr0xy-Passw0rd",
        "Extra-T0ken-99",
        "uvTokenAsUser1234",
    }


def test_known_secrets_are_redacted_outside_urls_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_API_TOKEN", "acme-7f3e9d1c5b")
    monkeypatch.setenv("HTTPS_PROXY", "http://pu:Pr0xy-Passw0rd@proxy:3128")
    register_secret("https://ci:Idx-T0ken%40x@mirror.lan/whl")
    text = (
        "auth failed for acme-7f3e9d1c5b; proxy password Pr0xy-Passw0rd; "
        "index password Idx-T0ken%40x decoded Idx-T0ken@x"
    )
    out = redact_text(text)
    for secret in ("acme-7f3e9d1c5b", "Pr0xy-Passw0rd", "Idx-T0ken"):
        assert secret not in out
    assert out.count("<redacted>") == 4


def test_a_registered_value_is_redacted_whole_even_when_another_secret_is_inside_it() -> None:
    register_secret("outer-secret-inner-secret-end")
    register_secret("inner-secret")
    assert redact_text("x outer-secret-inner-secret-end y") == "x <redacted> y"


# ----------------------------------------------------------------------------- control sequences

CONTROL_SEQUENCES = [
    "\x1b]0;pwned title\x07",  # OSC: set the window title (BEL-terminated)
    "\x1b]8;;https://evil.example/\x1b\\",  # OSC 8 hyperlink (ST-terminated)
    "\x1b[2J",  # clear the screen
    "\x1b[1;31m",  # colour
    "\x1b[?1049h",  # switch to the alternate screen
    "\x1bP1$qm\x1b\\",  # DCS request
    "\x1b_apc payload\x1b\\",  # APC
    "\x1bc",  # full reset (two-byte ESC sequence)
    "\x9b2J",  # 8-bit CSI
    "\x9d0;title\x9c",  # 8-bit OSC
    "\r",  # carriage return: overwrite what was printed
    "\x08\x08\x08",  # backspaces
    "\x7f",
    "\x00",
]


@pytest.mark.parametrize("sequence", CONTROL_SEQUENCES)
def test_each_kind_of_control_sequence_is_stripped(sequence: str) -> None:
    text = f"NVIDIA H100 {sequence}80GB HBM3\n\tnext line"
    out = strip_controls(text)
    assert out == "NVIDIA H100 80GB HBM3\n\tnext line"


def test_a_lone_or_unterminated_sequence_goes_and_the_next_line_stays() -> None:
    assert strip_controls("GPU 0\x1b") == "GPU 0"
    assert strip_controls("GPU 0\x1b]0;never terminated\nnext") == "GPU 0\nnext"
    assert strip_controls("GPU 0\x1b[12") == "GPU 0"


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_no_control_character_but_newline_and_tab_reaches_the_terminal(text: str) -> None:
    out = for_terminal(text)
    assert not [c for c in out if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]


def test_a_secret_split_by_an_escape_sequence_is_still_redacted() -> None:
    out = for_terminal("pip: https://ci:Sec\x1b[0mret-T0ken@mirror.lan/simple")
    assert "Sec" not in out and "ret-T0ken" not in out
    assert "https://***@mirror.lan/simple" in out


def test_rich_markup_in_external_text_is_printed_as_written() -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=False, width=200)
    name = "NVIDIA [bold red]H100[/] \\[x] \x1b]0;t\x07"
    console.print("GPU: " + for_rich(name))
    assert console.file.getvalue() == "GPU: NVIDIA [bold red]H100[/] \\[x] \n"  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- structures, JSON, files


@dataclass
class _Check:
    id: str
    evidence: dict = field(default_factory=dict)
    lines: tuple = ()
    duration_s: float = 0.0


def test_redact_data_walks_dicts_lists_tuples_and_dataclasses_and_keeps_other_values() -> None:
    url = "http://u:Hidden-Passw0rd@proxy:3128"
    value = {
        "checks": [_Check("c", {url: [url, 3, None, True]}, (url,), 1.5)],
        "n": 2,
    }
    out = redact_data(value)
    assert "Hidden-Passw0rd" not in repr(out)
    check = out["checks"][0]
    assert isinstance(check, _Check) and check.duration_s == 1.5 and out["n"] == 2
    assert check.lines == ("http://***@proxy:3128",)
    assert check.evidence == {"http://***@proxy:3128": ["http://***@proxy:3128", 3, None, True]}
    assert value["checks"][0].lines == (url,)  # the input is not changed


def test_dumps_is_valid_json_without_raw_c1_controls_or_secrets() -> None:
    value = {"name": "GPU\x9b2J\x85 \x1b[31m", "url": "https://u:Tok3n-Secret1@h/"}
    text = dumps(value, ensure_ascii=False)
    assert not [c for c in text if 0x7F <= ord(c) <= 0x9F or c == "\x1b"]
    assert "Tok3n-Secret1" not in text
    assert json.loads(text) == {"name": "GPU\x9b2J\x85 \x1b[31m", "url": "https://***@h/"}


class _File(io.StringIO):
    """A file that keeps what was written to it after it is closed."""

    def close(self) -> None:
        self.final = self.getvalue()
        super().close()


def test_the_log_writer_redacts_lines_written_in_pieces_and_closes_the_file() -> None:
    raw = _File()
    with RedactingWriter(raw) as log:
        log.write("$ pip install --index-url https://ci:Split")
        log.write("-T0ken-99@mirror.lan/whl/cpu torch\nLooking in ")
        log.write("indexes: https://ci:Split-T0ken-99@mirror.lan/whl/cpu\n")
        log.flush()
        assert raw.getvalue().count("https://***@mirror.lan/whl/cpu") == 2
        log.write("tail without newline https://a:b-secret-tail@x")
    assert raw.closed
    assert "Split-T0ken" not in raw.final and "b-secret-tail" not in raw.final
    assert raw.final.endswith("tail without newline https://***@x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "conda install pytorch -c https://conda.anaconda.org/t/tk-CONDA7oken12/pytorch",
            "conda install pytorch -c https://conda.anaconda.org/t/***/pytorch",
        ),
        ("HTTPS://repo.corp.lan/conda/t/tk-CONDA7oken12", "HTTPS://repo.corp.lan/conda/t/***"),
        (
            "pip install torch --header 'Authorization: Bearer BEARERs3cret999'",
            "pip install torch --header 'Authorization: Bearer ***'",
        ),
        (
            'curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA=="',
            'curl -H "Authorization: Basic ***"',
        ),
        ("Authorization: Token tok3n-abcdef", "Authorization: Token ***"),
        ("Proxy-Authorization: Digest d1gest-value", "Proxy-Authorization: Digest ***"),
        ("wget --header='X-Api-Key: k3y-0123456789'", "wget --header='X-Api-Key: ***'"),
        ("--header 'PRIVATE-TOKEN: glpat-0123456789'", "--header 'PRIVATE-TOKEN: ***'"),
        ("Cookie: sessionid=abcdef0123", "Cookie: ***"),
        ("X-JFrog-Art-Api: AKCp8jQ0123456789", "X-JFrog-Art-Api: ***"),
        ("x-jfrog-art-api:AKCp8jQ0123456789", "x-jfrog-art-api:***"),
        ("X-Goog-Api-Key: AIzaSy0123456789", "X-Goog-Api-Key: ***"),
        ("X-Vault-Token: hvs.0123456789", "X-Vault-Token: ***"),
        ("Api: 0123456789abcdef", "Api: ***"),
        ("Authorization: Basic //8AdXNlcjpw", "Authorization: Basic ***"),  # base64 from "/"
        ("a lone Bearer eyJhbGciOi.x.y token", "a lone Bearer *** token"),
    ],
)
def test_path_tokens_and_auth_header_values_are_masked(text: str, expected: str) -> None:
    out = redact_text(text)
    assert out == expected
    assert redact_text(out) == out


@pytest.mark.parametrize(
    "text",
    [
        "file:///srv/t/mirror/cpu",  # a local mirror's directory named "t" is a path
        "/home/user/t/env",
        "https://mirror.lan:8080/whl/t/",  # nothing after /t/
        "Author: Jane Doe",
        "Session: 5 of 7",
        "time: 12:30:01 note: ok",
        "Location: https://download.pytorch.org/whl/cu118",
        "Rapid: yes",
        "X-Api-Version: 2",
        # A file named like a secret, in the one-line usage error: the reason stays readable.
        "envsetup: --facts /etc/passwd: no such file",
        "envsetup: --replay C:\\keys\\token: no such directory",
    ],
)
def test_text_that_only_looks_like_a_token_or_a_header_is_kept(text: str) -> None:
    assert redact_text(text) == text


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "Authorization",
            "Proxy-Authorization",
            "X-Api-Key",
            "PRIVATE-TOKEN",
            "X-JFrog-Art-Api",
            "X-Goog-Api-Key",
            "X-Vault-Token",
        ]
    ),
    st.sampled_from(["", "Bearer ", "Basic ", "Token "]),
    st.text(string.ascii_letters + string.digits + "-._~+/=", min_size=1, max_size=40),
)
def test_no_auth_header_value_survives(name: str, scheme: str, value: str) -> None:
    out = redact_text(f"--header '{name}: {scheme}{value}'")
    assert out == f"--header '{name}: {scheme}***'"


def test_only_the_credential_of_an_index_location_is_registered() -> None:
    sanitize.register_url_credentials("/srv/mirrors/whl")
    sanitize.register_url_credentials("https://mirror.lan/whl")
    assert not {"/srv/mirrors/whl", "https://mirror.lan/whl"} & sanitize.known_secrets()
    assert redact_text("/srv/mirrors/whl-env/bin/python") == "/srv/mirrors/whl-env/bin/python"
    sanitize.register_url_credentials("https://ci-user:pa55w0rd-X1@mirror.lan/whl")
    sanitize.register_url_credentials("https://t0ken-as-user-77@mirror.lan/whl")
    assert {"pa55w0rd-X1", "t0ken-as-user-77"} <= sanitize.known_secrets()
    assert "ci-user" not in sanitize.known_secrets()
    assert redact_text("echo pa55w0rd-X1 t0ken-as-user-77") == "echo <redacted> <redacted>"


def test_a_flushed_log_never_writes_half_a_url() -> None:
    raw = _File()
    log = RedactingWriter(raw)
    # A line that arrives in pieces, each flushed (as the runner does): the URL's credential is
    # split between them; only text up to the last whitespace is written at each flush.
    for piece in ("Looking in indexes: http", "s://ci:Spl", "it-T0ken-42@mirror.lan/whl ", "x\n"):
        log.write(piece)
        log.flush()
    assert raw.getvalue() == "Looking in indexes: https://***@mirror.lan/whl x\n"
    # A run without whitespace is held back only up to a bound: memory stays bounded.
    log.write("y" * (sanitize.MAX_PENDING_CHARS + 1))
    log.flush()
    assert raw.getvalue().endswith("y" * (sanitize.MAX_PENDING_CHARS + 1))
    log.close()


SPLIT_TOKEN = "splitT0kenValue-4321"


@pytest.mark.parametrize(
    "lead",
    [
        "--header Authorization: Bearer ",
        "Authorization:  Basic\t",
        "Proxy-Authorization : Token ",
        "X-JFrog-Art-Api: ",
        "PRIVATE-TOKEN :",
        "curl -H Bearer ",
        "the password: correct horse battery ",
    ],
)
def test_a_log_flushed_after_every_character_never_splits_a_header_from_its_value(
    monkeypatch: pytest.MonkeyPatch, lead: str
) -> None:
    # flush() writes up to whitespace, but never between a rule's lead (a header's name, its
    # scheme, Bearer; a known secret that holds spaces) and the value: written out in pieces,
    # the line reads exactly as the whole line redacted at once.
    monkeypatch.setenv("MY_PASSWORD", f"correct horse battery {SPLIT_TOKEN}")
    line = f"pip said {lead}{SPLIT_TOKEN} and more words\n"
    raw = _File()
    log = RedactingWriter(raw)
    for character in line:
        log.write(character)
        log.flush()
    assert raw.getvalue() == redact_text(line)
    assert SPLIT_TOKEN not in raw.getvalue()
    # What a flush wrote ends before the lead: a kill -9 there leaves no half-redacted line.
    log.write(f"pip said {lead}")
    log.flush()
    assert not raw.getvalue().endswith(lead)
    log.close()


def test_the_cut_of_a_long_line_moves_only_as_far_back_as_the_lead() -> None:
    text = "words before Authorization: Bearer "
    assert sanitize.whitespace_cut(text, 10**6) == len("words before ")
    assert sanitize.whitespace_cut("words and more ", 10**6) == len("words and more ")
    # No cut that would do: nothing written until the bound, then all of it.
    assert sanitize.whitespace_cut("Bearer ", 10**6) == 0
    assert sanitize.whitespace_cut("Bearer ", 7) == 7


def test_redact_data_skips_no_string_redact_text_would_change() -> None:
    """redact_data's shortcut (no known secret: strings without ':', '=' or 'earer' are kept as
    they are) agrees with redact_text on every kind of string, nested in every container."""
    from envsetup.sanitize import forget_registered_secrets, redact_data, redact_text

    forget_registered_secrets()
    texts = [
        "https://user:pw@example.com/simple",
        "Authorization: Bearer abc.def",
        "Bearer abc.def",
        "see ?token=abc&x=1",
        "plain words, nothing secret",
        "",
        "torch 2.5.1+cu121",
    ]
    document = {"a": texts, "b": [{"c": t, t or "k": 1} for t in texts], "n": None, "f": 1.5}
    redacted = redact_data(document)
    assert redacted["a"] == [redact_text(t, frozenset()) for t in texts]
    assert redacted["a"][0] != texts[0] and redacted["a"][1] != texts[1]
    assert redacted["a"][2] != texts[2] and redacted["a"][3] != texts[3]
    assert redacted["a"][4:] == texts[4:]
    assert [item["c"] for item in redacted["b"]] == redacted["a"]
    assert (redacted["n"], redacted["f"]) == (None, 1.5)


def test_redact_data_masks_a_known_secret_without_any_mark() -> None:
    """With a known secret, strings with no ':' or '=' are still searched for its value."""
    from envsetup.sanitize import forget_registered_secrets, redact_data, register_secret

    register_secret("s3cr3t-value-123")
    try:
        assert redact_data({"x": ["token s3cr3t-value-123 here"]}) == {
            "x": [f"token {sanitize.REDACTED} here"]
        }
    finally:
        forget_registered_secrets()
