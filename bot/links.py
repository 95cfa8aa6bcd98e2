"""Signed, expiring download links to a conversation summary, and the chat text that carries them.

A link is signed with HMAC-SHA256 over the conversation id, the format and the expiry time. The
secret is ``EXPORT_SECRET``, or one generated once and kept in ``var/export-secret`` (mode 0600;
``EXPORT_SECRET_FILE`` moves it), so that the Rasa server (which serves the files) and the action
server (which sends the links) share it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence
from urllib.parse import urlencode

from bot.export import FORMATS, PROJECT_DIR, ExportError, check_format
from bot.summary import build_summary

SECRET_FILE = PROJECT_DIR / "var" / "export-secret"
DEFAULT_PUBLIC_URL = "http://localhost:5005"
EXPORT_PATH = "/webhooks/export"  # + /<document>/<conversation>.<format>
DOCUMENTS = ("summary", "policy")  # the summary of the conversation; the policy text made from it
DEFAULT_TTL = 3600

def _secret_from_file(path: Path) -> str:
    """Read the shared secret, or create it once (atomically: two servers may start together)."""
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)  # readable by others: tighten it
            return value
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # fails when another process was first: then use theirs
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise ExportError(f"the export secret file {path} is empty; remove it and try again")
    return value


def secret_file() -> Path:
    """Where the generated secret is kept: EXPORT_SECRET_FILE, default var/export-secret."""
    return Path(os.environ.get("EXPORT_SECRET_FILE", "").strip() or SECRET_FILE)


def export_secret(path: Optional[Path] = None) -> bytes:
    """The link-signing secret: EXPORT_SECRET, else the secret file (made once, mode 0600)."""
    value = os.environ.get("EXPORT_SECRET", "").strip()
    if not value:
        value = _secret_from_file(Path(path) if path else secret_file())
    return value.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _message(conversation_id: str, fmt: str, expires_at: int, document: str = "summary") -> bytes:
    cid = conversation_id.encode("utf-8")
    # The summary's message is as it always was (links already sent stay valid); another document
    # is part of what is signed, so a summary link cannot be turned into a policy link.
    version = b"v1" if document == "summary" else b"v1-" + document.encode("ascii", "replace")
    return b"preventiewijzer-export:%s:%d:%s:%s:%d" % (
        version, len(cid), cid, fmt.encode("ascii", "replace"), int(expires_at))


def sign(conversation_id: str, fmt: str, expires_at: int, secret: bytes, document: str = "summary") -> str:
    """URL-safe HMAC-SHA256 over the conversation id, the document, the format and the expiry
    (Unix seconds)."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    return _b64(hmac.new(secret, _message(conversation_id, fmt, expires_at, document), hashlib.sha256).digest())


LINK_OK, LINK_INVALID, LINK_EXPIRED = "ok", "invalid", "expired"


def check_link(conversation_id: str, fmt: str, expires_at: Any, signature: Any, secret: bytes,
               now: Optional[float] = None, document: str = "summary") -> str:
    """LINK_OK, LINK_EXPIRED (a valid link past its time) or LINK_INVALID (unsigned, tampered)."""
    if document not in DOCUMENTS:
        return LINK_INVALID
    if fmt not in FORMATS or not isinstance(signature, str) or not signature or len(signature) > 100:
        return LINK_INVALID
    if expires_at is None or len(str(expires_at)) > 12:
        return LINK_INVALID
    try:
        expires = int(str(expires_at))
    except (TypeError, ValueError):
        return LINK_INVALID
    if str(expires) != str(expires_at) or expires < 0:
        return LINK_INVALID
    expected = sign(conversation_id, fmt, expires, secret, document)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        return LINK_INVALID
    if (time.time() if now is None else now) > expires:
        return LINK_EXPIRED
    return LINK_OK


def verify(conversation_id: str, fmt: str, expires_at: Any, signature: Any, secret: bytes,
           now: Optional[float] = None) -> bool:
    return check_link(conversation_id, fmt, expires_at, signature, secret, now) == LINK_OK


_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def link_name(conversation_id: str) -> str:
    """The conversation id as it stands in a link's path: as is when it is plain letters, digits,
    '-' and '_' (Rasa's and the widget's ids), else '~' + base64url, so that no proxy or server
    decodes or splits it on the way (a '/' or '%' in an id)."""
    if _SAFE_ID.match(conversation_id):
        return conversation_id
    return "~" + _b64(conversation_id.encode("utf-8"))


def id_from_link_name(name: str) -> Optional[str]:
    """The conversation id from a link's path (None when it cannot be read)."""
    if not name.startswith("~"):
        return name if _SAFE_ID.match(name) else None
    body = name[1:]
    try:
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        return raw.decode("utf-8") or None
    except (ValueError, UnicodeDecodeError):
        return None


def public_url() -> str:
    return (os.environ.get("PUBLIC_URL", "").strip() or DEFAULT_PUBLIC_URL).rstrip("/")


def download_url(base_url: Optional[str], conversation_id: str, fmt: str, ttl_seconds: int = DEFAULT_TTL,
                 secret: Optional[bytes] = None, now: Optional[float] = None, document: str = "summary") -> str:
    """A signed link to the summary (or the policy text), valid ``ttl_seconds``; base URL
    defaults to PUBLIC_URL."""
    fmt = check_format(fmt)
    if document not in DOCUMENTS:
        raise ExportError(f"unknown document '{document}'")
    base = (base_url or public_url()).rstrip("/")
    expires = int((time.time() if now is None else now) + ttl_seconds)
    signature = sign(conversation_id, fmt, expires, secret if secret is not None else export_secret(), document)
    path = f"{EXPORT_PATH}/{document}/{link_name(conversation_id)}.{fmt}"
    return f"{base}{path}?{urlencode({'expires': expires, 'sig': signature})}"


def download_links(conversation_id: str, formats: Sequence[str] = ("docx", "pdf"),
                   ttl_seconds: int = DEFAULT_TTL, base_url: Optional[str] = None,
                   document: str = "summary") -> Dict[str, str]:
    """Signed links for the chat, one per format; for ``chat_text(summary, links)``."""
    secret = export_secret()
    return {fmt: download_url(base_url, conversation_id, fmt, ttl_seconds, secret=secret, document=document)
            for fmt in formats}


def chat_summary(slots: Mapping[str, Any], conversation_id: str, catalog, engine=None,
                 formats: Sequence[str] = ("docx", "pdf"), ttl_seconds: int = DEFAULT_TTL) -> str:
    """The short chat version with signed download links, for the action server::

        text = chat_summary(tracker.current_slot_values(), tracker.sender_id, kb.catalog(), kb.engine())
    """
    from bot.summary import chat_text

    summary = build_summary(slots, catalog, conversation_id=conversation_id, engine=engine)
    links = download_links(conversation_id, formats, ttl_seconds) if formats else None
    policy = download_links(conversation_id, formats, ttl_seconds, document="policy") if formats else None
    return chat_text(summary, links, ttl_seconds, policy_links=policy)


