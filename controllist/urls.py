"""Pages of the control list, one module per audience of work (search, versions, controls,
questions); each module lists its own URL patterns."""

from controllist.controls import views as controls
from controllist.questions import views as questions
from controllist.search import views as search
from controllist.versions import views as versions

urlpatterns = [*search.urlpatterns, *versions.urlpatterns, *controls.urlpatterns, *questions.urlpatterns]
