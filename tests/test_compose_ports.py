"""docker-compose.yml publishes one port, to the TLS proxy only (issue 12 §4), and scales out (issue 19 §7).

Behind the proxy the sign-in lockout trusts X-Forwarded-For, so nothing may listen on every interface. And
`docker compose up --scale web=3 --scale worker=2` must work: no service that may be scaled has a fixed host
port or container name, the migrations run once before the replicas start, and there is exactly one beat."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
NGINX = ROOT / "deploy" / "nginx.conf"


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


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_every_published_port_is_bound_to_the_loopback_interface():
    ports = _published_ports(COMPOSE.read_text())
    assert ports == ["127.0.0.1:8000:8080"]
    assert _published_ports('    ports:\n      - "8000:8000"\n') == ["8000:8000"]  # the check sees the old form
    published = {name: s["ports"] for name, s in _services().items() if s.get("ports")}
    assert published == {"proxy": ["127.0.0.1:8000:8080"]}  # the proxy alone: the web replicas behind it


def test_web_and_worker_scale_out_and_beat_does_not():
    services = _services()
    for name in ("web", "worker"):
        service = services[name]
        # A fixed host port or container name would make the second replica fail to start.
        assert "ports" not in service and "container_name" not in service, name
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in " ".join(service["command"]), name  # replicas never migrate at the same time
        assert service["environment"]["DATABASE_URL"].endswith("@db:5432/managing_allegations")
    assert not any("container_name" in s for s in services.values())
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert services["beat"]["deploy"] == {"replicas": 1}
    assert services["beat"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["proxy"]["depends_on"] == ["web"]


def test_the_web_tier_keeps_nothing_of_its_own():
    services = _services()
    web, worker = services["web"], services["worker"]
    env = web["environment"]
    # Files on the shared volume, read by every web replica and worker alike.
    assert env["MEDIA_ROOT"] == "/app/var/media"
    assert "media:/app/var/media" in web["volumes"] and "media:/app/var/media" in worker["volumes"]
    # Connections kept for a minute and checked before reuse (config.settings.base: CONN_HEALTH_CHECKS).
    assert int(env["DATABASE_CONN_MAX_AGE"]) > 0
    from django.conf import settings

    assert settings.SESSION_ENGINE == "accounts.sessions"  # sessions in PostgreSQL
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_the_proxy_spreads_over_the_replicas_and_passes_the_tls_proxys_headers_unchanged():
    conf = NGINX.read_text()
    assert "listen 8080;" in conf
    assert re.search(r"resolver 127\.0\.0\.11\b", conf)  # Docker's DNS, asked again: new replicas are seen
    assert "set $web http://web:8000;" in conf and "proxy_pass $web;" in conf
    # Appending here ($proxy_add_x_forwarded_for) would make this proxy's own address the one the lockout reads.
    assert "proxy_set_header X-Forwarded-For $http_x_forwarded_for;" in conf
    assert "proxy_add_x_forwarded_for" not in conf
    assert "proxy_set_header Host $host;" in conf
    assert _services()["proxy"]["volumes"] == ["./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
