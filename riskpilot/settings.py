"""RiskPilot settings, driven by environment variables (see .env.example).

With nothing set, RiskPilot runs as the *embedded default*: SQLite in var/, Celery tasks run
eagerly in the web process, e-mail goes to the console. Setting DATABASE_URL and REDIS_URL
switches to PostgreSQL with persistent connections and a real Celery broker. With
RISKPILOT_ENV=production the secret key, hosts and database must come from the environment.
"""

import datetime
from email.utils import getaddresses
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
RISKPILOT_ENV = env.str("RISKPILOT_ENV", default="development")
if RISKPILOT_ENV not in ("development", "production"):
    raise ImproperlyConfigured("RISKPILOT_ENV must be 'development' or 'production'.")
PRODUCTION = RISKPILOT_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)


def _development_secret_key() -> str:
    # A key generated once per checkout, never a literal in the code: sessions of the
    # embedded demo survive restarts, and no two installations share a key.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set when RISKPILOT_ENV=production.")
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    "enterprises",
    "hazards",
    "assessments",
    "documents",
    "dashboards",
    "reports",
    "riskpilot.submissions",
    "api",
    # Serves the API documentation's scripts and styles from our static files (no CDN).
    "ninja",
]
# Benchmark and load-test tooling (bench/: make bench, make loadtest): its management commands.
# Never part of a production install unless asked for explicitly (a benchmark of a staging copy).
BENCH_TOOLS = env.bool("RISKPILOT_BENCH_TOOLS", default=not PRODUCTION)
if BENCH_TOOLS:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    # First: a body over REQUEST_MAX_BYTES is refused before anything reads it.
    "riskpilot.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on every response to a signed-in user.
    "riskpilot.middleware.private_pages",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # While the worker kiosk is open in a session, only the kiosk's pages answer it.
    "documents.middleware.KioskLockMiddleware",
    # Records who made each change in the register's history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "riskpilot.urls"
WSGI_APPLICATION = "riskpilot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Tags of the project's own templates, not of one app: {% load pager %}.
            "libraries": {"pager": "riskpilot.templatetags.pager"},
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: opening one per request costs about 12x the throughput.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif not PRODUCTION:
    VAR_DIR.mkdir(exist_ok=True)
# A read-only PostgreSQL replica for the dashboards (riskpilot/db_routers.py, @replica_reads):
# their figures are minutes old by design, so replica lag costs nothing. Everything else, and
# every write, stays on the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Tests read the primary through this alias: there is no replication in a test run.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["riskpilot.db_routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "enterprises.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Languages and time -----------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# The pilot's home region, Orenburg, is UTC+5 (Yekaterinburg time).
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Yekaterinburg")
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
# Without collectstatic (development, tests) WhiteNoise serves from the apps' folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence uploads and rendered reports, outside MEDIA_ROOT: nothing serves this folder;
    # files go out only through views that check who is asking (storages["private"]).
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Private files in S3-compatible object storage instead (AWS S3, Yandex Object Storage, MinIO):
# the web containers then keep nothing on their own disks. The bucket stays private; files still
# go out only through RiskPilot's access-checked views, never by a public or signed link.
PRIVATE_STORAGE = env.str("PRIVATE_STORAGE", default="filesystem")
if PRIVATE_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured("PRIVATE_STORAGE must be 'filesystem' or 's3'.")
if PRIVATE_STORAGE == "s3":
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID"),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "file_overwrite": False,
            # MinIO and most S3-compatible services want path-style addresses.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
        },
    }

# Uploads bigger than this are refused by the forms that take files (evidence photos, imports).
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# The largest request body of any kind: the largest upload plus room for the form's other fields.
# riskpilot.middleware answers 413 to anything bigger before a byte of it is read (without this,
# Django writes a 600 MB multipart body to the temporary folder before any form sees it); the
# reverse proxy's client_max_body_size is set from the same variable (deploy/nginx).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=MAX_UPLOAD_BYTES + 1024 * 1024)
# Non-file fields held in memory; files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file,
# which the limit above keeps bounded too.
# Requests per personal API token (or signed-in user) and period: s, min, h or day. Empty: none.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="1200/min")
DATA_UPLOAD_MAX_MEMORY_SIZE = min(5 * 1024 * 1024, REQUEST_MAX_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default="") or None

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Redis, Celery, cache ---------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # A Redis that is down or hung makes pages compute their figures instead of failing
    # (riskpilot/cache.py); the short time-outs keep a hung one from holding up every request.
    CACHES = {
        "default": {
            "BACKEND": "riskpilot.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # Room for the ended periods' snapshots: an entry per enterprise and hazard group (the default
    # of 300 entries would drop them as they are written).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without a broker the embedded default runs every task at once, in the calling process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # the database, not a result backend, records outcomes
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Redis re-delivers an unacknowledged task after this; retries must be shorter.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# PDF rendering is slow and memory-hungry: its own queue, so it never holds up other tasks
# (a worker for it: celery -A riskpilot worker -Q pdf --concurrency <cores> --max-tasks-per-child 20;
# a set of cards is rendered in parts on all its processes).
CELERY_TASK_ROUTES = {
    "reports.tasks.render_report": {"queue": "pdf"},
    # The documents' PDFs: issued cards, approved plans, sets of cards, acknowledgement sheets.
    "documents.tasks.render_card": {"queue": "pdf"},
    "documents.tasks.render_plan": {"queue": "pdf"},
    "documents.tasks.render_bundle": {"queue": "pdf"},
    "documents.tasks.render_bundle_part": {"queue": "pdf"},
    "documents.tasks.finish_bundle": {"queue": "pdf"},
    "documents.tasks.render_sheet": {"queue": "pdf"},
}

# Subscribed reports by e-mail (reports.delivery). A failed send is tried again after
# base × 2^(n-1) seconds, capped at 30 minutes: every wait stays below the broker's visibility
# timeout, so a retry is never mistaken for a lost task. After the last of these quick attempts
# the delivery is marked failed (listed on the admin index and counted by /health/, the ADMINS
# are mailed) and the reconciler keeps trying it, the wait doubling up to
# REPORTS_DELIVERY_MAX_BACKOFF, until REPORTS_DELIVERY_GIVE_UP_AFTER seconds after its first
# attempt: an SMTP outage of a day loses no report. Then it is given up (the admins can still
# send it again from the admin site).
REPORTS_DELIVERY_RETRY_BASE = env.int("REPORTS_DELIVERY_RETRY_BASE", default=60)
REPORTS_DELIVERY_MAX_ATTEMPTS = env.int("REPORTS_DELIVERY_MAX_ATTEMPTS", default=6)
REPORTS_DELIVERY_MAX_BACKOFF = env.int("REPORTS_DELIVERY_MAX_BACKOFF", default=4 * 60 * 60)
REPORTS_DELIVERY_GIVE_UP_AFTER = env.int("REPORTS_DELIVERY_GIVE_UP_AFTER", default=24 * 60 * 60)
# The reconciler re-queues a report or delivery that has not moved for this long (seconds)...
REPORTS_RECONCILE_GRACE = env.int("REPORTS_RECONCILE_GRACE", default=600)
# ...and a render that has run longer than the render task's hard time limit (300 s) can only
# belong to a worker that died.
REPORTS_RENDER_STALE_AFTER = env.int("REPORTS_RENDER_STALE_AFTER", default=360)
# Report e-mails go without approval only to these domains (and their subdomains) and, for an
# enterprise's report, to the domains of that enterprise's users; any other recipient makes the
# subscription wait for an administrator's approval in the admin site.
REPORTS_RECIPIENT_DOMAINS = env.list("REPORTS_RECIPIENT_DOMAINS", default=["mintrud.gov.ru", "rosmintrud.ru"])
# Reports (and new versions) one person may order in an hour; each costs a PDF render.
REPORTS_ORDERS_PER_HOUR = env.int("REPORTS_ORDERS_PER_HOUR", default=10)
# Retention: of each report (type, scope, period, language) the newest REPORTS_KEEP_VERSIONS
# versions are kept; older ones are deleted, file included, once REPORTS_VERSION_MAX_AGE_DAYS old,
# unless a delivery records sending them (reports.delivery.reports_prune, run by the reconciler).
REPORTS_KEEP_VERSIONS = env.int("REPORTS_KEEP_VERSIONS", default=3)
REPORTS_VERSION_MAX_AGE_DAYS = env.int("REPORTS_VERSION_MAX_AGE_DAYS", default=30)
# Subscriptions fanned out per task: many small tasks, never one giant one.
REPORTS_FAN_OUT_BATCH = 100

# How old the dashboards' roll-ups may be before a page refreshes them (seconds). Without a
# broker the refresh runs in the request (0); with one a periodic task keeps them fresh.
REPORTS_ROLLUP_MAX_AGE = env.int("REPORTS_ROLLUP_MAX_AGE", default=0 if not REDIS_URL else 600)

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="RiskPilot <noreply@riskpilot.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who hears about reports that finally failed to render or to be delivered ("Name <address>",
# comma-separated); an empty list only logs.
ADMINS = [tuple(parsed) for parsed in getaddresses(env.list("ADMINS", default=[]))]
# The address of the site as users reach it, for links in e-mails (no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working shift
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Login throttling (django-axes): 5 failed attempts for one username from one address lock that
# pair out for 15 minutes; a success clears the count. The axes backend must come first: it
# refuses locked-out pairs before the password is even checked. It needs the request, so code
# that signs in must pass it to authenticate() (tests use client.force_login, which skips backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind the reverse proxy of docker-compose.yml (deploy/nginx) every request comes from the
# proxy's address: BEHIND_PROXY=true takes the client's from the X-Real-IP header the proxy sets
# (riskpilot.middleware.client_ip). Never set it without a proxy that overwrites that header,
# or anyone could choose the address their failed logins are counted against.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
# Routes the load test's one-query yardstick view (bench/loadtest/trivial.py) through the load
# test's own URLconf, the product's URLs plus that page; only bench/loadtest/run.py turns it on, for
# its own server. Never in a real deployment; the product's code never imports bench/.
LOADTEST_TRIVIAL_VIEW = env.bool("LOADTEST_TRIVIAL_VIEW", default=False)
if LOADTEST_TRIVIAL_VIEW:
    ROOT_URLCONF = "bench.loadtest.urls"
AXES_CLIENT_IP_CALLABLE = "riskpilot.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Content Security Policy (django-csp). Every script is a file of ours (Bootstrap, htmx): no
# inline script or on* handler exists in templates/, so scripts need nothing but 'self'.
# Styles need 'unsafe-inline': htmx adds its indicator <style> at load, and a few templates
# set widths with style="" attributes. Inline CSS cannot run code, so this opens no script injection.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"axes_housekeeping": {"()": "riskpilot.logfilters.AxesHousekeeping"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per login at INFO: "AXES: Successful login by …" (failures stay WARNING lines).
    "loggers": {"axes.handlers.database": {"filters": ["axes_housekeeping"]}},
}
# Without verbosity django-axes neither logs a banner at every start (each manage.py command) nor
# puts the user agent into its lines: the lockout parameters (username, address) are enough.
AXES_VERBOSE = False
