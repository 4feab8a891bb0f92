from django.core.checks import Tags, Warning, register

from licensing.pdf import harfbuzz_subset_available


@register(Tags.compatibility, deploy=False)
def check_harfbuzz_subset(app_configs, **kwargs):
    if harfbuzz_subset_available():
        return []
    return [
        Warning(
            "libharfbuzz-subset is missing: licence PDFs will be subset with fontTools, "
            "20-50x slower (seconds per licence).",
            hint="Install the Debian package libharfbuzz-subset0 (scripts/start does this).",
            id="portal.W001",
        )
    ]
