"""One settings file for every deployment, driven by the environment (STYLE.md §6).

Every variable read here is listed, with its default, in `.env.example` and the README.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from motcua.core.env import env_bool, env_int, env_list, env_str, served_site_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(BASE_DIR / "var")))

DEMO = env_bool("MOTCUA_DEMO", False)
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if DEMO or DEBUG:
        SECRET_KEY = "demo-only-secret-key-not-for-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example), or run with MOTCUA_DEMO=1."
        )

# The public address of the portal, used in QR codes, receipts, results and links sent by SMS or e-mail.
# Unset, it is the address `make run` / `make serve` listens on (HOST and PORT), so links reach this server.
SITE_URL = (env_str("SITE_URL", "") or served_site_url(env_str("HOST", "127.0.0.1"), env_str("PORT", "8000"))).rstrip(
    "/"
)
_SITE_HOST = SITE_URL.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", sorted({"127.0.0.1", "localhost", _SITE_HOST}) if (DEMO or DEBUG) else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "motcua.accounts.admin_apps.MotcuaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_tasks",
    "django_tasks_db",
    # Swagger UI for /api/v1/docs from the files django-ninja ships (served by WhiteNoise), not a CDN.
    "ninja",
    "csp",
    "motcua.core",
    "motcua.places",
    "motcua.accounts",
    "motcua.calendars",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.notifications",
    "motcua.outreach",
    "motcua.vneid",
    "motcua.payments",
    "motcua.feedback",
    "motcua.alerts",
    "motcua.hotline",
    "motcua.broadcasts",
    "motcua.stats",
    "motcua.reports",
    "motcua.portal",
    "motcua.workspace",
    "motcua.demo",
    "motcua.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "motcua.api.errors.JsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.ChosenLanguageMiddleware",
    "motcua.core.middleware.RefuseUnreadableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "motcua.api.auth.BearerDownloadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
# Widgets render through the project's templates, so our own widget templates are found.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "motcua.core.context_processors.site",
                "motcua.accounts.context_processors.roles",
                "motcua.outreach.context_processors.outreach",
                "motcua.notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# PostgreSQL when DATABASE_URL is set; otherwise an embedded SQLite file under var/.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "motcua.sqlite3",
            "OPTIONS": {
                # Wait for a writer instead of failing with "database is locked"; IMMEDIATE takes the
                # write lock at BEGIN so two writers queue rather than deadlock on upgrade.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
            },
            # Tests use a file too (not Django's shared in-memory database, whose table locks fail at
            # once instead of waiting): concurrency on SQLite is then tested as it runs in production.
            "TEST": {"NAME": str(VAR_DIR / "test-motcua.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["motcua.accounts.backends.IdentifierBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "motcua.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Officers need a TOTP code; demo mode switches this off unless asked for explicitly.
OFFICER_TOTP_REQUIRED = env_bool("MOTCUA_OFFICER_TOTP", not DEMO)
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 12)
# One-time codes sent by SMS (sign-up, recovery, assisted submission): lifetime, wrong tries before the
# code is void, seconds before "send again" works. Walk-in activation links live ACTIVATION_LINK_DAYS.
OTP_TTL_SECONDS = env_int("OTP_TTL_SECONDS", 300)
OTP_MAX_TRIES = env_int("OTP_MAX_TRIES", 5)
OTP_RESEND_SECONDS = env_int("OTP_RESEND_SECONDS", 60)
ACTIVATION_LINK_DAYS = env_int("ACTIVATION_LINK_DAYS", 7)
# An officer's one-time TOTP enrolment code (issued by an administrator) is valid this long.
TOTP_ENROLMENT_CODE_HOURS = env_int("TOTP_ENROLMENT_CODE_HOURS", 72)

# --- Abuse limits (motcua/accounts/throttle.py, docs/operations.md "Security settings") -------------
# The client address: REMOTE_ADDR, or the address in CLIENT_IP_HEADER when the request comes from one
# of TRUSTED_PROXIES (IP addresses or networks, e.g. "127.0.0.1,10.0.0.0/24"). Empty: headers ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "X-Forwarded-For")
# After this many wrong passwords within the login window, the right password also needs a code sent
# by SMS (citizens) or the authenticator (officers).
LOGIN_CHALLENGE_AFTER_FAILURES = env_int("LOGIN_CHALLENGE_AFTER_FAILURES", 10)
THROTTLES = {
    # Per account: 5 free failures, then 1, 2, 4 ... 60 s between tries; never a lock-out.
    # Per address: 100 failures an hour (a commune hall behind one NAT address must not be locked out).
    "login": {
        "window": 3600,
        "key_free": env_int("LOGIN_FREE_FAILURES_PER_ACCOUNT", 5),
        "key_max_delay": env_int("LOGIN_MAX_DELAY_SECONDS", 60),
        "ip_max": env_int("LOGIN_MAX_FAILURES_PER_IP", 100),
    },
    "totp": {"window": 3600, "key_free": 3, "key_max_delay": 900, "ip_max": 50},
    "sms_code": {"window": 3600, "key_free": 3, "key_max_delay": 900, "ip_max": 50},
    "enrolment": {"window": 3600, "key_free": 3, "key_max_delay": 900, "ip_max": 20},
    # Public tracking: per dossier code and per address; its own counters, never the login's.
    "track": {
        "window": 900,
        "key_free": env_int("TRACK_FREE_FAILURES_PER_CODE", 5),
        "key_max_delay": 300,
        "ip_max": env_int("TRACK_MAX_FAILURES_PER_IP", 30),
    },
    # One-time codes by SMS (motcua/accounts/otp.py, docs/identity.md): every code sent counts, per phone
    # number and per address, over an hour; wrong codes are counted per address.
    "otp_send": {
        "window": 3600,
        "key_max": env_int("OTP_MAX_PER_PHONE_PER_HOUR", 5),
        "ip_max": env_int("OTP_MAX_PER_IP_PER_HOUR", 20),
        "count": "all",
    },
    "otp_confirm": {"window": 3600, "ip_max": env_int("OTP_MAX_WRONG_PER_IP_PER_HOUR", 50)},
    # Work done for strangers: every request counts.
    "verify": {"window": 600, "ip_max": env_int("VERIFY_MAX_PER_IP", 20), "count": "all"},
    "assistant": {"window": 60, "ip_max": env_int("ASSISTANT_MAX_PER_IP", 30), "count": "all"},
}

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not (DEMO or DEBUG))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Behind a TLS proxy: redirect plain HTTP and tell browsers to keep to HTTPS (HSTS, one year by default).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", BEHIND_TLS_PROXY)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", BEHIND_TLS_PROXY)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy on every response (django-csp): scripts, styles and everything else only from
# this site; no inline script or style anywhere (templates load static files). A page that ever needs an
# inline script adds a nonce: <script nonce="{{ request.csp_nonce }}"> (NONCE is in script-src).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Language, time, formats ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["motcua.formats"]

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "motcua" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_MAX_AGE = 31536000

# --- Background tasks -----------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Deadline alerts (motcua/alerts): the leaders' digest goes out from this local hour on working days.
ALERTS_DIGEST_HOUR = env_int("ALERTS_DIGEST_HOUR", 7)

# --- Logging: personal data is masked before a record is written (Decree 13/2023) -----------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "motcua.core.logging.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_pii"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEMO else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "motcua@localhost")

# The office whose address and hotline head the citizen pages (its code); empty = the first office.
MOTCUA_OFFICE = env_str("MOTCUA_OFFICE", "")
# Uploads: per file and per dossier (bytes).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DOSSIER_UPLOAD_MAX_BYTES = env_int("DOSSIER_UPLOAD_MAX_BYTES", 30 * 1024 * 1024)
# Every upload is parsed at receipt (docs/dossiers.md): PDF pages and image pixels within these limits.
UPLOAD_MAX_PDF_PAGES = env_int("UPLOAD_MAX_PDF_PAGES", 100)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 40_000_000)
# Per-user quotas over 24 hours (files, bytes); officers scan at the counter and get more.
UPLOAD_QUOTA_FILES = env_int("UPLOAD_QUOTA_FILES", 60)
UPLOAD_QUOTA_BYTES = env_int("UPLOAD_QUOTA_BYTES", 200 * 1024 * 1024)
UPLOAD_QUOTA_FILES_STAFF = env_int("UPLOAD_QUOTA_FILES_STAFF", 1000)
UPLOAD_QUOTA_BYTES_STAFF = env_int("UPLOAD_QUOTA_BYTES_STAFF", 2048 * 1024 * 1024)
# Django refuses request bodies above this before any view runs (the 30 MB dossier limit plus forms).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# National systems: local simulators in the demo and tests, HTTP adapters when configured.
POPULATION_REGISTRY = env_str("POPULATION_REGISTRY", "simulator")
POPULATION_REGISTRY_URL = env_str("POPULATION_REGISTRY_URL", "")
POPULATION_REGISTRY_TOKEN = env_str("POPULATION_REGISTRY_TOKEN", "")
SMS_BACKEND = env_str("SMS_BACKEND", "simulator")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
# Broadcasts to villages (docs/broadcasts.md): Zalo official-account groups ("simulator" or "http"), the
# token an SMS gateway sends with inbound keyword messages (empty: the inbound endpoint is off outside the
# demo), and how many ordinary broadcasts a village may get a day (urgent ones are exempt but logged).
ZALO_BACKEND = env_str("ZALO_BACKEND", "simulator")
ZALO_OA_URL = env_str("ZALO_OA_URL", "")
ZALO_OA_TOKEN = env_str("ZALO_OA_TOKEN", "")
SMS_INBOUND_TOKEN = env_str("SMS_INBOUND_TOKEN", "")
BROADCAST_ORDINARY_PER_VILLAGE_PER_DAY = env_int("BROADCAST_ORDINARY_PER_VILLAGE_PER_DAY", 3)

# VNeID sign-in (OpenID Connect, authorization code + PKCE S256; docs/identity.md). The issuer's discovery
# document is read from VNEID_ISSUER + "/.well-known/openid-configuration". Demo mode defaults to the
# project's own VNeID simulator at /gia-lap/vneid (served only in demo mode). Empty issuer: no VNeID button.
VNEID_ISSUER = env_str("VNEID_ISSUER", f"{SITE_URL}/gia-lap/vneid" if DEMO else "")
VNEID_CLIENT_ID = env_str("VNEID_CLIENT_ID", "motcua-demo" if DEMO else "")
VNEID_CLIENT_SECRET = env_str("VNEID_CLIENT_SECRET", "motcua-demo-vneid-secret" if DEMO else "")
VNEID_SCOPE = env_str("VNEID_SCOPE", "openid profile")
VNEID_TIMEOUT_SECONDS = env_int("VNEID_TIMEOUT_SECONDS", 10)

# Digital signatures: PKCS#12 files under PKI_DIR (demo) or a PKCS#11 token (set per identity).
PKI_DIR = env_str("PKI_DIR", str(VAR_DIR / "pki"))
PKI_PASSPHRASE = env_str("PKI_PASSPHRASE", "motcua-demo" if (DEMO or DEBUG) else "")
PKCS11_PIN = env_str("PKCS11_PIN", "")
# Timestamps for PAdES B-T: "simulator" (local TSA under the demo root), "http" (TSA_URL) or "" (B-B).
TSA_BACKEND = env_str("TSA_BACKEND", "simulator" if (DEMO or DEBUG) else "")
TSA_URL = env_str("TSA_URL", "")

# Public verification (/xac-thuc, POST /api/v1/verify). A certified copy carries the citizen's scans, so
# the largest result is about the per-dossier upload limit: files above VERIFY_MAX_BYTES are refused
# unread. A file whose hash is not one we issued is parsed only up to VERIFY_PARSE_MAX_BYTES (our ordinary
# results are under 200 KB). Every parse runs in a sandbox process, killed after VERIFY_TIMEOUT_SECONDS.
VERIFY_MAX_BYTES = env_int("VERIFY_MAX_BYTES", DOSSIER_UPLOAD_MAX_BYTES + 2 * 1024 * 1024)
VERIFY_PARSE_MAX_BYTES = env_int("VERIFY_PARSE_MAX_BYTES", 5 * 1024 * 1024)
VERIFY_TIMEOUT_SECONDS = env_int("VERIFY_TIMEOUT_SECONDS", 8)
# Sandbox worker processes per web process (niced, memory-capped); more concurrent checks get 503.
SANDBOX_MAX_CONCURRENT = env_int("SANDBOX_MAX_CONCURRENT", 2)
SANDBOX_MEMORY_BYTES = env_int("SANDBOX_MEMORY_BYTES", 1024 * 1024 * 1024)

# Payments (docs/payments.md). Provider secrets come from the environment; the demo values work only in
# demo mode. PAYMENT_SIMULATORS shows the simulated bank and gateway (demo buttons, the gateway page).
PAYMENT_BANK_SECRET = env_str("PAYMENT_BANK_SECRET", "motcua-demo-bank-secret" if (DEMO or DEBUG) else "")
PAYMENT_GATEWAY_SECRET = env_str("PAYMENT_GATEWAY_SECRET", "motcua-demo-gateway-secret" if (DEMO or DEBUG) else "")
PAYMENT_GATEWAY_MERCHANT = env_str("PAYMENT_GATEWAY_MERCHANT", "MOTCUADEMO")
PAYMENT_GATEWAY_URL = env_str("PAYMENT_GATEWAY_URL", "")
PAYMENT_NATIONAL_SECRET = env_str("PAYMENT_NATIONAL_SECRET", "motcua-demo-national-secret" if (DEMO or DEBUG) else "")
PAYMENT_SIMULATORS = env_bool("PAYMENT_SIMULATORS", DEMO or DEBUG)
# Hours a payment intent stays open when the office has no own setting.
PAYMENT_INTENT_HOURS = env_int("PAYMENT_INTENT_HOURS", 72)

# Shared secret that messaging channels (Zalo OA, SMS gateway) send to the assistant webhook.
ASSISTANT_CHANNEL_SECRET = env_str("ASSISTANT_CHANNEL_SECRET", "")

# Demo data: which province the demo loads (official code from the national list).
DEMO_PROVINCE_CODE = env_str("MOTCUA_DEMO_PROVINCE", "15")
