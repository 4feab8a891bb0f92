"""Placeholder: filled in by the questions work."""

urlpatterns = []
