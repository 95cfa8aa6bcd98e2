"""One message to the assistant over Rasa's REST channel, for every test on real servers."""
import json
import time
import urllib.request
from typing import Any, Dict, List, Tuple


def post(url: str, sender: str, text: str, timeout: float = 60) -> List[Dict[str, Any]]:
    """The bot's messages (text, buttons, ...) in answer to ``text``; ``url`` is the server's base."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        assert response.status == 200
        return json.loads(response.read())


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def say(url: str, sender: str, text: str, timeout: float = 60) -> Tuple[str, float]:
    """(the reply texts joined, seconds it took)."""
    started = time.monotonic()
    messages = post(url, sender, text, timeout)
    return texts(messages), time.monotonic() - started
