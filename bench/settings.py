"""Benchmark settings: Sigap's own, plus a minimal JSON view as the throughput ceiling."""

from sigap.settings import *  # noqa: F401,F403
from sigap.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# No throttles: the benchmark measures throughput (Open311's reads throttle by their rate).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": [], "DEFAULT_THROTTLE_RATES": {
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "open311": None}}
LOGGING = {"version": 1, "disable_existing_loggers": True}
