"""The search synonym table, seeded with common pairs (controllist.search.synonyms.SEED_PAIRS), and
every list version indexed again with them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from controllist.search.engine import reindex_all_versions
from controllist.search.synonyms import SEED_PAIRS, SynonymSet, clean_side, pair_key


def _models(apps):
    return tuple(apps.get_model("controllist", name) for name in ("Entry", "ListVersion", "SearchTerm"))


def seed(apps, schema_editor):
    Synonym = apps.get_model("controllist", "Synonym")
    for term_a, term_b in SEED_PAIRS:
        term_a, term_b = clean_side(term_a), clean_side(term_b)
        Synonym.objects.get_or_create(pair_key=pair_key(term_a, term_b),
                                      defaults={"term_a": term_a, "term_b": term_b})
    pairs = Synonym.objects.order_by("pk").values_list("term_a", "term_b")
    reindex_all_versions(models=_models(apps), synonyms=SynonymSet.build(pairs))


def unseed(apps, schema_editor):
    apps.get_model("controllist", "Synonym").objects.all().delete()
    reindex_all_versions(models=_models(apps), synonyms=SynonymSet())


class Migration(migrations.Migration):

    dependencies = [
        ('controllist', '0008_catch_all_notices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Synonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('term_a', models.CharField(max_length=60, verbose_name='term')),
                ('term_b', models.CharField(max_length=60, verbose_name='synonym')),
                ('pair_key', models.CharField(editable=False, max_length=130, unique=True)),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                ('version', models.PositiveIntegerField(default=1)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('client_token', models.UUIDField(blank=True, editable=False, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'search synonym',
                'ordering': ['term_a', 'term_b'],
                'constraints': [models.UniqueConstraint(fields=('created_by', 'client_token'), name='one_synonym_per_client_token')],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
