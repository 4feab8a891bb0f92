"""End-use checks (最终用户和最终用途核查): the ministry opens a check on a case's party through the
exporter, the exporter answers with PDFs, the ministry records a visit and closes the check; a
party that did not cooperate is proposed for the Watch List (Reg. 26) and accepting publishes it
through enduser.lists; the check is shown on later cases naming the party. Everyone else gets
403/404 and changes nothing."""

import re
import uuid
from datetime import timedelta
from html import unescape
from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone, translation

from audit.models import AuditEvent
from enduser.checks import cases, selectors
from enduser.checks import services as checks
from enduser.models import (
    CheckOutcome,
    CheckState,
    EndUseCheck,
    EndUseCheckDocument,
    ListChange,
    ListedParty,
    ListKind,
    ProposalState,
    WatchListProposal,
)
from licensing.applications import services as applications
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import DRAFT, PASSWORD, pdf_upload

pytestmark = pytest.mark.django_db

QUESTIONS = "Send the installation report and photos of the motors in use / 请提交安装报告和使用照片"
ANSWER = "Installation report attached / 安装报告见附件"


def client_for(user):
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def today():
    return timezone.localdate()


def open_check(actors, app, *, party="end_user", method="documents", actor=None, **kwargs):
    return checks.check_open(actor=actor or actors.ministry, party_id=getattr(app, f"{party}_id"), method=method,
                             questions=QUESTIONS, deadline=kwargs.pop("deadline", today() + timedelta(days=14)),
                             application_id=app.pk, case_number=app.reference, **kwargs)


@pytest.fixture
def case(case_factory):
    return case_factory("forwarded")


# ---------------------------------------------------------------- the flow


def test_documents_check_answered_and_closed_as_cooperated(actors, case):
    row = open_check(actors, case)
    assert (row.state, row.exporter_id, row.application_id, row.case_number, row.party_names) == (
        CheckState.OPEN, case.exporter_id, case.pk, case.reference, [DRAFT["end_user"]["name"]])
    told = Notification.objects.get(kind="enduse_check.open")
    assert told.recipient == actors.colleague and told.url == f"/enduse-checks/{row.pk}/"  # the company admin
    row = checks.check_answer(actor=actors.owner, check_id=row.pk, answer=ANSWER,
                              uploads=[pdf_upload("report.pdf"), pdf_upload("photos.pdf")], expected_version=1)
    assert (row.state, row.version, row.answered_by) == (CheckState.ANSWERED, 2, actors.owner)
    docs = list(row.documents.all())
    assert [d.original_name for d in docs] == ["report.pdf", "photos.pdf"] and all(d.file.read()[:5] == b"%PDF-"
                                                                                   for d in docs)
    assert Notification.objects.get(kind="enduse_check.answer").recipient == actors.ministry
    row = checks.check_close(actor=actors.senior, check_id=row.pk, outcome=CheckOutcome.COOPERATED,
                             findings="Motors installed as declared", expected_version=2)
    assert (row.state, row.outcome, row.closed_by, row.version) == (CheckState.CLOSED, "cooperated", actors.senior, 3)
    assert not WatchListProposal.objects.exists()
    closed = Notification.objects.filter(kind="enduse_check.close")
    assert set(closed.values_list("recipient", flat=True)) == {actors.colleague.pk, actors.owner.pk}
    actions = list(AuditEvent.objects.filter(object_id=str(row.pk), object_type="enduser.endusecheck")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["enduse_check.open", "enduse_check.answer", "enduse_check.close"]
    answer = AuditEvent.objects.get(action="enduse_check.answer")
    assert answer.before["state"] == "open" and len(answer.after["documents"]) == 2


def test_on_site_visit_is_recorded_then_the_check_closed(actors, case):
    row = open_check(actors, case, party="importer", method="on_site")
    with pytest.raises(ValidationFailed):  # a visit is recorded once it took place
        checks.check_record_visit(actor=actors.ministry, check_id=row.pk, visit_on=today() + timedelta(days=1),
                                  place="Stuttgart", findings="x")
    row = checks.check_record_visit(actor=actors.ministry, check_id=row.pk, visit_on=today(),
                                    place="Industriestr. 5, Stuttgart", findings="Goods in the warehouse, unopened",
                                    expected_version=1)
    assert (row.state, row.visit_place, row.version) == (CheckState.ANSWERED, "Industriestr. 5, Stuttgart", 2)
    row = checks.check_record_visit(actor=actors.ministry, check_id=row.pk, visit_on=today(),
                                    place="Industriestr. 5, Stuttgart", findings="Goods in the warehouse, unopened")
    assert row.version == 2  # the same record again changes nothing
    row = checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="cooperated", findings="ok")
    with pytest.raises(InvalidTransition):
        checks.check_record_visit(actor=actors.ministry, check_id=row.pk, visit_on=today(), place="x",
                                  findings="later")
    documents = open_check(actors, case)
    with pytest.raises(InvalidTransition):
        checks.check_record_visit(actor=actors.ministry, check_id=documents.pk, visit_on=today(), place="x",
                                  findings="y")


def test_not_cooperated_proposes_the_watch_list_and_accepting_publishes(actors, case,
                                                                         django_capture_on_commit_callbacks):
    row = open_check(actors, case)
    with pytest.raises(InvalidTransition):  # the party still has time to answer
        checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="not_cooperated", findings="silence")
    assert not WatchListProposal.objects.exists()
    after_deadline = row.deadline + timedelta(days=1)
    row = checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="not_cooperated",
                             findings="No answer by the deadline", today=after_deadline)
    proposal = row.proposal
    assert proposal.state == ProposalState.PROPOSED and proposal.names == [DRAFT["end_user"]["name"]]
    assert proposal.country.code == "DE" and f"No. {row.pk}" in proposal.reason and case.reference in proposal.reason
    assert "第二十六条" in proposal.reason
    assert set(Notification.objects.filter(kind="enduse_check.propose_watch_list")
               .values_list("recipient", flat=True)) == {actors.ministry.pk, actors.senior.pk}
    assert AuditEvent.objects.filter(action="enduse_check.propose_watch_list", object_id=str(proposal.pk)).exists()
    with pytest.raises(ValidationFailed):  # the announcement is required
        checks.proposal_accept(actor=actors.ministry, proposal_id=proposal.pk, announcement="",
                               announced_on=today())
    with pytest.raises(StaleVersion):
        checks.proposal_accept(actor=actors.ministry, proposal_id=proposal.pk, announcement="商务部公告2026年第99号",
                               announced_on=today(), expected_version=7)
    with django_capture_on_commit_callbacks() as callbacks:
        proposal = checks.proposal_accept(actor=actors.ministry, proposal_id=proposal.pk,
                                          announcement="商务部公告2026年第99号", announced_on=today(),
                                          expected_version=1)
    assert callbacks  # the rescreen after the list change is scheduled on commit
    entry = proposal.listed
    assert (proposal.state, entry.list_kind, entry.names, entry.announcement) == (
        ProposalState.ACCEPTED, ListKind.WATCH, [DRAFT["end_user"]["name"]], "商务部公告2026年第99号")
    assert f"No. {row.pk}" in entry.reason
    assert ListChange.objects.filter(listed=entry, action="add").count() == 1
    assert AuditEvent.objects.filter(action="enduser.listed_party_publish", object_id=str(entry.pk)).exists()
    assert AuditEvent.objects.filter(action="enduse_check.proposal_accept", object_id=str(proposal.pk)).exists()
    again = checks.proposal_accept(actor=actors.ministry, proposal_id=proposal.pk,
                                   announcement="商务部公告2026年第99号", announced_on=today())
    assert again.listed_id == entry.pk and ListedParty.objects.count() == 1
    with pytest.raises(InvalidTransition):
        checks.proposal_dismiss(actor=actors.ministry, proposal_id=proposal.pk, note="changed my mind")


def test_a_proposal_can_be_dismissed_with_reasons(actors, case):
    row = open_check(actors, case)
    row = checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="not_cooperated",
                             findings="No answer", today=row.deadline + timedelta(days=3))
    with pytest.raises(ValidationFailed):
        checks.proposal_dismiss(actor=actors.ministry, proposal_id=row.proposal.pk, note="")
    proposal = checks.proposal_dismiss(actor=actors.ministry, proposal_id=row.proposal.pk,
                                       note="The exporter has withdrawn from the deal", expected_version=1)
    assert proposal.state == ProposalState.DISMISSED and not ListedParty.objects.exists()
    with pytest.raises(InvalidTransition):
        checks.proposal_accept(actor=actors.ministry, proposal_id=proposal.pk, announcement="x", announced_on=today())


def test_the_check_is_shown_on_a_later_case_naming_the_party(actors, case, case_factory):
    row = open_check(actors, case)
    # Another exporter names the same end user (its own party record): the engine matches the name.
    data = {**DRAFT, "end_user": {**DRAFT["end_user"], "name": "MOTORENWERK MÜNCHEN GMBH"}}
    later, _ = applications.application_create(actor=actors.outsider, data=data)
    assert later.end_user_id != case.end_user_id
    found = selectors.earlier_checks([later.importer, later.end_user])
    assert [(f.check.pk, f.same_party, f.party.pk) for f in found] == [(row.pk, False, later.end_user_id)]
    assert found[0].why and found[0].score >= 0.8
    same = selectors.earlier_checks([case.importer, case.end_user])
    assert [(f.check.pk, f.same_party) for f in same] == [(row.pk, True)]
    unrelated = {**DRAFT, "importer": {**DRAFT["importer"], "name": "Nordic Ball Bearings AB", "country": "SE"},
                 "end_user": {**DRAFT["end_user"], "name": "Kyoto Precision Optics KK", "country": "JP"}}
    other, _ = applications.application_create(actor=actors.outsider, data=unrelated)
    assert selectors.earlier_checks([other.importer, other.end_user]) == []
    # On the case page: for the ministry only.
    later_case = case_factory("forwarded")
    assert f'id="earlier-check-{row.pk}"' in client_for(actors.ministry).get(f"/cases/{later_case.pk}/").content.decode()
    # The exporter of the case sees the checks addressed to it on its parties, never the others'.
    own_page = client_for(actors.owner).get(f"/cases/{case.pk}/").content.decode()
    assert f'id="our-check-{row.pk}"' in own_page and "earlier-check-" not in own_page
    assert "open-check-" not in own_page
    outsider_page = client_for(actors.outsider).get(f"/cases/{later.pk}/").content.decode()
    assert 'id="enduse-checks-panel"' not in outsider_page and "earlier-check-" not in outsider_page


# ---------------------------------------------------------------- wrong actor, state, input, version


def test_services_refuse_the_wrong_actors_and_change_nothing(actors, case):
    for who in ("owner", "colleague", "outsider", "province", "agency", "customs"):
        with pytest.raises(NotAllowed):
            open_check(actors, case, actor=getattr(actors, who))
    row = open_check(actors, case)
    with pytest.raises(NotFound):  # another exporter never learns the check exists
        checks.check_answer(actor=actors.outsider, check_id=row.pk, answer=ANSWER)
    for who in ("ministry", "province", "agency", "customs"):
        with pytest.raises(NotAllowed):
            checks.check_answer(actor=getattr(actors, who), check_id=row.pk, answer=ANSWER)
    for who in ("owner", "colleague", "outsider", "province", "agency", "customs"):
        actor = getattr(actors, who)
        with pytest.raises(NotAllowed):
            checks.check_close(actor=actor, check_id=row.pk, outcome="cooperated", findings="x")
        with pytest.raises(NotAllowed):
            checks.check_record_visit(actor=actor, check_id=row.pk, visit_on=today(), place="x", findings="y")
    row.refresh_from_db()
    assert (row.state, row.version) == (CheckState.OPEN, 1)
    closed = checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="not_cooperated", findings="x",
                                today=row.deadline + timedelta(days=1))
    for who in ("owner", "outsider", "province", "agency", "customs"):
        with pytest.raises(NotAllowed):
            checks.proposal_accept(actor=getattr(actors, who), proposal_id=closed.proposal.pk, announcement="x",
                                   announced_on=today())
        with pytest.raises(NotAllowed):
            checks.proposal_dismiss(actor=getattr(actors, who), proposal_id=closed.proposal.pk, note="x")
    with pytest.raises(NotFound):
        checks.check_answer(actor=actors.owner, check_id="nope", answer=ANSWER)


def test_bad_input_is_refused_and_nothing_changes(actors, case):
    with pytest.raises(ValidationFailed):
        open_check(actors, case, method="telepathy")
    with pytest.raises(ValidationFailed):
        open_check(actors, case, deadline=today())
    with pytest.raises(ValidationFailed):
        open_check(actors, case, deadline="next week")
    with pytest.raises(ValidationFailed):
        open_check(actors, case, deadline=today() + timedelta(days=400))
    with pytest.raises(ValidationFailed):
        checks.check_open(actor=actors.ministry, party_id=case.end_user_id, method="documents", questions=" ",
                          deadline=today() + timedelta(days=3))
    with pytest.raises(NotFound):
        checks.check_open(actor=actors.ministry, party_id=10**9, method="documents", questions=QUESTIONS,
                          deadline=today() + timedelta(days=3))
    assert not EndUseCheck.objects.exists()
    row = open_check(actors, case)
    with pytest.raises(ValidationFailed):
        checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="", findings="x")
    with pytest.raises(ValidationFailed):
        checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="cooperated", findings="")
    assert EndUseCheck.objects.get().state == CheckState.OPEN


@pytest.mark.parametrize("upload, problem", [
    (lambda: pdf_upload("answer.docx", b"PK\x03\x04 word file"), "Only PDF files are accepted"),
    (lambda: pdf_upload("empty.pdf", b""), "empty"),
    (lambda: pdf_upload("broken.pdf", b"%PDF-1.7\n garbage"), "damaged"),
])
def test_bad_uploads_refuse_the_answer_and_store_nothing(actors, case, upload, problem):
    row = open_check(actors, case)
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        checks.check_answer(actor=actors.owner, check_id=row.pk, answer=ANSWER, uploads=[pdf_upload(), upload()])
    with translation.override("en"):
        assert problem in str(refused.value.message)
    row.refresh_from_db()
    assert (row.state, row.answer, row.version) == (CheckState.OPEN, "", 1)
    assert not EndUseCheckDocument.objects.exists()
    assert not default_storage.exists(f"enduse-checks/{row.pk}") or not default_storage.listdir(
        f"enduse-checks/{row.pk}")[1]


def test_too_many_documents_are_refused(actors, case):
    row = open_check(actors, case)
    with pytest.raises(ValidationFailed):
        checks.check_answer(actor=actors.owner, check_id=row.pk, answer=ANSWER,
                            uploads=[pdf_upload() for _ in range(checks.MAX_ANSWER_DOCUMENTS + 1)])
    assert EndUseCheck.objects.get().state == CheckState.OPEN


def test_wrong_state_double_submit_and_stale_version(actors, case):
    token = uuid.uuid4()
    row = open_check(actors, case, client_token=token)
    assert open_check(actors, case, client_token=token).pk == row.pk and EndUseCheck.objects.count() == 1
    with pytest.raises(StaleVersion):
        checks.check_answer(actor=actors.owner, check_id=row.pk, answer=ANSWER, expected_version=3)
    checks.check_answer(actor=actors.owner, check_id=row.pk, answer=ANSWER, uploads=[pdf_upload()],
                        expected_version=1)
    again = checks.check_answer(actor=actors.owner, check_id=row.pk, answer=ANSWER, uploads=[pdf_upload()],
                                expected_version=1)  # the double submit
    assert again.version == 2 and EndUseCheckDocument.objects.count() == 1
    with pytest.raises(InvalidTransition):  # a second, different answer
        checks.check_answer(actor=actors.colleague, check_id=row.pk, answer="Something else")
    with pytest.raises(StaleVersion):
        checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="cooperated", findings="ok",
                           expected_version=1)
    checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="cooperated", findings="ok", expected_version=2)
    same = checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="cooperated", findings="ok",
                              expected_version=2)
    assert same.version == 3
    with pytest.raises(InvalidTransition):
        checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="not_cooperated", findings="no")
    with pytest.raises(InvalidTransition):
        checks.check_answer(actor=actors.colleague, check_id=row.pk, answer="Late addition")
    assert AuditEvent.objects.filter(action="enduse_check.close").count() == 1
    assert not WatchListProposal.objects.exists()


def test_transitions_table_is_the_whole_life():
    assert checks.next_state("open", "answer") == "answered"
    assert checks.next_state("answered", "answer") is None
    assert checks.next_state("closed", "close") is None
    assert {state for (state, _step) in checks.TRANSITIONS} == {"open", "answered"}


def test_overdue_checks_are_listed_and_told_once(actors, case):
    row = open_check(actors, case)
    answered = open_check(actors, case, party="importer")
    checks.check_answer(actor=actors.owner, check_id=answered.pk, answer=ANSWER)
    late = row.deadline + timedelta(days=1)
    assert list(selectors.overdue_checks(today=row.deadline)) == []
    assert list(selectors.overdue_checks(today=late)) == [row]
    assert checks.checks_tell_overdue(today=late) == 1
    assert checks.checks_tell_overdue(today=late) == 0
    note = Notification.objects.get(kind="enduse_check.overdue")
    assert note.recipient == actors.ministry and note.url == f"/enduse-checks/{row.pk}/"


# ---------------------------------------------------------------- pages


def _case_token(case, party="end_user"):
    return cases.sign(party_id=getattr(case, f"{party}_id"), application_id=case.pk, case_number=case.reference,
                      role=party)


def test_opening_from_the_case_page(actors, case):
    ministry = client_for(actors.ministry)
    page = ministry.get(f"/cases/{case.pk}/").content.decode()
    link = unescape(re.search(r'id="open-check-end_user" href="([^"]+)"', page).group(1))
    form = ministry.get(link)
    assert form.status_code == 200 and DRAFT["end_user"]["name"] in form.content.decode()
    token = unquote(link.split("case=", 1)[1])
    deadline = (today() + timedelta(days=10)).isoformat()
    assert ministry.post("/enduse-checks/new/", {"case": token, "method": "documents", "questions": "",
                                                 "deadline": deadline}).status_code == 400
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert ministry.post("/enduse-checks/new/", {"case": tampered, "method": "documents", "questions": QUESTIONS,
                                                 "deadline": deadline}).status_code == 400
    assert not EndUseCheck.objects.exists()
    key = str(uuid.uuid4())
    body = {"case": token, "method": "documents", "questions": QUESTIONS, "deadline": deadline, "token": key}
    response = ministry.post("/enduse-checks/new/", body)
    row = EndUseCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/enduse-checks/{row.pk}/"
    assert ministry.post("/enduse-checks/new/", body).status_code == 302 and EndUseCheck.objects.count() == 1
    assert (row.party_id, row.application_id, row.case_number) == (case.end_user_id, case.pk, case.reference)
    for who in ("owner", "colleague", "outsider", "province", "agency", "customs"):
        client = client_for(getattr(actors, who))
        assert client.get(link).status_code == 403
        assert client.post("/enduse-checks/new/", {**body, "token": str(uuid.uuid4())}).status_code == 403
    assert EndUseCheck.objects.count() == 1


def test_ministry_list_filters_and_counts_queries(actors, case, django_assert_max_num_queries):
    overdue = open_check(actors, case)
    EndUseCheck.objects.filter(pk=overdue.pk).update(deadline=today() - timedelta(days=1))
    answered = open_check(actors, case, party="importer")
    checks.check_answer(actor=actors.owner, check_id=answered.pk, answer=ANSWER)
    for _ in range(3):
        open_check(actors, case)
    ministry = client_for(actors.ministry)
    with django_assert_max_num_queries(12):
        body = ministry.get("/enduse-checks/").content.decode()
    assert body.count('id="check-') == 5
    body = ministry.get("/enduse-checks/?overdue=on").content.decode()
    assert f'id="check-{overdue.pk}"' in body and body.count('id="check-') == 1
    body = ministry.get("/enduse-checks/?state=answered").content.decode()
    assert f'id="check-{answered.pk}"' in body and body.count('id="check-') == 1
    assert ministry.get("/enduse-checks/?state=bogus").status_code == 200
    assert client_for(actors.owner).get("/enduse-checks/").status_code == 302  # to the exporter's page


def test_the_exporter_answers_on_its_page_and_the_ministry_closes(actors, case):
    row = open_check(actors, case)
    owner = client_for(actors.owner)
    ours = owner.get("/enduse-checks/ours/").content.decode()
    assert f'id="check-{row.pk}"' in ours
    page = owner.get(f"/enduse-checks/{row.pk}/").content.decode()
    assert 'id="form-answer"' in page and 'id="form-close"' not in page
    response = owner.post(f"/enduse-checks/{row.pk}/answer/", {"answer": ANSWER, "version": 1,
                                                               "documents": [pdf_upload("bad.pdf", b"not a pdf")]})
    assert response.status_code == 400 and EndUseCheck.objects.get().state == CheckState.OPEN
    assert owner.post(f"/enduse-checks/{row.pk}/answer/", {"answer": ANSWER, "version": 9}).status_code == 409
    response = owner.post(f"/enduse-checks/{row.pk}/answer/", {"answer": ANSWER, "version": 1,
                                                               "documents": [pdf_upload("report.pdf")]})
    assert response.status_code == 302
    doc = EndUseCheckDocument.objects.get()
    download = owner.get(f"/enduse-checks/{row.pk}/documents/{doc.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    ministry = client_for(actors.ministry)
    assert ministry.get(f"/enduse-checks/{row.pk}/documents/{doc.pk}/").status_code == 200
    assert ministry.post(f"/enduse-checks/{row.pk}/close/", {"outcome": "cooperated", "findings": ""}).status_code == 400
    response = ministry.post(f"/enduse-checks/{row.pk}/close/", {"outcome": "cooperated", "findings": "ok",
                                                                 "version": 2})
    assert response.status_code == 302 and EndUseCheck.objects.get().state == CheckState.CLOSED
    page = owner.get(f"/enduse-checks/{row.pk}/").content.decode()
    assert 'id="check-outcome"' in page and 'id="check-findings"' not in page  # the findings are the ministry's


def test_proposal_pages_accept_publishes(actors, case):
    row = open_check(actors, case)
    row = checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="not_cooperated", findings="silent",
                             today=row.deadline + timedelta(days=1))
    ministry = client_for(actors.ministry)
    assert f'id="proposal-{row.proposal.pk}"' in ministry.get("/enduse-checks/proposals/").content.decode()
    page = ministry.get(f"/enduse-checks/{row.pk}/").content.decode()
    assert 'id="form-accept"' in page and 'id="form-dismiss"' in page
    owner = client_for(actors.owner)
    assert 'id="proposal"' not in owner.get(f"/enduse-checks/{row.pk}/").content.decode()
    assert owner.get("/enduse-checks/proposals/").status_code == 403
    accept = {"announcement": "商务部公告2026年第98号", "announced_on": today().isoformat(), "version": 1}
    assert owner.post(f"/enduse-checks/{row.pk}/proposal/accept/", accept).status_code == 403
    assert ministry.post(f"/enduse-checks/{row.pk}/proposal/accept/", {**accept, "announcement": ""}).status_code == 400
    assert ministry.post(f"/enduse-checks/{row.pk}/proposal/accept/", {**accept, "version": 4}).status_code == 409
    assert not ListedParty.objects.exists()
    response = ministry.post(f"/enduse-checks/{row.pk}/proposal/accept/", accept)
    assert response.status_code == 302
    entry = ListedParty.objects.get()
    assert entry.list_kind == ListKind.WATCH and WatchListProposal.objects.get().listed == entry
    page = ministry.get(f"/enduse-checks/{row.pk}/").content.decode()
    assert 'id="proposal-entry"' in page and 'id="form-accept"' not in page


def test_pages_refuse_the_wrong_actors(actors, case_factory, django_capture_on_commit_callbacks):
    from licensing.referrals import services as referrals

    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("accepted")
    referrals.referrals_send(application_id=app.pk, actor=actors.ministry)
    row = open_check(actors, app)
    assert client_for(actors.agency).get(f"/cases/{app.pk}/").status_code == 200  # the referred agency
    assert 'id="enduse-checks-panel"' not in client_for(actors.agency).get(f"/cases/{app.pk}/").content.decode()
    for who in ("outsider", "province", "other_province", "agency", "customs"):
        client = client_for(getattr(actors, who))
        listing = client.get("/enduse-checks/", follow=True)
        assert listing.status_code == 403 or f'id="check-{row.pk}"' not in listing.content.decode()
        assert client.get(f"/enduse-checks/{row.pk}/").status_code == 404
        for step, data in (("answer", {"answer": ANSWER}), ("close", {"outcome": "cooperated", "findings": "x"}),
                           ("visit", {"visit_on": today().isoformat(), "place": "x", "findings": "y"})):
            assert client.post(f"/enduse-checks/{row.pk}/{step}/", data).status_code in (403, 404)
    assert client_for(actors.ministry).post(f"/enduse-checks/{row.pk}/answer/", {"answer": ANSWER}).status_code == 403
    assert client_for(actors.owner).post(f"/enduse-checks/{row.pk}/close/",
                                         {"outcome": "cooperated", "findings": "x"}).status_code == 403
    assert Client().get("/enduse-checks/").status_code == 302  # sign in first
    row.refresh_from_db()
    assert (row.state, row.version) == (CheckState.OPEN, 1)


# ---------------------------------------------------------------- API


def test_the_api(actors, case):
    ministry, owner = client_for(actors.ministry), client_for(actors.owner)
    body = {"party": case.end_user_id, "method": "documents", "questions": QUESTIONS,
            "deadline": (today() + timedelta(days=5)).isoformat(), "application_id": case.pk,
            "case_number": case.reference}
    key = str(uuid.uuid4())
    created = ministry.post("/api/enduse-checks/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert created.status_code == 201 and created.json()["state"] == "open" and "findings" in created.json()
    pk = created.json()["id"]
    again = ministry.post("/api/enduse-checks/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.json()["id"] == pk and EndUseCheck.objects.count() == 1
    assert ministry.post("/api/enduse-checks/", {**body, "questions": 5},
                         content_type="application/json").status_code == 400
    assert ministry.post("/api/enduse-checks/", {**body, "deadline": "2020-01-01"},
                         content_type="application/json").status_code == 400
    assert ministry.post("/api/enduse-checks/", {**body, "party": 10**9},
                         content_type="application/json").status_code == 404
    listed = owner.get("/api/enduse-checks/").json()
    assert listed["results"][0]["id"] == pk and "findings" not in listed["results"][0]
    assert owner.get(f"/api/enduse-checks/{pk}/").status_code == 200
    for who in ("outsider", "province", "agency", "customs"):
        client = client_for(getattr(actors, who))
        assert client.get("/api/enduse-checks/").json()["count"] == 0
        assert client.get(f"/api/enduse-checks/{pk}/").status_code == 404
        assert client.post("/api/enduse-checks/", body, content_type="application/json").status_code == 403
        assert client.post(f"/api/enduse-checks/{pk}/answer/", {"answer": ANSWER},
                           content_type="application/json").status_code == 404
        assert client.post(f"/api/enduse-checks/{pk}/close/", {"outcome": "cooperated", "findings": "x"},
                           content_type="application/json").status_code == 404
    assert owner.post("/api/enduse-checks/", body, content_type="application/json").status_code == 403
    assert owner.post(f"/api/enduse-checks/{pk}/close/", {"outcome": "cooperated", "findings": "x"},
                      content_type="application/json").status_code == 403
    bad = owner.post(f"/api/enduse-checks/{pk}/answer/", {"answer": ANSWER, "documents": [pdf_upload("x.pdf", b"GIF89a")]})
    assert bad.status_code == 400 and bad.json()["code"] == "not_pdf"
    assert owner.post(f"/api/enduse-checks/{pk}/answer/", {"answer": ANSWER, "version": 3}).status_code == 409
    answered = owner.post(f"/api/enduse-checks/{pk}/answer/", {"answer": ANSWER, "version": 1,
                                                               "documents": [pdf_upload("r.pdf")]})
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    assert len(answered.json()["documents"]) == 1
    assert ministry.get("/api/enduse-checks/?state=answered").json()["count"] == 1
    assert ministry.get("/api/enduse-checks/?overdue=1").json()["count"] == 0
    assert ministry.post(f"/api/enduse-checks/{pk}/close/", {"outcome": "maybe", "findings": "x"},
                         content_type="application/json").status_code == 400
    closed = ministry.post(f"/api/enduse-checks/{pk}/close/", {"outcome": "not_cooperated",
                                                               "findings": "Documents are forged", "version": 2},
                           content_type="application/json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed" and closed.json()["proposal"]
    proposal = closed.json()["proposal"]
    assert ministry.post(f"/api/enduse-checks/{pk}/close/", {"outcome": "cooperated", "findings": "x"},
                         content_type="application/json").status_code == 409
    assert ministry.get("/api/enduse-check-proposals/").json()["results"][0]["id"] == proposal
    assert owner.get("/api/enduse-check-proposals/").status_code == 403
    for who in ("owner", "outsider", "agency"):
        client = client_for(getattr(actors, who))
        assert client.post(f"/api/enduse-check-proposals/{proposal}/accept/", {"announcement": "x",
                           "announced_on": "2026-12-01"}, content_type="application/json").status_code == 403
    accepted = ministry.post(f"/api/enduse-check-proposals/{proposal}/accept/",
                             {"announcement": "商务部公告2026年第97号", "announced_on": today().isoformat(), "version": 1},
                             content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted" and accepted.json()["listed"]
    assert ministry.post(f"/api/enduse-check-proposals/{proposal}/dismiss/", {"note": "no"},
                         content_type="application/json").status_code == 409
    assert ListedParty.objects.get().list_kind == ListKind.WATCH


def test_the_api_schema_has_the_endpoints(actors):
    schema = client_for(actors.ministry).get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/enduse-checks/" in paths and "/api/enduse-check-proposals/{id}/accept/" in paths


def test_party_names_keep_every_form_once():
    party = type("P", (), {"name": " Motorenwerk ", "aliases": ["Motorenwerk", "MWM"], "name_zh": "慕尼黑电机厂"})()
    assert checks.party_names(party) == ["Motorenwerk", "慕尼黑电机厂", "MWM"]


def test_lists_put_the_urgent_first(actors, case):
    later = open_check(actors, case, deadline=today() + timedelta(days=20))
    sooner = open_check(actors, case, deadline=today() + timedelta(days=5))
    answered = open_check(actors, case, party="importer")
    checks.check_answer(actor=actors.owner, check_id=answered.pk, answer=ANSWER)
    closed = open_check(actors, case)
    checks.check_close(actor=actors.ministry, check_id=closed.pk, outcome="not_cooperated", findings="x",
                       today=closed.deadline + timedelta(days=1))
    dismissed = open_check(actors, case)
    dismissed = checks.check_close(actor=actors.ministry, check_id=dismissed.pk, outcome="not_cooperated",
                                   findings="x", today=dismissed.deadline + timedelta(days=1))
    checks.proposal_dismiss(actor=actors.ministry, proposal_id=dismissed.proposal.pk, note="no")
    order = [row.pk for row in selectors.checks_list(actors.ministry)]
    assert order == [sooner.pk, later.pk, answered.pk, dismissed.pk, closed.pk]
    proposals = [row.enduse_check_id for row in selectors.proposals_queue(actors.ministry)]
    assert proposals == [closed.pk, dismissed.pk]  # awaiting a decision first
    assert list(selectors.checks_list(actors.colleague)) and not list(selectors.proposals_queue(actors.colleague))


def test_a_company_without_an_administrator_is_told_through_its_staff(actors, case):
    actors.colleague.role = "exporter_staff"
    actors.colleague.save()
    open_check(actors, case)
    told = set(Notification.objects.filter(kind="enduse_check.open").values_list("recipient", flat=True))
    assert told == {actors.owner.pk, actors.colleague.pk}


def test_accepting_a_party_already_on_the_watch_list_is_refused_and_changes_nothing(actors, case):
    from enduser.lists import services as lists

    row = open_check(actors, case)
    row = checks.check_close(actor=actors.ministry, check_id=row.pk, outcome="not_cooperated", findings="x",
                             today=row.deadline + timedelta(days=1))
    lists.listed_party_publish(actor=actors.ministry, data={
        "list_kind": "watch", "names": [DRAFT["end_user"]["name"]], "country": "DE", "announcement": "公告1号",
        "announced_on": today().isoformat(), "effective_on": today().isoformat(), "reason": "earlier check"})
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        checks.proposal_accept(actor=actors.ministry, proposal_id=row.proposal.pk, announcement="公告2号",
                               announced_on=today())
    with translation.override("en"):
        assert "already on this list" in str(refused.value.message)
    proposal = WatchListProposal.objects.get()
    assert (proposal.state, proposal.listed, proposal.version) == (ProposalState.PROPOSED, None, 1)
    assert ListedParty.objects.count() == 1
