"""Reads shared by every part of the control list: which version is in force, and its entries."""

from django.utils import timezone

from controllist.models import Entry, ListVersion


def version_in_force(on=None) -> ListVersion | None:
    return ListVersion.objects.in_force(on or timezone.localdate())


def entry_in_force(code: str, on=None) -> Entry | None:
    version = version_in_force(on)
    if version is None:
        return None
    return Entry.objects.filter(version=version, code=code).first()
