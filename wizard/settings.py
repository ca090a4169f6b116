"""One settings module, driven by environment variables."""

import logging
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_seconds(name: str, default: str) -> list[float]:
    """A comma-separated list of seconds; a clear message at start-up for anything else."""
    values = env_list(name, default)
    try:
        seconds = [float(value) for value in values]
    except ValueError:
        seconds = [-1.0]
    if not all(0 <= s < float("inf") for s in seconds):
        raise ImproperlyConfigured(f"{name} must be seconds, e.g. {default!r}; it is {','.join(values)!r}.")
    return seconds


def env_url(name: str) -> str:
    url = os.environ.get(name, "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// address; it is {url!r}.")
    return url


def local_secret_key() -> str:
    """The embedded default keeps one generated key in a git-ignored file beside the code."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if os.environ.get("DATABASE_URL") and not DEBUG:
        # Several hosts must share one key, so a production database needs it set, not generated.
        raise ImproperlyConfigured("Set SECRET_KEY: it is required when DEBUG is off and DATABASE_URL is set.")
    SECRET_KEY = local_secret_key()  # the embedded default (make run): generated once, kept beside the code

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "corsheaders",
    "django_tasks_db",
    "troubleshoot",
]

MIDDLEWARE = [
    "troubleshoot.middleware.RequestLog",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before CommonMiddleware, as its docs say
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "troubleshoot.embed.Framing",  # inside CSP and X-Frame-Options: it tells them who may frame /embed/
    "troubleshoot.middleware.DatabaseAway",
    "troubleshoot.api_errors.ApiErrors",  # last: the API's errors as JSON, before DatabaseAway's HTML page
]

ROOT_URLCONF = "wizard.urls"
WSGI_APPLICATION = "wizard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# DATABASE_URL picks the database (postgres://user@host/name in production); SQLite beside the code otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{os.environ.get('SQLITE_PATH', BASE_DIR / 'db.sqlite3')}", conn_max_age=60, conn_health_checks=True
    )
}
if os.environ.get("TEST_DATABASE_NAME"):  # lets concurrent test runs on one server keep apart
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer and commits skip fsync; IMMEDIATE makes writers queue, not fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

# Published versions never change; only which one is newest does. Each process asks at most this often.
NEWEST_VERSION_SECONDS = float(os.environ.get("NEWEST_VERSION_SECONDS", "5"))
# Each process writes the runs of its walks in one batch this often, off the request path; 0 writes
# each step in its own request (troubleshoot/run_writer.py).
RUN_WRITE_SECONDS = float(os.environ.get("RUN_WRITE_SECONDS", "0.5"))
# Where a process exiting while the database is away keeps the runs it held, for the next process on this host.
RUN_SPOOL_DIR = os.environ.get("RUN_SPOOL_DIR", str(BASE_DIR / ".runs-held"))

# Only the admin shows messages, always to someone with a session; the default (cookie, then
# session) builds a cookie signer on every request to find none.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "troubleshoot:login"
LOGIN_REDIRECT_URL = "troubleshoot:agent"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "troubleshoot.storage.StaticStorage"},
}

# Our own scripts and styles only: no inline script, no CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the form, never from the cookie

# Served over HTTPS (HTTPS=1), usually behind a load balancer that says so in X-Forwarded-Proto.
HTTPS = env_bool("HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/(deliveries/)?$"]  # load balancers ask over plain HTTP

# Anonymous writes each client may make per minute; past them it is slowed (HTTP 429) or, for new
# runs, simply not recorded. PROXY_COUNT: how many trusted proxies add to X-Forwarded-For.
# Per client address and minute, sized for an office of 200 people behind one address: troubleshoot/limits.py says why.
WRITES_PER_MINUTE = {"paste": 300, "refused": 300, "record": 60, "suggest": 1200, "feedback": 60, "run": 300, "handoff": 60}
# Other sites' pages that may call the JSON API from a browser (e.g. "https://help.example.com"); none by default.
CORS_ALLOWED_ORIGINS = env_list("API_CORS_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/"
CORS_EXPOSE_HEADERS = ["Retry-After"]  # a script told 429 or 503 may read when to try again
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]  # what the API takes; a preflight offers no more
# Other apps' pages that may show the wizard in a frame (/embed/...), e.g. "https://help.example.com"; none by default.
EMBED_ORIGINS = env_list("EMBED_ORIGINS", "")
# The secret a helpdesk admin gives both the embedding host and the wizard: a context the host signs with
# it (context.py) names the ticket an escalation is written into; an unsigned one never does.
EMBED_CONTEXT_SECRET = os.environ.get("EMBED_CONTEXT_SECRET", "")
if EMBED_CONTEXT_SECRET and len(EMBED_CONTEXT_SECRET.encode()) < 32:
    raise ImproperlyConfigured("EMBED_CONTEXT_SECRET must be at least 32 bytes: HS256 wants a key as long as its hash.")

# Escalations delivered to the support team's tools (troubleshoot/deliveries.py): queued in the database
# by django.tasks and sent by `manage.py deliver_escalations`, which `make run` starts.
# One queue per destination, so a slow receiver holds back only its own; "deliveries" for tasks queued before.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                     "QUEUES": ["deliveries", "deliveries-webhook", "deliveries-zendesk"]}}
# A generic webhook, signed with HMAC-SHA256 (its secret is required with its URL) ...
ESCALATION_WEBHOOK_URL = env_url("ESCALATION_WEBHOOK_URL")
ESCALATION_WEBHOOK_SECRET = os.environ.get("ESCALATION_WEBHOOK_SECRET", "")
if ESCALATION_WEBHOOK_URL and not ESCALATION_WEBHOOK_SECRET:
    raise ImproperlyConfigured("Set ESCALATION_WEBHOOK_SECRET: the receiver checks each delivery's signature with it.")
# ... and Zendesk: a ticket per escalation, or an internal note on the ticket the context reference names.
ZENDESK_URL = env_url("ZENDESK_URL").rstrip("/")
ZENDESK_EMAIL = os.environ.get("ZENDESK_EMAIL", "")
ZENDESK_API_TOKEN = os.environ.get("ZENDESK_API_TOKEN", "")
if ZENDESK_URL and not (ZENDESK_EMAIL and ZENDESK_API_TOKEN):
    raise ImproperlyConfigured("Set ZENDESK_EMAIL and ZENDESK_API_TOKEN: Zendesk's API needs both with ZENDESK_URL.")
# Seconds to wait for a receiver, and before each next attempt; after the last wait the delivery has failed.
DELIVERY_TIMEOUT_SECONDS = max(0.1, (env_seconds("DELIVERY_TIMEOUT_SECONDS", "10") or [10.0])[0])
DELIVERY_RETRY_SECONDS = env_seconds("DELIVERY_RETRY_SECONDS", "10,30,60,300,900,1800,3600,7200,14400,28800,43200,86400")

RATE_LIMITS = os.environ.get("RATE_LIMITS", "on") != "off"  # off only for load tests (make bench)
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

# Shared across hosts with Redis (rate limits must be); one process's memory otherwise.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    if os.environ.get("REDIS_URL") else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Everything to standard error, for the process manager to collect; errors carry their traceback.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"format": "%(message)s"}},
    # Our 503s are deliberate (the database away) and their cause is logged once by their own code;
    # RequestLog has a line for each: django.request need not add one per request.
    "filters": {"not_503": {"()": "django.utils.log.CallbackFilter",
                            "callback": lambda record: getattr(record, "status_code", None) != 503}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["not_503"]},
                 "requests": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},  # one line per request comes from RequestLog
        # That line is JSON as it stands (its time inside): no prefix, and the shortest way out.
        "troubleshoot.requests": {"handlers": ["requests"], "level": LOG_LEVEL, "propagate": False},
    },
}
# Thread, process name, asyncio task: no format in use shows them (ours above; gunicorn's is
# "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"), yet every record would look them up (the
# task's name costs an exception outside an event loop): the logging HOWTO's "Optimization" switches.
# The pid stays (about 0.3 us a record): without it gunicorn's lines from a worker that has loaded
# Django ("Worker exiting", "Error handling request") come out as "--- Logging error ---".
logging.logThreads = logging.logMultiprocessing = logging.logAsyncioTasks = False
