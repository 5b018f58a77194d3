"""One settings module, read from the environment.

With nothing set it runs embedded on a laptop: SQLite under var/, Celery tasks in-process, cache in
memory. DATABASE_URL switches to PostgreSQL, REDIS_URL makes Redis the Celery broker and the cache.
DJANGO_ENV=production refuses to start without a secret key, a database and allowed hosts.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
PRODUCTION = env.str("DJANGO_ENV", default="embedded") == "production"

if PRODUCTION:
    # SMS_BACKEND too: a production site that silently wrote its recall messages to files would
    # leave residents uncalled.
    for required in ("DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "SMS_BACKEND"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set when DJANGO_ENV=production")

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="embedded-only-insecure-key-never-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# How many proxies of our own stand in front of the web process (lockdown/core/addresses.py): 0 reads
# the client's address from the connection, 1 behind the TLS proxy, which appends it to X-Forwarded-For.
PROXY_HOPS = env.int("DJANGO_PROXY_HOPS", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "lockdown",
    "households",
    "households.spreadsheets",
    "households.campaigns",
    "volunteers",
    "supplies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lockdown.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lockdown.middleware.PrivacyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lockdown.urls"
WSGI_APPLICATION = "lockdown.wsgi.application"

# The site's pages are Jinja2 (see lockdown/jinja2.py); Django's engine serves the admin, the API
# pages and form widgets from the installed apps.
ACCOUNT_CONTEXT = ["django.contrib.auth.context_processors.auth", "django.contrib.messages.context_processors.messages"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "lockdown.jinja2.environment",
            "context_processors": [
                *ACCOUNT_CONTEXT,
                "lockdown.context_processors.csrf_once",
                "lockdown.context_processors.layout",
                "lockdown.context_processors.welfare_alerts",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                *ACCOUNT_CONTEXT,
                "django.template.context_processors.i18n",
            ]
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Two saves at once on the embedded database wait for each other instead of one failing with
    # "database is locked": each transaction takes the write lock as it begins (one that had read
    # first could not wait for it), and waits up to 20 s for another's to end.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "lockdown.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lockdown.auth.UsernameOrMobileBackend",
    "volunteers.phone_login.LoginCodeBackend",  # a one-time code by SMS instead of a password
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A shift is long; a session outlives it by little.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True

# Throttle failed logins per account and address (django-axes): every spelling of an account's
# username or mobile number counts against the account (lockdown.auth.lockout_name).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "lockdown.auth.lockout_name"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also makes var/ for the embedded SQLite
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
# Spreadsheet imports: a street's register as .xlsx is a few MB; bigger is a mistake.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 2**20)
# Exported tables hold names, numbers and illnesses: their files are deleted after this many hours.
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
# Text messages (lockdown/core/sms): the backend, its credentials (from the environment only) and
# the provider's limits. Without SMS_BACKEND, messages are written to var/sms and the log.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="居委会")
SMS_OPTIONS = {
    "console": {"directory": env.path("SMS_CONSOLE_DIR", default=VAR_DIR / "sms")},
    "aliyun": {
        "access_key_id": env.str("ALIYUN_SMS_ACCESS_KEY_ID", default=""),
        "access_key_secret": env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default=""),
        "endpoint": env.str("ALIYUN_SMS_ENDPOINT", default="https://dysmsapi.aliyuncs.com/"),
        "region": env.str("ALIYUN_SMS_REGION", default="cn-hangzhou"),
    },
    "tencent": {
        "secret_id": env.str("TENCENT_SMS_SECRET_ID", default=""),
        "secret_key": env.str("TENCENT_SMS_SECRET_KEY", default=""),
        "sdk_app_id": env.str("TENCENT_SMS_SDK_APP_ID", default=""),
        "endpoint": env.str("TENCENT_SMS_ENDPOINT", default="https://sms.tencentcloudapi.com/"),
        "region": env.str("TENCENT_SMS_REGION", default="ap-guangzhou"),
    },
}
# 0: the provider's published limit (Alibaba Cloud: 100 numbers with their own values per
# SendBatchSms, 1,000 with the same values per SendSms, 5,000 requests a second; Tencent Cloud: 200
# numbers per SendSms, 3,000 requests a second).
SMS_NUMBERS_PER_REQUEST = env.int("SMS_NUMBERS_PER_REQUEST", default=0)
SMS_NUMBERS_PER_REQUEST_SAME_PARAMS = env.int("SMS_NUMBERS_PER_REQUEST_SAME_PARAMS", default=0)
SMS_REQUESTS_PER_SECOND = env.float("SMS_REQUESTS_PER_SECOND", default=0)
# Carriers and providers cap the messages one number receives a day (Tencent: as few as two notices).
SMS_DAILY_CAP_PER_PHONE = env.int("SMS_DAILY_CAP_PER_PHONE", default=2)
# A message claimed for sending this long ago, and not answered, is looked up at the provider. It
# must be longer than a send task may live (SMS_SEND_TIME_LIMIT), or a slow task could still send it.
SMS_SEND_TIME_LIMIT = env.int("SMS_SEND_TIME_LIMIT", default=60)
SMS_STUCK_AFTER_SECONDS = env.int("SMS_STUCK_AFTER_SECONDS", default=300)
# A message still unconfirmed after this long (no look-up could settle it) goes to the call list.
SMS_UNCONFIRMED_AFTER_SECONDS = env.int("SMS_UNCONFIRMED_AFTER_SECONDS", default=3600)
# Passing provider errors are retried after about base × 2^attempt seconds (with jitter), this many times.
SMS_RETRY_BASE_SECONDS = env.float("SMS_RETRY_BASE_SECONDS", default=5)
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=8)
# The texts the site sends by itself, each approved at the provider as it stands here: the codes
# the provider gave them come from the environment. The volunteers' pages send them.
SMS_SITE_TEMPLATES = {
    "login_code": {
        "code": env.str("SMS_TEMPLATE_LOGIN_CODE", default="SMS_LOGIN_CODE"),
        "body": "您的登录验证码为${code}，10分钟内有效，请勿告诉他人。",
        "params": ("code",),
    },
    "moved_up": {
        "code": env.str("SMS_TEMPLATE_MOVED_UP", default="SMS_MOVED_UP"),
        "body": "${name}，候补转正：您已排入${shift}（${when}），请准时到${place}集合。",
        "params": ("name", "shift", "when", "place"),
    },
    "roster": {
        "code": env.str("SMS_TEMPLATE_ROSTER", default="SMS_ROSTER"),
        "body": "${name}，您的班次：${shift}（${when}），集合地点：${place}。",
        "params": ("name", "shift", "when", "place"),
    },
    "parcel_shelf": {
        "code": env.str("SMS_TEMPLATE_PARCEL_SHELF", default="SMS_PARCEL_SHELF"),
        "body": "您有${count}件快递已放在${building}快递架（${place}），请做好防护尽快取件。",
        "params": ("count", "building", "place"),
    },
}
# Parcels wait this long after disinfection before a wave takes them, unless a compound's gate says otherwise.
PARCEL_HOLD_MINUTES = env.int("PARCEL_HOLD_MINUTES", default=120)
# The volunteers' registration page is public: registrations from one address in an hour, at most.
# A compound's Wi-Fi or a carrier's NAT puts many phones behind one address: raise it if they queue.
VOLUNTEER_REGISTRATIONS_PER_ADDRESS_HOUR = env.int("VOLUNTEER_REGISTRATIONS_PER_ADDRESS_HOUR", default=30)
# Delivery receipts are accepted at /sms/receipts/<backend>/<token>/ with this token only.
SMS_RECEIPT_TOKEN = env.str("SMS_RECEIPT_TOKEN", default="")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["lockdown.api.IdFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lockdown.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lockdown command centre API",
    "DESCRIPTION": "The household register (一居一档), scoped to the caller's areas.",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema names every area and field of the register: for logged-in accounts only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "lockdown.api.declare_errors_and_ids"],
}

# Celery: with REDIS_URL, Redis is the broker; without, tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "refresh-age-tags": {
        "task": "households.tasks.refresh_age_tags_task",
        "schedule": 6 * 3600,
    },
    "tidy-exports": {
        "task": "households.spreadsheets.tasks.tidy_exports_task",
        "schedule": 3600,
    },
    "tidy-imports": {
        "task": "households.spreadsheets.tasks.tidy_imports_task",
        "schedule": 300,
    },
    "reconcile-outbox": {
        "task": "households.campaigns.tasks.reconcile_outbox_task",
        "schedule": 60,
    },
    # Before the volunteers set out: today's welfare checks of the residents living alone.
    "offer-welfare-checks": {
        "task": "volunteers.tasks.offer_welfare_checks_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # Tomorrow's shifts from the templates, in time for the evening's sign-up (接龙).
    "stamp-tomorrows-shifts": {
        "task": "volunteers.tasks.stamp_tomorrow_task",
        "schedule": crontab(hour=13, minute=0),
    },
    # Parcels whose hold after disinfection is over are ready for the next wave.
    "release-held-parcels": {
        "task": "supplies.tasks.release_held_parcels_task",
        "schedule": 60,
    },
    # Volunteer SMS left queued (a provider down, a broker out of reach) go out on the next run.
    "send-volunteer-notices": {
        "task": "volunteers.tasks.send_notices_task",
        "schedule": 60,
    },
}

# The web process and the Celery workers and beat log alike (lockdown/celery.py): one line per
# record, to standard error, at DJANGO_LOG_LEVEL (a worker's --loglevel does not apply).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
