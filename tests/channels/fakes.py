"""Local stand-ins for Slack and Microsoft, so that no test calls the internet.

One HTTP server on a free port serves:
  /slack/api/<method>                      the Slack Web API (answers like Slack: {"ok": true, ...})
  /slack/upload/<file id>                  the upload URL that files.getUploadURLExternal hands out
  /openid/<set>/config, /openid/<set>/keys OpenID metadata and JWKS (one key set per name)
  /login/<tenant>/oauth2/v2.0/token        the Microsoft identity platform token endpoint
  /<prefix>/v3/conversations/<id>/activities   a Bot Connector (any prefix, e.g. /teams or /evil)
Every request is recorded; tests wait for and look at the records.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private_key, kid: str, endorsements: Optional[List[str]] = ("msteams",)) -> Dict[str, Any]:
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig"})
    if endorsements is not None:
        jwk["endorsements"] = list(endorsements)
    return jwk


class Call(dict):
    """One recorded request: method, path, query, headers, json / form / raw."""

    @property
    def body(self) -> Any:
        for key in ("json", "form"):
            if key in self:
                return self[key]
        return self.get("raw")


class FakeServices:
    def __init__(self) -> None:
        self.calls: List[Call] = []
        self.lock = threading.Lock()
        self.keysets: Dict[str, List[Dict[str, Any]]] = {}
        self.fail_next: Dict[str, List[int]] = {}  # path prefix -> statuses to answer first
        self.token_count = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-services", daemon=True)

    def start(self) -> FakeServices:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- looking at the records -------------------------------------------------------------

    def find(self, predicate: Callable[[Call], bool] = lambda c: True) -> List[Call]:
        with self.lock:
            return [c for c in self.calls if predicate(c)]

    def wait_for(self, predicate: Callable[[Call], bool], count: int = 1, timeout: float = 30) -> List[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(predicate)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} matching call(s) within {timeout:.0f} s, got {len(found)}; "
                    f"recent calls: {[(c['method'], c['path']) for c in self.find()][-15:]}"
                )
            time.sleep(0.1)

    def slack_posts(self, channel: str) -> List[Call]:
        return self.find(lambda c: c["path"].endswith("/chat.postMessage") and c.body.get("channel") == channel)

    def activities(self, conversation_id: str, prefix: str = "/teams") -> List[Call]:
        return self.find(
            lambda c: c["path"].startswith(prefix + "/v3/conversations/") and c.get("conversation") == conversation_id
        )

    # -- the server -------------------------------------------------------------------------

    def _answer(self, call: Call) -> tuple:
        path = call["path"]
        for prefix, statuses in list(self.fail_next.items()):
            if path.startswith(prefix) and statuses:
                return statuses.pop(0), {"error": "failing on purpose"}
        if path.startswith("/slack/api/"):
            return 200, self._slack(path.rsplit("/", 1)[-1], call)
        if path.startswith("/slack/upload/"):
            return 200, "OK"
        if path.startswith("/openid/"):
            _, _, name, what = path.split("/", 3)
            if name not in self.keysets:
                return 404, {"error": "no such key set"}
            if what == "config":
                return 200, {
                    "issuer": BOT_FRAMEWORK_ISSUER,
                    "authorization_endpoint": "https://invalid.example/",
                    "jwks_uri": f"{self.url}/openid/{name}/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                }
            return 200, {"keys": self.keysets[name]}
        if path.startswith("/login/") and path.endswith("/oauth2/v2.0/token"):
            with self.lock:
                self.token_count += 1
                number = self.token_count
            return 200, {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
                         "access_token": f"fake-access-token-{number}"}
        if "/v3/conversations/" in path and path.endswith("/activities"):
            return 200, {"id": f"activity-{uuid.uuid4().hex[:8]}"}
        return 404, {"error": "not found"}

    def _slack(self, method: str, call: Call) -> Dict[str, Any]:
        args = dict(call.get("query", {}))
        if isinstance(call.body, dict):
            args.update(call.body)
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": f"{time.time():.6f}",
                    "message": {"text": args.get("text"), "user": "UBOT"}}
        if method == "files.getUploadURLExternal":
            file_id = "F" + uuid.uuid4().hex[:10].upper()
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/slack/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files", "[]"))
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": True}

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                call = Call(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    time=time.time(),
                )
                content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                if content_type == "application/json" and raw:
                    call["json"] = json.loads(raw)
                elif content_type == "application/x-www-form-urlencoded":
                    call["form"] = dict(parse_qsl(raw.decode()))
                elif raw:
                    call["raw"] = raw
                if "/v3/conversations/" in parts.path:
                    call["conversation"] = unquote(parts.path.split("/v3/conversations/", 1)[1].rsplit("/activities", 1)[0])
                with fake.lock:
                    fake.calls.append(call)
                status, body = fake._answer(call)
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

        return Handler


def bot_framework_token(
    private_key,
    kid: str,
    *,
    audience: str,
    service_url: str,
    issuer: str = BOT_FRAMEWORK_ISSUER,
    lifetime: int = 3600,
    issued: Optional[int] = None,
    algorithm: str = "RS256",
    drop: tuple = (),
) -> str:
    """A token like the Bot Connector sends, signed with ``private_key``."""
    now = int(time.time()) if issued is None else issued
    claims = {
        "serviceurl": service_url,
        "nbf": now - 5,
        "exp": now + lifetime,
        "iss": issuer,
        "aud": audience,
    }
    for name in drop:
        claims.pop(name, None)
    return jwt.encode(claims, private_key, algorithm=algorithm, headers={"kid": kid})
