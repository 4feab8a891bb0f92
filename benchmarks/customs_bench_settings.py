"""Settings for benchmarks/customs_verify.py's gunicorn: the portal's, with the benchmark urlconf."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.customs_bench_urls"
