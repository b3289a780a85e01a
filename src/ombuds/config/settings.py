"""Settings, read from the environment with defaults that need no service at all.

DATABASE_URL      default: SQLite under OMBUDS_DATA_DIR
OMBUDS_DATA_DIR   default: ./var  (database, attachments, queue)
REDIS_URL         when set, the queue and the channel layer use Redis
OMBUDS_SECRET_KEY required outside debug/demo
OMBUDS_DEBUG      "1" turns on Django's debug mode
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SRC_DIR.parent.parent
DATA_DIR = Path(os.environ.get("OMBUDS_DATA_DIR", REPO_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("OMBUDS_DEBUG", "") == "1"
DEMO = os.environ.get("OMBUDS_DEMO", "") == "1"
# pytest imports the settings in its own process; nothing else here imports pytest.
TESTING = os.environ.get("OMBUDS_TESTING", "") == "1" or "pytest" in sys.modules

SECRET_KEY = os.environ.get("OMBUDS_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO or TESTING):
        # A missing key in production would silently make magic links forgeable
        # across restarts; a per-data-dir key keeps the embedded default usable.
        key_file = DATA_DIR / "secret_key"
        if not key_file.exists():
            import secrets

            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        SECRET_KEY = key_file.read_text().strip()
    else:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [h for h in os.environ.get("OMBUDS_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("OMBUDS_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' assets locally instead of from a CDN
    "huey.contrib.djhuey",
    "ombuds.core",
    "ombuds.accounts",
    "ombuds.marketplace",
    "ombuds.conversations",
    "ombuds.intake",
    "ombuds.automation",
    "ombuds.sla",
    "ombuds.policies",
    "ombuds.ledger",
    "ombuds.routing",
    "ombuds.disputes",
    "ombuds.chargebacks",
    "ombuds.rescue",
    "ombuds.web",
    "axes",
]

MIDDLEWARE = [
    "ombuds.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ombuds.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ombuds.config.urls"
WSGI_APPLICATION = "ombuds.config.wsgi.application"
ASGI_APPLICATION = "ombuds.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ombuds.web.context.desk",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ombuds.sqlite3'}"),
        conn_max_age=int(os.environ.get("OMBUDS_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE makes a write
        # transaction take the lock up front instead of failing half-way.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=10000;"
            "PRAGMA cache_size=-65536;PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is not what the tests are about.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a sign-in name from one address out after repeated failures, for a quarter hour:
# slows password guessing without letting a stranger lock an agent out everywhere.
AXES_FAILURE_LIMIT = int(os.environ.get("OMBUDS_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "ombuds.accounts.selectors.sign_in_name"
AXES_LOCKOUT_TEMPLATE = "web/desk/locked_out.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
# One catalogue per area, so each area keeps its own Dutch next to its own templates.
LOCALE_PATHS = [
    SRC_DIR / "web" / "desk" / "locale",
    SRC_DIR / "web" / "portal" / "locale",
    SRC_DIR / "locale",
    SRC_DIR / "web" / "chat" / "locale",
]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [d for d in [REPO_DIR / "node_modules"] if d.is_dir()]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "attachments")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or DEMO or TESTING

# Limits on what customers and integrators may send.
OMBUDS_MAX_ATTACHMENT_BYTES = int(os.environ.get("OMBUDS_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
OMBUDS_MAX_ATTACHMENTS_PER_MESSAGE = 10
OMBUDS_MAX_MESSAGE_CHARS = 100_000
# A raw inbound payload (an email with its attachments, a webhook body) larger than this is
# refused before it is stored.
OMBUDS_MAX_INBOUND_BYTES = int(os.environ.get("OMBUDS_MAX_INBOUND_BYTES", 40 * 1024 * 1024))
# With a backlog of at least OMBUDS_PREPARE_FROM payloads, the worker has this many helper
# processes read (parse, cut quotes, detect language) the next batch while it files the
# current one: the work of the second core (`intake.prepare`). 0 reads in the worker.
OMBUDS_PREPARE_PROCESSES = int(os.environ.get("OMBUDS_PREPARE_PROCESSES", "1"))
OMBUDS_PREPARE_FROM = int(os.environ.get("OMBUDS_PREPARE_FROM", "200"))
# A payment provider's webhook event (Stripe's are a few kilobytes).
OMBUDS_MAX_PSP_EVENT_BYTES = int(os.environ.get("OMBUDS_MAX_PSP_EVENT_BYTES", 1024 * 1024))
# How long before a chargeback's evidence deadline the desk is warned.
# At least this many wall-clock hours, and the start of this many business days of the
# workspace's calendar, whichever comes first.
OMBUDS_CHARGEBACK_WARNING_HOURS = int(os.environ.get("OMBUDS_CHARGEBACK_WARNING_HOURS", "48"))
OMBUDS_CHARGEBACK_WARNING_BUSINESS_DAYS = int(
    os.environ.get("OMBUDS_CHARGEBACK_WARNING_BUSINESS_DAYS", "2")
)
# Keys that seal payment-provider secrets at rest, comma separated: the first seals, all
# open (rotate by putting the new one first). Empty: derived from OMBUDS_SECRET_KEY.
OMBUDS_SEALING_KEYS = [k for k in os.environ.get("OMBUDS_SEALING_KEYS", "").split(",") if k]
# IMAP mailboxes: certificates are always verified; this adds a CA bundle to trust (a
# company mail server signed by its own CA).
OMBUDS_IMAP_CA_FILE = os.environ.get("OMBUDS_IMAP_CA_FILE", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
OMBUDS_MAGIC_LINK_MAX_AGE = 60 * 60 * 24  # seconds a portal link stays valid
# Threads serving web and API requests in one `ombuds serve` process; each keeps its own
# database connection, so PostgreSQL's max_connections must cover processes x threads.
OMBUDS_WEB_THREADS = int(os.environ.get("OMBUDS_WEB_THREADS", "8"))
OMBUDS_PUBLIC_URL = os.environ.get("OMBUDS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "ombuds",
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "ombuds",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

EMAIL_BACKEND = os.environ.get(
    "OMBUDS_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or DEMO)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("OMBUDS_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("OMBUDS_SMTP_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("OMBUDS_FROM_EMAIL", "support@ombuds.localhost")
OMBUDS_SMTP_TIMEOUT = int(os.environ.get("OMBUDS_SMTP_TIMEOUT", "30"))
# Replies carry the case in their Reply-To (support+RES-1042@…): only for mail servers
# that deliver plus addresses to the mailbox without the tag (most do).
OMBUDS_EMAIL_PLUS_ADDRESSING = os.environ.get("OMBUDS_EMAIL_PLUS_ADDRESSING", "") == "1"
# A signed raw-MIME post from a mail provider older (or newer) than this is refused.
OMBUDS_EMAIL_WEBHOOK_TOLERANCE = int(os.environ.get("OMBUDS_EMAIL_WEBHOOK_TOLERANCE", "300"))
# Refusal notices ("your attachment was too large") per sender address and day.
OMBUDS_SENDER_NOTICES_PER_DAY = 3

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the cookie-less meta tag instead
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ombuds.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OMBUDS_LOG_LEVEL", "WARNING")},
    "loggers": {
        "ombuds": {"level": os.environ.get("OMBUDS_LOG_LEVEL", "INFO"), "propagate": True},
    },
}
