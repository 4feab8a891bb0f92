"""URLs of end users and lists, collected from its areas: `urlpatterns` (pages, mounted at /) and
`api_urlpatterns` (the REST API, mounted at /api/)."""

from enduser.checks import urls as checks
from enduser.exceptions import urls as exceptions
from enduser.lists import urls as lists
from enduser.parties import urls as parties
from enduser.screening import urls as screening

AREAS = (lists, screening, exceptions, checks, parties)

urlpatterns = [pattern for area in AREAS for pattern in area.urlpatterns]
api_urlpatterns = [pattern for area in AREAS for pattern in area.api_urlpatterns]
