"""URLs of the control list, collected from its areas: `urlpatterns` (pages, mounted at
/controllist/), `api_urlpatterns` (the REST API, mounted at /api/controllist/) and
`root_api_urlpatterns` (mounted at /api/ itself: /api/catch-all-notices/)."""

from controllist.controls import urls as controls
from controllist.notices import urls as notices
from controllist.questions import urls as questions
from controllist.search import urls as search
from controllist.versions import urls as versions

AREAS = (search, versions, controls, questions)

urlpatterns = [pattern for area in (*AREAS, notices) for pattern in area.urlpatterns]
api_urlpatterns = [pattern for area in AREAS for pattern in area.api_urlpatterns]
root_api_urlpatterns = list(notices.api_urlpatterns)
