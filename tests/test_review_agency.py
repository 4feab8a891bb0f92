"""Who sees what of referrals (pages and API), the agency's opinion form, the officer's referral
forms, and the routing-table pages and API that only a ministry senior officer may change."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from licensing.models import AgencySettings, CountryGroup, Referral, RoutingRule, Status
from licensing.referrals import services as referrals
from tests.factories import UserFactory, authority
from tests.test_review_referrals import accepted, ref_of, sent

pytestmark = pytest.mark.django_db

MIIT_REASONS = "MIIT-ONLY: the samarium alloy is for civil motors"


@pytest.fixture
def caea(db):
    return UserFactory(organisation=authority("CAEA"), role=Role.AGENCY_REVIEWER)


@pytest.fixture
def mfa(db):
    return UserFactory(organisation=authority("MFA"), role=Role.AGENCY_REVIEWER)


@pytest.fixture
def two_agencies(actors, case_factory, calendar_2027, django_capture_on_commit_callbacks):
    """A case sent to MIIT (by the rules) and CAEA (added by hand); MIIT has answered."""
    app = sent(actors, case_factory, django_capture_on_commit_callbacks, extra_agency="CAEA")
    referrals.opinion_give(referral_id=ref_of(app, "MIIT").pk, actor=actors.agency, opinion="conditions",
                           reasons=MIIT_REASONS, conditions="No re-export")
    return app


def page(client, user, url, method="get", data=None, lang="en"):
    client.force_login(user)
    client.cookies["django_language"] = lang
    return getattr(client, method)(url, data or {})


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# ---------------------------------------------------------------- who sees what


def test_an_agency_sees_its_own_referral_never_anothers(client, actors, caea, two_agencies):
    app = two_agencies
    miit, caea_ref = ref_of(app, "MIIT"), ref_of(app, "CAEA")
    body = page(client, caea, f"/cases/{app.pk}/").content.decode()
    assert 'id="opinion-form"' in body and f"referral-{miit.pk}" not in body
    assert MIIT_REASONS not in body and "No re-export" not in body and "MIIT" not in body
    listed = api(caea).get(f"/api/applications/{app.pk}/referrals/").json()["referrals"]
    assert [r["id"] for r in listed] == [caea_ref.pk]
    # It cannot answer for MIIT, by page or API.
    assert page(client, caea, f"/cases/{app.pk}/referrals/{miit.pk}/opinion/", "post",
                {"opinion": "objection", "reasons": "x"}).status_code == 404
    assert api(caea).post(f"/api/referrals/{miit.pk}/opinion/", {"opinion": "objection", "reasons": "x"},
                          format="json").status_code == 404

    mine = page(client, actors.agency, f"/cases/{app.pk}/").content.decode()
    assert MIIT_REASONS in mine and 'id="opinion-form"' not in mine  # answered: shown, no form


def test_a_non_referred_agency_gets_404_everywhere(client, actors, mfa, two_agencies):
    app = two_agencies
    doc = app.documents.get()
    miit = ref_of(app, "MIIT")
    assert page(client, mfa, f"/cases/{app.pk}/").status_code == 404
    assert page(client, mfa, f"/cases/{app.pk}/documents/{doc.pk}/").status_code == 404
    assert api(mfa).get(f"/api/applications/{app.pk}/").status_code == 404
    assert api(mfa).get(f"/api/applications/{app.pk}/documents/{doc.pk}/").status_code == 404
    assert api(mfa).get(f"/api/applications/{app.pk}/referrals/").status_code == 404
    assert api(mfa).post(f"/api/referrals/{miit.pk}/opinion/", {"opinion": "objection", "reasons": "x"},
                         format="json").status_code == 404


def test_a_proposed_referral_shows_nothing_to_the_agency_until_sent(client, actors, case_factory,
                                                                    django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    assert ref_of(app, "MIIT").state == "proposed"
    assert page(client, actors.agency, f"/cases/{app.pk}/").status_code == 404
    assert api(actors.agency).get(f"/api/applications/{app.pk}/referrals/").status_code == 404


def test_exporters_and_provinces_see_nothing_of_referrals(client, actors, two_agencies):
    app = two_agencies
    for user in (actors.owner, actors.colleague, actors.province):
        for lang in ("en", "zh-hans"):
            body = page(client, user, f"/cases/{app.pk}/", lang=lang).content.decode()
            assert "referrals-panel" not in body and "opinion-form" not in body
            assert "MIIT" not in body and "CAEA" not in body and "工业和信息化部" not in body
            assert MIIT_REASONS not in body
        assert api(user).get(f"/api/applications/{app.pk}/referrals/").status_code == 403
    for user in (actors.outsider, actors.other_province, actors.customs):
        assert api(user).get(f"/api/applications/{app.pk}/referrals/").status_code == 404
    assert api(actors.owner).post(f"/api/referrals/{ref_of(app, 'CAEA').pk}/opinion/",
                                  {"opinion": "objection", "reasons": "x"}, format="json").status_code == 404


def test_the_ministry_sees_every_referral_and_the_opinions_side_by_side(client, actors, two_agencies):
    body = page(client, actors.ministry, f"/cases/{two_agencies.pk}/").content.decode()
    assert 'id="referral-opinions"' in body and MIIT_REASONS in body and "No re-export" in body
    assert "Nuclear end-use concern" in body  # why CAEA was added
    assert "Rare earths, graphite" in body  # the rule that proposed MIIT
    listed = api(actors.ministry).get(f"/api/applications/{two_agencies.pk}/referrals/").json()["referrals"]
    assert {r["agency"]["code"] for r in listed} == {"MIIT", "CAEA"}


# ---------------------------------------------------------------- the pages' forms


def test_officer_forms_on_the_case_page(client, actors, case_factory, calendar_2027,
                                        django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    body = page(client, actors.ministry, f"/cases/{app.pk}/").content.decode()
    assert 'id="referral-add"' in body and 'id="referrals-send"' in body and 'id="referrals-skip"' in body
    caea = authority("CAEA")

    resp = page(client, actors.ministry, f"/cases/{app.pk}/referrals/add/", "post",
                {"agency": caea.pk, "reason": "", "version": app.version})
    assert resp.status_code == 400 and "Say why this agency should be consulted" in resp.content.decode()
    resp = page(client, actors.ministry, f"/cases/{app.pk}/referrals/add/", "post",
                {"agency": caea.pk, "reason": "x", "version": app.version - 1})
    assert resp.status_code == 409
    assert Referral.objects.filter(application=app).count() == 1
    resp = page(client, actors.ministry, f"/cases/{app.pk}/referrals/add/", "post",
                {"agency": caea.pk, "reason": "Nuclear end use", "version": app.version})
    assert resp.status_code == 302
    app.refresh_from_db()
    resp = page(client, actors.ministry, f"/cases/{app.pk}/referrals/{ref_of(app, 'CAEA').pk}/drop/", "post",
                {"reason": "Not needed after all", "version": app.version})
    assert resp.status_code == 302 and ref_of(app, "CAEA").state == "dropped"
    app.refresh_from_db()

    # Exporters, agencies and the wrong province may not post these forms.
    assert page(client, actors.owner, f"/cases/{app.pk}/referrals/send/", "post",
                {"version": app.version}).status_code == 403
    assert page(client, actors.outsider, f"/cases/{app.pk}/referrals/send/", "post").status_code == 404
    assert page(client, actors.agency, f"/cases/{app.pk}/referrals/send/", "post").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        resp = page(client, actors.ministry, f"/cases/{app.pk}/referrals/send/", "post", {"version": app.version})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.WITH_AGENCIES and ref_of(app, "MIIT").due_on


def test_decide_without_referral_from_the_page(client, actors, case_factory, django_capture_on_commit_callbacks):
    app = accepted(actors, case_factory, django_capture_on_commit_callbacks)
    resp = page(client, actors.ministry, f"/cases/{app.pk}/referrals/skip/", "post",
                {"reason": "", "version": app.version})
    assert resp.status_code == 400
    resp = page(client, actors.ministry, f"/cases/{app.pk}/referrals/skip/", "post",
                {"reason": "Identical to an approved case", "version": app.version})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.AWAITING_DECISION


def test_the_agency_gives_its_opinion_on_the_page(client, actors, case_factory, calendar_2027,
                                                  django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    miit = ref_of(app, "MIIT")
    url = f"/cases/{app.pk}/referrals/{miit.pk}/opinion/"
    body = page(client, actors.agency, f"/cases/{app.pk}/").content.decode()
    assert 'id="opinion-form"' in body and miit.due_on.isoformat() in body
    resp = page(client, actors.agency, url, "post", {"opinion": "conditions", "reasons": "Civil use",
                                                     "conditions": "", "version": miit.version})
    assert resp.status_code == 400 and "State the conditions" in resp.content.decode()
    assert "Civil use" in resp.content.decode()  # what was typed is kept
    resp = page(client, actors.agency, url, "post", {"opinion": "no_objection", "reasons": "Civil use",
                                                     "version": miit.version + 5})
    assert resp.status_code == 409
    resp = page(client, actors.agency, url, "post", {"opinion": "no_objection", "reasons": "Civil use",
                                                     "version": miit.version})
    assert resp.status_code == 302
    miit.refresh_from_db()
    assert miit.state == "answered" and miit.answered_by == actors.agency
    assert page(client, actors.agency, f"/cases/{app.pk}/referrals/{miit.pk + 999}/opinion/", "post",
                {"opinion": "no_objection", "reasons": "x"}).status_code == 404


# ---------------------------------------------------------------- routing tables: pages


def test_rule_pages_are_read_only_for_officers_and_closed_to_others(client, actors, mfa,
                                                                    django_assert_max_num_queries):
    rule = RoutingRule.objects.first()
    client.force_login(actors.ministry)
    with django_assert_max_num_queries(12):
        listing = client.get("/review/rules/")
    assert listing.status_code == 200 and 'id="rule-new"' not in listing.content.decode()
    for url in ("/review/agencies/", "/review/country-groups/"):
        assert client.get(url).status_code == 200
    for url in ("/review/rules/new/", f"/review/rules/{rule.pk}/",
                f"/review/agencies/{AgencySettings.objects.first().pk}/",
                f"/review/country-groups/{CountryGroup.objects.first().pk}/", "/review/country-groups/new/"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert client.post(f"/review/rules/{rule.pk}/deactivate/", {"version": rule.version}).status_code == 403
    rule.refresh_from_db()
    assert rule.active and rule.version == 1
    for user in (actors.owner, actors.province, actors.agency, mfa, actors.customs):
        client.force_login(user)
        for url in ("/review/rules/", "/review/agencies/", "/review/country-groups/", "/review/rules/new/"):
            assert client.get(url).status_code == 403, (user.role, url)


def test_senior_creates_edits_and_deactivates_a_rule_on_the_pages(client, actors):
    mps = authority("MPS")
    client.force_login(actors.senior)
    assert 'id="rule-new"' in client.get("/review/rules/").content.decode()
    assert client.get("/review/rules/new/").status_code == 200
    count = RoutingRule.objects.count()
    resp = client.post("/review/rules/new/", {"name_zh": "无条件", "name_en": "no condition", "agencies": [mps.pk]})
    assert resp.status_code == 400 and RoutingRule.objects.count() == count
    resp = client.post("/review/rules/new/", {"name_zh": "前体化学品", "name_en": "Precursors", "code_prefix": "1c35",
                                              "agencies": [mps.pk]})
    assert resp.status_code == 302
    rule = RoutingRule.objects.get(name_en="Precursors")
    assert rule.code_prefix == "1C35" and rule.active
    event = AuditEvent.objects.get(action="routing_rule.create", object_id=str(rule.pk))
    assert event.actor == actors.senior and event.after["agencies"] == ["MPS"]
    resp = client.post(f"/review/rules/{rule.pk}/deactivate/", {"version": rule.version})
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert not rule.active and rule.version == 2
    event = AuditEvent.objects.get(action="routing_rule.deactivate", object_id=str(rule.pk))
    assert event.before["active"] is True and event.after["active"] is False


def test_senior_edits_agency_settings_on_the_page(client, actors):
    row = AgencySettings.objects.get(agency__code="CAEA")
    client.force_login(actors.senior)
    url = f"/review/agencies/{row.pk}/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"version": row.version, "deadline_working_days": 5, "remind_working_days_before": 5})
    assert resp.status_code == 400
    resp = client.post(url, {"version": row.version, "deadline_working_days": 12, "remind_working_days_before": 3,
                             "silence_is_no_objection": "on"})
    assert resp.status_code == 302
    row.refresh_from_db()
    assert (row.deadline_working_days, row.remind_working_days_before, row.silence_is_no_objection) == (12, 3, True)
    event = AuditEvent.objects.get(action="agency_settings.update", object_id=str(row.pk))
    assert event.before["deadline_working_days"] == 10 and event.after["deadline_working_days"] == 12
    resp = client.post(url, {"version": 1, "deadline_working_days": 20, "remind_working_days_before": 3})
    assert resp.status_code == 409
    row.refresh_from_db()
    assert row.deadline_working_days == 12


def test_senior_edits_country_groups_on_the_page(client, actors):
    client.force_login(actors.senior)
    resp = client.post("/review/country-groups/new/", {"code": "Bad Code!", "name_zh": "x", "name_en": "x",
                                                       "countries": "KP"})
    assert resp.status_code == 400
    resp = client.post("/review/country-groups/new/", {"code": "asean", "name_zh": "东盟", "name_en": "ASEAN",
                                                       "countries": "sg, my，th XX"})
    assert resp.status_code == 400 and "XX" in resp.content.decode()
    resp = client.post("/review/country-groups/new/", {"code": "asean", "name_zh": "东盟", "name_en": "ASEAN",
                                                       "countries": "sg, my，th"})
    assert resp.status_code == 302
    group = CountryGroup.objects.get(code="asean")
    assert group.countries == ["MY", "SG", "TH"]
    version = referrals.country_group_version(group)
    resp = client.post(f"/review/country-groups/{group.pk}/", {"version": version, "code": "asean",
                                                               "name_zh": "东盟", "name_en": "ASEAN",
                                                               "countries": "SG, MY, TH, VN"})
    assert resp.status_code == 302
    resp = client.post(f"/review/country-groups/{group.pk}/", {"version": version, "code": "asean",
                                                               "name_zh": "东盟", "name_en": "ASEAN", "countries": ""})
    assert resp.status_code == 409
    group.refresh_from_db()
    assert group.countries == ["MY", "SG", "TH", "VN"]


# ---------------------------------------------------------------- routing tables: API


def test_routing_rules_api(actors):
    mps = authority("MPS").pk
    rule = {"name_zh": "警用", "name_en": "Police end use", "end_use_category": "military", "agencies": [mps]}
    assert api(actors.ministry).get("/api/routing-rules/").status_code == 200
    assert api(actors.ministry).post("/api/routing-rules/", rule, format="json").status_code == 403
    for user in (actors.owner, actors.agency, actors.province):
        assert api(user).get("/api/routing-rules/").status_code == 403
        assert api(user).get("/api/agency-settings/").status_code == 403
        assert api(user).get("/api/country-groups/").status_code == 403
    senior = api(actors.senior)
    assert senior.post("/api/routing-rules/", {**rule, "agencies": []}, format="json").status_code == 400
    assert senior.post("/api/routing-rules/", {**rule, "catch_all": True, "sector": "1"},
                       format="json").status_code == 400
    assert senior.post("/api/routing-rules/", {**rule, "agencies": [authority("GACC").pk]},
                       format="json").status_code == 400
    resp = senior.post("/api/routing-rules/", rule, format="json")
    assert resp.status_code == 201 and resp.json()["agencies"][0]["code"] == "MPS"
    rule_id = resp.json()["id"]
    resp = senior.patch(f"/api/routing-rules/{rule_id}/", {"min_value_rmb": "1000000", "version": 1}, format="json")
    assert resp.status_code == 200 and resp.json()["version"] == 2 and resp.json()["min_value_rmb"] == "1000000.00"
    assert senior.patch(f"/api/routing-rules/{rule_id}/", {"name_en": "x", "version": 1},
                        format="json").status_code == 409
    assert senior.patch(f"/api/routing-rules/{rule_id}/", {"sector": "Z"}, format="json").status_code == 400
    assert senior.patch("/api/routing-rules/999999/", {"name_en": "x"}, format="json").status_code == 404
    resp = senior.post(f"/api/routing-rules/{rule_id}/deactivate/", {"version": 2}, format="json")
    assert resp.status_code == 200 and resp.json()["active"] is False


def test_agency_settings_and_country_groups_api(actors):
    row = AgencySettings.objects.get(agency__code="MIIT")
    assert api(actors.ministry).patch(f"/api/agency-settings/{row.pk}/", {"deadline_working_days": 8},
                                      format="json").status_code == 403
    senior = api(actors.senior)
    resp = senior.patch(f"/api/agency-settings/{row.pk}/", {"deadline_working_days": 8, "version": row.version},
                        format="json")
    assert resp.status_code == 200 and resp.json()["deadline_working_days"] == 8
    assert senior.patch(f"/api/agency-settings/{row.pk}/", {"silence_is_no_objection": "maybe"},
                        format="json").status_code == 400
    assert senior.patch(f"/api/agency-settings/{row.pk}/", {"deadline_working_days": 9, "version": 1},
                        format="json").status_code == 409

    resp = senior.post("/api/country-groups/", {"code": "g7", "name_zh": "七国集团", "name_en": "G7",
                                                "countries": ["us", "jp"]}, format="json")
    assert resp.status_code == 201 and resp.json()["countries"] == ["JP", "US"]
    group = resp.json()
    assert senior.post("/api/country-groups/", {"code": "g7", "name_zh": "x", "name_en": "x", "countries": []},
                       format="json").status_code == 400
    resp = senior.patch(f"/api/country-groups/{group['id']}/", {"countries": ["US", "JP", "DE"],
                                                                 "version": group["version"]}, format="json")
    assert resp.status_code == 200 and resp.json()["version"] != group["version"]
    assert senior.patch(f"/api/country-groups/{group['id']}/", {"countries": [], "version": group["version"]},
                        format="json").status_code == 409
    assert api(actors.ministry).post("/api/country-groups/", {"code": "x", "name_zh": "x", "name_en": "x",
                                                              "countries": []}, format="json").status_code == 403
