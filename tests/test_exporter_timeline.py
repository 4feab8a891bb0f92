"""Issue 12, section 3: what the exporter sees of its case (one selector, exporter_timeline), in
both languages, that it hears of every step (inbox and e-mail through the outbox, once per step),
and the province's first-review opinion."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from licensing.applications import services
from licensing.applications.timeline import PUBLIC_ACTIONS, exporter_timeline
from licensing.decisions import services as decisions
from licensing.models import Application, OpinionKind
from licensing.referrals import services as referrals
from licensing.requests import services as requests
from notifications.models import Notification
from outbox.models import OutboxMessage
from portal.errors import NotAllowed, ValidationFailed
from tests.conftest import make_case
from tests.factories import UserFactory, authority

pytestmark = pytest.mark.django_db

INTERNAL_RECOMMENDATION = "INTERNAL-FIRST-DRAFT risk noted by the officer"
SEND_BACK_COMMENT = "SENDBACK-COMMENT check the end user again"
PUBLIC_REASONS = "Meets Art. 13; approved / 符合条件"
OPINION_REASONS = "AGENCY-OPINION-TEXT no objection"


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def named(actors):
    """The ministry's people with names that must never reach the exporter."""
    for user, first, last in ((actors.ministry, "Officer", "Wangwu"), (actors.senior, "Senior", "Zhaoliu"),
                              (actors.agency, "Reviewer", "Sunqi")):
        user.first_name, user.last_name = first, last
        user.save()
    return actors


@pytest.fixture
def decided(named, calendar_2027, django_capture_on_commit_callbacks):
    """A case through every public step and the internal ones: referral, opinion, a question, a
    recommendation sent back, a second one countersigned, the licence."""
    actors = named
    with django_capture_on_commit_callbacks(execute=True):
        app = make_case(actors, "accepted")
        referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=authority("MIIT").pk,
                               reason="Rare-earth magnets")
        (ref,) = referrals.referrals_send(application_id=app.pk, actor=actors.ministry)
        referrals.opinion_give(referral_id=ref.pk, actor=actors.agency, opinion=OpinionKind.NO_OBJECTION,
                               reasons=OPINION_REASONS)
        req = requests.rfi_ask(application_id=app.pk, actor=actors.ministry, question="What is the motor power?")
        requests.rfi_answer(application_id=app.pk, request_id=req.pk, actor=actors.owner, answer="5 kW")
        first = decisions.decision_recommend(application_id=app.pk, actor=actors.ministry, outcome="approve",
                                             reasons=INTERNAL_RECOMMENDATION)
        assert first.state == "awaiting_countersign"  # the seeded rules ask for it on 1C902.a
        decisions.decision_send_back(application_id=app.pk, actor=actors.senior, comment=SEND_BACK_COMMENT)
        decisions.decision_recommend(application_id=app.pk, actor=actors.ministry, outcome="approve",
                                     reasons=PUBLIC_REASONS)
        decisions.decision_countersign(application_id=app.pk, actor=actors.senior)
    app.refresh_from_db()
    assert app.status == "approved" and app.licence
    return app


PUBLIC_STEPS = ["submitted", "forwarded", "accepted", "under_review", "question", "question_answered",
                "approved", "licence"]


def test_the_timeline_holds_each_public_step_once_and_nothing_internal(decided):
    steps = exporter_timeline(decided)
    assert [s.step for s in steps] == PUBLIC_STEPS
    approved = next(s for s in steps if s.step == "approved")
    assert PUBLIC_REASONS in approved.note
    assert {s.by for s in steps} <= {"Your company", "Provincial commerce department", "Ministry of Commerce",
                                     "贵公司", "省级商务主管部门", "商务部"}
    text = repr(steps)
    for secret in (INTERNAL_RECOMMENDATION, SEND_BACK_COMMENT, OPINION_REASONS, "MIIT", "Wangwu", "Zhaoliu",
                   "Sunqi"):
        assert secret not in text


@pytest.mark.parametrize("internal", ["application.recommend", "application.send_back", "application.assign",
                                      "application.opinions_in", "application.share", "application.update",
                                      "clock.pause", "referral.send", "document.add"])
def test_internal_events_are_not_public(internal):
    assert internal not in PUBLIC_ACTIONS


def test_a_second_referral_round_is_not_a_second_step(named, calendar_2027):
    app = make_case(named, "awaiting_decision")  # decided without referral: "under review"
    referrals.referral_add(application_id=app.pk, actor=named.ministry, agency_id=authority("MIIT").pk, reason="x")
    referrals.referrals_send(application_id=app.pk, actor=named.ministry)  # referred later on
    assert [s.step for s in exporter_timeline(app)].count("under_review") == 1


@pytest.mark.parametrize("lang,labels,hidden", [
    ("en", ["Progress of your application", "Submitted to the provincial department", "Under review",
            "Approved", "Licence"], ["Referred to the agencies", "Countersign", "countersignature", "Recommendation",
                                     "Agency", "Officer"]),
    # New Chinese msgids are in translations.json until the catalogue is compiled: the steps are
    # checked by their markers here, the secrets by their Chinese words.
    ("zh-hans", ['data-step="submitted"', 'data-step="under_review"', 'data-step="licence"', "许可证"],
     ["会签", "会商", "工业和信息化部"]),
])
def test_the_exporters_case_page_shows_the_timeline_only(decided, named, lang, labels, hidden):
    client = page(named.owner)
    client.cookies["django_language"] = lang
    body = client.get(f"/cases/{decided.pk}/").content.decode()
    assert 'id="timeline"' in body and 'id="history"' not in body
    assert PUBLIC_REASONS in body  # the decision's reasons
    for label in labels:
        assert label in body, label
    for secret in [INTERNAL_RECOMMENDATION, SEND_BACK_COMMENT, OPINION_REASONS, "MIIT", "Wangwu", "Zhaoliu",
                   "Sunqi", *hidden]:
        assert secret not in body, secret


def test_the_ministry_still_sees_the_full_history(decided, named):
    client = page(named.ministry)
    client.cookies["django_language"] = "en"
    body = client.get(f"/cases/{decided.pk}/").content.decode()
    assert 'id="history"' in body and 'id="timeline"' not in body and "Wangwu" in body


def test_the_api_timeline_matches_the_selector_and_hides_the_officer(decided, named):
    resp = api(named.owner).get(f"/api/applications/{decided.pk}/timeline/", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert [row["step"] for row in resp.json()["steps"]] == PUBLIC_STEPS
    assert "Wangwu" not in resp.content.decode() and "MIIT" not in resp.content.decode()
    detail = api(named.owner).get(f"/api/applications/{decided.pk}/").json()
    assert detail["assigned_to"] is None
    assert api(named.ministry).get(f"/api/applications/{decided.pk}/").json()["assigned_to"] is not None


@pytest.mark.parametrize("who,expected", [
    ("owner", 200), ("colleague", 200), ("province", 200), ("ministry", 200),
    ("outsider", 404), ("other_province", 404), ("customs", 404), ("agency", 404),
])
def test_who_may_read_the_timeline(actors, case_factory, who, expected):
    app = case_factory("accepted")  # not referred: the agency may not see it
    assert api(getattr(actors, who)).get(f"/api/applications/{app.pk}/timeline/").status_code == expected


def test_a_referred_agency_reads_it_too(named, calendar_2027):
    app = make_case(named, "accepted")
    referrals.referral_add(application_id=app.pk, actor=named.ministry, agency_id=authority("MIIT").pk, reason="x")
    referrals.referrals_send(application_id=app.pk, actor=named.ministry)
    assert api(named.agency).get(f"/api/applications/{app.pk}/timeline/").status_code == 200
    caea = UserFactory(organisation=authority("CAEA"), role=Role.AGENCY_REVIEWER)
    assert api(caea).get(f"/api/applications/{app.pk}/timeline/").status_code == 404


# ---------------------------------------------------------------- notifications


def _kinds(user, app) -> list[str]:
    return list(Notification.objects.filter(recipient=user, application_id=app.pk).order_by("pk")
                .values_list("kind", flat=True))


def test_the_exporter_hears_of_every_step(decided, named):
    kinds = _kinds(named.owner, decided)
    for kind in ("case.submitted", "case.forwarded", "case.accepted", "case.under_review", "request.rfi",
                 "case.question_answered", "decision", "case.licence"):
        assert kinds.count(kind) == 1, (kind, kinds)
    assert _kinds(named.colleague, decided).count("case.forwarded") == 1  # the company's administrator too
    assert not Notification.objects.filter(recipient=named.outsider).exists()
    subjects = [m.kwargs["subject"] for m in OutboxMessage.objects.filter(task="outbox.send_email")
                if m.kwargs["to"] == [named.owner.email]]
    assert sum("was forwarded to the ministry" in subject for subject in subjects) == 1
    assert any("is under review" in subject for subject in subjects)


def test_a_replayed_step_notifies_once(actors):
    app = make_case(actors, "submitted")
    services.application_submit(application_id=app.pk, actor=actors.owner)  # a double click
    services.application_forward(application_id=app.pk, actor=actors.province)
    services.application_forward(application_id=app.pk, actor=actors.province)
    kinds = _kinds(actors.owner, app)
    assert kinds.count("case.submitted") == 1 and kinds.count("case.forwarded") == 1


def test_returned_and_corrections_are_told(actors):
    app = make_case(actors, "submitted")
    services.application_return(application_id=app.pk, actor=actors.province, reason="缺少合同")
    note = Notification.objects.get(recipient=actors.owner, kind="case.returned")
    assert "缺少合同" in note.body_zh and "returned" in note.title_en
    steps = [s.step for s in exporter_timeline(app)]
    assert steps == ["submitted", "returned"]
    assert "缺少合同" in exporter_timeline(app)[-1].note


# ---------------------------------------------------------------- the province's first-review opinion


def test_the_province_forwards_with_an_opinion_the_ministry_reads(actors):
    app = make_case(actors, "submitted")
    resp = page(actors.province).post(f"/cases/{app.pk}/act/forward/", {
        "version": app.version, "opinion": "材料齐全，建议受理 / complete"})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.status == "forwarded" and app.province_opinion == "材料齐全，建议受理 / complete"
    ministry = page(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="province-opinion"' in ministry and "材料齐全" in ministry
    owner = page(actors.owner).get(f"/cases/{app.pk}/").content.decode()
    assert "材料齐全" not in owner and 'id="province-opinion"' not in owner


def test_the_opinion_is_optional_but_bounded(actors):
    app = make_case(actors, "submitted")
    with pytest.raises(ValidationFailed):
        services.application_forward(application_id=app.pk, actor=actors.province, opinion="x" * 4001)
    with pytest.raises(NotAllowed):
        services.application_forward(application_id=app.pk, actor=actors.owner, opinion="x" * 4001)
    assert Application.objects.get(pk=app.pk).status == "submitted"
    resp = api(actors.province).post(f"/api/applications/{app.pk}/forward/", {"opinion": "y" * 4001,
                                                                          "version": app.version},
                                     format="json")
    assert resp.status_code == 400 and Application.objects.get(pk=app.pk).status == "submitted"
    resp = api(actors.province).post(f"/api/applications/{app.pk}/forward/", {"version": app.version},
                                     format="json")
    assert resp.status_code == 200
    assert Application.objects.get(pk=app.pk).province_opinion == ""
    client = page(actors.ministry)
    client.cookies["django_language"] = "en"
    body = client.get(f"/cases/{app.pk}/").content.decode()
    assert "No opinion given." in body


def test_the_exporter_reads_under_review_not_the_review_inner_state(named, calendar_2027):
    app = make_case(named, "accepted")
    referrals.referral_add(application_id=app.pk, actor=named.ministry, agency_id=authority("MIIT").pk, reason="x")
    referrals.referrals_send(application_id=app.pk, actor=named.ministry)
    for url in (f"/cases/{app.pk}/", "/cases/?status=all"):
        client = page(named.owner)
        client.cookies["django_language"] = "en"
        body = client.get(url).content.decode()
        assert "Under review" in body and "With the consulted agencies" not in body, url
        assert "Awaiting countersignature" not in body
    client = page(named.ministry)
    client.cookies["django_language"] = "en"
    assert "With the consulted agencies" in client.get(f"/cases/{app.pk}/").content.decode()


def test_the_api_gives_the_opinion_to_the_ministry_and_province_only(actors):
    app = make_case(actors, "submitted")
    services.application_forward(application_id=app.pk, actor=actors.province, opinion="材料齐全 / complete")
    seen = {name: api(user).get(f"/api/applications/{app.pk}/").json().get("province_opinion")
            for name, user in (("ministry", actors.ministry), ("province", actors.province),
                               ("owner", actors.owner))}
    assert seen == {"ministry": "材料齐全 / complete", "province": "材料齐全 / complete", "owner": None}


def test_the_api_gives_a_provisional_due_date_only_while_the_calendar_is_missing(actors, calendar_2027):
    app = make_case(actors, "accepted")
    body = api(actors.ministry).get(f"/api/applications/{app.pk}/").json()
    assert body["decision_due"] is not None and body["decision_due_provisional"] is None


def test_without_the_calendar_the_api_gives_the_provisional_due_date(actors):
    from workdays.models import CalendarYear
    from workdays.services import calendar_changed

    app = make_case(actors, "accepted")
    # The year the clock runs in is not entered (as next year's is every December): whatever
    # today is, the due date can only be provisional.
    year = app.accepted_at.year
    CalendarYear.objects.filter(year=year).update(complete=False)
    calendar_changed(years=[year])
    body = api(actors.ministry).get(f"/api/applications/{app.pk}/").json()
    assert body["decision_due"] is None and body["decision_due_provisional"] is not None
