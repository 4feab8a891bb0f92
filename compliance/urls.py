"""URLs of compliance, collected from its areas: `urlpatterns` (pages, mounted at /) and
`api_urlpatterns` (the REST API, mounted at /api/)."""

from compliance.statistics import urls as statistics_urls

AREAS = (statistics_urls,)

urlpatterns = [pattern for area in AREAS for pattern in area.urlpatterns]
api_urlpatterns = [pattern for area in AREAS for pattern in area.api_urlpatterns]
