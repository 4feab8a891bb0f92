from django.core.checks import Tags, Warning, register

from licensing.licences.pdf import harfbuzz_subset_available

MISSING_HARFBUZZ = (
    "libharfbuzz-subset is missing: licence PDFs will be subset with fontTools, "
    "20-50x slower (seconds per licence). Install the Debian package libharfbuzz-subset0 "
    "(scripts/start and scripts/test do this)."
)


@register(Tags.compatibility)
def check_harfbuzz_subset(app_configs, **kwargs):
    if harfbuzz_subset_available():
        return []
    return [Warning(MISSING_HARFBUZZ, id="portal.W001")]


def warn_if_slow_pdf(logger) -> None:
    """Start-up warning for processes that do not run Django's checks (gunicorn, Celery)."""
    if not harfbuzz_subset_available():
        logger.warning(MISSING_HARFBUZZ)
