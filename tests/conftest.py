import os
from types import SimpleNamespace

import pytest

from accounts.models import Province, Role
from licensing.applications import services
from tests.factories import DRAFT, ExporterFactory, UserFactory, authority, pdf_upload

pytest_plugins = ["tests.browser"]  # the Playwright fixtures

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def _session_var_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("var")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path, _session_var_dir):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The development signing key is made once per test session here, not in the repo's var/.
    settings.VAR_DIR = _session_var_dir


@pytest.fixture
def actors(db):
    """The base set of actors of every permission test (STYLE.md)."""
    company = ExporterFactory()
    other_company = ExporterFactory(province=Province.objects.get(pk="44"))
    return SimpleNamespace(
        owner=UserFactory(organisation=company, role=Role.EXPORTER_STAFF),
        colleague=UserFactory(organisation=company, role=Role.EXPORTER_ADMIN),
        outsider=UserFactory(organisation=other_company, role=Role.EXPORTER_ADMIN),
        province=UserFactory(organisation=authority("PROV-31"), role=Role.PROVINCIAL_OFFICER),
        other_province=UserFactory(organisation=authority("PROV-44"), role=Role.PROVINCIAL_OFFICER),
        ministry=UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_OFFICER),
        senior=UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_SENIOR),
        agency=UserFactory(organisation=authority("MIIT"), role=Role.AGENCY_REVIEWER),
        customs=UserFactory(organisation=authority("GACC"), role=Role.CUSTOMS_OFFICER),
    )


WATCH_LIST_DOCUMENTS = ("risk_assessment", "compliance_undertaking")  # Reg. 26, for a Watch List party


def make_case(actors, until="draft", documents=("end_user_certificate",), data=None):
    """Drive a case through the services up to the given status (`data` changes the draft's)."""
    app, _ = services.application_create(actor=actors.owner, data={**DRAFT, **(data or {})})
    for kind in documents:
        services.document_add(application_id=app.pk, actor=actors.owner, kind=kind, upload=pdf_upload())
    steps = [
        ("submitted", lambda: services.application_submit(application_id=app.pk, actor=actors.owner)),
        ("forwarded", lambda: services.application_forward(application_id=app.pk, actor=actors.province)),
        ("accepted", lambda: services.application_accept(application_id=app.pk, actor=actors.ministry)),
        ("awaiting_decision", lambda: skip_referrals(app.pk, actors.ministry)),
        ("approved", lambda: decide(app.pk, actors, "approve")),
    ]
    for status, step in steps:
        if until == "draft":
            break
        step()
        if status == until:
            break
    app.refresh_from_db()
    return app


def skip_referrals(application_id, actor):
    """accepted -> awaiting_decision: the officer decides no agency needs to be consulted."""
    from licensing.referrals.services import referrals_skip

    referrals_skip(application_id=application_id, actor=actor, reason="No agency concerned / 无需会商")


def decide(application_id, actors, outcome="approve", **kwargs):
    """awaiting_decision -> approved/refused: the officer recommends, and a senior officer
    countersigns where a countersignature rule asks for it (the seeded rules do for 1C902.a)."""
    from licensing.decisions import services as decisions

    defaults = {"reasons": "ok", "factors": [] if outcome == "approve" else ["end_user"]}
    rec = decisions.decision_recommend(application_id=application_id, actor=actors.ministry, outcome=outcome,
                                       **{**defaults, **kwargs})
    if rec.state == "awaiting_countersign":
        rec = decisions.decision_countersign(application_id=application_id, actor=actors.senior)
    return rec


@pytest.fixture
def case_factory(actors):
    return lambda until="draft", **options: make_case(actors, until, **options)


@pytest.fixture
def calendar_2027(db):
    """Stands in for the 2027 calendar an administrator enters once the State Council publishes
    it (weekdays only: enough for deadlines that merely cross into 2027)."""
    from workdays.models import CalendarYear
    from workdays.services import calendar_changed, calendar_year_fill_weekdays

    calendar_year_fill_weekdays(year=2027)
    CalendarYear.objects.filter(year=2027).update(complete=True)
    calendar_changed(years=[2027])


def _bulk_deserialize_db_from_string(self, data):
    """Django's serialized rollback restores the migrations' seed data (the control list and its
    20,000-row search index, the calendar) one INSERT per row: ~15 s per transactional test on
    PostgreSQL. The same rows inserted per model in batches take under a second. Constraint
    checks are deferred as in Django's own version, so the order of models does not matter."""
    from collections import defaultdict
    from io import StringIO

    from django.core import serializers
    from django.db import transaction

    alias = self.connection.alias
    batches, one_by_one, tables = defaultdict(list), [], set()
    with transaction.atomic(using=alias), self.connection.constraint_checks_disabled():
        for deserialized in serializers.deserialize("json", StringIO(data), using=alias):
            model = type(deserialized.object)
            tables.add(model._meta.db_table)
            if deserialized.m2m_data or model._meta.parents:
                one_by_one.append(deserialized)
            else:
                batches[model].append(deserialized.object)
        for model, objects in batches.items():
            # Rows still there (the first such test, before any flush) are left as they are, as
            # Django's save() would leave them: they hold the same data.
            model._base_manager.using(alias).bulk_create(objects, batch_size=2000, ignore_conflicts=True)
        for deserialized in one_by_one:
            deserialized.save()
        self.connection.check_constraints(table_names=tables)
    from workdays.models import CalendarDay
    from workdays.services import calendar_changed

    calendar_changed(years={day.date.year for day in batches.get(CalendarDay, [])})


@pytest.fixture(scope="session", autouse=True)
def _fast_serialized_rollback():
    from django.db.backends.base.creation import BaseDatabaseCreation

    original = BaseDatabaseCreation.deserialize_db_from_string
    BaseDatabaseCreation.deserialize_db_from_string = _bulk_deserialize_db_from_string
    yield
    BaseDatabaseCreation.deserialize_db_from_string = original


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tests run tasks in process even when REDIS_URL is set (CI); the one test that needs a real
    worker turns this off."""
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
