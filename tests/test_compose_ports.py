"""docker-compose.yml publishes the web port to the proxy only (issue 12 §4): behind the proxy the
sign-in lockout trusts X-Forwarded-For, so gunicorn must not listen on every interface."""

import re
from pathlib import Path

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def _published_ports(text: str) -> list[str]:
    ports, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        if re.match(r"^\s*ports:\s*$", line):
            inside = True
            continue
        if inside and stripped.startswith("- "):
            ports.append(stripped[2:].strip().strip("\"'"))
        elif inside:
            inside = False
    return ports


def test_every_published_port_is_bound_to_the_loopback_interface():
    ports = _published_ports(COMPOSE.read_text())
    assert ports == ["127.0.0.1:8000:8000"]
    assert _published_ports('    ports:\n      - "8000:8000"\n') == ["8000:8000"]  # the check sees the old form
