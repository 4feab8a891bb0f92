"""URLs of licensing, collected from its areas: `urlpatterns` (pages, mounted at /) and
`api_urlpatterns` (the REST API, mounted at /api/)."""

from licensing.applications import urls as applications
from licensing.certificates import urls as certificates
from licensing.changes import urls as changes
from licensing.customs import urls as customs
from licensing.decisions import urls as decisions
from licensing.enduse import urls as enduse
from licensing.licences import urls as licences
from licensing.queues import urls as queues
from licensing.referrals import urls as referrals
from licensing.registration import urls as registration
from licensing.reporting import urls as reporting
from licensing.requests import urls as requests

# customs first: its verify endpoint is the busiest; its patterns sit under one prefix each, so the
# other areas pay one check for them.
AREAS = (customs, applications, certificates, licences, requests, referrals, decisions, queues, enduse, changes,
         reporting, registration)

urlpatterns = [pattern for area in AREAS for pattern in area.urlpatterns]
api_urlpatterns = [pattern for area in AREAS for pattern in area.api_urlpatterns]
