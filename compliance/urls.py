"""URLs of compliance, collected from its areas: `urlpatterns` (pages, mounted at /) and
`api_urlpatterns` (the REST API, mounted at /api/)."""

from compliance.credit import urls as credit_urls
from compliance.eligibility import urls as eligibility
from compliance.enforcement import urls as enforcement_urls
from compliance.icp import urls as icp
from compliance.penalties import urls as penalty_urls
from compliance.statistics import urls as statistics_urls

# Penalties before enforcement: /compliance/enforcement/penalties/... is not a case reference.
AREAS = (icp, eligibility, statistics_urls, penalty_urls, enforcement_urls, credit_urls)

urlpatterns = [pattern for area in AREAS for pattern in area.urlpatterns]
api_urlpatterns = [pattern for area in AREAS for pattern in area.api_urlpatterns]
