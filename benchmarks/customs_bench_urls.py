"""The portal's URLs plus one bare Django JSON view, for benchmarks/customs_verify.py only: the
bare view runs on the same server, workers and middleware as the verify endpoint, so the ratio of
their throughputs is the verify endpoint's own cost. Never part of the portal's urlconf."""

from django.http import JsonResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


# Last, so resolving it walks the portal's patterns as resolving /api/customs/... does.
urlpatterns = [*portal_urlpatterns, path("bench/bare/", bare, name="bench-bare")]
