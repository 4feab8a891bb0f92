"""Ownership links kept as data (MOFCOM Announcement 2025 No. 61 §II, suspended by No. 70): the
ministry publishes, changes and ends them by form, API or file; screening sums them along chains
(issue 11, examples 11 and 12) and records the path on the hit; a change starts a rescreening."""

import io
import json
import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from audit.models import AuditEvent
from enduser.lists import ownership as links
from enduser.lists import services as lists
from enduser.models import (
    HitState,
    ListKind,
    OwnershipLink,
    OwnershipLinkChange,
    Party,
    RescreenJob,
    ScreeningHit,
)
from enduser.screening import services as screening
from enduser.screening.ownership import RULE_NOT_IN_FORCE
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

AFTER = date(2026, 12, 1)  # the 50% rule in force again (seeded periods, migration 0003)
SUSPENDED = date(2026, 6, 1)  # inside the suspension of Announcement 2025 No. 70
NOT_MINISTRY = ["owner", "colleague", "outsider", "province", "other_province", "agency", "customs"]
LISTED_NAME = "Lanterne Systems Ltd"


def entry(name=LISTED_NAME, list_kind=ListKind.CONTROL, **overrides):
    return {"list_kind": list_kind, "kind": "company", "names": [name], "country": "SG",
            "announcement": "商务部公告2026年第1号", "announced_on": date(2026, 1, 2),
            "effective_on": date(2026, 1, 2), "reason": "test / 测试", **overrides}


def link_data(owned, percent="30", *, owner=None, owner_names=None, **overrides):
    data = {"owned_names": [owned] if isinstance(owned, str) else owned, "owned_country": "SG",
            "kind": "subsidiary", "percent": percent, "start_on": date(2025, 1, 1),
            "evidence": "company register extract 2025-01 / 2025年1月登记摘录", "source": "ACRA register"}
    if owner is not None:
        data["owner_listed"] = owner.pk
    if owner_names is not None:
        data["owner_names"] = owner_names
    return {**data, **overrides}


def publish_link(actor, *args, **kwargs):
    return links.ownership_link_publish(actor=actor, data=link_data(*args, **kwargs))


def party(actors, name):
    return Party.objects.create(exporter=actors.owner.organisation, name=name, address="1 Road", country="SG")


@pytest.fixture
def listed(actors):
    return lists.listed_party_publish(actor=actors.ministry, data=entry())


@pytest.fixture
def chain(actors, listed):
    """The issue's example 11: L holds 30% of A and 100% of B, and B 30% of A."""
    return [publish_link(actors.ministry, "Alder Precision Pte Ltd", "30", owner=listed),
            publish_link(actors.ministry, "Birch Holdings Pte Ltd", "100", owner=listed),
            publish_link(actors.ministry, "Alder Precision Pte Ltd", "30", owner_names=["Birch Holdings Pte Ltd"])]


# ---------------------------------------------------------------- examples 11 and 12 end to end


def test_11_a_party_owned_60_percent_along_two_chains_hits_with_both_paths(actors, listed, chain):
    hits = screening.screen_party(party=party(actors, "ALDER PRECISION PTE. LTD."), on=AFTER)
    assert len(hits) == 1
    hit = hits[0]
    assert hit.listed == listed and hit.state == HitState.OPEN and hit.ownership["percent"] == "60"
    assert hit.ownership["in_force"] is True and hit.ownership["threshold"] == "50"
    assert [[(h["owner"], h["owned"], h["percent"]) for h in path["hops"]] for path in hit.ownership["paths"]] == [
        [(LISTED_NAME, "Alder Precision Pte Ltd", "30")],
        [(LISTED_NAME, "Birch Holdings Pte Ltd", "100"), ("Birch Holdings Pte Ltd", "Alder Precision Pte Ltd", "30")],
    ]
    assert "owned 60% by listed parties" in hit.why and "持有60%" in hit.why
    event = AuditEvent.objects.get(action="screening.hit", object_id=str(hit.pk))
    assert event.after["ownership"]["percent"] == "60"


def test_11_the_owned_party_of_a_control_listed_owner_blocks_like_the_owner(actors, listed, chain):
    verdict = screening.screen_parties(parties=[party(actors, "Alder Precision Pte Ltd")], on=AFTER)
    assert [hit.listed_id for hit in verdict.blocking] == [listed.pk]


@pytest.mark.parametrize("percent,hit", [("49.99", False), ("50", True), ("50.0001", True)])
def test_11_the_threshold_is_exact(actors, listed, percent, hit):
    publish_link(actors.ministry, "Cedar Optics Pte Ltd", percent, owner=listed)
    found = screening.screen_party(party=party(actors, "Cedar Optics Pte Ltd"), on=AFTER)
    assert bool(found) is hit


def test_11_a_branch_of_a_listed_company_hits_with_the_path(actors):
    huawei = lists.listed_party_publish(actor=actors.ministry, data=entry("华为技术有限公司", country="CN"))
    links.ownership_link_publish(actor=actors.ministry, data=link_data(
        "华为技术有限公司北京分公司", None, owner=huawei, kind="branch", owned_country="CN"))
    assert OwnershipLink.objects.get().percent == 100  # a branch counts as 100%
    hit = screening.screen_party(party=party(actors, "华为技术有限公司北京分公司"), on=AFTER)[0]
    assert hit.listed == huawei and hit.branch and hit.ownership["percent"] == "100"
    assert hit.ownership["paths"][0]["hops"] == [
        {"owner": "华为技术有限公司", "owned": "华为技术有限公司北京分公司", "percent": "100"}]


def test_12_inside_the_suspension_the_hit_records_rule_not_in_force_and_after_it_is_raised(actors, listed, chain):
    alder = party(actors, "Alder Precision Pte Ltd")
    hit = screening.screen_party(party=alder, on=SUSPENDED)[0]
    assert hit.state == HitState.RULE_OFF and hit.ownership["reason"] == RULE_NOT_IN_FORCE
    assert hit.ownership["in_force"] is False and hit.ownership["percent"] == "60"
    assert "ownership rule not in force" in hit.why
    assert screening.screen_parties(parties=[alder], on=SUSPENDED).blocking == []
    with pytest.raises(InvalidTransition):
        screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="true")
    again = screening.screen_party(party=alder, on=AFTER)[0]
    assert again.pk == hit.pk and again.state == HitState.OPEN and again.ownership["in_force"] is True
    assert ScreeningHit.objects.count() == 1


def test_ended_links_and_links_not_yet_started_are_ignored(actors, listed, chain):
    links.ownership_link_end(actor=actors.ministry, link_id=chain[1].pk, end_on=date(2026, 9, 30),
                             evidence="sold / 已出售", expected_version=1)
    alder = party(actors, "Alder Precision Pte Ltd")
    assert screening.screen_party(party=alder, on=AFTER) == []  # only the direct 30% left
    assert screening.screen_party(party=alder, on=date(2026, 9, 30)) != []  # but then the rule... suspended
    publish_link(actors.ministry, "Dogwood Pte Ltd", "80", owner=listed, start_on=date(2027, 1, 1))
    assert screening.screen_party(party=party(actors, "Dogwood Pte Ltd"), on=AFTER) == []
    assert screening.screen_party(party=party(actors, "Dogwood Pte Ltd"), on=date(2027, 1, 1)) != []


def test_a_removed_owner_owns_nothing(actors, listed, chain):
    lists.listed_party_remove(actor=actors.ministry, listed_id=listed.pk, removed_on=date(2026, 11, 20),
                              announcement="商务部公告2026年第50号", expected_version=1)
    assert screening.screen_party(party=party(actors, "Alder Precision Pte Ltd"), on=AFTER) == []
