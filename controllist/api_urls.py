"""REST API of the control list, mounted at /api/controllist/."""

from controllist.api import controls, questions, search, versions

urlpatterns = [*search.urlpatterns, *versions.urlpatterns, *controls.urlpatterns, *questions.urlpatterns]
