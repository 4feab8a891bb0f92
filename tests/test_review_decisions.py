"""The decision (issue 5, item 6): recommendation, countersignature rules, send back, approval
for smaller quantities, refusal on Art. 13 factors; permissions, bad input, stale versions,
double clicks, and two officers deciding at once."""

import io
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from licensing.decisions import services as decisions
from licensing.models import (
    Application,
    ClockPause,
    CountersignRule,
    Licence,
    OpinionKind,
    PauseKind,
    Recommendation,
    Referral,
    ReferralState,
)
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, StaleVersion, ValidationFailed
from tests.conftest import decide
from tests.factories import UserFactory, authority

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are checked in English here (the portal's default language is Chinese)."""
    with translation.override("en"):
        yield


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def more(actors):
    """Actors beyond the base set: a second officer and senior, an agency lead, a reviewer of an
    agency the case is not referred to, and a staff member of the exporter without access."""
    from types import SimpleNamespace

    mofcom = authority("MOFCOM")
    return SimpleNamespace(
        officer2=UserFactory(organisation=mofcom, role=Role.MINISTRY_OFFICER),
        senior2=UserFactory(organisation=mofcom, role=Role.MINISTRY_SENIOR),
        agency_lead=UserFactory(organisation=authority("MIIT"), role=Role.AGENCY_LEAD),
        caea=UserFactory(organisation=authority("CAEA"), role=Role.AGENCY_REVIEWER),
        other_staff=UserFactory(organisation=actors.owner.organisation, role=Role.EXPORTER_STAFF),
    )


def only_rules(*kinds):
    """Leave only the seeded rules of these kinds active."""
    CountersignRule.objects.exclude(kind__in=kinds).update(active=False)


def recommend(app, actor, outcome="approve", **kwargs):
    app.refresh_from_db()
    defaults = {"reasons": "Reasons / 理由", "factors": ["end_user"] if outcome == "refuse" else [],
                "expected_version": app.version}
    return decisions.decision_recommend(application_id=app.pk, actor=actor, outcome=outcome, **{**defaults, **kwargs})


def events(app, action):
    return AuditEvent.objects.filter(object_type="licensing.application", object_id=str(app.pk),
                                     action=f"application.{action}")


def objection(app, agency_code="MIIT"):
    return Referral.objects.create(application=app, agency=authority(agency_code), state=ReferralState.ANSWERED,
                                   sent_at=timezone.now(), opinion=OpinionKind.OBJECTION,
                                   opinion_reasons="End user serves a military programme",
                                   answered_at=timezone.now())


def page(user, lang="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = lang
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    # These tests judge bodies and flows; 428 and If-Match are tested in tests/test_api_manners.py.
    client.credentials(HTTP_IF_MATCH="*")
    return client


# ---------------------------------------------------------------- rules


def test_the_seeded_rules_cover_objection_9xx_watch_list_and_value():
    rules = {(r.kind, r.parameter) for r in CountersignRule.objects.filter(active=True)}
    assert rules == {("agency_objection", ""), ("regime_digit", "9"), ("watch_listed", ""),
                     ("value_above", "10000000")}
    value = CountersignRule.objects.get(kind="value_above")
    assert "illustrative" in value.description_en and value.description_zh


def test_no_rule_applies_the_decision_is_immediate(actors, case_factory, django_capture_on_commit_callbacks):
    only_rules()  # none active
    app = case_factory("awaiting_decision")
    with django_capture_on_commit_callbacks(execute=True):
        rec = recommend(app, actors.ministry, conditions="No re-export / 不得再出口")
    app.refresh_from_db()
    assert app.status == "approved" and app.decided_at and rec.state == "final" and rec.countersign_rules == []
    assert "No re-export" in app.decision_reason and "Reasons" in app.decision_reason
    assert Licence.objects.filter(application=app).exists()
    event = events(app, "approve").get()
    assert event.actor_id == actors.ministry.pk and event.after["outcome"] == "approve"
    assert event.after["countersign_rules"] == [] and event.after["countersigned_by"] is None
    assert not events(app, "recommend").exists()
    told = set(Notification.objects.filter(key=f"decision:{app.pk}").values_list("recipient_id", flat=True))
    assert {actors.owner.pk, actors.colleague.pk} <= told and actors.ministry.pk not in told
    assert actors.outsider.pk not in told and actors.province.pk not in told
    assert app.clock_state == "stopped"


def test_a_9xx_item_needs_a_countersignature(actors, case_factory):
    only_rules("regime_digit")
    app = case_factory("awaiting_decision")  # 1C902.a: China's own 9xx entry
    rec = recommend(app, actors.ministry)
    app.refresh_from_db()
    assert app.status == "awaiting_countersign" and rec.state == "awaiting_countersign" and not app.decided_at
    assert [(r["kind"], r["matched"]) for r in rec.countersign_rules] == [("regime_digit", "1C902.a")]
    assert events(app, "recommend").get().after["countersign_rules"][0]["kind"] == "regime_digit"
    notified = set(Notification.objects.filter(key=f"countersign:{rec.pk}").values_list("recipient_id", flat=True))
    assert notified == {actors.senior.pk}  # the seniors, not the officer


@pytest.mark.parametrize("kind", ["agency_objection", "watch_listed", "value_above", "code_prefix"])
def test_each_rule_triggers_a_countersignature_and_only_when_it_applies(actors, case_factory, kind):
    only_rules(kind)
    if kind == "code_prefix":
        CountersignRule.objects.create(kind="code_prefix", parameter="1C9", description_zh="稀土",
                                       description_en="Rare earths")
    quiet = case_factory("awaiting_decision")
    assert decisions.countersign_rules_applying(quiet, "approve") == [] or kind == "code_prefix"
    app = case_factory("awaiting_decision")
    if kind == "agency_objection":
        objection(app)
    elif kind == "watch_listed":
        ClockPause.objects.create(application=app, kind=PauseKind.WATCH_LIST, started_on=date(2026, 3, 2),
                                  ended_on=date(2026, 3, 9), started_by=actors.ministry)  # ended: still counts
    elif kind == "value_above":
        Application.objects.filter(pk=app.pk).update(total_value_rmb=Decimal("10000000.01"))
        Application.objects.filter(pk=quiet.pk).update(total_value_rmb=Decimal("10000000"))
        assert decisions.countersign_rules_applying(Application.objects.get(pk=quiet.pk), "approve") == []
    rec = recommend(app, actors.ministry)
    assert rec.state == "awaiting_countersign"
    assert [r["kind"] for r in rec.countersign_rules] == [kind]
    if kind == "agency_objection":
        assert rec.countersign_rules[0]["matched"] == "工业和信息化部"


def test_a_refusal_rule_catches_refusals_only(actors, case_factory):
    only_rules()
    CountersignRule.objects.create(kind="outcome", parameter="refuse", description_zh="不予许可均需会签",
                                   description_en="Every refusal")
    app = case_factory("awaiting_decision")
    preview = decisions.countersign_preview(app)
    assert preview["approve"] == [] and [r["kind"] for r in preview["refuse"]] == ["outcome"]
    assert recommend(app, actors.ministry, "refuse").state == "awaiting_countersign"
    other = case_factory("awaiting_decision")
    assert recommend(other, actors.ministry, "approve").state == "final"


# ---------------------------------------------------------------- countersignature and send back


def test_countersignature_by_another_senior_decides(actors, case_factory, more, django_capture_on_commit_callbacks):
    app = case_factory("awaiting_decision")
    rec = recommend(app, actors.senior)
    notified = set(Notification.objects.filter(key=f"countersign:{rec.pk}").values_list("recipient_id", flat=True))
    assert notified == {more.senior2.pk}
    with pytest.raises(NotAllowed) as own:
        decisions.decision_countersign(application_id=app.pk, actor=actors.senior)
    assert "cannot countersign your own recommendation" in str(own.value)
    with pytest.raises(NotAllowed):
        decisions.decision_countersign(application_id=app.pk, actor=actors.ministry)  # an officer
    app.refresh_from_db()
    assert app.status == "awaiting_countersign"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decision_countersign(application_id=app.pk, actor=more.senior2, expected_version=app.version)
    app.refresh_from_db()
    rec.refresh_from_db()
    assert app.status == "approved" and rec.state == "final" and rec.countersigned_by_id == more.senior2.pk
    event = events(app, "approve").get()
    assert event.actor_id == more.senior2.pk and event.after["countersigned_by"] == more.senior2.pk
    assert event.after["recommended_by"] == actors.senior.pk
    assert Licence.objects.filter(application=app).count() == 1
    told = set(Notification.objects.filter(key=f"decision:{app.pk}").values_list("recipient_id", flat=True))
    assert actors.senior.pk in told and actors.owner.pk in told  # the recommender, the exporter


def test_own_recommendation_on_the_page_and_the_api_is_refused(actors, case_factory):
    app = case_factory("awaiting_decision")
    recommend(app, actors.senior)
    app.refresh_from_db()
    own_page = page(actors.senior).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="decision-waiting"' in own_page and 'id="do-countersign"' not in own_page
    assert "another senior officer" in own_page
    resp = api(actors.senior).post(f"/api/applications/{app.pk}/countersign/", {}, format="json",
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 403 and "cannot countersign your own recommendation" in resp.json()["detail"]
    resp = page(actors.senior).post(f"/cases/{app.pk}/decision/countersign/", {"version": app.version, "confirm": "1"})
    assert resp.status_code == 403 and "cannot countersign your own recommendation" in resp.content.decode()
    app.refresh_from_db()
    assert app.status == "awaiting_countersign" and not events(app, "approve").exists()


def test_send_back_then_a_new_recommendation(actors, case_factory, more):
    app = case_factory("awaiting_decision")
    first = recommend(app, actors.ministry, "refuse")
    app.refresh_from_db()
    with pytest.raises(ValidationFailed):
        decisions.decision_send_back(application_id=app.pk, actor=actors.senior, comment="  ")
    with pytest.raises(NotAllowed):
        decisions.decision_send_back(application_id=app.pk, actor=more.officer2, comment="no")
    resp = page(actors.senior).post(f"/cases/{app.pk}/decision/send-back/",
                                    {"version": app.version, "comment": "Explain the end-user finding"})
    assert resp.status_code == 302
    app.refresh_from_db()
    first.refresh_from_db()
    assert app.status == "awaiting_decision" and first.state == "sent_back"
    assert first.send_back_comment == "Explain the end-user finding"
    assert Notification.objects.get(key=f"sent-back:{first.pk}").recipient_id == actors.ministry.pk
    shown = page(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="decision-sent-back"' in shown and "Explain the end-user finding" in shown
    second = recommend(app, actors.ministry, "approve")
    assert second.pk != first.pk and second.state == "awaiting_countersign"
    decisions.decision_countersign(application_id=app.pk, actor=actors.senior)
    app.refresh_from_db()
    assert app.status == "approved"
    assert [r.state for r in app.recommendations.order_by("pk")] == ["sent_back", "final"]


def test_a_case_decided_meanwhile_is_a_409_naming_its_state(actors, case_factory, more):
    app = case_factory("awaiting_decision")
    stale = app.version
    recommend(app, actors.ministry)
    with pytest.raises(InvalidTransition) as exc:
        decisions.decision_recommend(application_id=app.pk, actor=more.officer2, outcome="refuse",
                                     factors=["destination"], reasons="no", expected_version=stale)
    assert "Awaiting countersignature" in _english(exc.value.message)
    resp = api(more.officer2).post(f"/api/applications/{app.pk}/recommendation/",
                                   {"outcome": "approve", "reasons": "x", "version": stale}, format="json",
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 409 and "Awaiting countersignature" in resp.json()["detail"]
    decisions.decision_send_back(application_id=app.pk, actor=actors.senior, comment="redo")
    with pytest.raises(InvalidTransition):
        decisions.decision_countersign(application_id=app.pk, actor=more.senior2)


def _english(message):
    from django.utils import translation

    with translation.override("en"):
        return str(message)


# ---------------------------------------------------------------- quantities and conditions


def test_approval_for_a_smaller_quantity_prints_on_the_licence(actors, case_factory,
                                                               django_capture_on_commit_callbacks):
    app = case_factory("awaiting_decision")
    item = app.items.get()  # 25 kg, RMB 180,000
    with django_capture_on_commit_callbacks(execute=True):
        decide(app.pk, actors, "approve", item_quantities={str(item.pk): "10"}, conditions="Only for the named motor line")
    item.refresh_from_db()
    assert item.approved_quantity == Decimal("10")
    licence = Licence.objects.get(application=app)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(licence.pdf))).pages)
    assert "72,000.00" in text and "180,000.00" not in text  # the value pro rata
    row = next(line for line in text.splitlines() if "1C902.a" in line or "kg" in line)
    assert "25" not in row.replace("2026", "")
    rec = app.recommendations.get(state="final")
    assert rec.item_quantities == {str(item.pk): "10"} and rec.conditions == "Only for the named motor line"


def test_an_item_approved_at_zero_is_left_off_the_licence_data(actors, case_factory):
    from licensing.licences.selectors import licence_pdf_data

    app = case_factory("awaiting_decision")
    item = app.items.get()
    with pytest.raises(ValidationFailed):  # nothing would be left to export: refuse instead
        decide(app.pk, actors, "approve", item_quantities={str(item.pk): "0"})
    decide(app.pk, actors, "approve", item_quantities={str(item.pk): "25"})  # as applied for
    item.refresh_from_db()
    assert item.approved_quantity is None
    licence = Licence(application=Application.objects.get(pk=app.pk), number="2026MC000001X",
                      issued_at=timezone.now(), valid_from=date(2026, 3, 2), valid_until=date(2027, 3, 1))
    data = licence_pdf_data(licence)
    assert data["items"][0]["quantity"] == Decimal("25") and data["conditions"] == ""


# ---------------------------------------------------------------- bad input, stale versions, double clicks


@pytest.mark.parametrize("kwargs,field", [
    ({"outcome": "refuse", "factors": [], "reasons": "no"}, "factors"),
    ({"outcome": "refuse", "factors": ["end_user"], "reasons": "   "}, "reasons"),
    ({"outcome": "approve", "reasons": ""}, "reasons"),
    ({"outcome": "refuse", "factors": ["made_up"], "reasons": "no"}, "factors"),
    ({"outcome": "maybe", "reasons": "x"}, "outcome"),
    ({"outcome": "approve", "reasons": "x", "item_quantities": {"999999": "1"}}, "item_quantities"),
    ({"outcome": "approve", "reasons": "x", "item_quantities": "ITEM"}, "item_quantities"),
    ({"outcome": "approve", "reasons": "x", "conditions": "y" * 5001}, "conditions"),
])
def test_bad_recommendations_are_400_and_change_nothing(actors, case_factory, kwargs, field):
    app = case_factory("awaiting_decision")
    before = app.version
    with pytest.raises(ValidationFailed) as exc:
        decisions.decision_recommend(application_id=app.pk, actor=actors.ministry, **kwargs)
    assert field in exc.value.fields
    app.refresh_from_db()
    assert app.status == "awaiting_decision" and app.version == before and not app.recommendations.exists()


@pytest.mark.parametrize("quantity", ["26", "-1", "abc", "1.0001", "NaN"])
def test_bad_quantities_are_400(actors, case_factory, quantity):
    app = case_factory("awaiting_decision")
    item = app.items.get()
    resp = api(actors.ministry).post(f"/api/applications/{app.pk}/recommendation/",
                                     {"outcome": "approve", "reasons": "x", "item_quantities": {str(item.pk): quantity}},
                                     format="json")
    assert resp.status_code == 400, resp.content
    resp = page(actors.ministry).post(f"/cases/{app.pk}/decision/recommend/", {
        "version": app.version, "outcome": "approve", "reasons": "x", f"qty_{item.pk}": quantity, "confirm": "1"})
    assert resp.status_code == 400 and 'id="form-recommend"' in resp.content.decode()
    assert Application.objects.get(pk=app.pk).status == "awaiting_decision"


def test_the_page_keeps_what_was_typed_when_refused(actors, case_factory):
    app = case_factory("awaiting_decision")
    resp = page(actors.ministry).post(f"/cases/{app.pk}/decision/recommend/", {
        "version": app.version, "outcome": "refuse", "reasons": "Diversion risk to a listed end user", "confirm": "1"})
    body = resp.content.decode()
    assert resp.status_code == 400 and "Diversion risk to a listed end user" in body
    assert "Art. 13" in body and 'value="refuse" id="outcome-refuse" checked' in body


def test_stale_versions_are_409(actors, case_factory):
    app = case_factory("awaiting_decision")
    with pytest.raises(StaleVersion):
        decisions.decision_recommend(application_id=app.pk, actor=actors.ministry, outcome="approve",
                                     reasons="x", expected_version=app.version - 1)
    resp = page(actors.ministry).post(f"/cases/{app.pk}/decision/recommend/",
                                      {"version": app.version - 1, "outcome": "approve", "reasons": "x", "confirm": "1"})
    assert resp.status_code == 409
    recommend(app, actors.ministry)
    app.refresh_from_db()
    resp = api(actors.senior).post(f"/api/applications/{app.pk}/countersign/", {"version": app.version - 1},
                                   format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    resp = api(actors.senior).post(f"/api/applications/{app.pk}/send-back/",
                                   {"version": app.version - 1, "comment": "x"}, format="json")
    assert resp.status_code == 409
    app.refresh_from_db()
    assert app.status == "awaiting_countersign"


def test_double_click_on_countersign_makes_one_decision(actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("awaiting_decision")
    recommend(app, actors.ministry)
    app.refresh_from_db()
    client = page(actors.senior)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/cases/{app.pk}/decision/countersign/", {"version": app.version, "confirm": "1"})
        second = client.post(f"/cases/{app.pk}/decision/countersign/", {"version": app.version, "confirm": "1"})
    assert first.status_code == second.status_code == 302
    assert events(app, "approve").count() == 1 and Licence.objects.filter(application=app).count() == 1
    again = api(actors.senior).post(f"/api/applications/{app.pk}/countersign/", {}, format="json")
    assert again.status_code == 200 and again.json()["status"] == "approved"
    assert events(app, "approve").count() == 1


def test_double_click_on_recommend_makes_one_recommendation(actors, case_factory):
    app = case_factory("awaiting_decision")
    client = page(actors.ministry)
    form = {"version": app.version, "outcome": "approve", "reasons": "fine", "confirm": "1"}
    assert client.post(f"/cases/{app.pk}/decision/recommend/", form).status_code == 302
    assert client.post(f"/cases/{app.pk}/decision/recommend/", form).status_code == 302
    assert app.recommendations.count() == 1 and events(app, "recommend").count() == 1
    only_rules()
    direct = case_factory("awaiting_decision")
    form = {"version": direct.version, "outcome": "refuse", "factors": ["destination"], "reasons": "no", "confirm": "1"}
    assert client.post(f"/cases/{direct.pk}/decision/recommend/", form).status_code == 302
    assert client.post(f"/cases/{direct.pk}/decision/recommend/", form).status_code == 302
    assert direct.recommendations.count() == 1 and events(direct, "refuse").count() == 1


# ---------------------------------------------------------------- permissions


@pytest.fixture
def cases(actors, case_factory, django_capture_on_commit_callbacks):
    """A case awaiting countersignature (with an MIIT objection, so MIIT sees it) and a refused one."""
    pending = case_factory("awaiting_decision")
    objection(pending)
    recommend(pending, actors.ministry)
    refused = case_factory("awaiting_decision")
    with django_capture_on_commit_callbacks(execute=True):
        decide(refused.pk, actors, "refuse", reasons="Diversion risk")
    for app in (pending, refused):
        app.refresh_from_db()
    return pending, refused


def _writes(app):
    return [
        (f"/api/applications/{app.pk}/recommendation/", {"outcome": "approve", "reasons": "x"}),
        (f"/api/applications/{app.pk}/countersign/", {}),
        (f"/api/applications/{app.pk}/send-back/", {"comment": "x"}),
    ], [
        (f"/cases/{app.pk}/decision/recommend/", {"outcome": "approve", "reasons": "x", "confirm": "1"}),
        (f"/cases/{app.pk}/decision/countersign/", {"confirm": "1"}),
        (f"/cases/{app.pk}/decision/send-back/", {"comment": "x"}),
    ]


@pytest.mark.parametrize("who,expected", [
    ("owner", 403), ("colleague", 403), ("province", 403), ("agency", 403), ("agency_lead", 403),
    ("outsider", 404), ("other_province", 404), ("customs", 404), ("caea", 404), ("other_staff", 404),
])
def test_wrong_actors_cannot_decide_or_read_recommendations(actors, more, cases, who, expected):
    user = getattr(actors, who, None) or getattr(more, who)
    pending, refused = cases
    api_writes, page_writes = _writes(pending)
    for path, body in api_writes:
        assert api(user).post(path, body, format="json").status_code == expected, path
    for path, body in page_writes:
        assert page(user).post(path, {**body, "version": pending.version}).status_code == expected, path
    assert api(user).get(f"/api/applications/{pending.pk}/recommendations/").status_code == expected
    pending.refresh_from_db()
    assert pending.status == "awaiting_countersign" and pending.recommendations.count() == 1
    body = page(user).get(f"/cases/{pending.pk}/").content.decode() if expected == 403 else ""
    assert 'id="form-countersign"' not in body and 'id="decision-pending"' not in body


@pytest.mark.parametrize("who", ["owner", "colleague", "ministry", "senior"])
def test_the_exporter_and_the_ministry_download_the_refusal_letter(actors, cases, who):
    _pending, refused = cases
    user = getattr(actors, who)
    resp = api(user).get(f"/api/applications/{refused.pk}/refusal-letter/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content == bytes(refused.refusal_letter.pdf)
    assert page(user).get(f"/cases/{refused.pk}/refusal-letter.pdf").content == resp.content
    shown = page(user).get(f"/cases/{refused.pk}/").content.decode()
    assert 'id="refusal-letter-download"' in shown and "Diversion risk" in shown


@pytest.mark.parametrize("who", ["province", "outsider", "other_province", "agency", "customs", "other_staff"])
def test_nobody_else_gets_the_refusal_letter(actors, more, cases, who):
    _pending, refused = cases
    user = getattr(actors, who, None) or getattr(more, who)
    assert api(user).get(f"/api/applications/{refused.pk}/refusal-letter/").status_code == 404
    assert page(user).get(f"/cases/{refused.pk}/refusal-letter.pdf").status_code == 404
    assert Client().get(f"/cases/{refused.pk}/refusal-letter.pdf").status_code == 302  # to sign in
    assert APIClient().get(f"/api/applications/{refused.pk}/refusal-letter/").status_code == 403


def test_the_ministry_reads_the_recommendations(actors, cases):
    pending, _refused = cases
    rows = api(actors.ministry).get(f"/api/applications/{pending.pk}/recommendations/").json()
    assert [(r["outcome"], r["state"]) for r in rows] == [("approve", "awaiting_countersign")]
    assert {r["kind"] for r in rows[0]["countersign_rules"]} == {"agency_objection", "regime_digit"}


# ---------------------------------------------------------------- the panel


def test_the_panel_shows_opinions_side_by_side_and_the_rules_that_would_apply(actors, case_factory):
    app = case_factory("awaiting_decision")
    objection(app)
    Referral.objects.create(application=app, agency=authority("CAEA"), state=ReferralState.ANSWERED,
                            sent_at=timezone.now(), opinion=OpinionKind.CONDITIONS,
                            opinion_conditions="No transfer to third parties", opinion_reasons="Civil use plausible")
    body = page(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    table = body[body.index('id="decision-opinions"'):body.index("</table>", body.index('id="decision-opinions"'))]
    assert "Ministry of Industry and Information Technology" in table and "Objection" in table
    assert "No transfer to third parties" in table and "Civil use plausible" in table
    preview = body[body.index('id="decision-preview"'):]
    assert "A consulted agency objected" in preview and "1C902.a" in preview
    assert 'name="factors" value="end_user"' in body and f'name="qty_{app.items.get().pk}"' in body
    exporter = page(actors.owner).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="decision-panel"' not in exporter and "Civil use plausible" not in exporter


def test_the_panel_for_a_senior_offers_countersign_and_send_back(actors, case_factory):
    app = case_factory("awaiting_decision")
    recommend(app, actors.ministry, conditions="Report the installation")
    body = page(actors.senior).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="do-countersign"' in body and 'id="do-send-back"' in body
    assert "Report the installation" in body and "regime digit 9" in body
    officer = page(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="do-countersign"' not in officer and 'id="decision-waiting"' in officer


# ---------------------------------------------------------------- rule editing


def test_a_senior_edits_the_rules_in_the_browser(actors):
    client = page(actors.senior)
    assert client.get("/review/countersign-rules/").status_code == 200
    resp = client.post("/review/countersign-rules/new/", {"kind": "code_prefix", "parameter": "1c9",
                                                          "description_zh": "稀土", "description_en": "Rare earths"})
    assert resp.status_code == 302
    rule = CountersignRule.objects.get(kind="code_prefix")
    assert rule.parameter == "1C9"
    assert AuditEvent.objects.filter(action="countersign_rule.create", object_id=str(rule.pk)).exists()
    bad = client.post("/review/countersign-rules/new/", {"kind": "regime_digit", "parameter": "x",
                                                         "description_zh": "a", "description_en": "b"})
    assert bad.status_code == 400 and CountersignRule.objects.filter(kind="regime_digit").count() == 1
    resp = client.post(f"/review/countersign-rules/{rule.pk}/edit/", {
        "version": rule.version, "kind": "code_prefix", "parameter": "1C90", "description_zh": "稀土",
        "description_en": "Rare earths"})
    assert resp.status_code == 302
    stale = client.post(f"/review/countersign-rules/{rule.pk}/edit/", {
        "version": rule.version, "kind": "code_prefix", "parameter": "1C", "description_zh": "x",
        "description_en": "x"})
    assert stale.status_code == 409
    rule.refresh_from_db()
    assert rule.parameter == "1C90" and rule.version == 2
    assert client.post(f"/review/countersign-rules/{rule.pk}/active/",
                       {"version": rule.version, "active": "0"}).status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    assert AuditEvent.objects.filter(action="countersign_rule.deactivate", object_id=str(rule.pk)).count() == 1


@pytest.mark.parametrize("who,read,write", [
    ("ministry", 200, 403), ("senior", 200, None), ("owner", 403, 403), ("province", 403, 403),
    ("agency", 403, 403), ("customs", 403, 403)])
def test_only_a_senior_edits_the_rules(actors, who, read, write):
    user = getattr(actors, who)
    rule = CountersignRule.objects.get(kind="value_above")
    assert page(user).get("/review/countersign-rules/").status_code == read
    assert api(user).get("/api/countersign-rules/").status_code == read
    assert api(user).get(f"/api/countersign-rules/{rule.pk}/").status_code == read
    if write is None:
        return
    assert page(user).get("/review/countersign-rules/new/").status_code == write
    assert page(user).post(f"/review/countersign-rules/{rule.pk}/edit/", {
        "version": 1, "kind": "value_above", "parameter": "1", "description_zh": "x",
        "description_en": "x"}).status_code == write
    assert page(user).post(f"/review/countersign-rules/{rule.pk}/active/", {"active": "0"}).status_code == write
    assert api(user).post("/api/countersign-rules/", {"kind": "watch_listed", "description_zh": "x",
                                                      "description_en": "x"}, format="json").status_code == write
    assert api(user).patch(f"/api/countersign-rules/{rule.pk}/", {"parameter": "5"},
                           format="json").status_code == write
    assert api(user).post(f"/api/countersign-rules/{rule.pk}/deactivate/", {}, format="json").status_code == write
    rule.refresh_from_db()
    assert rule.active and rule.parameter == "10000000" and rule.version == 1


def test_the_rules_api(actors):
    client = api(actors.senior)
    resp = client.post("/api/countersign-rules/", {"kind": "outcome", "parameter": "refuse",
                                                   "description_zh": "不予许可", "description_en": "Refusals"},
                       format="json")
    assert resp.status_code == 201, resp.content
    rule_id, version = resp.json()["id"], resp.json()["version"]
    assert client.post("/api/countersign-rules/", {"kind": "outcome", "parameter": "perhaps",
                                                   "description_zh": "x", "description_en": "x"},
                       format="json").status_code == 400
    resp = client.patch(f"/api/countersign-rules/{rule_id}/", {"description_en": "Every refusal",
                                                               "version": version}, format="json")
    assert resp.status_code == 200 and resp.json()["version"] == version + 1
    assert client.patch(f"/api/countersign-rules/{rule_id}/", {"description_en": "x", "version": version},
                        format="json").status_code == 409
    resp = client.post(f"/api/countersign-rules/{rule_id}/deactivate/", {"version": version + 1}, format="json")
    assert resp.status_code == 200 and resp.json()["active"] is False
    again = client.post(f"/api/countersign-rules/{rule_id}/deactivate/", {"version": version + 1}, format="json")
    assert again.status_code == 200 and again.json()["version"] == version + 2  # a double click: no change
    assert client.post(f"/api/countersign-rules/{rule_id}/activate/", {}, format="json").json()["active"] is True
    assert client.get("/api/countersign-rules/999999/").status_code == 404
    assert client.post("/api/countersign-rules/999999/deactivate/", {}, format="json").status_code == 404
    assert AuditEvent.objects.filter(object_type="licensing.countersignrule", object_id=str(rule_id)).count() == 4


def test_the_schema_documents_the_decision_endpoints(client):
    body = client.get("/api/schema/").content.decode()
    for path in ("/api/applications/{id}/recommendation/", "/api/applications/{id}/countersign/",
                 "/api/applications/{id}/send-back/", "/api/applications/{id}/recommendations/",
                 "/api/applications/{id}/refusal-letter/", "/api/countersign-rules/",
                 "/api/countersign-rules/{rule_pk}/deactivate/"):
        assert path in body, path


# ---------------------------------------------------------------- two officers at once (PostgreSQL)


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the outcome is what the test inspects
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_recommending_at_once_one_wins_the_other_hears_the_new_state(actors, case_factory):
    officer2 = UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_OFFICER)
    app = case_factory("awaiting_decision")
    results = _race(
        lambda: decisions.decision_recommend(application_id=app.pk, actor=actors.ministry, outcome="approve",
                                             reasons="yes", expected_version=app.version),
        lambda: decisions.decision_recommend(application_id=app.pk, actor=officer2, outcome="refuse",
                                             factors=["end_user"], reasons="no", expected_version=app.version),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), results
    assert "Awaiting countersignature" in _english(errors[0].message)
    assert Recommendation.objects.filter(application=app).count() == 1
    assert events(app, "recommend").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_seniors_countersigning_or_sending_back_at_once_one_wins(actors, case_factory):
    senior2 = UserFactory(organisation=authority("MOFCOM"), role=Role.MINISTRY_SENIOR)
    app = case_factory("awaiting_decision")
    recommend(app, actors.ministry)
    results = _race(
        lambda: decisions.decision_countersign(application_id=app.pk, actor=actors.senior),
        lambda: decisions.decision_send_back(application_id=app.pk, actor=senior2, comment="no"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), results
    app.refresh_from_db()
    assert app.status in ("approved", "awaiting_decision")
    assert events(app, "approve").count() + events(app, "send_back").count() == 1
