"""Ownership screening (MOFCOM Announcement 2025 No. 61 §II, suspended by No. 70): the share listed
parties hold along ownership chains, and the dated periods in which the 50% rule is in force."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from enduser.models import OwnershipRule, OwnershipRulePeriod, RulePeriodState
from enduser.screening import ownership, selectors
from enduser.screening.ownership import (
    BELOW_THRESHOLD,
    NOT_OWNED,
    OWNED_BY_LISTED,
    RULE_NOT_IN_FORCE,
    Hop,
    OwnershipLink,
    OwnershipTooComplex,
    RulePeriod,
    owned_share,
    ownership_hit,
    rule_on,
)

D = Decimal
DAY = date(2026, 12, 1)
IN_FORCE_ALWAYS = [RulePeriod(rule="affiliates-50", state="in_force", threshold_percent=D(50),
                              valid_from=date(2000, 1, 1), announcement_en="test period")]


def link(owner, owned, percent, **kwargs):
    return OwnershipLink(owner, owned, D(percent) if percent is not None else None, **kwargs)


# The brief's example: L holds 30% of A directly and 30% more through B, which it owns outright.
L_30_AND_THROUGH_B = [link("L", "A", "30"), link("L", "B", "100"), link("B", "A", "30")]


def share(target, links, listed=("L",), on=DAY):
    found = owned_share(target, set(listed), links, on)
    return None if found is None else found.percent


# ---------------------------------------------------------------- the share along chains


def test_direct_and_indirect_holdings_add_up_to_a_hit_with_both_paths():
    result = ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, DAY, IN_FORCE_ALWAYS)

    assert result.hit and result.in_force and result.reason == OWNED_BY_LISTED
    assert result.percent == D(60) and result.threshold == D(50)
    assert [path.hops for path in result.paths] == [
        (Hop("L", "A", D(30)),),
        (Hop("L", "B", D(100)), Hop("B", "A", D(30))),
    ]
    assert [path.percent for path in result.paths] == [D(30), D(30)]
    assert {path.listed for path in result.paths} == {"L"}


def test_paths_come_largest_first_and_add_up_to_the_share():
    links = [link("L", "A", "10"), link("M", "B", "100"), link("B", "A", "45")]
    found = owned_share("A", {"L", "M"}, links, DAY)

    assert found.percent == D(55)
    assert [(path.listed, path.percent) for path in found.paths] == [("M", D(45)), ("L", D(10))]


def test_just_under_half_is_not_a_hit_and_exactly_half_is():
    below = ownership_hit("A", {"L"}, [link("L", "A", "49.99")], DAY, IN_FORCE_ALWAYS)
    half = ownership_hit("A", {"L"}, [link("L", "A", "20"), link("L", "B", "50"), link("B", "A", "60")],
                         DAY, IN_FORCE_ALWAYS)

    assert (below.hit, below.reason, below.percent) == (False, BELOW_THRESHOLD, D("49.99"))
    assert (half.hit, half.reason, half.percent) == (True, OWNED_BY_LISTED, D(50))


def test_the_arithmetic_is_exact_far_beyond_the_default_decimal_precision():
    # 50% of 99.99...9% (30 nines) is a hair under 50%: 28-digit arithmetic would round it to 50.
    nines = "99." + "9" * 30
    result = ownership_hit("A", {"L"}, [link("L", "B", "50"), link("B", "A", nines)], DAY, IN_FORCE_ALWAYS)

    assert Fraction(result.percent) == Fraction(D(nines)) / 2 and result.percent < 50
    assert not result.hit


def test_a_branch_counts_as_wholly_owned_whatever_its_percent_says():
    links = [link("L", "BR", None, kind="branch"), link("BR", "A", "50"),
             link("L", "BR2", "10", kind="branch")]

    assert owned_share("A", {"L"}, links, DAY).paths[0].hops == (Hop("L", "BR", D(100)), Hop("BR", "A", D(50)))
    assert share("A", links) == D(50)
    assert share("BR2", links) == D(100)


def test_a_three_hop_chain_multiplies():
    links = [link("L", "C", "80"), link("C", "B", "50"), link("B", "A", "75")]

    found = owned_share("A", {"L"}, links, DAY)

    assert found.percent == D(30)
    assert [hop.owner for hop in found.paths[0].hops] == ["L", "C", "B"]


def test_a_cycle_of_cross_holdings_ends_the_chain_and_is_counted_once():
    links = [link("A", "B", "40"), link("B", "A", "30"), link("L", "A", "60")]

    assert share("A", links) == D(60)  # B's 30% of A is held by A itself through B: not L's
    assert share("B", links) == D(24)  # L 60% of A, A 40% of B
    assert share("A", [*links, link("A", "A", "5")]) == D(60)  # a party holding itself adds nothing


def test_a_listed_intermediate_is_not_counted_again_for_its_listed_owner():
    links = [link("L", "M", "100"), link("M", "A", "30")]

    found = owned_share("A", {"L", "M"}, links, DAY)

    assert found.percent == D(30)
    assert [path.hops for path in found.paths] == [(Hop("M", "A", D(30)),)]


def test_links_count_only_on_the_days_they_are_in_effect():
    links = [link("L", "A", "60", start=date(2026, 1, 1), end=date(2026, 6, 30)),
             link("L", "B", "60", start=date(2026, 7, 1))]

    assert share("A", links, on=date(2025, 12, 31)) is None  # not yet started
    assert share("A", links, on=date(2026, 1, 1)) == D(60)  # start day included
    assert share("A", links, on=date(2026, 6, 30)) == D(60)  # end day included
    assert share("A", links, on=date(2026, 7, 1)) is None  # ended
    assert share("B", links, on=date(2026, 6, 30)) is None
    assert share("B", links, on=date(2026, 7, 1)) == D(60)


def test_an_ended_link_in_the_middle_of_a_chain_breaks_it():
    links = [link("L", "B", "100", end=date(2026, 3, 31)), link("B", "A", "70")]

    assert share("A", links, on=date(2026, 3, 31)) == D(70)
    assert share("A", links, on=date(2026, 4, 1)) is None


def test_no_listed_owner_means_no_share():
    links = [link("X", "A", "100")]

    assert owned_share("A", {"L"}, links, DAY) is None
    assert owned_share("A", set(), links, DAY) is None
    result = ownership_hit("A", {"L"}, links, DAY, IN_FORCE_ALWAYS)
    assert (result.hit, result.reason, result.percent, result.paths) == (False, NOT_OWNED, D(0), ())


def test_two_holdings_between_the_same_parties_add_up():
    assert share("A", [link("L", "A", "30"), link("L", "A", "25")]) == D(55)


def test_party_ids_can_be_any_hashable():
    links = [OwnershipLink(("party", 7), 12, D(100)), OwnershipLink(12, "A", D(51))]

    assert owned_share("A", {("party", 7)}, links, DAY).paths[0].listed == ("party", 7)


@pytest.mark.parametrize("bad, error", [
    (link("L", "A", "100.01"), ValueError),
    (link("L", "A", "-1"), ValueError),
    (OwnershipLink("L", "A", 0.5), TypeError),  # a float is already rounded: Decimal only
    (link("L", "A", "50", kind="joint venture"), ValueError),
])
def test_bad_links_are_refused_not_guessed(bad, error):
    with pytest.raises(error):
        owned_share("A", {"L"}, [bad], DAY)


def test_holdings_over_100_percent_are_refused():
    with pytest.raises(ValueError, match="more than 100%"):
        owned_share("A", {"L"}, [link("L", "A", "60"), link("L", "A", "60")], DAY)


def test_a_graph_with_too_many_chains_is_refused_rather_than_answered_short():
    # Twelve diamonds in a row: 4096 chains from L to the target.
    links, top = [], "L"
    for i in range(12):
        bottom = f"N{i}"
        links += [link(top, f"X{i}", "100"), link(top, f"Y{i}", "100"),
                  link(f"X{i}", bottom, "50"), link(f"Y{i}", bottom, "50")]
        top = bottom

    assert owned_share(top, {"L"}, links, DAY).percent == D(100)
    with pytest.raises(OwnershipTooComplex):
        owned_share(top, {"L"}, links, DAY, max_steps=1000)


# ---------------------------------------------------------------- the rule's periods (pure)


def test_rule_on_uses_the_periods_given_without_a_query(db, django_assert_num_queries):
    periods = [RulePeriod("affiliates-50", "in_force", D(50), date(2026, 1, 1), date(2026, 1, 31)),
               RulePeriod("other-rule", "suspended", D(50), date(2026, 1, 1))]
    with django_assert_num_queries(0):
        january = rule_on(date(2026, 1, 15), periods)
        february = rule_on(date(2026, 2, 1), periods)

    assert january.in_force and january.period == periods[0]
    assert not february.in_force and february.period is None and february.reason == RULE_NOT_IN_FORCE


def test_overlapping_periods_the_later_start_decides():
    periods = [RulePeriod("affiliates-50", "in_force", D(50), date(2025, 1, 1)),
               RulePeriod("affiliates-50", "suspended", D(50), date(2025, 6, 1), date(2025, 6, 30))]

    assert rule_on(date(2025, 5, 31), periods).in_force
    assert not rule_on(date(2025, 6, 15), periods).in_force
    assert rule_on(date(2025, 7, 1), periods).in_force


def test_the_threshold_comes_from_the_period():
    periods = [RulePeriod("affiliates-50", "in_force", D(25), date(2025, 1, 1))]

    assert ownership_hit("A", {"L"}, [link("L", "A", "25")], DAY, periods).hit


def test_the_model_and_the_pure_module_name_the_rule_and_its_states_alike():
    assert OwnershipRule.AFFILIATES_50 == ownership.AFFILIATES_50
    assert {RulePeriodState.IN_FORCE, RulePeriodState.SUSPENDED} == {ownership.IN_FORCE, ownership.SUSPENDED}


# ---------------------------------------------------------------- the seeded periods


@pytest.mark.django_db
def test_the_seeded_periods_are_marked_to_be_checked():
    periods = selectors.ownership_rule_periods()

    assert [(p.state, p.valid_from, p.valid_until) for p in periods] == [
        ("in_force", date(2025, 10, 9), date(2025, 11, 9)),
        ("suspended", date(2025, 11, 10), date(2026, 11, 10)),
        ("in_force", date(2026, 11, 11), None),
    ]
    assert all(p.uncertain and "to be checked against the announcements" in p.note.lower() for p in periods)
    assert all(p.threshold_percent == 50 for p in periods)


@pytest.mark.django_db
def test_a_screening_during_the_suspension_records_that_the_rule_is_not_in_force():
    result = ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2026, 6, 1))

    assert not result.hit and not result.in_force
    assert result.reason == RULE_NOT_IN_FORCE == "ownership rule not in force"
    assert result.period.state == "suspended" and "No. 70" in result.period.announcement_en
    assert "第70号" in result.period.announcement_zh
    assert result.percent == D(60)  # what the rule will find when it applies again


@pytest.mark.django_db
def test_the_same_data_is_a_hit_once_the_suspension_ends():
    last_suspended = ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2026, 11, 10))
    back_in_force = ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2026, 11, 11))

    assert not last_suspended.hit and last_suspended.period.state == "suspended"
    assert back_in_force.hit and back_in_force.in_force and back_in_force.threshold == D(50)
    assert "No. 61" in back_in_force.period.announcement_en
    assert back_in_force.as_dict()["period"]["announcement_en"] == back_in_force.period.announcement_en


@pytest.mark.django_db
@pytest.mark.parametrize("day, in_force, announcement", [
    (date(2025, 10, 8), False, None),  # before No. 61: no period covers the day
    (date(2025, 10, 9), True, "No. 61"),
    (date(2025, 11, 9), True, "No. 61"),
    (date(2025, 11, 10), False, "No. 70"),
    (date(2026, 11, 10), False, "No. 70"),
    (date(2026, 11, 11), True, "No. 61"),
    (date(2040, 1, 1), True, "No. 61"),
])
def test_the_seeded_rule_day_by_day(day, in_force, announcement):
    state = rule_on(day)

    assert state.in_force is in_force
    if announcement is None:
        assert state.period is None
    else:
        assert state.period.announcement_en.endswith(announcement)


@pytest.mark.django_db
def test_a_day_no_period_covers_has_the_rule_not_in_force():
    OwnershipRulePeriod.objects.all().delete()

    result = ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2027, 1, 1))

    assert not result.in_force and not result.hit and result.period is None
    assert result.reason == RULE_NOT_IN_FORCE and result.threshold is None


@pytest.mark.django_db
def test_the_reasons_are_translated():
    result = ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2026, 6, 1))
    with translation.override("zh-hans"):
        assert result.message == "股权穿透规则未生效"
        assert result.rule.message == "股权穿透规则未生效"
    with translation.override("en"):
        assert result.message == "ownership rule not in force"


# ---------------------------------------------------------------- the model and the admin


@pytest.mark.django_db
def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipRulePeriod.objects.create(state="in_force", valid_from=date(2030, 1, 2),
                                           valid_until=date(2030, 1, 1), announcement_zh="x",
                                           announcement_en="x")


def form(period: OwnershipRulePeriod, **changes) -> dict:
    data = {"rule": period.rule, "threshold_percent": str(period.threshold_percent),
            "state": period.state, "valid_from": period.valid_from.isoformat(),
            "valid_until": period.valid_until.isoformat() if period.valid_until else "",
            "announcement_zh": period.announcement_zh, "announcement_en": period.announcement_en,
            "note": period.note}
    if period.uncertain:
        data["uncertain"] = "on"
    return {**data, **changes}


@pytest.mark.django_db
def test_the_admin_lists_the_periods(admin_client):
    response = admin_client.get(reverse("admin:enduser_ownershipruleperiod_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3
    assert b'value="delete_selected"' not in response.content


@pytest.mark.django_db
def test_editing_the_periods_in_the_admin_changes_the_answer_and_is_audited(admin_client):
    suspension = OwnershipRulePeriod.objects.get(state="suspended")
    assert not ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2026, 6, 1)).hit

    # A (hypothetical) announcement ends the suspension early, on 2026-05-31.
    changed = admin_client.post(reverse("admin:enduser_ownershipruleperiod_change", args=[suspension.pk]),
                                form(suspension, valid_until="2026-05-31"))
    added = admin_client.post(reverse("admin:enduser_ownershipruleperiod_add"), form(
        suspension, state="in_force", valid_from="2026-06-01", valid_until="2026-11-10",
        announcement_zh="商务部公告2026年第1号", announcement_en="MOFCOM Announcement 2026 No. 1",
        note="", uncertain=""))

    assert changed.status_code == added.status_code == 302
    result = ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2026, 6, 1))
    assert result.hit and result.period.announcement_en == "MOFCOM Announcement 2026 No. 1"
    assert not ownership_hit("A", {"L"}, L_30_AND_THROUGH_B, date(2026, 5, 31)).hit

    events = list(AuditEvent.objects.filter(action__startswith="enduser.").order_by("seq"))
    assert [e.action for e in events] == ["enduser.ownership_rule_period_change",
                                          "enduser.ownership_rule_period_add"]
    assert all(e.actor.username == "admin" for e in events)
    assert (events[0].before["valid_until"], events[0].after["valid_until"]) == ("2026-11-10", "2026-05-31")
    assert events[0].object_id == str(suspension.pk)
    assert events[1].after["state"] == "in_force" and events[1].after["valid_from"] == "2026-06-01"


@pytest.mark.django_db
def test_the_admin_refuses_an_overlapping_or_backwards_period(admin_client):
    admin_client.cookies["django_language"] = "en"
    suspension = OwnershipRulePeriod.objects.get(state="suspended")
    add_url = reverse("admin:enduser_ownershipruleperiod_add")

    overlapping = admin_client.post(add_url, form(suspension, state="in_force", valid_from="2026-06-01",
                                                  valid_until=""))
    backwards = admin_client.post(add_url, form(suspension, valid_from="2031-01-02", valid_until="2031-01-01"))
    over_100 = admin_client.post(add_url, form(suspension, valid_from="2031-01-01", threshold_percent="101"))

    assert "overlaps" in str(overlapping.context["adminform"].form.non_field_errors())
    assert "cannot end before it starts" in str(backwards.context["adminform"].form.errors)
    assert "at most 100" in str(over_100.context["adminform"].form.errors)
    assert OwnershipRulePeriod.objects.count() == 3
    assert not AuditEvent.objects.filter(action__startswith="enduser.").exists()


@pytest.mark.django_db
def test_deleting_a_period_in_the_admin_is_audited(admin_client):
    first = OwnershipRulePeriod.objects.get(valid_from=date(2025, 10, 9))

    admin_client.post(reverse("admin:enduser_ownershipruleperiod_delete", args=[first.pk]), {"post": "yes"})

    assert not rule_on(date(2025, 10, 9)).in_force
    event = AuditEvent.objects.get(action="enduser.ownership_rule_period_delete")
    assert event.before["announcement_en"] == "MOFCOM Announcement 2025 No. 61" and event.after == {}


# ---------------------------------------------------------------- properties


PARTIES = ["L", "M", "A", "B", "C", "D"]
PERCENTS = st.decimals(min_value=0, max_value=100, places=2)
LINKS = st.lists(st.builds(OwnershipLink, owner=st.sampled_from(PARTIES), owned=st.sampled_from(PARTIES),
                           percent=PERCENTS, kind=st.sampled_from(["subsidiary", "subsidiary", "branch"])),
                 max_size=10)
LISTED = st.sets(st.sampled_from(PARTIES), max_size=3)
TARGET = st.sampled_from(PARTIES)
PROPERTY = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def reference_share(target, listed, links) -> Fraction:
    """The definition, recursively and in fractions: every chain that passes no party twice and
    stops at the first listed party going up."""
    holders: dict = {}
    for lk in links:
        if lk.owner != lk.owned:
            into = holders.setdefault(lk.owned, {})
            into[lk.owner] = into.get(lk.owner, 0) + Fraction(100 if lk.kind == "branch" else lk.percent)

    def up(party, seen):
        return sum((pct / 100 * (1 if owner in listed else up(owner, seen | {owner}))
                    for owner, pct in holders.get(party, {}).items() if owner not in seen), Fraction(0))

    return 100 * up(target, frozenset([target]))


def without_overfull_holdings(links):
    """Keeps the links whose running total into each party stays at 100% at most."""
    kept, into = [], {}
    for lk in links:
        pct = D(100) if lk.kind == "branch" else lk.percent
        if lk.owner != lk.owned and into.get(lk.owned, 0) + pct <= 100:
            into[lk.owned] = into.get(lk.owned, 0) + pct
            kept.append(lk)
    return kept


@PROPERTY
@given(LINKS, LISTED, TARGET)
def test_the_share_is_the_sum_over_chains_exactly(links, listed, target):
    links = without_overfull_holdings(links)
    found = owned_share(target, listed, links, DAY)

    expected = reference_share(target, listed, links)
    assert (Fraction(found.percent) if found else Fraction(0)) == expected
    if found:
        assert sum(path.percent for path in found.paths) == found.percent
        assert all(path.hops[0].owner in listed and path.hops[-1].owned == target for path in found.paths)


@PROPERTY
@given(LINKS, LISTED, TARGET)
def test_the_share_never_exceeds_100_when_holdings_into_each_party_do_not(links, listed, target):
    found = owned_share(target, listed, without_overfull_holdings(links), DAY)

    assert found is None or 0 < found.percent <= 100


@PROPERTY
@given(LINKS, LISTED, TARGET, st.builds(OwnershipLink, owner=st.sampled_from(PARTIES),
                                        owned=st.sampled_from(PARTIES), percent=PERCENTS))
def test_adding_a_link_never_lowers_the_share(links, listed, target, extra):
    before = without_overfull_holdings(links)
    after = without_overfull_holdings([*before, extra])

    old, new = owned_share(target, listed, before, DAY), owned_share(target, listed, after, DAY)

    assert (new.percent if new else 0) >= (old.percent if old else 0)


@PROPERTY
@given(LINKS, LISTED, TARGET, st.randoms(use_true_random=False))
def test_the_order_of_the_links_does_not_matter(links, listed, target, rng):
    links = without_overfull_holdings(links)
    shuffled = list(links)
    rng.shuffle(shuffled)

    first, second = owned_share(target, listed, links, DAY), owned_share(target, listed, shuffled, DAY)

    assert (first and first.percent) == (second and second.percent)


def test_a_long_suspension_does_not_hide_what_the_rule_would_find():
    periods = [RulePeriod("affiliates-50", "suspended", D(50), DAY - timedelta(days=365))]

    result = ownership_hit("A", {"L"}, [link("L", "A", "100")], DAY, periods)

    assert not result.hit and result.percent == D(100) and result.paths[0].listed == "L"
