"""Settings for every environment. Differences come from the environment only.

One typed place reads the environment (django-environ) and fails loudly on a bad
value. DEBUG defaults to off. Secrets may come from ``NAME_FILE``.
"""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A development .env (written by `make run`); never copied into the production image.
environ.Env.read_env(env.str("DJANGO_DOTENV", default=str(BASE_DIR / ".env")), overwrite=False)


def _secret(name: str, default=environ.Env.NOTSET):
    """A secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = _secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the product, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "pgtrigger",
    "guardian",
    "simple_history",
    "django_filters",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "outbox",
    "agencies",
    "deadlines",
    "allegations",
    "meetings",
    "reporting",
    "providers",
    "lowlevel",  # low-level concerns before a referral (issue 16 part 8): beside allegations, above it
    "assurance",
    "accounts",
    "records",
    "governance",
    "interchange",
    "webhooks",  # an agency's own system told of events (issue 20 part 2): bottom layer, any app records events
    # The partner API (issue 20 §1): Django REST framework, its OpenAPI schema and OAuth 2 client credentials.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's own files, served from our static files (no outside assets)
    "oauth2_provider",
    "api",
    "demo",  # the demo story (seed_demo): the top layer, nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every page and download through Django: Cache-Control: no-store, private (accounts/middleware.py).
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, reading the person with the session in one query (accounts/sessions.py).
    "accounts.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: signs out idle and over-long sessions, then sends anyone who must use
    # two-factor authentication and has no authenticator to set one up (accounts/middleware.py).
    "accounts.middleware.SessionGuardMiddleware",
    # Last (django-axes): turns a locked-out sign-in attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.navigation",
            ],
        },
    },
    {
        # For Django's admin, which the partnership administrator uses.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL is the one database engine, everywhere (README: "One database engine"). `make run` and
# `make test` start a private server when there is none (scripts/services.py); anything else is refused.
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set: use `make run` or `make manage ARGS=...` (they start a private PostgreSQL), "
        "or set DATABASE_URL=postgres://user@host:5432/managing_allegations."
    )
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must be a PostgreSQL database (postgres://user@host:5432/name): "
        "Managing Allegations runs on PostgreSQL only."
    )
# A socket directory as the host (postgres://user@%2Fpath%2Fto%2Fdir/name), as the private server uses.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
# A kept connection is checked before it is reused: after a database restart the next request reconnects
# instead of failing. A request during the restart gets the "try again" page (503, config.errors).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read-only replica, when there is one: reports and figures read from it (config.replica).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"), "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"], "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},  # tests read the test database through it
    }
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL database, like DATABASE_URL.")
    DATABASES["replica"]["HOST"] = unquote(DATABASES["replica"]["HOST"])
DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt for a username and address that is locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",  # a guest's set-password link signs in with it (meetings.views)
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions (issue 7 §1): signed out after SESSION_IDLE_SECONDS without a request, and after
# SESSION_COOKIE_AGE in all (an absolute limit counted from sign-in), by accounts.middleware.
# The access log and the history tables refuse UPDATE and DELETE (records/append_only.py): the triggers
# are installed by every `migrate`, not by migrations of their own.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True

# In the database, with each session's person (accounts/sessions.py), so that deactivating someone or
# removing their last role ends their sessions (accounts.services.sessions_end).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG and not SITE_URL.startswith("http://"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Sign-in (django-allauth): usernames and passwords, then a code from an authenticator app (TOTP)
# or a recovery code. No sign-up, no e-mail log-in, no "remember me": accounts are made by the partnership.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed passwords and codes are locked out per username and address by django-axes (below). allauth's
# own limit stays as a ceiling above it: 10 failures in 15 minutes for one username (or one person's
# codes) from anywhere, 30 a minute from one address.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,10/900s/key"}
MFA_FORMS = {"authenticate": "accounts.forms.CodeForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Managing allegations")
MFA_TOTP_TOLERANCE = 1  # one 30-second step either side: phones' clocks drift
# Who must use two-factor authentication: every role (the default) and people with no role
# (meeting guests). Names from agencies.models.Role, or "*" for everyone.
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=["*"])
# The documented demo authenticator secret (demo/authenticator.py) may be given out and used only
# with DEMO_DATA on; it is off unless set, and refused on an https SITE_URL (production).
DEMO_DATA = env.bool("DEMO_DATA", default=False)

# Lockout (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one username from one
# address, that pair is refused for AXES_COOLOFF_TIME. The address is REMOTE_ADDR, or the
# proxy's X-Forwarded-For only behind our own TLS proxy (accounts.policy.client_ip): a header
# a client sends itself can never reset its count.
import datetime as _dt  # noqa: E402

# allauth keeps its rate limits and each used TOTP code (so a code works once) in the default cache. It is
# Django's database cache, in PostgreSQL: shared by every web process, kept across restarts, and there as long
# as the database is, so sign-in, two factors and their limits never depend on Redis (a rate limit that failed
# open when Redis was away would be a hole). The table is made on every migrate (accounts.apps).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache",
                "KEY_PREFIX": "ma-cache"},
}
# Optional caching in Redis (nothing needs it to work): a Redis database of its own, never Celery's, so
# clearing one never touches the other. Unreachable, it is a miss, never an error (config.cache).
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="")
if REDIS_CACHE_URL:
    if REDIS_CACHE_URL == env.str("REDIS_URL", default=""):
        raise environ.ImproperlyConfigured("REDIS_CACHE_URL must name another Redis database than REDIS_URL (Celery's).")
    CACHES["redis"] = {"BACKEND": "config.cache.SoftRedisCache", "LOCATION": REDIS_CACHE_URL, "KEY_PREFIX": "ma-cache",
                       "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.policy.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Uploaded documents (records): an upload over DOCUMENT_MAX_SIZE (20 MB unless set) is dropped as it arrives.
FILE_UPLOAD_HANDLERS = [
    "records.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# django-guardian: agency staff hold no model-wide permissions; no anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-simple-history: every change records who and why.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True

# Content Security Policy (Django's own), with nonces for our few scripts.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # a GOV.UK page saying what to do (templates/errors/csrf.html)
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    # Only behind a proxy that sets this header itself (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Served over https (SITE_URL says so, as in production): redirect http to https and send HSTS.
# `make run` serves http on 127.0.0.1 and gets neither. A proxy that terminates TLS must also
# set BEHIND_TLS_PROXY (above), or every request would look like http and be redirected.
_HTTPS = SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_HTTPS)
# Preloading is a one-way commitment for the whole domain: the partnership's choice, so off by default
# (check --deploy's W021 is silenced for it below).
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# E-mail: a link only, never names of children or subjects.
# Development (http SITE_URL) writes each e-mail as a file in var/mail/ (DEV_MAIL_DIR), listed on the
# "E-mails sent" page when DEBUG is on; production sends it by SMTP, or through GOV.UK Notify with
# EMAIL_BACKEND=outbox.notify.NotifyBackend (outbox/notify.py; the README says how to set it up).
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_MAILBOX = "config.mail.MailboxBackend"
_NOTIFY = "outbox.notify.NotifyBackend"
DEV_MAIL_DIR = Path(env.str("DEV_MAIL_DIR", default=str(BASE_DIR / "var" / "mail")))
_EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_SMTP if SITE_URL.startswith("https://") else _MAILBOX)
_MAIL_OPTIONS = {
    _SMTP: {
        "host": env.str("EMAIL_HOST", default="localhost"),
        "port": env.int("EMAIL_PORT", default=587),
        "username": env.str("EMAIL_HOST_USER", default=""),
        "password": _secret("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=True),
        "timeout": env.int("EMAIL_TIMEOUT", default=30),
    },
    _MAILBOX: {"folder": str(DEV_MAIL_DIR)},
    _NOTIFY: {
        "api_key": _secret("NOTIFY_API_KEY", default=""),
        # {"<kind of e-mail>": "<Notify template id>", ...}: `manage.py check` names any kind without one.
        "templates": env.json("NOTIFY_TEMPLATES", default={}),
        "base_url": env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"),
        "reply_to_id": env.str("NOTIFY_REPLY_TO_ID", default=""),
        "timeout": env.int("NOTIFY_TIMEOUT", default=30),
    },
}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS.get(_EMAIL_BACKEND, {})}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="managing-allegations@localhost")
# GOV.UK Notify's delivery receipts: the bearer token Notify sends to /notify/receipts/ (set the same in Notify's
# "Callbacks" settings). Without it the callback answers 403 to everyone, and the beat job asks Notify instead
# about deliveries still waiting for a receipt NOTIFY_POLL_AFTER_MINUTES after they were sent.
NOTIFY_CALLBACK_TOKEN = _secret("NOTIFY_CALLBACK_TOKEN", default="")
NOTIFY_POLL_AFTER_MINUTES = env.int("NOTIFY_POLL_AFTER_MINUTES", default=30)
# An external meeting invitee's link to set a password and sign in (meetings.tokens): works once, for this many days.
GUEST_LINK_DAYS = env.int("GUEST_LINK_DAYS", default=14)

# Celery. With REDIS_URL: Redis. Without: an embedded file-system broker, so that
# `make run` still runs background jobs asynchronously with nothing but Python.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TIMEZONE = "UTC"  # beat schedules in UTC
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The queue tasks go to when nothing names one, including those a worker hands over itself (a sweep's e-mails):
# a test's or a benchmark's worker sets its own, so that what it hands over comes back to it.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A worker child that grew past this (KiB) after a task (a large PDF) is replaced.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=512_000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
_VISIBILITY_TIMEOUT = 60 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A Redis that is away fails a hand-over at once (the outbox keeps it): nobody waits on a dead socket.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY_TIMEOUT, "socket_connect_timeout": 2,
                                       "socket_timeout": 10}
else:
    _broker_dir = BASE_DIR / "var" / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
# The outbox's relay runs every OUTBOX_RELAY_SECONDS; a message not done is handed over again
# OUTBOX_RELAY_AFTER_SECONDS after its last hand-over (then a little later each time).
OUTBOX_RELAY_SECONDS = env.int("OUTBOX_RELAY_SECONDS", default=15)
OUTBOX_RELAY_AFTER_SECONDS = env.int("OUTBOX_RELAY_AFTER_SECONDS", default=60)
# A deadline sweep with more due than one batch asks this many more worker processes to sweep with it
# (deadlines.chasing.sweep's `alongside`): 1 suits a worker of two processes; 0 sweeps in one process.
DEADLINE_SWEEPS_ALONGSIDE = env.int("DEADLINE_SWEEPS_ALONGSIDE", default=1)
# Webhooks (webhooks/services.py): exponential back-off from WEBHOOK_RETRY_BASE_SECONDS, doubling, for
# WEBHOOK_RETRY_HOURS; an endpoint whose attempts all fail for WEBHOOK_PAUSE_AFTER_HOURS is paused. Only https://
# addresses on the public internet are sent to: WEBHOOK_ALLOW_LOCAL_ADDRESSES lets a test's receiver on 127.0.0.1
# be reached, and WEBHOOK_CA_FILE trusts a certificate authority besides the system's (a test's own).
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_PAUSE_AFTER_HOURS = env.int("WEBHOOK_PAUSE_AFTER_HOURS", default=24)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_ALLOW_LOCAL_ADDRESSES = env.bool("WEBHOOK_ALLOW_LOCAL_ADDRESSES", default=False)
WEBHOOK_CA_FILE = env.str("WEBHOOK_CA_FILE", default="")
# Exactly one beat, scheduling in UTC (CELERY_TIMEZONE / CELERY_ENABLE_UTC above).
CELERY_BEAT_SCHEDULE = {
    # The deadline sweep, and in the same pass the daily digests of notices (agencies.digests: once a day per
    # person from the partnership's digest hour; every later pass only finds them sent).
    "chase-deadlines": {
        "task": "deadlines.tasks.chase_deadlines",
        "schedule": 60.0,  # seconds; a sweep is idempotent, so a late or repeated run is harmless
        # A trigger not taken within the minute is dropped: the next one does the same work.
        "options": {"expires": 55.0},
    },
    # Webhooks' next attempts whose time has come (webhooks.services.deliveries_retry_due): idempotent.
    "webhooks-retry": {
        "task": "webhooks.tasks.retry_due",
        "schedule": 60.0,
        "options": {"expires": 55.0},
    },
    # Assurance rounds (assurance.chasing): reminders before the due date, notices once it has passed.
    "chase-assurance-rounds": {
        "task": "assurance.tasks.chase_rounds",
        "schedule": 3600.0,
        "options": {"expires": 3500.0},
    },
    # The outbox (outbox.services.messages_relay): hands Celery again whatever side effect is not done yet.
    "relay-outbox": {
        "task": "outbox.tasks.relay",
        "schedule": float(OUTBOX_RELAY_SECONDS),
        "options": {"expires": max(OUTBOX_RELAY_SECONDS - 1, 1)},
    },
    # GOV.UK Notify (outbox.notify.notify_poll): the receipts of deliveries still waiting for one. Nothing to do
    # unless Notify is the e-mail backend.
    "poll-notify": {
        "task": "outbox.tasks.poll_notify",
        "schedule": 600.0,
        "options": {"expires": 590.0},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The file-system broker of `make run` has no host name: kombu says so on every connection.
        "kombu.connection": {"level": "ERROR"},
    },
}


# --- The partner API (issue 20 §1, api/) --------------------------------------------------------------------
# Agencies' own systems call /api/v1/ as an API client (api.models.ApiClient): OAuth 2 client credentials
# (django-oauth-toolkit), short-lived bearer tokens, secrets stored hashed. Each client acts through its
# service account, so the pages' selectors decide what it sees.
API_ACCESS_TOKEN_SECONDS = env.int("API_ACCESS_TOKEN_SECONDS", default=10 * 60)
# Requests per client per minute (api.throttling.ClientRateThrottle): beyond it, 429 with Retry-After.
API_REQUESTS_PER_MINUTE = env.int("API_REQUESTS_PER_MINUTE", default=120)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": API_ACCESS_TOKEN_SECONDS,
    # The OAuth 2.0 security best current practice (RFC 9700) in full: only the client credentials grant is used
    # here, tokens are kept hashed and accepted only in the Authorization header, and redirects need https.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Only the scopes the partnership administrator gave the client (api.scopes.ClientScopes).
    "SCOPES_BACKEND_CLASS": "api.scopes.ClientScopes",
    # Every scope there is (api.models.Scope); a client is given some of them.
    "SCOPES": {
        "refer": "Submit referrals",
        "cases": "Read the agency's referrals and cases",
        "actions": "Read the agency's actions, record progress and mark them done",
        "meetings": "Read the meetings the agency is invited to and the minutes sent to it",
        "figures": "Read the figures and the annual report",
        "export": "Export cases and meetings (interchange JSON Lines)",
    },
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasClientScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Managing allegations partner API",
    "DESCRIPTION": (
        "For agencies' own systems: submit referrals, follow the agency's referrals and cases at its level, "
        "its actions and meetings. Authenticate with OAuth 2 client credentials at /api/v1/oauth/token/. "
        "Records are named by their references (MAS-2026-00042), instants are ISO 8601 in UTC, errors are "
        "RFC 9457 problem details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name for the yes / no / not known answers (a person's social worker, looked after).
    "ENUM_NAME_OVERRIDES": {"YesNoNotKnownEnum": "allegations.models.YesNoNotKnown"},
}
