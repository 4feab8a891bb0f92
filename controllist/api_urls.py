"""REST API of the control list, mounted at /api/controllist/."""

from controllist.controls import api as controls
from controllist.questions import api as questions
from controllist.search import api as search
from controllist.versions import api as versions

urlpatterns = [*search.urlpatterns, *versions.urlpatterns, *controls.urlpatterns, *questions.urlpatterns]
