"""URLs of the control list, collected from its areas: `urlpatterns` (pages, mounted at
/controllist/) and `api_urlpatterns` (the REST API, mounted at /api/controllist/)."""

from controllist.controls import urls as controls
from controllist.questions import urls as questions
from controllist.search import urls as search
from controllist.versions import urls as versions

AREAS = (search, versions, controls, questions)

urlpatterns = [pattern for area in AREAS for pattern in area.urlpatterns]
api_urlpatterns = [pattern for area in AREAS for pattern in area.api_urlpatterns]
