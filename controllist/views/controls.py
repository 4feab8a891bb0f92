"""Placeholder: filled in by the controls work."""

urlpatterns = []
