import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit import services as audit
from audit.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def _events(n, actor=None):
    with transaction.atomic():
        return [audit.record(actor=actor, action="test.event", object_type="test", object_id=i,
                             before={"i": i}, after={"i": i + 1, "name": "王"}) for i in range(n)]


def _raw(sql, params):
    """Tamper the way an intruder with database access would: straight SQL, triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off (superuser)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_intact_chain_verifies(capsys):
    _events(5)
    call_command("audit_verify")
    assert "5 events verified" in capsys.readouterr().out


def test_every_state_change_is_audited_with_before_and_after(actors, case_factory):
    app = case_factory("forwarded")
    actions = list(AuditEvent.objects.filter(object_id=str(app.pk), object_type="licensing.application")
                   .values_list("action", "actor_id"))
    assert actions == [("application.create", actors.owner.pk), ("document.add", actors.owner.pk),
                       ("application.submit", actors.owner.pk), ("application.forward", actors.province.pk)]
    forward = AuditEvent.objects.get(object_id=str(app.pk), action="application.forward")
    assert forward.before["status"] == "submitted" and forward.after["status"] == "forwarded"


def test_edited_event_is_named(actors):
    events = _events(5)
    _raw("UPDATE audit_auditevent SET after = %s WHERE seq = %s", ['{"i": 999}', events[2].seq])
    report = audit.verify_chain()
    assert report.first_bad_seq == events[2].seq and "edited" in report.problem
    with pytest.raises(CommandError, match=f"event {events[2].seq}"):
        call_command("audit_verify")


def test_deleted_event_is_named():
    events = _events(5)
    _raw("DELETE FROM audit_auditevent WHERE seq = %s", [events[1].seq])
    report = audit.verify_chain()
    assert report.first_bad_seq == events[1].seq and "deleted" in report.problem


def test_reordered_events_are_named():
    events = _events(4)
    a, b = events[1], events[2]
    _raw("UPDATE audit_auditevent SET seq = 1000000 WHERE id = %s", [a.pk])
    _raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    report = audit.verify_chain()
    assert report.first_bad_seq == a.seq


def test_orm_refuses_to_change_events():
    event = _events(1)[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_database_trigger_refuses_updates():
    from django.db import DatabaseError

    event = _events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="x", object_type="t", object_id=1)


def test_floats_hash_the_same_after_a_round_trip_through_the_database():
    with transaction.atomic():
        audit.record(actor=None, action="test.float", object_type="t", object_id=1,
                     after={"f": 1e20, "g": 0.1})
    assert audit.verify_chain().ok
