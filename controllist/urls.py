"""Pages of the control list, one module per audience of work (search, versions, controls,
questions); each module lists its own URL patterns."""

from controllist.views import controls, questions, search, versions

urlpatterns = [*search.urlpatterns, *versions.urlpatterns, *controls.urlpatterns, *questions.urlpatterns]
