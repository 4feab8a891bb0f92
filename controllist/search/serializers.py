"""Serializers of the synonym API (the search's own stay in api.py)."""

from rest_framework import serializers

from controllist.models import Synonym
from controllist.search.services import MAX_NOTE_LENGTH
from controllist.search.synonyms import MAX_SIDE_LENGTH


class SearchSynonymSerializer(serializers.ModelSerializer):
    class Meta:
        model = Synonym
        fields = ["id", "term_a", "term_b", "note", "version", "created_at", "updated_at"]


class SearchSynonymInputSerializer(serializers.Serializer):
    term_a = serializers.CharField(max_length=MAX_SIDE_LENGTH, help_text="Chinese, or English words")
    term_b = serializers.CharField(max_length=MAX_SIDE_LENGTH, help_text="Chinese, or English words")
    note = serializers.CharField(max_length=MAX_NOTE_LENGTH, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="On a change: the version you last read; a stale one is refused (409)")


class SearchSynonymDeleteSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
