import ctypes.util

from django.core.checks import Tags, Warning, register


def harfbuzz_subset_available() -> bool:
    if ctypes.util.find_library("harfbuzz-subset"):
        return True
    try:
        ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError:
        return False
    return True


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
