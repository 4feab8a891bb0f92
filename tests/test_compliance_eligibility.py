"""Licence-route eligibility (Reg. 19, 20) computed from data: each condition and each bar flips
it, with its reason in both languages; losing it proposes suspension of the holder's general
licences once (a penalty through eligibility_recheck, a new ownership link, a lapsed ICP rating
through the daily sweep), and the ministry accepts or dismisses the proposal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from audit.models import AuditEvent
from compliance.eligibility import selectors, services
from compliance.eligibility.models import SuspensionProposal
from enduser.lists import ownership as links
from licensing.models import LicenceStatus
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, ValidationFailed
from tests.compliance_routes import (
    eligible,
    export_record,
    general_case,
    good_icp,
    penalty,
    publish_listed,
    today,
)
from tests.test_customs_api import make_licence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def routes_of(actors, application=None, on=None):
    return selectors.route_eligibility(actors.owner.organisation, application=application, on=on)


def test_a_new_exporter_has_the_individual_licence_and_the_registration_route_only(actors):
    answer = routes_of(actors)
    assert answer["individual"].open and answer["registration"].open
    general = answer["general"]
    assert not general.open and general.codes == ["icp", "export_record"]
    assert "internal compliance programme" in str(general.reasons[0])
    zh = general.reasons_in("zh-hans")
    assert general.reasons_in("en")[0].startswith("No valid evaluation") and len(zh) == 2


def test_a_good_rating_and_an_export_record_open_the_general_licence(actors):
    eligible(actors)
    assert routes_of(actors)["general"].open


@pytest.mark.parametrize("icp", [dict(rating="adequate"), dict(status="draft"), dict(status="withdrawn"),
                                 dict(valid_until="yesterday")])
def test_only_a_valid_issued_good_rating_counts(actors, icp):
    export_record(actors)
    if icp.get("valid_until") == "yesterday":
        icp["valid_until"] = today() - timedelta(days=1)
    good_icp(actors.owner.organisation, actors, **icp)
    assert routes_of(actors)["general"].codes == ["icp"]


def test_the_rating_is_valid_through_its_last_day(actors):
    export_record(actors)
    good_icp(actors.owner.organisation, actors, valid_until=today())
    assert routes_of(actors)["general"].open
    assert routes_of(actors, on=today() + timedelta(days=1))["general"].codes == ["icp"]


def test_the_export_record_is_counted_over_the_years_set(actors, settings):
    good_icp(actors.owner.organisation, actors)
    export_record(actors)
    settings.ELIGIBILITY_RECORD_MIN_LICENCES = 2
    assert routes_of(actors)["general"].codes == ["export_record"]
    export_record(actors)
    assert routes_of(actors)["general"].open


def test_a_criminal_penalty_bars_both_routes_for_good(actors):
    eligible(actors)
    penalty(actors.owner.organisation, actors, kind="criminal", decided_on=today() - timedelta(days=4000))
    answer = routes_of(actors)
    assert answer["individual"].open
    for route in ("general", "registration"):
        assert answer[route].codes == ["criminal_penalty"]


def test_a_serious_penalty_bars_for_five_years(actors):
    eligible(actors)
    decided = today() - timedelta(days=30)
    penalty(actors.owner.organisation, actors, serious=True, decided_on=decided)
    assert routes_of(actors)["general"].codes == ["serious_penalty"]
    assert decided.isoformat() in routes_of(actors)["registration"].reasons_in("en")[0]
    five_years = selectors.years_before(decided, -5)
    assert routes_of(actors, on=five_years - timedelta(days=1))["registration"].codes == ["serious_penalty"]
    assert routes_of(actors, on=five_years)["registration"].open


@pytest.mark.parametrize("kwargs", [dict(serious=False), dict(serious=True, status="draft"),
                                    dict(serious=True, status="withdrawn"), dict(kind="criminal", status="draft")])
def test_penalties_that_are_not_bars(actors, kwargs):
    eligible(actors)
    penalty(actors.owner.organisation, actors, **kwargs)
    assert routes_of(actors)["general"].open and routes_of(actors)["registration"].open


def test_a_penalty_barring_applications_closes_every_route_until_the_day(actors):
    until = today() + timedelta(days=1)
    penalty(actors.owner.organisation, actors, bars_until=until)
    answer = routes_of(actors)
    assert all(answer[r].codes[0] == "applications_barred" for r in ("individual", "general", "registration"))
    assert until.isoformat() in answer["individual"].reasons_in("en")[0]
    assert routes_of(actors, on=until)["individual"].open  # the bar ends on the day (exclusive)


def _link(actors, owner, percent, **data):
    organisation = actors.owner.organisation
    body = {"owned_names": [organisation.name_zh], "owned_country": "CN", "kind": "subsidiary",
            "percent": percent, "start_on": today() - timedelta(days=10), "evidence": "register extract / 登记摘录",
            "source": "SAMR", "owner_listed": owner.pk, **data}
    return links.ownership_link_publish(actor=actors.ministry, data=body)


def test_a_subsidiary_of_a_control_list_party_is_barred(actors):
    eligible(actors)
    owner = publish_listed(actors, "Lanterne Systems Ltd")
    _link(actors, owner, "49.99")
    assert routes_of(actors)["general"].open  # below the threshold
    _link(actors, owner, "0.01", owned_names=[actors.owner.organisation.name_en])
    answer = routes_of(actors)
    assert answer["general"].codes == ["control_list_subsidiary"] == answer["registration"].codes
    assert "Lanterne Systems Ltd" in answer["registration"].reasons_in("en")[0]


def test_an_office_is_matched_by_its_credit_code_and_a_chain_counts(actors):
    eligible(actors)
    owner = publish_listed(actors, "Lanterne Systems Ltd")
    _link(actors, owner, "100", owned_names=["Lanterne Holding (HK) Ltd"], owned_country="HK")
    _link(actors, owner, "100", owner_listed=None, owner_names=["Lanterne Holding (HK) Ltd"], kind="branch",
          owned_names=["上海某代表处"], owned_identifiers={"uscc": actors.owner.organisation.code})
    assert routes_of(actors)["general"].codes == ["control_list_subsidiary"]


def test_a_watch_list_owner_is_not_a_control_list_bar(actors):
    eligible(actors)
    owner = publish_listed(actors, "Watchful Trading Ltd", list_kind="watch")
    _link(actors, owner, "100")
    assert routes_of(actors)["general"].open


def test_a_watch_listed_party_on_the_application_bars_both_routes(actors):
    eligible(actors)
    app = general_case(actors)
    assert routes_of(actors, app)["general"].open
    publish_listed(actors, app.end_user.name, list_kind="watch", country="DE")
    answer = routes_of(actors, app)
    assert answer["general"].codes == ["watch_listed"] == answer["registration"].codes
    assert answer["individual"].open


def test_the_general_licence_needs_stable_end_users(actors):
    good_icp(actors.owner.organisation, actors)
    export_record(actors, end_user_name="Somebody Else GmbH")
    app = general_case(actors)
    general = routes_of(actors, app)["general"]
    assert general.codes == ["stable_end_users"] and app.end_user.name in general.reasons_in("en")[0]
    export_record(actors)  # an approved case naming the same end user
    assert routes_of(actors, app)["general"].open


# ---------------------------------------------------------------- losing eligibility proposes suspension


@pytest.fixture
def holder(actors):
    """The owner's company holds a general licence in force and is eligible."""
    good_icp(actors.owner.organisation, actors)
    licence = make_licence(actors)
    licence.licence_type = "general"
    licence.save(update_fields=["licence_type"])
    return licence


def test_a_penalty_proposes_suspension_once(actors, holder):
    organisation = actors.owner.organisation
    assert services.eligibility_recheck(organisation_id=organisation.pk, reason="penalty") == []
    penalty(organisation, actors, serious=True)
    made = services.eligibility_recheck(organisation_id=organisation.pk, reason="penalty")
    assert len(made) == 1 and made[0].licence == holder and made[0].status == "open"
    assert "serious administrative penalty" in made[0].reason_en and "处罚决定" in made[0].reason_zh
    assert services.eligibility_recheck(organisation_id=organisation.pk, reason="penalty") == []
    assert services.eligibility_sweep() == 0
    assert SuspensionProposal.objects.count() == 1
    assert AuditEvent.objects.filter(action="compliance.suspension_propose").count() == 1
    assert Notification.objects.filter(recipient=actors.ministry, kind="compliance.suspension_proposal").count() == 1
    assert not Notification.objects.filter(recipient=actors.owner, kind="compliance.suspension_proposal").exists()


def test_an_individual_licence_is_never_proposed(actors):
    good_icp(actors.owner.organisation, actors)
    make_licence(actors)
    penalty(actors.owner.organisation, actors, kind="criminal")
    assert services.eligibility_sweep() == 0


def test_a_lapsed_rating_is_found_by_the_daily_sweep(actors, holder):
    rating = actors.owner.organisation.icp_evaluations.get()
    assert services.eligibility_sweep() == 0
    rating.valid_until = today() - timedelta(days=1)
    rating.save()
    assert services.eligibility_sweep() == 1
    assert services.eligibility_sweep() == 0
    proposal = SuspensionProposal.objects.get()
    assert proposal.trigger == "sweep" and "compliance programme" in proposal.reason_en


def test_the_sweep_task_is_on_beat_and_runs_the_sweep(actors, holder):
    from compliance.eligibility.tasks import eligibility_sweep

    assert settings.CELERY_BEAT_SCHEDULE["compliance-eligibility-sweep"]["task"] == "compliance.eligibility_sweep"
    actors.owner.organisation.icp_evaluations.update(valid_until=today() - timedelta(days=1))
    assert eligibility_sweep.apply().get() == 1
    assert eligibility_sweep.apply().get() == 0


def test_a_new_ownership_link_proposes_on_commit(actors, holder, django_capture_on_commit_callbacks):
    owner = publish_listed(actors, "Lanterne Systems Ltd")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _link(actors, owner, "60")
    assert callbacks and SuspensionProposal.objects.get().trigger == "ownership_link"
    assert "Lanterne Systems Ltd" in SuspensionProposal.objects.get().reason_en


def test_a_suspended_or_expired_licence_gets_no_proposal(actors, holder):
    holder.status = LicenceStatus.SUSPENDED
    holder.save()
    penalty(actors.owner.organisation, actors, kind="criminal")
    assert services.eligibility_sweep() == 0


@pytest.fixture
def proposal(actors, holder):
    penalty(actors.owner.organisation, actors, kind="criminal")
    return services.eligibility_recheck(organisation_id=actors.owner.organisation.pk, reason="penalty")[0]


def test_accepting_suspends_the_licence_with_the_reason(actors, holder, proposal):
    services.suspension_proposal_accept(actor=actors.ministry, proposal_id=proposal.pk, reason="per Reg. 20",
                                        expected_version=proposal.version)
    holder.refresh_from_db()
    proposal.refresh_from_db()
    assert holder.status == LicenceStatus.SUSPENDED and proposal.status == "accepted"
    event = holder.events.order_by("-seq").first()
    assert event.kind == "suspended" and "criminal penalty" in event.reason and "per Reg. 20" in event.reason
    with pytest.raises(InvalidTransition):
        services.suspension_proposal_accept(actor=actors.ministry, proposal_id=proposal.pk)
    assert AuditEvent.objects.filter(action="compliance.suspension_accepted").count() == 1


def test_dismissing_needs_a_reason_and_a_new_proposal_may_follow(actors, holder, proposal):
    for bad in ("", "   ", None, "x" * 4001, 5):
        with pytest.raises(ValidationFailed):
            services.suspension_proposal_dismiss(actor=actors.ministry, proposal_id=proposal.pk, reason=bad)
    services.suspension_proposal_dismiss(actor=actors.senior, proposal_id=proposal.pk, reason="court appeal pending")
    proposal.refresh_from_db()
    assert proposal.status == "dismissed" and proposal.decision_reason == "court appeal pending"
    holder.refresh_from_db()
    assert holder.status == LicenceStatus.ISSUED
    assert services.eligibility_sweep() == 1  # still ineligible: the next sweep proposes again


def test_a_stale_version_is_refused(actors, proposal):
    from portal.errors import StaleVersion

    with pytest.raises(StaleVersion):
        services.suspension_proposal_dismiss(actor=actors.ministry, proposal_id=proposal.pk, reason="x",
                                             expected_version=proposal.version + 1)


@pytest.mark.parametrize("role", ["owner", "colleague", "outsider", "province", "agency", "customs"])
def test_only_the_ministry_decides(actors, proposal, role):
    with pytest.raises(NotAllowed):
        services.suspension_proposal_accept(actor=getattr(actors, role), proposal_id=proposal.pk)
    with pytest.raises(NotAllowed):
        services.suspension_proposal_dismiss(actor=getattr(actors, role), proposal_id=proposal.pk, reason="x")


# ---------------------------------------------------------------- pages and API


ROLES = ["owner", "colleague", "outsider", "province", "other_province", "ministry", "senior", "agency", "customs"]


@pytest.mark.parametrize("role", ROLES)
def test_the_queue_page_and_api_are_the_ministrys(client, actors, proposal, role):
    client.force_login(getattr(actors, role))
    page = client.get("/compliance/suspension-proposals/")
    api = client.get("/api/compliance/suspension-proposals/")
    if role in ("ministry", "senior"):
        assert page.status_code == 200 and holder_number(proposal) in page.content.decode()
        assert api.status_code == 200 and api.json()[0]["licence_number"] == holder_number(proposal)
    else:
        assert page.status_code == 403 and api.status_code == 403


def holder_number(proposal):
    return proposal.licence.number


@pytest.mark.parametrize("role", ROLES)
def test_accept_and_dismiss_endpoints_refuse_other_roles(client, actors, proposal, role):
    client.force_login(getattr(actors, role))
    for action in ("accept", "dismiss"):
        page = client.post(f"/compliance/suspension-proposals/{proposal.pk}/{action}/", {"reason": "x"})
        api = client.post(f"/api/compliance/suspension-proposals/{proposal.pk}/{action}/", {"reason": "x"},
                          content_type="application/json")
        if role not in ("ministry", "senior"):
            assert page.status_code == 403 and api.status_code == 403
    proposal.refresh_from_db()
    assert (proposal.status == "open") == (role not in ("ministry", "senior"))


def test_the_queue_decides_through_the_page_and_the_api(client, actors, holder, proposal):
    client.force_login(actors.ministry)
    response = client.post(f"/api/compliance/suspension-proposals/{proposal.pk}/dismiss/", {"reason": ""},
                           content_type="application/json")
    assert response.status_code == 400
    response = client.post(f"/compliance/suspension-proposals/{proposal.pk}/accept/",
                           {"version": proposal.version})
    assert response.status_code == 302
    holder.refresh_from_db()
    assert holder.status == LicenceStatus.SUSPENDED
    again = client.post(f"/api/compliance/suspension-proposals/{proposal.pk}/accept/", {},
                        content_type="application/json")
    assert again.status_code == 409
    assert client.post("/api/compliance/suspension-proposals/999999/accept/", {},
                       content_type="application/json").status_code == 404
    assert client.post("/api/compliance/suspension-proposals/1/accept/", "[1]",
                       content_type="application/json").status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_the_routes_page_and_api_are_the_exporters(client, actors, role):
    client.force_login(getattr(actors, role))
    page = client.get("/compliance/routes/")
    api = client.get("/api/compliance/routes/")
    if role in ("owner", "colleague", "outsider"):
        assert page.status_code == 200 and "No valid evaluation" in page.content.decode()
        body = {row["route"]: row for row in api.json()}
        assert body["individual"]["open"] and not body["general"]["open"]
        assert body["general"]["reasons_en"][0].startswith("No valid evaluation")
        assert len(body["general"]["reasons_zh"]) == len(body["general"]["reasons_en"]) == 2
    else:
        assert page.status_code == 403 and api.status_code == 403


def test_the_routes_api_reads_only_the_exporters_own_application(client, actors):
    eligible(actors)
    app = general_case(actors)
    client.force_login(actors.outsider)
    assert client.get(f"/api/compliance/routes/?application={app.pk}").status_code == 404
    client.force_login(actors.owner)
    for bad in ("x", "-1", "99999999999999999999999"):
        assert client.get(f"/api/compliance/routes/?application={bad}").status_code == 404
    body = {row["route"]: row for row in client.get(f"/api/compliance/routes/?application={app.pk}").json()}
    assert body["general"]["open"]


def test_the_application_form_shows_every_route_and_why_not(client, actors):
    client.force_login(actors.owner)
    page = client.get("/cases/new/").content.decode()
    assert 'id="route-general" data-open="false"' in page and "No export record" in page
    assert 'id="route-individual" data-open="true"' in page


def test_years_before_handles_29_february():
    from datetime import date

    assert selectors.years_before(date(2028, 2, 29), 5) == date(2023, 2, 28)
    assert Decimal(settings.ELIGIBILITY_SUBSIDIARY_PERCENT) == 50
