"""Placeholder: filled in by the versions work."""

urlpatterns = []
