"""Classification questions (咨询, Reg. 14): the thread, its transitions and permissions, documents,
emails, and the answers offered again on later applications."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from controllist.codes import sort_key
from controllist.models import (
    ClassificationDocument,
    ClassificationMessage,
    ClassificationQuestion,
    Entry,
    ListVersion,
    MessageKind,
    QuestionStatus,
    SearchTerm,
    TemporaryControl,
    VersionState,
)
from controllist.questions import services
from licensing.applications import services as licensing_services
from outbox.models import OutboxMessage
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.browser import chromium_available, sign_in
from tests.factories import DRAFT, PASSWORD, pdf_upload

pytestmark = pytest.mark.django_db

STRANGERS = ["province", "other_province", "agency", "customs"]
QUESTION = {
    "item_name": "Samarium-cobalt alloy",
    "item_model": "SmCo-2:17",
    "specifications": "Sm2Co17 sintered, Br 1.05 T, HcJ 2000 kA/m",
    "intended_uses": "Permanent-magnet motors for industrial pumps",
    "reason_for_doubt": "Unsure whether 1C902.a covers alloys below 99% purity",
    "suggested_code": "1c902.a",
}


@pytest.fixture
def listed(db):
    """A list version in force with a few entries, labelled "t-" so it never clashes with the
    shipped list; effective yesterday, so it is the version in force whether or not that list
    is loaded."""
    version = ListVersion.objects.create(
        label="t-questions", title_zh="测试清单", title_en="Test list", state=VersionState.PUBLISHED,
        effective_from=timezone.localdate() - timedelta(days=1))
    parents = {}
    for code, zh, en in [("1C902", "钐及钐合金", "Samarium and its alloys"),
                         ("1C902.a", "钐钴合金", "Samarium-cobalt alloys"),
                         ("3A001.a", "集成电路", "Integrated circuits")]:
        parent = parents.get(code.rsplit(".", 1)[0]) if "." in code else None
        parents[code] = Entry.objects.create(version=version, code=code, parent=parent, depth=code.count("."),
                                             sort_key=sort_key(code), description_zh=zh, description_en=en)
    try:
        from controllist.search.engine import index_entries
    except ImportError:
        from controllist.search.engine import terms_for

        SearchTerm.objects.bulk_create(SearchTerm(version=version, entry=e, term=t, weight=w)
                                       for e in parents.values() for t, w in terms_for(e))
    else:
        index_entries(list(parents.values()))
    return version


def ask(actor, **changes):
    question, created = services.question_ask(actor=actor, data={**QUESTION, **changes})
    assert created
    return question


def fresh(question):
    return ClassificationQuestion.objects.get(pk=question.pk)


def snapshot(question):
    q = fresh(question)
    return (q.status, q.version, q.answer_code, q.answer_not_controlled, q.messages.count(),
            AuditEvent.objects.count(), ClassificationDocument.objects.count())


def in_state(actors, status):
    """A question of the owner's company driven through the services to a status."""
    question = ask(actors.owner)
    if status == QuestionStatus.INFO_REQUESTED:
        services.question_request_info(actor=actors.ministry, question_id=question.pk, message="Purity?",
                                       expected_version=1)
    elif status == QuestionStatus.ANSWERED:
        services.question_answer(actor=actors.ministry, question_id=question.pk, not_controlled=True,
                                 note="No entry applies.", expected_version=1)
    elif status == QuestionStatus.WITHDRAWN:
        services.question_withdraw(actor=actors.owner, question_id=question.pk, reason="Found it myself.")
    return fresh(question)


def emails():
    return [m.kwargs for m in OutboxMessage.objects.filter(task="outbox.send_email").order_by("created_at")]


def page_as(user):
    client = Client()
    client.cookies["django_language"] = "en"  # the assertions read the English texts
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# ---------------------------------------------------------------- the thread


def test_full_thread_through_the_services(actors, listed):
    question = ask(actors.owner)
    assert question.reference == f"ZX{timezone.localdate().year}-{question.pk:06d}"
    assert (question.status, question.version, question.suggested_code) == (QuestionStatus.OPEN, 1, "1C902.a")
    assert question.messages.get().kind == MessageKind.QUESTION
    assert question.messages.get().body == QUESTION["reason_for_doubt"]

    services.question_request_info(actor=actors.ministry, question_id=question.pk,
                                   message="What is the samarium content?", expected_version=1)
    assert fresh(question).status == QuestionStatus.INFO_REQUESTED
    services.question_reply(actor=actors.colleague, question_id=question.pk, message="Sm 25 %",
                            documents=[pdf_upload("datasheet.pdf")], expected_version=2)
    assert fresh(question).status == QuestionStatus.OPEN
    services.question_answer(actor=actors.senior, question_id=question.pk, code="1c902.a",
                             note="Covered by 1C902.a.", expected_version=3)

    question = fresh(question)
    assert (question.status, question.version) == (QuestionStatus.ANSWERED, 4)
    assert (question.answer_code, question.answer_not_controlled) == ("1C902.a", False)
    assert question.answer_list_version == listed
    assert question.answered_by == actors.senior and question.answered_at is not None
    assert list(question.messages.values_list("kind", flat=True)) == [
        MessageKind.QUESTION, MessageKind.INFO_REQUEST, MessageKind.REPLY, MessageKind.ANSWER]
    assert question.documents.get().original_name == "datasheet.pdf"
    actions = list(AuditEvent.objects.filter(object_id=str(question.pk),
                                             object_type="controllist.classificationquestion")
                   .values_list("action", flat=True))
    assert actions == ["classification_question.ask", "classification_question.request_info",
                       "classification_question.reply", "classification_question.documents",
                       "classification_question.answer"]


def test_emails_go_out_on_ask_request_info_and_answer(actors, listed):
    question = ask(actors.owner)
    sent = emails()
    assert len(sent) == 1
    assert set(sent[0]["to"]) == {actors.ministry.email, actors.senior.email}
    assert question.reference in sent[0]["subject"] and "Classification question" in sent[0]["subject"]
    assert "分类咨询" in sent[0]["subject"]

    services.question_request_info(actor=actors.ministry, question_id=question.pk, message="Purity?",
                                   expected_version=1)
    assert emails()[-1]["to"] == [actors.owner.email] and "Purity?" in emails()[-1]["body"]
    services.question_reply(actor=actors.owner, question_id=question.pk, message="99.5 %", expected_version=2)
    assert emails()[-1]["to"] == [actors.ministry.email]  # the officer who asked hears of the reply
    services.question_answer(actor=actors.ministry, question_id=question.pk, code="1C902.a", note="Listed.",
                             expected_version=3)
    assert emails()[-1]["to"] == [actors.owner.email] and "1C902.a" in emails()[-1]["subject"]
    assert len(emails()) == 4



def test_emails_reach_only_active_users_of_the_asking_company(actors, listed):
    """A deactivated asker (someone who left the company) or officer gets no more mail about the
    thread; it goes to the active people on that side instead, never to another company."""
    question = ask(actors.owner)
    actors.owner.is_active = False
    actors.owner.save(update_fields=["is_active"])
    services.question_request_info(actor=actors.ministry, question_id=question.pk, message="Purity?",
                                   expected_version=1)
    assert emails()[-1]["to"] == [actors.colleague.email]
    actors.ministry.is_active = False
    actors.ministry.save(update_fields=["is_active"])
    services.question_reply(actor=actors.colleague, question_id=question.pk, message="99.5 %", expected_version=2)
    assert emails()[-1]["to"] == [actors.senior.email]
    services.question_answer(actor=actors.senior, question_id=question.pk, code="1C902.a", note="Listed.",
                             expected_version=3)
    assert emails()[-1]["to"] == [actors.colleague.email]
    assert all(actors.outsider.email not in sent["to"] and actors.owner.email not in sent["to"]
               for sent in emails()[1:])

# A wrong state for each action; the message differs from any earlier one so it is not a replay.
WRONG_STATES = [
    ("request_info", QuestionStatus.INFO_REQUESTED), ("request_info", QuestionStatus.ANSWERED),
    ("request_info", QuestionStatus.WITHDRAWN),
    ("reply", QuestionStatus.ANSWERED), ("reply", QuestionStatus.WITHDRAWN),
    ("answer", QuestionStatus.ANSWERED), ("answer", QuestionStatus.WITHDRAWN),
    ("withdraw", QuestionStatus.ANSWERED), ("withdraw", QuestionStatus.WITHDRAWN),
]


def _do(actors, action, question, version=None):
    version = question.version if version is None else version
    if action == "request_info":
        return services.question_request_info(actor=actors.ministry, question_id=question.pk,
                                              message="Another question", expected_version=version)
    if action == "reply":
        return services.question_reply(actor=actors.owner, question_id=question.pk, message="More detail",
                                       expected_version=version)
    if action == "answer":
        return services.question_answer(actor=actors.ministry, question_id=question.pk, code="1C902.a",
                                        note="Listed.", expected_version=version)
    return services.question_withdraw(actor=actors.colleague, question_id=question.pk, reason="No longer needed",
                                      expected_version=version)


@pytest.mark.parametrize(("action", "status"), WRONG_STATES)
def test_a_transition_from_a_wrong_state_is_refused_and_changes_nothing(actors, listed, action, status):
    question = in_state(actors, status)
    before = snapshot(question)
    with pytest.raises(InvalidTransition) as exc:
        _do(actors, action, question)
    assert exc.value.status_code == 409
    assert snapshot(question) == before


@pytest.mark.parametrize("action", ["request_info", "reply", "answer", "withdraw"])
def test_a_stale_version_is_refused(actors, listed, action):
    question = in_state(actors, QuestionStatus.INFO_REQUESTED if action == "reply" else QuestionStatus.OPEN)
    before = snapshot(question)
    with pytest.raises(StaleVersion) as exc:
        _do(actors, action, question, version=question.version - 1 or 99)
    assert exc.value.status_code == 409
    assert snapshot(question) == before


def test_repeating_the_same_action_changes_nothing_the_second_time(actors, listed):
    question = ask(actors.owner)
    for _ in range(2):
        services.question_request_info(actor=actors.ministry, question_id=question.pk, message="Purity?",
                                       expected_version=1)
    for _ in range(2):
        services.question_reply(actor=actors.owner, question_id=question.pk, message="99 %", expected_version=2)
    for _ in range(2):
        services.question_answer(actor=actors.ministry, question_id=question.pk, code="1C902.a", note="Listed.",
                                 expected_version=3)
    question = fresh(question)
    assert question.version == 4 and question.messages.count() == 4
    assert len(emails()) == 4
    with pytest.raises(InvalidTransition):  # a different answer is not a replay
        services.question_answer(actor=actors.ministry, question_id=question.pk, not_controlled=True,
                                 note="Listed.", expected_version=3)


def test_the_same_client_token_files_one_question(actors, listed):
    token = uuid.uuid4()
    first, created = services.question_ask(actor=actors.owner, data=QUESTION, client_token=token,
                                           documents=[pdf_upload()])
    again, created_again = services.question_ask(actor=actors.colleague, data=QUESTION, client_token=token,
                                                 documents=[pdf_upload()])
    assert created and not created_again and first.pk == again.pk
    assert ClassificationQuestion.objects.count() == 1 and ClassificationDocument.objects.count() == 1
    assert len(emails()) == 1


# ---------------------------------------------------------------- the answer


@pytest.mark.parametrize(("code", "not_controlled", "note"), [
    ("1C902.a", True, "Both."),  # both a code and "not controlled"
    ("", False, "Neither."),  # neither
    ("9E999", False, "Well-formed, not in the list."),
    ("1C902.z", False, "A sub-item the list does not have."),
    ("XYZ", False, "Not a code."),
    ("1C902.a", False, ""),  # the note is required
])
def test_an_answer_is_one_code_of_the_list_in_force_or_not_controlled(actors, listed, code, not_controlled, note):
    question = ask(actors.owner)
    before = snapshot(question)
    with pytest.raises(ValidationFailed) as exc:
        services.question_answer(actor=actors.ministry, question_id=question.pk, code=code,
                                 not_controlled=not_controlled, note=note, expected_version=1)
    assert exc.value.status_code == 400 and exc.value.fields
    assert snapshot(question) == before


def test_a_code_of_an_older_list_is_refused_but_a_temporary_control_code_is_accepted(actors, listed):
    older = ListVersion.objects.create(label="t-older", title_zh="旧", title_en="Old", state=VersionState.PUBLISHED,
                                       effective_from=listed.effective_from - timedelta(days=30))
    Entry.objects.create(version=older, code="2B999", sort_key="2B999", description_zh="旧", description_en="Old")
    question = ask(actors.owner)
    with pytest.raises(ValidationFailed):
        services.question_answer(actor=actors.ministry, question_id=question.pk, code="2B999", note="Old entry.",
                                 expected_version=1)
    today = timezone.localdate()
    TemporaryControl.objects.create(title_zh="某化学品", title_en="A chemical", control_code="1C998",
                                    starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=300),
                                    created_by=actors.ministry)
    services.question_answer(actor=actors.ministry, question_id=question.pk, code="1C998",
                             note="Under a temporary control.", expected_version=1)
    assert fresh(question).answer_code == "1C998"


@pytest.mark.parametrize(("field", "value"), [
    ("item_name", ""), ("item_name", "x" * 301), ("specifications", "  "), ("intended_uses", ""),
    ("reason_for_doubt", "y" * 3001), ("suggested_code", "1X902"), ("item_model", ["not", "text"]),
    ("item_name", "nul\x00byte"),
])
def test_a_question_with_bad_fields_is_refused(actors, field, value):
    with pytest.raises(ValidationFailed) as exc:
        services.question_ask(actor=actors.owner, data={**QUESTION, field: value}, documents=[pdf_upload()])
    assert field in exc.value.fields
    assert not ClassificationQuestion.objects.exists() and not ClassificationDocument.objects.exists()


# ---------------------------------------------------------------- permissions in the services


@pytest.mark.parametrize("who", [*STRANGERS, "ministry", "senior"])
def test_only_exporters_ask(actors, who):
    with pytest.raises(NotAllowed):
        services.question_ask(actor=getattr(actors, who), data=QUESTION)
    assert not ClassificationQuestion.objects.exists()


def test_who_may_do_what_in_the_services(actors, listed):
    question = ask(actors.owner)
    before = snapshot(question)
    calls = {
        "request_info": lambda actor: services.question_request_info(
            actor=actor, question_id=question.pk, message="?", expected_version=1),
        "reply": lambda actor: services.question_reply(actor=actor, question_id=question.pk, message="!",
                                                       expected_version=1),
        "answer": lambda actor: services.question_answer(actor=actor, question_id=question.pk, code="1C902.a",
                                                         note="n", expected_version=1),
        "withdraw": lambda actor: services.question_withdraw(actor=actor, question_id=question.pk, reason="r"),
    }
    for name, call in calls.items():
        for who in STRANGERS:
            with pytest.raises(NotAllowed):
                call(getattr(actors, who))
        with pytest.raises(NotFound):
            call(actors.outsider)
        wrong_side = ["owner", "colleague"] if name in ("request_info", "answer") else ["ministry", "senior"]
        for who in wrong_side:
            with pytest.raises(NotAllowed):
                call(getattr(actors, who))
    assert snapshot(question) == before


# ---------------------------------------------------------------- documents


def test_a_file_that_is_not_a_pdf_stores_nothing(actors, tmp_path, settings):
    fake = pdf_upload("notes.pdf", content=b"just some text, not a PDF")
    with pytest.raises(ValidationFailed) as exc:
        services.question_ask(actor=actors.owner, data=QUESTION, documents=[pdf_upload(), fake])
    assert exc.value.code == "not_pdf" and "documents" in exc.value.fields
    assert not ClassificationQuestion.objects.exists() and not ClassificationDocument.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    too_many = [pdf_upload(f"{n}.pdf") for n in range(services.MAX_DOCUMENTS_PER_MESSAGE + 1)]
    with pytest.raises(ValidationFailed):
        services.question_ask(actor=actors.owner, data=QUESTION, documents=too_many)
    assert not ClassificationQuestion.objects.exists()


def test_a_bad_reply_document_stores_nothing(actors):
    question = in_state(actors, QuestionStatus.INFO_REQUESTED)
    before = snapshot(question)
    with pytest.raises(ValidationFailed):
        services.question_reply(actor=actors.owner, question_id=question.pk, message="Here",
                                documents=[pdf_upload(content=b"GIF89a")], expected_version=question.version)
    assert snapshot(question) == before


def test_document_download_permissions(actors, settings):
    question, _ = services.question_ask(actor=actors.owner, data=QUESTION, documents=[pdf_upload("spec.pdf")])
    doc = question.documents.get()
    assert settings.MEDIA_URL is None  # never served by URL
    page = reverse("controllist-question-document", args=[question.pk, doc.pk])
    api = f"/api/controllist/questions/{question.pk}/documents/{doc.pk}/"
    for who in ["owner", "colleague", "ministry", "senior"]:
        user = getattr(actors, who)
        for resp in (page_as(user).get(page), api_as(user).get(api)):
            assert resp.status_code == 200, who
            assert resp["Content-Type"] == "application/pdf"
            assert resp["Content-Disposition"] == 'attachment; filename="spec.pdf"'
            assert resp.content.startswith(b"%PDF-")
    assert page_as(actors.outsider).get(page).status_code == 404
    assert api_as(actors.outsider).get(api).status_code == 404
    for who in STRANGERS:
        assert page_as(getattr(actors, who)).get(page).status_code == 403
        assert api_as(getattr(actors, who)).get(api).status_code == 403
    other = ask(actors.outsider)
    mismatched = reverse("controllist-question-document", args=[other.pk, doc.pk])
    assert page_as(actors.ministry).get(mismatched).status_code == 404
    assert default_storage.exists(doc.file.name)


# ---------------------------------------------------------------- pages


def test_pages_for_every_actor(actors, listed):
    question = ask(actors.owner)
    theirs = ask(actors.outsider, item_name="Their secret item")
    detail = reverse("controllist-question", args=[question.pk])
    for who in ["owner", "colleague"]:
        client = page_as(getattr(actors, who))
        listing = client.get(reverse("controllist-questions"))
        assert listing.status_code == 200
        assert question.reference.encode() in listing.content and theirs.reference.encode() not in listing.content
        assert client.get(detail).status_code == 200
        assert client.get(reverse("controllist-question-new")).status_code == 200
    outsider = page_as(actors.outsider)
    assert outsider.get(detail).status_code == 404
    assert question.reference.encode() not in outsider.get(reverse("controllist-questions") + "?status=all").content
    assert outsider.post(reverse("controllist-question-act", args=[question.pk, "withdraw"]),
                         {"withdraw-reason": "x"}).status_code == 404
    for who in ["ministry", "senior"]:
        client = page_as(getattr(actors, who))
        listing = client.get(reverse("controllist-questions"))
        assert listing.status_code == 200
        assert question.reference.encode() in listing.content and theirs.reference.encode() in listing.content
        assert client.get(detail).status_code == 200
        assert client.get(reverse("controllist-question-new")).status_code == 403
    for who in STRANGERS:
        client = page_as(getattr(actors, who))
        for url in [reverse("controllist-questions"), reverse("controllist-question-new"), detail,
                    reverse("controllist-question-suggest") + "?description=x"]:
            assert client.get(url).status_code == 403, (who, url)
        assert client.post(reverse("controllist-question-act", args=[question.pk, "answer"]),
                           {"answer-not_controlled": "on", "answer-note": "x"}).status_code == 403
    assert Client().get(detail).status_code == 302  # to the login page
    assert fresh(question).status == QuestionStatus.OPEN


def test_the_thread_page_shows_whose_turn_it_is_and_the_right_forms(actors, listed):
    question = ask(actors.owner)
    detail = reverse("controllist-question", args=[question.pk])
    owner_page = page_as(actors.owner).get(detail).content.decode()
    assert "Waiting for the ministry" in owner_page
    assert 'id="form-reply"' in owner_page and 'id="form-withdraw"' in owner_page
    assert 'id="form-answer"' not in owner_page
    ministry_page = page_as(actors.ministry).get(detail).content.decode()
    assert "Waiting for your answer" in ministry_page
    assert 'id="form-answer"' in ministry_page and 'id="form-request-info"' in ministry_page
    assert 'id="form-reply"' not in ministry_page
    try:
        suggest = reverse("controllist-suggest")
    except NoReverseMatch:
        suggest = None
    if suggest:
        assert f'hx-get="{suggest}"' in ministry_page and "id_answer-code" in ministry_page


def test_the_whole_thread_through_the_pages(actors, listed):
    owner, ministry = page_as(actors.owner), page_as(actors.ministry)
    token = str(uuid.uuid4())
    form = {**QUESTION, "client_token": token, "documents": [pdf_upload("a.pdf"), pdf_upload("b.pdf")]}
    first = owner.post(reverse("controllist-question-new"), form)
    form["documents"] = [pdf_upload("a.pdf"), pdf_upload("b.pdf")]
    second = owner.post(reverse("controllist-question-new"), form)  # a double submit
    question = ClassificationQuestion.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("controllist-question", args=[question.pk])
    assert question.documents.count() == 2

    act = lambda slug: reverse("controllist-question-act", args=[question.pk, slug])  # noqa: E731
    resp = ministry.post(act("request-info"), {"info-version": 1, "info-message": "Purity?"})
    assert resp.status_code == 302 and fresh(question).status == QuestionStatus.INFO_REQUESTED
    page = owner.get(reverse("controllist-question", args=[question.pk])).content.decode()
    assert "The ministry asked you for more information" in page and "Purity?" in page
    resp = owner.post(act("reply"), {"reply-version": 2, "reply-message": "99 %",
                                     "reply-documents": [pdf_upload("c.pdf")]})
    assert resp.status_code == 302 and fresh(question).documents.count() == 3

    stale = ministry.post(act("answer"), {"answer-version": 2, "answer-code": "1C902.a", "answer-note": "x"})
    assert stale.status_code == 409
    both = ministry.post(act("answer"), {"answer-version": 3, "answer-code": "1C902.a",
                                         "answer-not_controlled": "on", "answer-note": "x"})
    assert both.status_code == 400 and fresh(question).status == QuestionStatus.OPEN
    wrong_side = owner.post(act("answer"), {"answer-version": 3, "answer-code": "1C902.a", "answer-note": "x"})
    assert wrong_side.status_code == 403
    resp = ministry.post(act("answer"), {"answer-version": 3, "answer-code": "1C902.a", "answer-note": "Listed."})
    assert resp.status_code == 302 and fresh(question).answer_code == "1C902.a"

    page = owner.get(reverse("controllist-question", args=[question.pk])).content.decode()
    assert 'id="answer"' in page and "1C902.a" in page and "Listed." in page
    if _resolves("controllist-entry"):
        assert reverse("controllist-entry", args=[listed.label, "1C902.a"]) in page
    again = owner.post(act("withdraw"), {"withdraw-version": 4, "withdraw-reason": "too late"})
    assert again.status_code == 409 and fresh(question).status == QuestionStatus.ANSWERED


def _resolves(name):
    try:
        reverse(name, args=["x", "1C902"])
    except NoReverseMatch:
        return False
    return True


def test_a_page_upload_that_is_not_a_pdf_is_refused(actors):
    form = {**QUESTION, "client_token": str(uuid.uuid4()), "documents": [pdf_upload("x.pdf", content=b"MZ\x90")]}
    resp = page_as(actors.owner).post(reverse("controllist-question-new"), form)
    assert resp.status_code == 400 and b"Only PDF files are accepted" in resp.content
    assert not ClassificationQuestion.objects.exists() and not ClassificationDocument.objects.exists()


def test_the_ministry_list_puts_the_oldest_open_question_first(actors, listed, django_assert_max_num_queries):
    older = ask(actors.owner, item_name="First item")
    newer = ask(actors.outsider, item_name="Second item")
    answered = in_state(actors, QuestionStatus.ANSWERED)
    ClassificationQuestion.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    client = page_as(actors.ministry)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("controllist-questions")).content.decode()
    assert page.index(older.reference) < page.index(newer.reference)
    assert answered.reference not in page  # the default view is the open questions
    answered_page = client.get(reverse("controllist-questions") + "?status=answered").content.decode()
    assert answered.reference in answered_page and older.reference not in answered_page


# ---------------------------------------------------------------- API


def test_the_api_thread_with_idempotency_and_documents(actors, listed):
    owner, ministry = api_as(actors.owner), api_as(actors.ministry)
    key = str(uuid.uuid4())
    body = {**QUESTION, "documents": [pdf_upload("a.pdf")]}
    first = owner.post("/api/controllist/questions/", body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    body["documents"] = [pdf_upload("a.pdf")]
    again = owner.post("/api/controllist/questions/", body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and ClassificationQuestion.objects.count() == 1
    data = first.json()
    assert data["status"] == "open" and data["waiting_for"] == "ministry" and len(data["documents"]) == 1
    assert data["messages"][0]["kind"] == "question" and data["allowed_actions"] == ["reply", "withdraw"]
    pk = data["id"]

    assert owner.post("/api/controllist/questions/", QUESTION, format="json",
                      HTTP_IDEMPOTENCY_KEY="not-a-uuid").status_code == 400
    resp = ministry.post(f"/api/controllist/questions/{pk}/request-info/", {"message": "Purity?", "version": 1},
                         format="json")
    assert resp.status_code == 200 and resp.json()["waiting_for"] == "exporter"
    resp = owner.post(f"/api/controllist/questions/{pk}/reply/", {"message": "99 %", "version": 2,
                                                                  "documents": [pdf_upload("b.pdf")]},
                      format="multipart")
    assert resp.status_code == 200 and len(resp.json()["documents"]) == 2
    for bad in [{"code": "1C902.a", "not_controlled": True, "note": "x"}, {"note": "x"},
                {"code": "9E999", "note": "x"}]:
        resp = ministry.post(f"/api/controllist/questions/{pk}/answer/", {**bad, "version": 3}, format="json")
        assert resp.status_code == 400, bad
        assert resp.json()["code"] and "zh-hans" in resp.json()["messages"]
    assert ministry.post(f"/api/controllist/questions/{pk}/answer/",
                         {"not_controlled": True, "note": "x", "version": 2}, format="json").status_code == 409
    resp = ministry.post(f"/api/controllist/questions/{pk}/answer/",
                         {"not_controlled": True, "note": "Not listed.", "version": 3}, format="json")
    assert resp.status_code == 200
    assert resp.json()["status"] == "answered" and resp.json()["answer_not_controlled"] is True
    assert resp.json()["answer_list_version"] == listed.label
    assert owner.post(f"/api/controllist/questions/{pk}/withdraw/", {"reason": "x"},
                      format="json").status_code == 409
    listed_answered = owner.get("/api/controllist/questions/?status=answered").json()["results"]
    assert [row["id"] for row in listed_answered] == [pk]
    assert owner.get("/api/controllist/questions/?status=bogus").status_code == 400


def test_the_api_for_every_actor(actors, listed):
    question = ask(actors.owner)
    base = f"/api/controllist/questions/{question.pk}/"
    posts = {"request-info": {"message": "?"}, "answer": {"code": "1C902.a", "note": "n"},
             "reply": {"message": "!"}, "withdraw": {"reason": "r"}}
    for who in ["owner", "colleague", "ministry", "senior"]:
        client = api_as(getattr(actors, who))
        assert client.get(base).status_code == 200
        assert question.pk in [row["id"] for row in client.get("/api/controllist/questions/").json()["results"]]
    outsider = api_as(actors.outsider)
    assert outsider.get(base).status_code == 404
    assert question.pk not in [row["id"] for row in outsider.get("/api/controllist/questions/").json()["results"]]
    for slug, body in posts.items():
        assert outsider.post(base + f"{slug}/", body, format="json").status_code == 404
    for who in STRANGERS:
        client = api_as(getattr(actors, who))
        assert client.get("/api/controllist/questions/").status_code == 403
        assert client.get(base).status_code == 403
        assert client.post("/api/controllist/questions/", QUESTION, format="json").status_code == 403
        for slug, body in posts.items():
            assert client.post(base + f"{slug}/", body, format="json").status_code == 403
    for slug in ["request-info", "answer"]:
        assert api_as(actors.owner).post(base + f"{slug}/", posts[slug], format="json").status_code == 403
    for slug in ["reply", "withdraw"]:
        assert api_as(actors.ministry).post(base + f"{slug}/", posts[slug], format="json").status_code == 403
    assert api_as(actors.ministry).post("/api/controllist/questions/", QUESTION, format="json").status_code == 403
    assert APIClient().get(base).status_code in (401, 403)
    assert snapshot(question)[:2] == (QuestionStatus.OPEN, 1)


def test_an_api_upload_that_is_not_a_pdf_is_refused(actors):
    resp = api_as(actors.owner).post("/api/controllist/questions/",
                                     {**QUESTION, "documents": [pdf_upload("x.pdf", content=b"hello")]},
                                     format="multipart")
    assert resp.status_code == 400 and resp.json()["code"] == "not_pdf"
    assert not ClassificationQuestion.objects.exists() and not ClassificationDocument.objects.exists()


def test_the_questions_api_is_in_the_schema(actors):
    schema = api_as(actors.owner).get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = schema.json()["paths"] if schema["Content-Type"].startswith("application/json") else None
    text = schema.content.decode()
    for suffix in ["", "{id}/", "{id}/request-info/", "{id}/reply/", "{id}/answer/", "{id}/withdraw/",
                   "{id}/documents/{doc_pk}/"]:
        assert (f"/api/controllist/questions/{suffix}" in paths) if paths else (
            f"/api/controllist/questions/{suffix}:" in text), suffix


# ---------------------------------------------------------------- answers offered later


def _answer(actors, asker, answerer, **answer):
    question = ask(asker, **{k: v for k, v in answer.items() if k in QUESTION})
    services.question_answer(actor=answerer, question_id=question.pk, expected_version=1,
                             **{k: v for k, v in answer.items() if k not in QUESTION})
    return fresh(question)


def test_an_answered_code_is_offered_on_a_later_application(actors, listed):
    answered = _answer(actors, actors.owner, actors.ministry, code="1C902.a", note="Covered by 1C902.a.")
    # The other company's answer on the same item must never be offered to the owner.
    _answer(actors, actors.outsider, actors.ministry, code="3A001.a", note="Theirs.")
    draft, _ = licensing_services.application_create(actor=actors.owner, data=DRAFT)  # "Samarium-cobalt alloy 钐钴合金"

    found = services.classification_suggestions(exporter=actors.owner.organisation,
                                                description=DRAFT["item"]["description"])
    assert [(s.reference, s.answer_code, s.code_in_force) for s in found] == [(answered.reference, "1C902.a", True)]
    assert services.classification_suggestions(exporter=actors.owner.organisation, description="lithium cells") == []

    page = page_as(actors.owner).get(reverse("case-edit", args=[draft.pk])).content.decode()
    assert 'id="classification-suggestions"' in page and answered.reference in page
    assert 'data-code="1C902.a"' in page and "Use this code" in page and "3A001.a" not in page
    assert 'hx-get="/controllist/questions/suggest/"' in page

    detail = api_as(actors.owner).get(f"/api/applications/{draft.pk}/").json()
    offered = detail["classification_suggestions"][0]["suggestions"]
    assert [(s["reference"], s["answer_code"], s["not_controlled"]) for s in offered] == [
        (answered.reference, "1C902.a", False)]

    outsiders_draft, _ = licensing_services.application_create(actor=actors.outsider, data=DRAFT)
    theirs = api_as(actors.outsider).get(f"/api/applications/{outsiders_draft.pk}/").json()
    assert [s["answer_code"] for s in theirs["classification_suggestions"][0]["suggestions"]] == ["3A001.a"]
    theirs_page = page_as(actors.outsider).get(reverse("case-edit", args=[outsiders_draft.pk])).content.decode()
    assert answered.reference not in theirs_page


def test_live_suggestions_while_typing(actors, listed):
    answered = _answer(actors, actors.owner, actors.ministry, item_name="钐钴磁体", item_model="YXG-32",
                       not_controlled=True, note="Below the threshold.")
    url = reverse("controllist-question-suggest")
    owner = page_as(actors.owner)
    resp = owner.get(url, {"item_description": "烧结 钐钴磁体 YXG-32 for motors", "target": "id_item_control_code"})
    assert resp.status_code == 200 and answered.reference in resp.content.decode()
    assert "not controlled" in resp.content.decode() and "Use this code" not in resp.content.decode()
    by_model = owner.get(url, {"description": "yxg-32"}).content.decode()
    assert by_model.count('class="suggestion"') == 1 and answered.reference in by_model
    assert answered.reference not in owner.get(url, {"description": "gallium nitride wafers"}).content.decode()
    assert answered.reference not in page_as(actors.outsider).get(
        url, {"description": "钐钴磁体 YXG-32"}).content.decode()
    assert page_as(actors.ministry).get(url, {"description": "钐钴磁体"}).status_code == 403
    bad_target = owner.get(url, {"description": "钐钴磁体", "target": "x');alert(1);//"}).content.decode()
    assert "alert(1)" not in bad_target


def test_a_code_dropped_from_the_list_is_flagged_not_offered(actors, listed):
    answered = _answer(actors, actors.owner, actors.ministry, code="3A001.a", note="Listed.",
                       item_name="FPGA chip")
    Entry.objects.filter(version=listed, code="3A001.a").delete()
    found = services.classification_suggestions(exporter=actors.owner.organisation_id, description="fpga chip x7")
    assert [(s.reference, s.code_in_force) for s in found] == [(answered.reference, False)]
    partial = page_as(actors.owner).get(reverse("controllist-question-suggest"),
                                        {"description": "FPGA chip"}).content.decode()
    assert answered.reference in partial and "Use this code" not in partial


def test_messages_are_kept_in_order(actors, listed):
    question = in_state(actors, QuestionStatus.INFO_REQUESTED)
    services.question_reply(actor=actors.owner, question_id=question.pk, message="first", expected_version=2)
    services.question_reply(actor=actors.owner, question_id=question.pk, message="second", expected_version=3)
    bodies = list(ClassificationMessage.objects.filter(question=question).values_list("body", flat=True))
    assert bodies[-2:] == ["first", "second"]


@pytest.mark.skipif(not chromium_available(), reason="Debian's Chromium (/usr/bin/chromium) is not installed")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("live_server_serves_no_media")
def test_typing_a_description_offers_the_answer_and_fills_the_code(live_server, browser_page, actors, listed):
    answered = _answer(actors, actors.owner, actors.ministry, item_name="SmCo magnet", item_model="",
                       code="1C902.a", note="Listed.")
    page = browser_page
    sign_in(page, live_server.url, actors.owner.username, PASSWORD)
    page.goto(f"{live_server.url}{reverse('case-new')}")
    assert page.locator("#classification-suggestions").count() == 0
    page.locator("[name=item_description]").press_sequentially("sintered smco magnet 2:17")
    page.wait_for_selector(f"#classification-suggestions [data-reference='{answered.reference}'] .use-code")
    page.click("#classification-suggestions .use-code")
    assert page.locator("[name=item_control_code]").input_value() == "1C902.a"

