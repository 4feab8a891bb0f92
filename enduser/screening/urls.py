"""URLs for screening: `urlpatterns` (pages, mounted at /) and `api_urlpatterns` (mounted at /api/)."""

urlpatterns = []

api_urlpatterns = []
