"""Signed, expiring download links and the secret the two server processes share."""
import os
import stat
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from bot import export
from bot.links import (
    LINK_EXPIRED,
    LINK_INVALID,
    LINK_OK,
    check_link,
    download_url,
    export_secret,
    id_from_link_name,
    link_name,
    sign,
    verify,
)

SECRET = b"test-secret"
NOW = 1_800_000_000


def test_valid_signature_is_accepted():
    sig = sign("conv-1", "docx", NOW + 60, SECRET)
    assert verify("conv-1", "docx", NOW + 60, sig, SECRET, now=NOW)
    assert verify("conv-1", "docx", str(NOW + 60), sig, SECRET, now=NOW)  # as it comes from a URL
    assert "=" not in sig and "+" not in sig and "/" not in sig  # URL-safe


@pytest.mark.parametrize("cid, fmt, expires, secret", [
    ("conv-2", "docx", NOW + 60, SECRET),  # another conversation
    ("conv-1", "pdf", NOW + 60, SECRET),  # another format
    ("conv-1", "docx", NOW + 61, SECRET),  # a later expiry
    ("conv-1", "docx", NOW + 60, b"other-secret"),  # signed elsewhere
])
def test_tampered_links_are_refused(cid, fmt, expires, secret):
    sig = sign("conv-1", "docx", NOW + 60, SECRET)
    assert check_link(cid, fmt, expires, sig, secret, now=NOW) == LINK_INVALID


@pytest.mark.parametrize("sig", ["", None, "x", "A" * 43, "A" * 500])
def test_missing_or_malformed_signatures_are_refused(sig):
    assert check_link("conv-1", "docx", NOW + 60, sig, SECRET, now=NOW) == LINK_INVALID


@pytest.mark.parametrize("expires", [None, "", "soon", "1e9", f"0{NOW + 60}", " 12", "9" * 40])
def test_malformed_expiry_is_refused(expires):
    sig = sign("conv-1", "docx", NOW + 60, SECRET)
    assert check_link("conv-1", "docx", expires, sig, SECRET, now=NOW) == LINK_INVALID


def test_tampered_signature_is_refused():
    sig = sign("conv-1", "docx", NOW + 60, SECRET)
    flipped = ("B" if sig[0] == "A" else "A") + sig[1:]
    assert not verify("conv-1", "docx", NOW + 60, flipped, SECRET, now=NOW)


def test_expired_link_is_refused():
    sig = sign("conv-1", "docx", NOW - 1, SECRET)
    assert check_link("conv-1", "docx", NOW - 1, sig, SECRET, now=NOW) == LINK_EXPIRED
    assert not verify("conv-1", "docx", NOW - 1, sig, SECRET, now=NOW)
    assert check_link("conv-1", "docx", NOW, sign("conv-1", "docx", NOW, SECRET), SECRET, now=NOW) == LINK_OK


def test_ids_cannot_be_shifted_between_fields():
    # The id is length-prefixed: "a:b" + "docx" never signs the same bytes as "a" + "b:docx".
    assert sign("a:docx", "md", NOW, SECRET) != sign("a", "docx:md", NOW, SECRET)


def test_download_url(monkeypatch):
    monkeypatch.setenv("EXPORT_SECRET", "from-env")
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.nl/")
    url = download_url(None, "conv-1", "pdf", ttl_seconds=600, now=NOW)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://bot.example.nl/webhooks/export/summary/conv-1.pdf"
    query = parse_qs(parts.query)
    assert query["expires"] == [str(NOW + 600)]
    assert verify("conv-1", "pdf", query["expires"][0], query["sig"][0], b"from-env", now=NOW)
    monkeypatch.delenv("PUBLIC_URL")
    assert download_url(None, "c", "md").startswith("http://localhost:5005/webhooks/export/summary/c.md?")
    assert download_url("http://x:1", "c", "md").startswith("http://x:1/webhooks/export/summary/c.md?")


@pytest.mark.parametrize("cid", ["conv-1", "a9_B-c", "a b/c.d%e", "~tilde", "ééé", "x" * 300])
def test_link_names_round_trip_and_stay_url_safe(cid):
    name = link_name(cid)
    assert all(c.isascii() and (c.isalnum() or c in "-_~") for c in name)
    assert id_from_link_name(name) == cid


def test_link_names_that_cannot_be_read():
    assert id_from_link_name("a b") is None
    assert id_from_link_name("~%%%") is None
    assert id_from_link_name("~" + "gA") is None  # not UTF-8


def test_secret_from_env_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("EXPORT_SECRET", "  from-env ")
    assert export_secret(tmp_path / "secret") == b"from-env"
    assert not (tmp_path / "secret").exists()


def test_secret_file_is_made_once_with_mode_0600(monkeypatch, tmp_path):
    monkeypatch.delenv("EXPORT_SECRET", raising=False)
    path = tmp_path / "var" / "export-secret"
    first = export_secret(path)
    assert len(first) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert export_secret(path) == first
    os.chmod(path, 0o644)
    assert export_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # tightened again
    assert [p.name for p in path.parent.iterdir()] == ["export-secret"]  # no temporary files left


def test_secret_file_location_from_env(monkeypatch, tmp_path):
    monkeypatch.delenv("EXPORT_SECRET", raising=False)
    monkeypatch.setenv("EXPORT_SECRET_FILE", str(tmp_path / "s"))
    value = export_secret()
    assert (tmp_path / "s").read_text().strip().encode() == value


def test_processes_starting_together_share_one_secret(tmp_path):
    """The Rasa server and the action server start at the same time: both must get the same secret."""
    path = tmp_path / "export-secret"
    code = (
        "import sys; from pathlib import Path; from bot.links import export_secret; "
        "sys.stdout.write(export_secret(Path(sys.argv[1])).decode())"
    )
    env = {k: v for k, v in os.environ.items() if k != "EXPORT_SECRET"}
    env["PYTHONPATH"] = str(export.PROJECT_DIR)
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, env=env,
                         cwd=export.PROJECT_DIR)
        for _ in range(4)
    ]
    values = {p.communicate(timeout=60)[0] for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(values) == 1 and values == {path.read_text().strip().encode()}


def test_chat_summary_has_working_links(monkeypatch, slots, catalog, engine):
    from bot.links import chat_summary

    monkeypatch.setenv("EXPORT_SECRET", "chat-secret")
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.nl")
    text = chat_summary(slots, "conv-9", catalog, engine)
    assert text.startswith("Samenvatting voor Amersfoort")
    download, policy = text.splitlines()[-2:]
    assert download.startswith("Download (de link werkt 1 uur): Word: https://bot.example.nl/webhooks/export/summary/conv-9.docx?")
    assert policy.startswith("Beleidstekst voor je gezondheidsnota")
    for line, document in ((download, "summary"), (policy, "policy")):
        for url in line.split(": ", 1)[1].replace("Word: ", "").replace("PDF: ", "").split(" | "):
            parts = urlsplit(url)
            kind, filename = parts.path.rsplit("/", 2)[1:]
            name, fmt = filename.rsplit(".", 1)
            query = parse_qs(parts.query)
            assert kind == document
            assert check_link(id_from_link_name(name), fmt, query["expires"][0], query["sig"][0], b"chat-secret",
                              document=document) == LINK_OK
            # A link signed for one document does not open the other.
            other = "policy" if document == "summary" else "summary"
            assert check_link(id_from_link_name(name), fmt, query["expires"][0], query["sig"][0], b"chat-secret",
                              document=other) == LINK_INVALID
    without = chat_summary(slots, "conv-9", catalog, engine, formats=())
    assert "Download" not in without and "Beleidstekst" not in without
