"""Settings, read from the environment and parsed strictly.

With no environment at all the portal runs on SQLite with Celery tasks executed in process
(a newcomer needs nothing but Python). With DATABASE_URL and REDIS_URL it runs on PostgreSQL,
Redis and real Celery workers. PORTAL_ENV=production turns on the hardened settings that
`manage.py check --deploy` expects and insists on a real SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from portal import countries
from portal.env import EnvReader

BASE_DIR = Path(__file__).resolve().parent.parent
env = EnvReader()

PORTAL_ENV = env.choice("PORTAL_ENV", ["dev", "test", "production"], default="dev")
PRODUCTION = PORTAL_ENV == "production"
VAR_DIR = env.path("PORTAL_VAR_DIR", default=BASE_DIR / "var")

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    env.fail("DJANGO_DEBUG", "must not be true when PORTAL_ENV=production")

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", min_length=50)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", required=True)
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=None) or env.dev_secret_key(VAR_DIR)
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_countries",
    "portal",
    "accounts",
    "audit",
    "outbox",
    "workdays",
    "controllist",
    "enduser",
    "licensing",
    "compliance",
    "notifications",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.preconditions.ETagMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:  # in development runserver serves static files itself
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "notifications.context_processors.unread_notifications",
                "controllist.notices.context_processors.unacknowledged_notices",
                "workdays.context_processors.missing_calendar",
            ],
            # Template tags of licensing's areas (they are folders of one app, not apps).
            "libraries": {"reporting": "licensing.reporting.templatetags.reporting"},
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes): failed sign-ins are counted per user name and, separately, per
# address; either reaching the limit locks further attempts for the cool-off time. The page, the
# API token and the admin site all go through authenticate(), so all are covered. A system
# administrator unlocks on /registration-checks/ (or `manage.py axes_reset_username NAME`).
AUTHENTICATION_BACKENDS = [
    "accounts.signin.backends.SignInThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("PORTAL_SIGNIN_THROTTLE", default=True)
AXES_FAILURE_LIMIT = env.int("PORTAL_SIGNIN_FAILURE_LIMIT", default=5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PORTAL_SIGNIN_LOCK_MINUTES", default=30, minimum=1, maximum=10080))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.signin.views.lockout_response"
# Behind a reverse proxy every request comes from the proxy's address, and one attacker would lock
# everyone out: the address is read from X-Forwarded-For as the nearest trusted proxy wrote it.
PORTAL_TRUSTED_PROXY_COUNT = env.int(
    "PORTAL_TRUSTED_PROXY_COUNT", minimum=0, maximum=5,
    default=1 if PRODUCTION and env.bool("DJANGO_BEHIND_TLS_PROXY", default=True) else 0)
AXES_CLIENT_IP_CALLABLE = "accounts.signin.backends.client_address"
# The public licence check behind the QR code: requests per client address per minute.
PORTAL_VERIFY_RATE_PER_MINUTE = env.int("PORTAL_VERIFY_RATE_PER_MINUTE", minimum=1, maximum=100000, default=30)
# Not reset on success: a success clears the rows of its address too, so an attacker signing in to
# an account of their own between guesses would reset the per-account count of the victim's.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept; failures are
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Dates and amounts in each language's own form (portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
# Country and region names corrected and China's usage followed, in one place (portal/countries.py).
COUNTRIES_OVERRIDE = countries.overrides()

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded documents are private: never served by URL, only through permission-checked views.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = None

# Uploads: one certificate at most PORTAL_MAX_UPLOAD_MB; a request body beyond that (plus form
# overhead) is refused before it is read.
PORTAL_MAX_UPLOAD_BYTES = env.int("PORTAL_MAX_UPLOAD_MB", default=10, minimum=1, maximum=100) * 1024 * 1024
PORTAL_MAX_REQUEST_BYTES = PORTAL_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# Celery: eager (in process) unless a broker is configured.
# Production needs real workers: without a broker the licence would be rendered inside the request.
REDIS_URL = env.url("REDIS_URL", schemes=("redis", "rediss"), **({} if PRODUCTION else {"default": None}))
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The cache holds the rate limits of the public licence check and of customs systems: with several
# gunicorn workers or hosts it must be shared (CACHE_URL, e.g. redis://redis:6379/1: another Redis
# database than the broker's), or each worker counts on its own.
CACHE_URL = env.url("CACHE_URL", schemes=("redis", "rediss"), default=None)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                      "KEY_PREFIX": "portal"}
          if CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "outbox.relay", "schedule": 30.0},
    "issue-missing-licences": {"task": "licensing.issue_missing_licences", "schedule": 300.0},
    "issue-missing-refusal-letters": {"task": "licensing.issue_missing_refusal_letters", "schedule": 300.0},
    # Licences past their last valid day (Asia/Shanghai) expire; hourly so a beat that was down
    # catches up, idempotent. The revocation notices' safety net as for refusal letters.
    "expire-licences": {"task": "licensing.expire_licences", "schedule": 3600.0},
    "issue-missing-revocation-notices": {"task": "licensing.issue_missing_revocation_notices", "schedule": 300.0},
    # Records lapsed temporary controls and sends the 60-day review reminders (Reg. 12). Hourly
    # rather than once a day so a beat that was down at one o'clock catches up; the sweep is
    # idempotent, and a control stops applying on its end date whether or not this has run.
    "temporary-controls-daily": {"task": "controllist.temporary_controls_daily", "schedule": 3600.0},
    # Agency opinion deadlines: reminders, escalation, no objection by silence. Idempotent, so a
    # beat firing twice reminds once; every 15 minutes so an agency hears soon after a due date.
    "referral-deadlines": {"task": "licensing.referral_deadlines", "schedule": 900.0},
    # Statutory clocks (Reg. 17): a paused case's due date moves every working day, and queues
    # sort on it. Hourly, so a beat that was down catches up; recomputing is idempotent.
    "clock-refresh": {"task": "licensing.refresh_clocks", "schedule": 3600.0},
    # End-use checks past their deadline: the officer is told once per check (idempotent).
    "enduse-checks-overdue": {"task": "enduser.enduse_checks_overdue", "schedule": 3600.0},
    # Rescreening jobs never started (their message lost) or left by a dead worker are sent again;
    # a job is taken by one live run only, so a second send does nothing.
    "rescreen-sweep": {"task": "enduser.rescreen_sweep", "schedule": 300.0},
    # Hits on list entries whose removal takes effect today are closed (a removal dated later
    # leaves them, and the entry, in force until then). Hourly so a beat that was down catches
    # up the same day; idempotent.
    "removed-hits-daily": {"task": "enduser.removed_hits_close", "schedule": 3600.0},
    # Holders of general licences no longer eligible (Reg. 20; a lapsed ICP rating has no event of
    # its own): one suspension proposal per licence. Daily (hourly would do no harm: idempotent).
    "compliance-eligibility-sweep": {"task": "compliance.eligibility_sweep", "schedule": 86400.0},
    # Licence reports (Reg. 18): reminders before the due date, overdue flags. Hourly and idempotent
    # (each requirement told once per due date), so a beat that was down catches up.
    "licence-reports-remind": {"task": "licensing.licence_reports_remind", "schedule": 3600.0},
    # Customs challenges not answered in 7 working days go to the ministry (idempotent).
    "challenges-escalate": {"task": "licensing.escalate_overdue_challenges", "schedule": 3600.0},
    # ICP evidence: exporters reminded before an element's evidence goes stale and when it is.
    # Hourly and idempotent (each element told once per due date), so a beat that was down catches up.
    "icp-evidence-remind": {"task": "compliance.icp_evidence_remind", "schedule": 3600.0},
    # The statistics dashboard's monthly summary, recomputed whole each night (idempotent).
    "statistics-refresh": {"task": "compliance.statistics_refresh", "schedule": crontab(hour=2, minute=30)},
}
# Days before a licence report's due date that the exporter is reminded.
LICENCE_REPORT_REMIND_DAYS = env.int("LICENCE_REPORT_REMIND_DAYS", default=7, minimum=0, maximum=365)
OUTBOX_RELAY_GRACE_SECONDS = env.int("OUTBOX_RELAY_GRACE_SECONDS", default=30, minimum=0)
# Licence-route eligibility (Reg. 20, compliance.eligibility): the export record a general licence
# needs (licences issued in the past N years) and the Control List share that makes an exporter a
# subsidiary of a listed party.
ELIGIBILITY_RECORD_YEARS = env.int("ELIGIBILITY_RECORD_YEARS", default=3, minimum=1, maximum=10)
ELIGIBILITY_RECORD_MIN_LICENCES = env.int("ELIGIBILITY_RECORD_MIN_LICENCES", default=1, minimum=0, maximum=1000)
ELIGIBILITY_SUBSIDIARY_PERCENT = env.int("ELIGIBILITY_SUBSIDIARY_PERCENT", default=50, minimum=1, maximum=100)

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@portal.invalid")

# Licence PDF signature (licensing/signing.py): PEM key and certificate paths. Required in
# production; in development, both unset = a self-signed EC P-256 signer created once in VAR_DIR/signing.
if PRODUCTION:
    LICENCE_SIGNING_KEY = env.str("LICENCE_SIGNING_KEY")
    LICENCE_SIGNING_CERT = env.str("LICENCE_SIGNING_CERT")
else:
    LICENCE_SIGNING_KEY = env.str("LICENCE_SIGNING_KEY", default=None)
    LICENCE_SIGNING_CERT = env.str("LICENCE_SIGNING_CERT", default=None)
LICENCE_SIGNING_KEY_PASSPHRASE = env.str("LICENCE_SIGNING_KEY_PASSPHRASE", default=None)
# Certificates of earlier signing keys, so licences signed before a key rotation still verify.
LICENCE_SIGNING_TRUSTED_CERTS = env.list("LICENCE_SIGNING_TRUSTED_CERTS", default=[])

# Printed into licence QR codes and invitation links: production must say where it lives.
PORTAL_BASE_URL = env.url("PORTAL_BASE_URL", schemes=("http", "https"),
                          **({} if PRODUCTION else {"default": "http://127.0.0.1:8000"}))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "portal.preconditions.WriteRoles", "portal.preconditions.VersionPrecondition"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("PORTAL_ANON_RATE", default="120/minute"),
                               # per customs system (licensing.customs.auth.CustomsSystemThrottle)
                               "customs": env.str("PORTAL_CUSTOMS_RATE", default="6000/minute")},
}
SPECTACULAR_SETTINGS = {
    # ASCII: client generators derive the package name from the title.
    "TITLE": "Dual-use Export Licensing Portal API",
    "DESCRIPTION": "两用物项出口许可平台接口. Applications, provincial forwarding, ministry decisions and licences. "
    "Authenticate with a browser session or `Authorization: Token <key>` (POST /api/auth/token/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "portal.schema.postprocess"],
    "ENUM_NAME_OVERRIDES": {"CountryEnum": "django_countries.countries", "ListKindEnum": "enduser.models.ListKind",
                            "PartyKindEnum": "enduser.models.PartyKind", "LinkKindEnum": "enduser.models.LinkKind",
                            "EndUseReportKindEnum": "licensing.models.EndUseReportKind",
                            "EndUseReportStateEnum": "licensing.models.EndUseReportState",
                            "PartyRecordKindEnum": "enduser.models.PartyRecordKind",
                            "StatusEnum": "licensing.applications.serializers.CASE_STATUS_CHOICES",
                            "LicenceStatusEnum": "licensing.models.LicenceStatus",
                            "LicenceTypeEnum": "licensing.models.LicenceType",
                            "LicenceEventKindEnum": "licensing.models.LicenceEventKind",
                            "LicenceNoticeKindEnum": "licensing.models.LicenceNoticeKind",
                            "FactorsEnum": "licensing.models.LawFactor",
                            "ChallengeStateEnum": "licensing.models.ChallengeState",
                            "ReportKindEnum": "licensing.models.ReportKind",
                            "ICPElementEnum": "compliance.icp.models.Element",
                            "ICPEvaluationStatusEnum": "compliance.icp.models.EvaluationStatus",
                            "ICPRatingEnum": "compliance.icp.models.Rating",
                            "ICPEvaluationMethodEnum": "compliance.icp.models.EvaluationMethod",
                            "ICPSeverityEnum": "compliance.icp.models.Severity",
                            "ICPAssessmentEnum": "compliance.icp.models.Assessment",
                            # enduser's check method keeps its name beside the ICP evaluation's method.
                            "MethodEnum": "enduser.models.CheckMethod",
                            "EnforcementCaseStatusEnum": "compliance.enforcement.models.CaseStatus",
                            "EnforcementOriginEnum": "compliance.enforcement.models.Origin",
                            "EnforcementNoteKindEnum": "compliance.enforcement.models.NoteKind",
                            "EnforcementStepKindEnum": "compliance.enforcement.models.StepKind",
                            "PenaltyHeadEnum": "compliance.enforcement.models.PenaltyHead",
                            "PenaltyKindEnum": "compliance.enforcement.models.PenaltyKind",
                            "PenaltyStatusEnum": "compliance.enforcement.models.PenaltyStatus"},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.choice(
        "LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], default="INFO")},
    # WeasyPrint reports every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
