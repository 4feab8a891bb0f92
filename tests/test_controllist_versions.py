"""List versions: the shipped sample list, importing files (CSV, XLSX, JSON) checked whole, the diff,
publishing on an effective date, and who may do what."""

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from audit.models import AuditEvent
from controllist.models import Entry, ImportJob, ImportState, ListVersion, SearchTerm, VersionState
from controllist.versions import importer, services
from controllist.versions.diff import version_diff
from outbox.models import OutboxMessage
from portal.errors import InvalidTransition, NotAllowed, ValidationFailed


@pytest.fixture(autouse=True)
def _english(client):
    """The assertions read the English texts (pages default to Chinese)."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield

DATA = Path(__file__).parent / "data" / "controllist"
COLUMNS = importer.COLUMNS
FUTURE = date(2099, 1, 1)


def good_entries() -> list[dict]:
    return json.loads((DATA / "good.json").read_text(encoding="utf-8"))["entries"]


def table(entries) -> list[list]:
    rows = [list(COLUMNS)]
    for e in entries:
        rows.append([e["code"], e["parent"], e["description_zh"], e["description_en"], e["parameters_zh"],
                     e["parameters_en"], ";".join(e["hs_codes"]), e["notes"], "yes" if e["uncertain"] else "no"])
    return rows


def csv_bytes(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def import_file(actor, name, content, label="t-import", run=True, **meta):
    """Upload through the service and run the job as the worker would."""
    job = services.import_job_create(
        actor=actor, upload=upload(name, content), label=label, title_zh=meta.get("title_zh", "测试"),
        title_en=meta.get("title_en", "Test"), effective_from=meta.get("effective_from", FUTURE))
    if run:
        services.import_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def draft_from(actor, entries, label):
    job = import_file(actor, f"{label}.csv", csv_bytes(table(entries)), label=label)
    assert job.state == ImportState.DONE, job.errors
    return job.version


def entry_rows(version):
    return sorted(Entry.objects.filter(version=version).values_list(
        "code", "parent__code", "depth", "description_zh", "description_en", "parameters_zh", "parameters_en",
        "hs_codes", "notes", "uncertain"))


@pytest.fixture
def sample(db):
    return ListVersion.objects.get(label="2024-12-01")


# ---------------------------------------------------------------- the shipped sample list


def test_sample_list_is_loaded_by_the_migration(sample):
    assert sample.state == VersionState.PUBLISHED
    assert sample.effective_from == date(2024, 12, 1)
    codes = list(Entry.objects.filter(version=sample).values_list("code", flat=True))
    assert len(codes) >= 150 and sample.entry_count == len(codes)
    assert {code[0] for code in codes} == set("0123456789")
    assert {code[1] for code in codes} == set("ABCDE")
    child = Entry.objects.get(version=sample, code="1C902.a")
    assert child.parent.code == "1C902" and child.depth == 1
    assert SearchTerm.objects.filter(version=sample, entry=child).exists()
    assert ListVersion.objects.in_force(on=date(2025, 1, 1)) == sample
    assert ListVersion.objects.in_force(on=date(2024, 11, 30)) is None


# ---------------------------------------------------------------- reading and checking files


@pytest.mark.parametrize("name, make", [
    ("list.csv", lambda rows: csv_bytes(rows)),
    ("list.csv", lambda rows: b"\xef\xbb\xbf" + csv_bytes(rows)),
    ("list.csv", lambda rows: csv_bytes(rows, "gb18030")),
    ("list.xlsx", xlsx_bytes),
    ("list.json", lambda rows: (DATA / "good.json").read_bytes()),
])
def test_every_format_imports_the_same_rows(actors, name, make):
    job = import_file(actors.ministry, name, make(table(good_entries())), label="t-fmt")
    assert job.state == ImportState.DONE, job.errors
    version = job.version
    assert version.state == VersionState.DRAFT and version.entry_count == 4
    rows = entry_rows(version)
    assert rows == [
        ("1C902", None, 0, "钐及其合金", "Samarium and its alloys", "", "", ["2805301100"], "", False),
        ("1C902.a", "1C902", 1, "钐钴合金", "Samarium-cobalt alloys", "钐含量≥20%", "Sm content at least 20%",
         ["7202"], "", False),
        ("1C902.a.1", "1C902.a", 2, "钐钴永磁体", "Samarium-cobalt permanent magnets", "", "", [], "note", True),
        ("3A001", None, 0, "电子元器件", "Electronic components", "", "", ["8542"], "", False),
    ]
    assert SearchTerm.objects.filter(version=version).exists()
    assert AuditEvent.objects.filter(action="controllist.version_import", object_id=str(version.pk)).exists()


def test_xlsx_numbers_are_read_as_text(actors):
    rows = table(good_entries())
    rows[1][6] = 2805301100  # a spreadsheet turns an HS code into a number
    rows[4][8] = 0
    job = import_file(actors.ministry, "numbers.xlsx", xlsx_bytes(rows))
    assert job.state == ImportState.DONE, job.errors
    assert Entry.objects.get(version=job.version, code="1C902").hs_codes == ["2805301100"]


def test_xlsx_row_numbers_count_blank_rows(actors):
    rows = table(good_entries())
    rows.insert(2, [None] * len(COLUMNS))
    rows[4][0] = "1C9O2.a.1"  # the letter O for a zero
    job = import_file(actors.ministry, "gaps.xlsx", xlsx_bytes(rows))
    assert job.state == ImportState.FAILED
    assert [(error["row"], error["code"]) for error in job.errors] == [(5, "1C9O2.a.1")]


EXPECTED_BAD_ROWS = {
    3: "not a valid export control code",
    4: "Duplicate code",
    5: "Unknown parent: 1C903",
    6: "not a prefix",
    7: "Chinese description is missing",
    8: "English description is missing",
    9: "Bad HS code",
    10: "too long",
    11: "“uncertain” must be",
    12: "Unknown parent: 1C902.k",
}


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_imported(actors):
    versions_before = ListVersion.objects.count()
    entries_before = Entry.objects.count()
    job = import_file(actors.ministry, "bad.csv", (DATA / "bad.csv").read_bytes())
    assert job.state == ImportState.FAILED and job.version is None
    by_row = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error["message"])
        assert set(error["messages"]) == {"zh-hans", "en"}
    assert set(by_row) == set(EXPECTED_BAD_ROWS)  # row 2 is fine
    for row, text in EXPECTED_BAD_ROWS.items():
        assert any(text in message for message in by_row[row]), (row, by_row[row])
    assert job.error_count == len(job.errors)
    assert "sub-items" in by_row[3][0] or "second character" in by_row[3][0]
    assert ListVersion.objects.count() == versions_before
    assert Entry.objects.count() == entries_before


def test_json_rows_are_numbered_from_one(actors):
    job = import_file(actors.ministry, "bad.json", (DATA / "bad.json").read_bytes(), label="")
    assert job.state == ImportState.FAILED
    rows = {error["row"] for error in job.errors}
    assert rows == {2, 3, 4}
    assert not ListVersion.objects.filter(label="t-bad").exists()


@pytest.mark.parametrize("name, content, reason", [
    ("list.json", (DATA / "unknown_format.json").read_bytes(), "Unknown list file format"),
    ("list.json", (DATA / "truncated.json").read_bytes(), "not valid JSON"),
    ("list.json", b"[" * 100000 + b"]" * 100000, "not valid JSON"),
    ("list.json", "{\"format\": \"liste-contrôle\"}".encode("latin-1"), "must be UTF-8"),
    ("list.csv", b"code,description\n1C902,x\n", "missing columns"),
    ("list.csv", csv_bytes([[*COLUMNS, "extra"], ["1C902", "", "a", "b", "", "", "", "", ""]]), "unknown columns"),
    ("list.csv", csv_bytes([list(COLUMNS)]), "no entries"),
    ("list.csv", b"\n\n", "header"),
    ("list.csv", b"\x81\x20\xff" * 50, "UTF-8 or GB18030"),
    ("list.xlsx", (DATA / "broken.xlsx").read_bytes(), "not a readable XLSX"),
])
def test_a_file_that_cannot_be_read_fails_the_job_with_the_reason(actors, name, content, reason):
    job = import_file(actors.ministry, name, content, label="t-broken")
    assert job.state == ImportState.FAILED
    assert job.error_count == 1 and job.errors[0]["row"] is None
    assert reason in job.errors[0]["message"]
    assert not ListVersion.objects.filter(label="t-broken").exists()


def test_too_many_rows_are_refused(actors, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    job = import_file(actors.ministry, "big.csv", csv_bytes(table(good_entries())))
    assert job.state == ImportState.FAILED and "more than 3 entries" in job.errors[0]["message"]


@pytest.mark.parametrize("name, content", [
    ("list.xlsx", b"not a zip at all"),
    ("list.csv", (DATA / "garbage.bin").read_bytes()),
    ("list.json", (DATA / "broken.xlsx").read_bytes()),
    ("list.json", "{\"format\": 1}".encode("utf-16")),
    ("garbage", (DATA / "garbage.bin").read_bytes()),
])
def test_renamed_or_binary_files_are_refused_at_upload(actors, name, content):
    with pytest.raises(ValidationFailed) as exc:
        import_file(actors.ministry, name, content, run=False)
    assert "file" in exc.value.fields
    assert not ImportJob.objects.exists()


def test_upload_checks_the_form_fields(actors, sample):
    content = (DATA / "good.csv").read_bytes()
    with pytest.raises(ValidationFailed) as exc:
        services.import_job_create(actor=actors.ministry, upload=upload("a.csv", content), label="2024-12-01",
                                   title_zh="", title_en="x", effective_from="not a date")
    assert set(exc.value.fields) == {"label", "title_zh", "effective_from"}
    with pytest.raises(ValidationFailed) as exc:
        services.import_job_create(actor=actors.ministry, upload=upload("a.csv", content), label="a/b",
                                   title_zh="x", title_en="x", effective_from=FUTURE)
    assert set(exc.value.fields) == {"label"}


def test_a_json_file_supplies_its_own_label_titles_and_date(actors):
    job = services.import_job_create(actor=actors.ministry, upload=upload("l.json", (DATA / "good.json").read_bytes()))
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert (job.version.label, job.version.title_en, job.version.effective_from) == (
        "t-json", "Test list", date(2030, 1, 1))


def test_a_json_file_without_a_label_fails_when_none_was_typed(actors):
    data = json.loads((DATA / "good.json").read_text(encoding="utf-8"))
    data["version"] = {}
    job = services.import_job_create(actor=actors.ministry, upload=upload("l.json", json.dumps(data).encode()))
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and job.version is None
    assert any(error["message"].startswith("Label:") for error in job.errors)


def test_upload_larger_than_the_limit_is_refused(actors, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationFailed) as exc:
        import_file(actors.ministry, "big.csv", (DATA / "good.csv").read_bytes(), run=False)
    assert exc.value.code == "too_large"
    assert not ImportJob.objects.exists()


def test_same_file_twice_while_pending_returns_the_same_job(actors):
    content = (DATA / "good.csv").read_bytes()
    first = import_file(actors.ministry, "a.csv", content, run=False)
    second = import_file(actors.senior, "a.csv", content, run=False)
    assert first.pk == second.pk
    assert OutboxMessage.objects.filter(task="controllist.import_list").count() == 1
    assert AuditEvent.objects.filter(action="controllist.import_upload").count() == 1


def test_upload_schedules_the_task_on_commit(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = import_file(actors.ministry, "a.csv", (DATA / "good.csv").read_bytes(), run=False)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.version.label == "t-import"
    assert OutboxMessage.objects.get(task="controllist.import_list").kwargs == {"job_id": job.pk}


def test_running_a_job_twice_imports_once(actors):
    job = import_file(actors.ministry, "a.csv", (DATA / "good.csv").read_bytes())
    services.import_job_run(job_id=job.pk)
    assert ListVersion.objects.filter(label="t-import").count() == 1
    assert services.import_job_run(job_id=999999) is None


def test_a_run_that_died_is_taken_over_once_stale_and_not_before(actors):
    """A worker killed mid-import leaves the job RUNNING; the redelivered task must neither
    import alongside a live run nor leave a dead one stuck for ever."""
    job = import_file(actors.ministry, "a.csv", (DATA / "good.csv").read_bytes(), run=False)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING, started_at=timezone.now())
    busy = services.import_job_run(job_id=job.pk)
    assert services.import_job_is_busy(busy)
    assert not ListVersion.objects.filter(label="t-import").exists()

    ImportJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - services.IMPORT_STALE_AFTER - timedelta(seconds=1))
    done = services.import_job_run(job_id=job.pk)
    assert done.state == ImportState.DONE and not services.import_job_is_busy(done)
    assert ListVersion.objects.filter(label="t-import").count() == 1


def test_progress_reaches_the_total(actors, monkeypatch):
    entries = [{"code": "1C902", "parent": "", "description_zh": "钐", "description_en": "Sm",
                "parameters_zh": "", "parameters_en": "", "hs_codes": [], "notes": "", "uncertain": False}]
    entries += [{**entries[0], "code": f"1C902.{letter}.{n}"} for letter in "ab" for n in range(1, 100)]
    entries += [{**entries[0], "code": f"1C902.{letter}"} for letter in "ab"]
    seen = []
    real = services._progress

    def spy(job_id):
        report = real(job_id)

        def wrapped(processed, total):
            report(processed, total)
            seen.append(ImportJob.objects.values_list("processed_rows", "total_rows").get(pk=job_id))
        return wrapped

    monkeypatch.setattr(importer, "PROGRESS_EVERY", 50)
    monkeypatch.setattr(services, "_progress", spy)
    job = import_file(actors.ministry, "p.csv", csv_bytes(table(entries)))
    assert job.state == ImportState.DONE
    assert (job.processed_rows, job.total_rows) == (201, 201)
    assert seen[0] == (50, 201) and seen[-1] == (201, 201)
    assert [p for p, _t in seen] == sorted(p for p, _t in seen)


# ---------------------------------------------------------------- diff


def test_diff_lists_added_removed_and_changed_fields(actors):
    old_entries = good_entries()
    new_entries = [dict(e) for e in old_entries if e["code"] != "3A001"]
    new_entries[1]["description_en"] = "Samarium-cobalt alloys (revised)"
    new_entries[1]["hs_codes"] = ["7202", "8505"]
    new_entries[2]["uncertain"] = False
    new_entries.append({**old_entries[0], "code": "2B902", "description_en": "Machine"})
    old = draft_from(actors.ministry, old_entries, "t-old")
    new = draft_from(actors.ministry, new_entries, "t-new")
    diff = version_diff(old, new)
    assert [e["code"] for e in diff.added] == ["2B902"]
    assert [e["code"] for e in diff.removed] == ["3A001"]
    changes = {c.code: c.changes for c in diff.changed}
    assert changes == {
        "1C902.a": [("description_en", "Samarium-cobalt alloys", "Samarium-cobalt alloys (revised)"),
                    ("hs_codes", ["7202"], ["7202", "8505"])],
        "1C902.a.1": [("uncertain", True, False)],
    }
    assert diff.counts == {"added": 1, "removed": 1, "changed": 2, "unchanged": 1}
    assert version_diff(None, old).counts["added"] == 4


# ---------------------------------------------------------------- publish and discard


def test_publish_takes_effect_on_its_date(actors, sample):
    today = timezone.localdate()
    draft = draft_from(actors.ministry, good_entries(), "t-pub")
    version = services.version_publish(actor=actors.ministry, version_id=draft.pk,
                                       effective_from=today + timedelta(days=10))
    assert version.state == VersionState.PUBLISHED and version.published_by == actors.ministry
    assert ListVersion.objects.in_force(on=today) == sample
    assert ListVersion.objects.in_force(on=today + timedelta(days=9)) == sample
    assert ListVersion.objects.in_force(on=today + timedelta(days=10)) == version
    event = AuditEvent.objects.get(action="controllist.version_publish", object_id=str(version.pk))
    assert event.after["compared_with"] == "2024-12-01"
    assert event.after["added"] + event.after["changed"] + event.after["unchanged"] == 4


def test_publish_today_is_in_force_today(actors):
    draft = draft_from(actors.ministry, good_entries(), "t-today")
    services.version_publish(actor=actors.senior, version_id=draft.pk, effective_from=timezone.localdate())
    assert ListVersion.objects.in_force() == draft


def test_publish_refuses_a_past_date_for_officers(actors):
    draft = draft_from(actors.ministry, good_entries(), "t-past")
    with pytest.raises(ValidationFailed) as exc:
        services.version_publish(actor=actors.ministry, version_id=draft.pk,
                                 effective_from=timezone.localdate() - timedelta(days=1))
    assert "effective_from" in exc.value.fields
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_even_a_back_dated_load_cannot_precede_the_version_in_force(actors, sample):
    draft = draft_from(actors.ministry, good_entries(), "t-older")
    with pytest.raises(ValidationFailed):
        services.version_publish(actor=None, version_id=draft.pk, effective_from=date(2024, 6, 1), allow_past=True)
    version = services.version_publish(actor=None, version_id=draft.pk, effective_from=date(2025, 1, 1),
                                       allow_past=True)
    assert ListVersion.objects.in_force(on=date(2025, 1, 1)) == version


def test_publish_twice_is_a_harmless_replay(actors):
    draft = draft_from(actors.ministry, good_entries(), "t-replay")
    day = timezone.localdate() + timedelta(days=1)
    first = services.version_publish(actor=actors.ministry, version_id=draft.pk, effective_from=day)
    again = services.version_publish(actor=actors.ministry, version_id=draft.pk, effective_from=day)
    assert first.pk == again.pk and again.state == VersionState.PUBLISHED
    assert AuditEvent.objects.filter(action="controllist.version_publish").count() == 1
    with pytest.raises(InvalidTransition):  # another date is not a replay
        services.version_publish(actor=actors.ministry, version_id=draft.pk, effective_from=day + timedelta(days=1))


def test_only_a_draft_can_be_published_or_discarded(actors, sample):
    with pytest.raises(InvalidTransition):
        services.version_publish(actor=actors.ministry, version_id=sample.pk, effective_from=FUTURE)
    with pytest.raises(InvalidTransition):
        services.version_discard(actor=actors.ministry, version_id=sample.pk)
    draft = draft_from(actors.ministry, good_entries(), "t-discard")
    services.version_discard(actor=actors.ministry, version_id=draft.pk)
    services.version_discard(actor=actors.ministry, version_id=draft.pk)  # replay
    assert AuditEvent.objects.filter(action="controllist.version_discard").count() == 1
    with pytest.raises(InvalidTransition):
        services.version_publish(actor=actors.ministry, version_id=draft.pk, effective_from=FUTURE)


def test_a_discarded_draft_gives_its_label_up_for_the_corrected_file(actors):
    first = draft_from(actors.ministry, good_entries(), "t-2027")
    services.version_discard(actor=actors.ministry, version_id=first.pk)
    first.refresh_from_db()
    assert first.label != "t-2027" and first.label.startswith("t-2027~discarded-")
    event = AuditEvent.objects.get(action="controllist.version_discard")
    assert event.before["label"] == "t-2027" and event.after["label"] == first.label
    again = draft_from(actors.ministry, good_entries(), "t-2027")
    assert again.pk != first.pk and again.state == VersionState.DRAFT


@pytest.mark.parametrize("who", ["owner", "province", "agency", "customs"])
def test_only_ministry_officers_write(actors, sample, who):
    actor = getattr(actors, who)
    draft = draft_from(actors.ministry, good_entries(), "t-perm")
    with pytest.raises(NotAllowed):
        import_file(actor, "a.csv", (DATA / "good.csv").read_bytes(), label="t-x", run=False)
    with pytest.raises(NotAllowed):
        services.version_publish(actor=actor, version_id=draft.pk, effective_from=FUTURE)
    with pytest.raises(NotAllowed):
        services.version_discard(actor=actor, version_id=draft.pk)


# ---------------------------------------------------------------- pages


def test_version_pages_for_ministry(client, actors, sample):
    draft = draft_from(actors.ministry, good_entries(), "t-page")
    client.force_login(actors.ministry)
    listing = client.get(reverse("controllist-versions"))
    assert listing.status_code == 200
    assert b"t-page" in listing.content and b"import-new" in listing.content
    detail = client.get(reverse("controllist-version", args=[draft.pk]))
    assert detail.status_code == 200
    assert b"publish-form" in detail.content and b"diff-counts" in detail.content
    assert b"3A001" in detail.content
    response = client.post(reverse("controllist-version-publish", args=[draft.pk]),
                           {"effective_from": "2000-01-01", "expected_state": "draft"})
    assert response.status_code == 400
    response = client.post(reverse("controllist-version-publish", args=[draft.pk]),
                           {"effective_from": FUTURE.isoformat(), "expected_state": "draft"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED and draft.effective_from == FUTURE


def test_import_pages(client, actors, django_capture_on_commit_callbacks):
    client.force_login(actors.ministry)
    assert client.get(reverse("controllist-import-new")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("controllist-import-new"), {
            "file": upload("bad.csv", (DATA / "bad.csv").read_bytes()), "label": "t-web",
            "title_zh": "网页", "title_en": "Web", "effective_from": "2099-01-01"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("controllist-import", args=[job.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"import-errors" in page.content and b"Duplicate code" in page.content
    assert b"hx-trigger" not in page.content  # finished: no more polling


def test_import_page_polls_while_running_and_serves_a_partial(client, actors):
    job = import_file(actors.ministry, "a.csv", (DATA / "good.csv").read_bytes(), run=False)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING, processed_rows=2, total_rows=4)
    client.force_login(actors.ministry)
    full = client.get(reverse("controllist-import", args=[job.pk]))
    assert b'hx-trigger="every 1s"' in full.content and b"<html" in full.content
    partial = client.get(reverse("controllist-import", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 1s"' in partial.content and b"<html" not in partial.content
    assert b"50%" in partial.content


def test_import_form_errors_are_shown_not_crashed(client, actors, settings):
    client.force_login(actors.ministry)
    response = client.post(reverse("controllist-import-new"), {
        "file": upload("x.xlsx", b"garbage"), "label": "t-web", "title_zh": "a", "title_en": "b",
        "effective_from": "2099-01-01"})
    assert response.status_code == 400 and b"XLSX" in response.content
    settings.PORTAL_MAX_UPLOAD_BYTES = 50
    response = client.post(reverse("controllist-import-new"), {
        "file": upload("x.csv", (DATA / "good.csv").read_bytes()), "label": "t-web", "title_zh": "a",
        "title_en": "b", "effective_from": "2099-01-01"})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["owner", "province", "agency", "customs"])
def test_pages_for_other_roles(client, actors, sample, who):
    draft = draft_from(actors.ministry, good_entries(), "t-hidden")
    job = ImportJob.objects.get(version=draft)
    client.force_login(getattr(actors, who))
    listing = client.get(reverse("controllist-versions"))
    assert listing.status_code == 200
    assert b"2024-12-01" in listing.content and b"t-hidden" not in listing.content
    assert b"import-new" not in listing.content
    assert client.get(reverse("controllist-version", args=[sample.pk])).status_code == 200
    assert client.get(reverse("controllist-version", args=[draft.pk])).status_code == 404
    assert client.get(reverse("controllist-import-new")).status_code == 403
    assert client.post(reverse("controllist-import-new"), {}).status_code == 403
    assert client.get(reverse("controllist-import", args=[job.pk])).status_code == 403
    assert client.post(reverse("controllist-version-publish", args=[sample.pk]),
                       {"effective_from": FUTURE.isoformat()}).status_code == 403
    assert client.post(reverse("controllist-version-discard", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_pages_need_sign_in(client, sample):
    for url in (reverse("controllist-versions"), reverse("controllist-version", args=[sample.pk]),
                reverse("controllist-import-new"), reverse("controllist-import", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_version_list_query_count(client, actors, sample, django_assert_max_num_queries):
    for n in range(3):
        draft_from(actors.ministry, good_entries(), f"t-q{n}")
    client.force_login(actors.ministry)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("controllist-versions")).status_code == 200


# ---------------------------------------------------------------- API


def test_api_import_publish_flow(client, actors, sample, django_capture_on_commit_callbacks):
    client.force_login(actors.ministry)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/controllist/imports/", {
            "file": upload("good.xlsx", xlsx_bytes(table(good_entries()))), "label": "t-api",
            "title_zh": "接口", "title_en": "API", "effective_from": "2099-01-01"})
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    job = client.get(f"/api/controllist/imports/{job_id}/").json()
    assert job["state"] == "done" and job["processed_rows"] == job["total_rows"] == 4 and job["progress"] == 1.0
    version_id = job["version"]
    assert version_id in [v["id"] for v in client.get("/api/controllist/versions/").json()["results"]]
    diff = client.get(f"/api/controllist/versions/{version_id}/diff/").json()
    assert diff["old"] == "2024-12-01" and diff["new"] == "t-api"
    assert diff["counts"]["added"] + diff["counts"]["changed"] + diff["counts"]["unchanged"] == 4
    assert client.get(f"/api/controllist/versions/{version_id}/diff/?against={sample.pk}").status_code == 200
    assert client.get(f"/api/controllist/versions/{version_id}/diff/?against=x").status_code == 400
    response = client.post(f"/api/controllist/versions/{version_id}/publish/",
                           {"effective_from": "2000-01-01"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"]["effective_from"]
    response = client.post(f"/api/controllist/versions/{version_id}/publish/",
                           {"effective_from": "2099-01-01"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "published"
    response = client.post(f"/api/controllist/versions/{version_id}/discard/")
    assert response.status_code == 409


def test_api_refuses_bad_uploads_without_crashing(client, actors, settings):
    client.force_login(actors.ministry)
    for name, content in [("g.bin", (DATA / "garbage.bin").read_bytes()), ("x.xlsx", b"nope"), ("e.csv", b"")]:
        response = client.post("/api/controllist/imports/", {"file": upload(name, content), "label": "t-x",
                                                             "title_zh": "a", "title_en": "b",
                                                             "effective_from": "2099-01-01"})
        assert response.status_code == 400, (name, response.content)
        assert set(response.json()["messages"]) == {"zh-hans", "en"}
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    settings.PORTAL_MAX_REQUEST_BYTES = 2048
    response = client.post("/api/controllist/imports/", {"file": upload("big.csv", b"a" * 4096), "label": "t-x"})
    assert response.status_code == 413
    response = client.post("/api/controllist/imports/", {"file": upload("big.csv", b"a" * 1500), "label": "t-x"})
    assert response.status_code == 400 and response.json()["code"] == "too_large"
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["owner", "colleague", "province", "agency", "customs"])
def test_api_permissions(client, actors, sample, who):
    draft = draft_from(actors.ministry, good_entries(), "t-apiperm")
    job = ImportJob.objects.get(version=draft)
    client.force_login(getattr(actors, who))
    labels = [v["label"] for v in client.get("/api/controllist/versions/").json()["results"]]
    assert "2024-12-01" in labels and "t-apiperm" not in labels
    assert client.get(f"/api/controllist/versions/{sample.pk}/").status_code == 200
    assert client.get(f"/api/controllist/versions/{draft.pk}/").status_code == 404
    assert client.get(f"/api/controllist/versions/{draft.pk}/diff/").status_code == 404
    assert client.get(f"/api/controllist/imports/{job.pk}/").status_code == 403
    assert client.post("/api/controllist/imports/", {
        "file": upload("a.csv", (DATA / "good.csv").read_bytes()), "label": "t-y"}).status_code == 403
    assert client.post(f"/api/controllist/versions/{draft.pk}/publish/", {"effective_from": "2099-01-01"},
                       content_type="application/json").status_code == 403
    assert client.post(f"/api/controllist/versions/{draft.pk}/discard/").status_code == 403
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_api_needs_authentication(client, sample):
    assert client.get("/api/controllist/versions/").status_code in (401, 403)
    assert client.post("/api/controllist/imports/", {}).status_code in (401, 403)
    assert client.post(f"/api/controllist/versions/{sample.pk}/discard/").status_code in (401, 403)


def test_versions_appear_in_the_schema(client, actors):
    client.force_login(actors.ministry)
    schema = client.get("/api/schema/").content.decode()
    for fragment in ("/api/controllist/versions/{id}/diff/", "/api/controllist/imports/",
                     "/api/controllist/versions/{id}/publish/"):
        assert fragment in schema


# ---------------------------------------------------------------- management command


def test_command_imports_and_publishes_a_file(db, capsys):
    call_command("controllist", "import", str(DATA / "good.csv"), "--label", "t-cmd", "--title-zh", "命令",
                 "--title-en", "Command", "--effective", "2025-01-01", "--publish")
    version = ListVersion.objects.get(label="t-cmd")
    assert version.state == VersionState.PUBLISHED and version.entry_count == 4
    assert ListVersion.objects.in_force(on=date(2025, 1, 2)) == version
    out = capsys.readouterr().out
    assert "imported 4 entries" in out and "published t-cmd" in out
    call_command("controllist", "diff", "2024-12-01", "t-cmd")
    assert "added" in capsys.readouterr().out
    call_command("controllist", "reindex", "t-cmd")
    assert SearchTerm.objects.filter(version=version).exists()


def test_command_refuses_a_bad_file_with_its_rows(db, capsys):
    with pytest.raises(CommandError) as exc:
        call_command("controllist", "import", str(DATA / "bad.csv"), "--label", "t-badcmd", "--title-zh", "x",
                     "--title-en", "x", "--effective", "2099-01-01")
    assert "10 error(s)" in str(exc.value)
    err = capsys.readouterr().err
    assert "row 3:" in err and "row 12:" in err
    assert not ListVersion.objects.filter(label="t-badcmd").exists()


def test_command_exits_non_zero_on_a_bad_file(db, tmp_path):
    import subprocess
    import sys

    # A real process: `manage.py controllist import` must end with a failing status.
    result = subprocess.run([sys.executable, "manage.py", "controllist", "import", str(DATA / "garbage.bin")],
                            cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0


def test_command_publish_refuses_a_past_date(actors):
    draft = draft_from(actors.ministry, good_entries(), "t-cmdpub")
    with pytest.raises(CommandError):
        call_command("controllist", "publish", "t-cmdpub", "--effective", "2000-01-01")
    call_command("controllist", "publish", "t-cmdpub", "--effective", "2099-01-01")
    draft.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED


# ---------------------------------------------------------------- odd input (review)


def test_a_stray_cell_right_of_the_table_is_a_row_error_not_a_refused_header(actors):
    """A spreadsheet pads every row, the header too, to the widest row: one stray cell must be
    reported on its own row, not make the header look wrong."""
    rows = table(good_entries())
    rows[2] = [*rows[2], None, "stray"]
    job = import_file(actors.ministry, "stray.xlsx", xlsx_bytes(rows))
    assert job.state == ImportState.FAILED
    assert [(error["row"], error["code"]) for error in job.errors] == [(3, "1C902.a")]
    assert "more cells than the header" in job.errors[0]["message"]
    rows = table(good_entries())
    rows[0] = [*rows[0], ""]  # a trailing comma after the last column name
    assert import_file(actors.ministry, "comma.csv", csv_bytes(rows), label="t-comma").state == ImportState.DONE


def test_nul_and_lone_surrogates_in_a_json_file_are_row_errors(actors):
    """PostgreSQL stores neither NUL nor an unpaired surrogate: the officer must see which row
    has one, not an unexpected failure (and the stored error list must itself be storable)."""
    data = json.loads((DATA / "good.json").read_text(encoding="utf-8"))
    data["entries"][0]["description_en"] = "Sa\x00marium"
    data["entries"][1]["notes"] = "half a pair \ud800"
    data["entries"][2]["hs_codes"] = ["72\x0002"]
    data["entries"][3]["code"] = "3A\x00001"
    job = services.import_job_create(actor=actors.ministry, upload=upload("nul.json", json.dumps(data).encode()))
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and job.version is None
    rows = {error["row"] for error in job.errors}
    assert rows == {1, 2, 3, 4}, job.errors
    assert not any("unexpectedly" in error["message"] for error in job.errors)
    assert "\x00" not in json.dumps(job.errors) and "\\u0000" not in json.dumps(job.errors)


def test_nul_in_a_json_file_s_titles_is_refused_by_field(actors):
    data = json.loads((DATA / "good.json").read_text(encoding="utf-8"))
    data["version"]["title_en"] = "Test\x00list"
    data["version"]["source"] = "\ud800"
    job = services.import_job_create(actor=actors.ministry, upload=upload("nul.json", json.dumps(data).encode()))
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and job.version is None
    messages = [error["message"] for error in job.errors]
    assert any(message.startswith("Title (English):") for message in messages), messages
    assert any(message.startswith("Source:") for message in messages), messages
    assert not ListVersion.objects.filter(label="t-json").exists()


@pytest.mark.parametrize("against", ["²", "١", "x", "-1", "9" * 30])
def test_odd_against_parameter_is_not_a_server_error(client, actors, sample, against):
    client.force_login(actors.owner)
    page = client.get(reverse("controllist-version", args=[sample.pk]), {"against": against})
    assert page.status_code == 200
    api = client.get(f"/api/controllist/versions/{sample.pk}/diff/", {"against": against})
    assert api.status_code in (400, 404)


def test_version_page_names_changed_fields_in_words(client, actors):
    old_entries = good_entries()
    new_entries = [dict(e) for e in old_entries]
    new_entries[1]["hs_codes"] = ["7202", "8505"]
    new_entries[2]["uncertain"] = False
    old = draft_from(actors.ministry, old_entries, "t-words-old")
    new = draft_from(actors.ministry, new_entries, "t-words-new")
    client.force_login(actors.ministry)
    html = client.get(reverse("controllist-version", args=[new.pk]), {"against": old.pk}).content.decode()
    changed = html[html.index('id="diff-changed"'):]
    assert "<td>HS codes</td>" in changed and "<td>hs_codes</td>" not in changed
    assert "<ins>7202, 8505</ins>" in changed and "[&#x27;7202" not in changed
    assert "<del>yes</del>" in changed and "<ins>no</ins>" in changed


def test_a_label_taken_by_another_import_meanwhile_fails_the_job_cleanly(actors, monkeypatch):
    job = import_file(actors.ministry, "a.csv", (DATA / "good.csv").read_bytes(), label="t-race", run=False)
    real = services.version_meta

    def meta_then_race(**kwargs):
        meta = real(**kwargs)  # the label was free when checked...
        ListVersion.objects.create(label="t-race", title_zh="x", title_en="x", effective_from=FUTURE)
        return meta  # ...and another import took it before this one wrote its version

    monkeypatch.setattr(services, "version_meta", meta_then_race)
    job = services.import_job_run(job_id=job.pk)
    assert job.state == ImportState.FAILED and "already exists" in job.errors[0]["message"]
    assert ListVersion.objects.filter(label="t-race").count() == 1
    assert not Entry.objects.filter(version__label="t-race").exists()
