"""Reads of the synonym table: only the ministry sees it (it maintains it)."""

from controllist.models import Synonym


def synonyms_visible_to(user):
    if not user.is_authenticated or not user.is_ministry:
        return Synonym.objects.none()
    return Synonym.objects.select_related("created_by")
