"""The statistics dashboard's figures against a hand-built set of cases (tests/statistics_cases.py):
counts by month, working-day percentiles, rates by sector, destination, province and agency,
overdue counts, province scoping, the period filter, the CSV files and the refresh itself."""

import csv
import io
from datetime import date

import pytest
from django.utils import translation

from compliance.statistics import selectors, services
from compliance.statistics.models import StatisticRow, StatisticsSnapshot
from tests import statistics_cases

PERIOD = {"from": "2026-01", "to": "2026-06"}
TODAY = date(2026, 12, 8)


@pytest.fixture
def built(db):
    data = statistics_cases.build()
    services.statistics_refresh()
    return data


def _board(user, first=date(2026, 1, 1), last=date(2026, 6, 1)):
    with translation.override("en"):
        return selectors.dashboard(user, first=first, last=last, today=TODAY)


def _by_key(rows):
    return {r["key"]: r for r in rows}


def test_counts_by_month(built, actors):
    board = _board(actors.ministry)
    months = {m["month"]: m for m in board.months}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert {k: months[k]["submitted"] for k in months} == {
        "2026-01": 2, "2026-02": 1, "2026-03": 3, "2026-04": 0, "2026-05": 0, "2026-06": 0}
    assert months["2026-03"]["issued"] == 2 and sum(m["issued"] for m in board.months) == 2
    assert (months["2026-02"]["refused"], months["2026-02"]["approved"]) == (1, 0)
    assert (months["2026-03"]["approved"], months["2026-04"]["approved"]) == (2, 1)


def test_working_day_percentiles(built, actors):
    board = _board(actors.ministry)
    # Decisions in the period took 6 (Feb), 4 and 10 (Mar), 4 (Apr) working days.
    assert board.processing == {"measured": 4, "p50": 4, "p90": 10}
    months = {m["month"]: m for m in board.months}
    assert (months["2026-02"]["p50"], months["2026-02"]["p90"]) == (6, 6)
    assert (months["2026-03"]["p50"], months["2026-03"]["p90"], months["2026-03"]["measured"]) == (4, 10, 2)
    assert months["2026-05"]["p50"] is None
    # The 2023 acceptance has no calendar: not timed, and said so.
    assert board.unmeasured == 1
    assert StatisticsSnapshot.objects.get().unmeasured == 1


def test_percentile_is_nearest_rank():
    assert selectors.percentile({}, 0.5) is None
    assert selectors.percentile({3: 1}, 0.9) == 3
    assert selectors.percentile({1: 5, 9: 5}, 0.5) == 1
    assert selectors.percentile({1: 5, 9: 5}, 0.51) == 9
    assert selectors.percentile({1: 9, 20: 1}, 0.9) == 1
    assert selectors.percentile({1: 9, 20: 1}, 0.91) == 20


def test_rates_by_sector_destination_province_and_agency(built, actors):
    board = _board(actors.ministry)
    sector = _by_key(board.sector)
    assert {k: (r["approved"], r["refused"]) for k, r in sector.items()} == {
        "1": (1, 0), "3": (1, 1), "5": (1, 0), "catch_all": (1, 0)}
    assert (sector["3"]["approval_rate"], sector["3"]["refusal_rate"]) == (50.0, 50.0)
    assert sector["3"]["label"].startswith("3 · Electronics")
    destination = _by_key(board.destination)
    assert {k: (r["approved"], r["refused"]) for k, r in destination.items()} == {
        "DE": (2, 0), "US": (0, 1), "FR": (1, 0)}
    assert destination["DE"]["label"] == "Germany"
    province = _by_key(board.province_rows)
    assert {k: (r["approved"], r["refused"]) for k, r in province.items()} == {"31": (2, 1), "44": (1, 0)}
    assert province["31"]["approval_rate"] == 66.7 and province["31"]["refusal_rate"] == 33.3
    agency = _by_key(board.agency)
    # A dropped referral is no consultation; an undecided case's referral is not yet a rate.
    assert {k: (r["approved"], r["refused"]) for k, r in agency.items()} == {"MIIT": (1, 1), "MFA": (0, 1)}
    assert agency["MFA"]["refusal_rate"] == 100.0


def test_overdue_cases_and_referrals(built, actors):
    board = _board(actors.ministry)
    assert board.overdue_cases_total == 1 and board.overdue_cases[0]["key"] == "44"
    assert board.overdue_referrals_total == 1 and board.overdue_referrals[0]["key"] == "MIIT"


def test_a_province_sees_only_its_own(built, actors):
    board = _board(actors.province)  # Shanghai
    assert board.province.pk == "31"
    assert [m["submitted"] for m in board.months][:3] == [2, 0, 2]
    assert {r["key"] for r in board.province_rows} == {"31"}
    assert {r["key"] for r in board.sector} == {"1", "3", "catch_all"}
    assert "5" not in _by_key(board.sector)
    assert board.processing == {"measured": 3, "p50": 4, "p90": 6}
    assert board.overdue_cases_total == 0 and board.overdue_referrals_total == 0
    assert board.unmeasured == 0  # a global figure: the ministry's only
    guangdong = _board(actors.other_province)
    assert {r["key"] for r in guangdong.province_rows} == {"44"}
    assert guangdong.overdue_cases_total == 1 and guangdong.overdue_referrals_total == 1
    assert guangdong.processing == {"measured": 1, "p50": 10, "p90": 10}


def test_period_filter(built, actors):
    board = _board(actors.ministry, first=date(2025, 12, 1), last=date(2025, 12, 1))
    assert [m["month"] for m in board.months] == ["2025-12"]
    assert board.months[0]["approved"] == 1 and board.months[0]["issued"] == 1
    assert board.processing == {"measured": 1, "p50": 4, "p90": 4}
    assert _by_key(board.destination)["DE"]["approved"] == 1
    # Overdue counts are about today, whatever the period.
    assert board.overdue_cases_total == 1


def test_period_filter_on_the_page(built, client, actors):
    client.force_login(actors.ministry)
    client.cookies["django_language"] = "en"
    response = client.get("/compliance/statistics/", {"from": "2025-11", "to": "2025-12"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-month="2025-11"' in body and 'data-month="2025-12"' in body and 'data-month="2026-01"' not in body
    assert response.context["board"].months[0]["submitted"] == 1


def test_refresh_is_idempotent_and_replaces_the_summary(built, actors):
    before = sorted(StatisticRow.objects.values_list("dimension", "month", "province_id", "key", "submitted",
                                                     "issued", "approved", "refused", "cases"))
    services.statistics_refresh()
    after = sorted(StatisticRow.objects.values_list("dimension", "month", "province_id", "key", "submitted",
                                                    "issued", "approved", "refused", "cases"))
    assert before == after and StatisticsSnapshot.objects.count() == 1
    built.cases[1].status = "approved"
    built.cases[1].save(update_fields=["status"])
    services.statistics_refresh()
    assert _by_key(_board(actors.ministry).destination)["US"]["approved"] == 1


def test_the_task_refreshes(db, actors):
    from compliance.statistics.tasks import statistics_refresh

    statistics_cases.build()
    assert statistics_refresh.run() == StatisticRow.objects.count() > 0


def test_the_beat_entry_names_the_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["statistics-refresh"]
    assert entry["task"] == "compliance.statistics_refresh"


def _csv(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_of_each_table(built, client, actors):
    client.force_login(actors.ministry)
    client.cookies["django_language"] = "en"
    rows = _csv(client.get("/compliance/statistics/", {**PERIOD, "table": "months"}))
    assert rows[0] == ["month", "submitted", "issued", "approved", "refused", "measured", "p50", "p90"]
    assert rows[3] == ["2026-03", "3", "2", "2", "0", "2", "4", "10"]
    response = client.get("/compliance/statistics/", {**PERIOD, "table": "sector"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="statistics-sector-2026-01-2026-06.csv"' in response["Content-Disposition"]
    sector = {r[0]: r for r in _csv(response)[1:]}
    assert sector["3"][2:] == ["1", "1", "2", "50.0", "50.0"]
    for table, key in (("destination", "US"), ("province", "44"), ("agency", "MFA"), ("overdue_cases", "44"),
                       ("overdue_referrals", "MIIT")):
        assert key in {r[0] for r in _csv(client.get("/compliance/statistics/", {**PERIOD, "table": table}))[1:]}


def test_csv_neutralises_formulas(db, actors, client):
    from accounts.models import Organisation

    data = statistics_cases.build()
    Organisation.objects.filter(pk=data.miit.pk).update(name_en="=HYPERLINK(\"http://x\")", name_zh="=1+1")
    services.statistics_refresh()
    client.force_login(actors.ministry)
    rows = _csv(client.get("/compliance/statistics/", {**PERIOD, "table": "agency"}))
    labels = [r[1] for r in rows[1:]]
    assert "'=1+1" in labels and not any(label.startswith("=") for label in labels)


def test_the_province_csv_is_scoped(built, client, actors):
    client.force_login(actors.province)
    rows = _csv(client.get("/compliance/statistics/", {**PERIOD, "table": "province"}))
    assert [r[0] for r in rows[1:]] == ["31"]
    assert _csv(client.get("/compliance/statistics/", {**PERIOD, "table": "overdue_cases"}))[1:] == []


def test_page_shows_tables_and_chart_data(built, client, actors):
    client.force_login(actors.ministry)
    client.cookies["django_language"] = "en"
    response = client.get("/compliance/statistics/", PERIOD)
    body = response.content.decode()
    assert response.status_code == 200
    for name in ("months", "sector", "destination", "province", "agency", "overdue_cases", "overdue_referrals"):
        assert f'id="table-{name}"' in body and f'id="csv-{name}"' in body
    assert '<script id="statistics-data" type="application/json">' in body
    assert "vendor/chartjs/chart.umd.min.js" in body and "compliance/statistics.js" in body
    assert "<script>" not in body.split('id="statistics-data"')[0].split("</head>")[-1]  # no inline script
    assert 'id="processing-p50">4<' in body and 'id="processing-p90">10<' in body
    assert 'id="overdue-cases-total">1<' in body
    charts = response.context["charts"]["charts"]
    assert charts["months"]["labels"][0] == "2026-01" and charts["months"]["series"][0]["values"][:3] == [2, 1, 3]


def test_page_before_the_first_refresh(db, client, actors):
    client.force_login(actors.ministry)
    client.cookies["django_language"] = "en"
    response = client.get("/compliance/statistics/")
    assert response.status_code == 200
    assert 'id="not-computed"' in response.content.decode()
    assert len(response.context["board"].months) == 12


def test_charting_library_is_served_locally():
    from django.contrib.staticfiles import finders

    library = finders.find("vendor/chartjs/chart.umd.min.js")
    assert library and "Chart.js v4" in open(library, encoding="utf-8").read(200)
    assert finders.find("vendor/chartjs/LICENSE.md") and finders.find("compliance/statistics.js")
    assert "sourceMappingURL" not in open(library, encoding="utf-8").read()
