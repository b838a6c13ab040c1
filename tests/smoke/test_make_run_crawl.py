"""The demo as `make run` serves it, crawled over HTTP by every demo persona (issue 11 §2).

The other tests run on config.settings.test. This one runs the product the way `make run` does:
config.settings.base (manage.py's default) with DJANGO_DEBUG on, a database of its own made here
(on the test database's server) and dropped at the end, filled by `manage.py migrate` and
`manage.py seed_demo`, and `manage.py runserver --noreload` on a free port. Background jobs and the
cache go to a private redis-server started here, so nothing reaches the machine's shared Redis, and
no worker runs (a crawl only reads).

Each persona of README.md's demo accounts table signs in through the real pages (password, then the
demo authenticator's code), then follows, breadth first, every same-site link it can reach from its
landing page, at most MAX_PAGES pages each, GET only, never signing out. It fails on any answer of
400 or more (a 500, or a link the product shows to someone who may not follow it), any HTML page
without an <h1>, and any page that takes more than SLOW_SECONDS.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg2
import pytest
import redis
from django.conf import settings

from demo.authenticator import DEMO_TOTP_SECRET, totp_code
from tests.database import database_url

ROOT = Path(settings.BASE_DIR)
DEMO_PASSWORD = "demo-password-2026"  # README.md, demo/people.py
MAX_PAGES = 60  # per persona
SLOW_SECONDS = 2.0
# Never followed: signing out ends the crawl; static files and downloads are not pages (a download
# is still requested once, to catch a 500, unless its path says it is a large export).
SKIP_PATHS = ("/accounts/logout/", "/admin/logout/", "/static/")
LARGE_DOWNLOADS = re.compile(r"/export[^/]*\.(csv|xlsx|jsonl)$")  # the access log's export grows without end


def demo_usernames() -> list[str]:
    """The usernames of README.md's "Demo accounts" table, in its order."""
    text = (ROOT / "README.md").read_text()
    table = text.split("## Demo accounts", 1)[1].split("\n## ", 1)[0].split("### ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(check, what: str, seconds: float, log: Path | None = None) -> None:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        try:
            if check():
                return
        except (OSError, redis.ConnectionError):
            pass
        time.sleep(0.1)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start within {seconds:.0f} s\n{tail}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class ScratchDatabase:
    """A database of its own on the test database's PostgreSQL server, dropped afterwards."""

    def __init__(self):
        db = settings.DATABASES["default"]
        self.params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres",
                       "password": db.get("PASSWORD") or None}
        self.name = f"{db['NAME']}_make_run"[:63]
        self.url = database_url(self.name)  # a socket directory too, as the private server of `make test` uses

    def _run(self, sql: str) -> None:
        connection = psycopg2.connect(dbname="postgres", **self.params)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self) -> None:
        self.drop()  # left over from an interrupted run
        self._run(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class Product:
    base_url: str
    log: Path


@pytest.fixture(scope="module")
def make_run_product(tmp_path_factory):
    """migrate + seed_demo + runserver, with the settings and environment `make run` gives the product."""
    tmp = tmp_path_factory.mktemp("make-run")
    database = ScratchDatabase()
    redis_port = _free_port()
    redis_server = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOCUMENT_ROOT", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        # As scripts/run-dev sets them for `make run`.
        "DJANGO_DEBUG": "true",
        "DEMO_DATA": "true",
        "DJANGO_RUNSERVER_HIDE_WARNING": "true",
        "DJANGO_SECRET_KEY": "dev-" + secrets.token_urlsafe(40),  # as `make run` writes into .env
        "DJANGO_DOTENV": str(tmp / "no.env"),  # not the developer's own .env
        "DATABASE_URL": database.url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "MEDIA_ROOT": str(tmp / "media"),
        "DOCUMENT_ROOT": str(tmp / "documents"),
        "DEV_MAIL_DIR": str(tmp / "mail"),  # development e-mail goes to files: not the developer's var/mail/
    }
    log = tmp / "server.log"
    server = None
    database.create()
    try:
        _wait_for(lambda: redis.Redis(port=redis_port).ping(), "the private redis-server", 10)
        with open(log, "ab") as out:
            for command in (["migrate", "--noinput"], ["seed_demo"]):
                done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, timeout=300)
                assert done.returncode == 0, f"manage.py {' '.join(command)} failed:\n{log.read_text()[-5000:]}"
            server = subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                                      cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        _wait_for(lambda: urllib.request.urlopen(base_url + "/accounts/login/", timeout=5).status == 200,
                  "runserver", 60, log)
        yield Product(base_url=base_url, log=log)
    finally:
        if server is not None:
            _stop(server)
        _stop(redis_server)
        database.drop()


# --- A browser without a browser: urllib with cookies, redirects handled by hand ---------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.has_h1 = False
        self.title = ""
        self.csrf = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "h1":
            self.has_h1 = True
        elif tag == "title":
            self._in_title = True
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@dataclass
class Answer:
    url: str
    status: int
    seconds: float
    content_type: str
    body: bytes
    location: str = ""
    page: _Page = field(default_factory=_Page)


class Visitor:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def request(self, url: str, data: dict | None = None) -> Answer:
        url = urllib.parse.urljoin(self.base_url, url)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.monotonic()
        try:
            response = self.opener.open(urllib.request.Request(url, data=body), timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        content = response.read()
        seconds = time.monotonic() - started
        answer = Answer(url=url, status=response.status, seconds=seconds,
                        content_type=response.headers.get("Content-Type", ""), body=content,
                        location=urllib.parse.urljoin(url, response.headers.get("Location", "")))
        if answer.content_type.startswith("text/html"):
            answer.page.feed(content.decode("utf-8", "replace"))
        return answer

    def sign_in(self, username: str) -> Answer:
        """Password, then the demo authenticator's code (each code works once per person: one each here)."""
        form = self.request("/accounts/login/")
        posted = self.request("/accounts/login/", {"csrfmiddlewaretoken": form.page.csrf, "login": username,
                                                   "password": DEMO_PASSWORD})
        assert posted.status == 302 and posted.location.endswith("/accounts/2fa/authenticate/"), (
            f"{username}: the password was not accepted ({posted.status} {posted.location})")
        form = self.request(posted.location)
        done = self.request(posted.location, {"csrfmiddlewaretoken": form.page.csrf,
                                              "code": totp_code(DEMO_TOTP_SECRET)})
        assert done.status == 302 and "/accounts/" not in urllib.parse.urlparse(done.location).path, (
            f"{username}: the demo authenticator's code was not accepted ({done.status} {done.location})")
        return done


def _same_site(base_url: str, href: str, here: str) -> str | None:
    """The link as a path (with its query) on this site, or None to leave it alone."""
    url = urllib.parse.urljoin(here, href.strip())
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != urllib.parse.urlsplit(base_url).netloc:
        return None
    if parts.path.startswith(SKIP_PATHS) or LARGE_DOWNLOADS.search(parts.path):
        return None
    return urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))


def _problems_of(answer: Answer, path: str, came_from: str) -> list[str]:
    where = f"{path} (linked from {came_from})"
    problems = []
    if answer.status >= 400:
        what = " ".join(answer.page.title.split()) or answer.body[:200].decode("utf-8", "replace")
        problems.append(f"{answer.status} at {where}: {what}")
    elif answer.status == 200 and answer.content_type.startswith("text/html") and not answer.page.has_h1:
        problems.append(f"no <h1> at {where}")
    if answer.seconds > SLOW_SECONDS:
        problems.append(f"{answer.seconds:.1f} s at {where}")
    return problems


def _shape(path: str) -> str:
    """/cases/MAS-2025-00011/ and /cases/MAS-2026-00004/ have one shape: /cases/MAS-#-#/."""
    return re.sub(r"\d+", "#", path.split("?", 1)[0])


def crawl(product: Product, username: str) -> tuple[list[str], list[str]]:
    """Sign in, then breadth first from the landing page, a page of a shape not yet met before more pages of
    shapes already met (so that the budget reaches every kind of page, not sixty cases). Returns (pages
    visited, problems)."""
    visitor = Visitor(product.base_url)
    landing = visitor.sign_in(username)
    start = _same_site(product.base_url, landing.location, product.base_url)
    new_shapes, more_of_a_shape = deque([(start, "sign-in")]), deque()
    seen, shapes, visited, problems = {start}, {_shape(start)}, [], []
    while (new_shapes or more_of_a_shape) and len(visited) < MAX_PAGES:
        path, came_from = (new_shapes or more_of_a_shape).popleft()
        answer = visitor.request(path)
        visited.append(path)
        problems += _problems_of(answer, path, came_from)
        found = answer.page.links
        if answer.status in (301, 302, 303, 307, 308):
            found = [answer.location]
        for href in found:
            link = _same_site(product.base_url, href, answer.url)
            if link is None or link in seen:
                continue
            seen.add(link)
            if _shape(link) in shapes:
                more_of_a_shape.append((link, path))
            else:
                shapes.add(_shape(link))
                new_shapes.append((link, path))
    return visited, problems


def test_readme_lists_every_demo_account():
    from demo import people as seed_demo  # the demo accounts are made there

    source = Path(seed_demo.__file__).read_text()
    names = demo_usernames()
    assert len(names) >= 10
    missing = [name for name in names if f'"{name}"' not in source]
    assert not missing, f"README.md lists demo accounts seed_demo does not make: {missing}"


@pytest.mark.parametrize("username", demo_usernames())
def test_every_persona_crawls_the_demo_without_an_error(make_run_product, username):
    visited, problems = crawl(make_run_product, username)
    assert len(visited) >= 2, f"{username} reached nothing from the landing page: {visited}"
    log = make_run_product.log.read_text()[-4000:] if any(p.startswith("5") for p in problems) else ""
    assert not problems, (f"{username} met {len(problems)} problem(s) in {len(visited)} pages:\n" + "\n".join(problems)
                          + (f"\n\nThe server's log ends:\n{log}" if log else ""))


def _answer(status: int, html: str, seconds: float = 0.1) -> Answer:
    answer = Answer(url="http://127.0.0.1/x/", status=status, seconds=seconds, content_type="text/html; charset=utf-8",
                    body=html.encode())
    answer.page.feed(html)
    return answer


def test_the_crawl_reports_each_kind_of_problem():
    fine = "<title>Cases</title><h1>Cases</h1><a href='/cases/1/'>A case</a>"
    assert _problems_of(_answer(200, fine), "/x/", "/") == []
    assert _problems_of(_answer(500, "<title>ProgrammingError at /x/</title>"), "/x/", "/") == [
        "500 at /x/ (linked from /): ProgrammingError at /x/"]
    assert _problems_of(_answer(200, "<title>Cases</title><h2>Cases</h2>"), "/x/", "/") == [
        "no <h1> at /x/ (linked from /)"]
    assert _problems_of(_answer(200, fine, seconds=2.5), "/x/", "/") == ["2.5 s at /x/ (linked from /)"]
    assert _same_site("http://127.0.0.1:8000", "/accounts/logout/", "http://127.0.0.1:8000/") is None
    assert _same_site("http://127.0.0.1:8000", "https://www.gov.uk/", "http://127.0.0.1:8000/") is None
    assert _same_site("http://127.0.0.1:8000", "../2/#top", "http://127.0.0.1:8000/cases/1/") == "/cases/2/"
