"""Reads for customs: a licence as customs checks it (two queries, never the PDF), the feed of
licence events after a cursor, write-offs, and challenges each user may see."""

import os
import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, IntegerField, Prefetch, Value, When

from licensing.models import (
    Challenge,
    ChallengeState,
    CustomsToken,
    Licence,
    LicenceEvent,
    LicenceItem,
    WriteOff,
)

VERIFY_FIELDS = ("number", "status", "licence_type", "valid_from", "valid_until", "issued_at", "status_changed_at",
                 "one_port", "one_shipment", "shipment_declaration", "version", "exporter_id", "application_id",
                 "export_port_id", "exporter__code", "exporter__name_zh", "exporter__name_en",
                 "application__destination", "application__end_user_snapshot", "application__reference",
                 "export_port__name_zh", "export_port__name_en")
ITEM_FIELDS = ("licence_id", "line", "control_code", "hs_code", "customs_unit_id", "unit", "quantity", "value_rmb",
               "tolerance_percent", "used_quantity", "used_value", "description")
FEED_MAX = 500
FEED_WAIT_MAX = 25
POLL_SECONDS = 0.2


class Prepared:
    """An ORM query compiled once per database and run again with new parameters, its values
    converted as the ORM would: the hot path of the verify endpoint (and its token check) skips
    the ORM's SQL compilation, about 1 ms a query on these machines. On PostgreSQL it is also a
    server-side prepared statement (PREPARE once per connection), which spares the planner a
    five-table join on every call; behind a transaction-pooling PgBouncer set
    PORTAL_NO_PREPARED_STATEMENTS. `build` makes the queryset with placeholder values, in the
    order the parameters are given."""

    def __init__(self, name, build):
        self.name = name
        self.build = build
        self.compiled = {}

    def _compiled(self, using, connection):
        key = (using, connection.vendor, connection.settings_dict["NAME"])
        compiled = self.compiled.get(key)
        if compiled is None:
            compiler = self.build().query.get_compiler(using=using)
            sql, placeholders = compiler.as_sql()
            converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
            compiled = self.compiled[key] = (sql, len(placeholders), compiler, converters)
        return compiled

    def _execute(self, cursor, connection, sql, count, params):
        if connection.vendor != "postgresql" or os.environ.get("PORTAL_NO_PREPARED_STATEMENTS"):
            cursor.execute(sql, params)
            return
        raw = connection.connection
        done = getattr(connection, "customs_prepared", None)
        if done is None or done[0] is not raw:
            done = connection.customs_prepared = (raw, set())
        if self.name not in done[1]:
            numbered = sql.replace("%s", "{}").format(*(f"${n}" for n in range(1, count + 1)))
            cursor.execute(f"PREPARE {self.name} AS {numbered}")
            done[1].add(self.name)
        cursor.execute(f"EXECUTE {self.name}({', '.join(['%s'] * count)})", params)

    def rows(self, *params, using=DEFAULT_DB_ALIAS) -> list:
        connection = connections[using]
        sql, count, compiler, converters = self._compiled(using, connection)
        with connection.cursor() as cursor:
            self._execute(cursor, connection, sql, count, params)
            rows = cursor.fetchall()
        return list(compiler.apply_converters(rows, converters)) if converters else rows


# What customs sees of a licence, one row per item (licence columns first; see verify_rows).
VERIFY_COLUMNS = ("licence__number", "licence__status", "licence__licence_type", "licence__valid_from",
                  "licence__valid_until", "licence__one_port", "licence__one_shipment",
                  "licence__shipment_declaration", "licence__version", "licence__exporter__code",
                  "licence__exporter__name_zh", "licence__exporter__name_en", "licence__application__destination",
                  "licence__application__end_user_snapshot", "licence__export_port__code",
                  "licence__export_port__name_zh", "licence__export_port__name_en",
                  "line", "control_code", "hs_code", "description", "customs_unit_id", "unit", "quantity",
                  "tolerance_percent", "used_quantity", "value_rmb", "used_value", "capped")
LICENCE_COLUMNS = 17
_VERIFY = Prepared("customs_verify", lambda: LicenceItem.objects.filter(licence__number="?").order_by("line")
                   .values_list(*VERIFY_COLUMNS))
_TOKEN = Prepared("customs_token", lambda: CustomsToken.objects.filter(prefix="?").values_list(
    "pk", "key_hash", "scopes", "revoked_at", "last_used_at", "system_id", "system__code", "system__name",
    "system__active"))


def verify_rows(number: str) -> list[tuple]:
    """One query: the licence's columns (VERIFY_COLUMNS[:LICENCE_COLUMNS]) and one item per row.
    Empty when no licence has the number (every licence has at least one item)."""
    return _VERIFY.rows(number)


def token_row(prefix: str) -> tuple | None:
    rows = _TOKEN.rows(prefix)
    return rows[0] if rows else None


def licence_for_customs(number: str) -> Licence | None:
    """The licence with its exporter, case (destination, end user), port and items: two queries."""
    items = Prefetch("items", queryset=LicenceItem.objects.only(*ITEM_FIELDS).order_by("line"))
    return (Licence.objects.select_related("exporter", "application", "export_port").only(*VERIFY_FIELDS)
            .prefetch_related(items).filter(number=number).first())


def write_offs_of(licence: Licence):
    return (WriteOff.objects.filter(licence=licence).select_related("item", "port", "system", "recorded_by")
            .order_by("recorded_at", "pk"))


def write_off_by_key(declaration_number, line) -> WriteOff | None:
    return (WriteOff.objects.select_related("licence", "item", "port", "system")
            .filter(declaration_number=str(declaration_number).strip().upper(), line=line).first())


def events_after(after: int, limit: int) -> list[LicenceEvent]:
    """Events with seq > after, oldest first. Seqs become visible in order (lifecycle.record_event
    numbers them under a lock held until commit), so `after` = the last seq read loses nothing."""
    return list(LicenceEvent.objects.filter(seq__gt=after).select_related("licence")
                .only("seq", "kind", "from_status", "to_status", "at", "reason", "factor", "licence__number")
                .order_by("seq")[:limit])


def wait_for_events(after: int, limit: int, wait: float, *, sleep=None, clock=None):
    """events_after, polling the database every POLL_SECONDS for up to `wait` seconds while there
    are none (long poll): a customs system hears of a suspension within a fraction of a second."""
    sleep, clock = sleep or time.sleep, clock or time.monotonic
    deadline = clock() + max(0.0, min(float(wait), FEED_WAIT_MAX))
    while True:
        events = events_after(after, limit)
        if events or clock() >= deadline:
            return events
        sleep(POLL_SECONDS)


def challenges_for(user):
    return Challenge.objects.visible_to(user).select_related("exporter", "port")


def challenge_for(user, reference) -> Challenge | None:
    return challenges_for(user).prefetch_related("documents").filter(reference=str(reference)[:20]).first()


def challenge_for_system(system, reference) -> Challenge | None:
    return (Challenge.objects.select_related("exporter").prefetch_related("documents")
            .filter(system=system, reference=str(reference)[:20]).first())


def ministry_queue():
    """Escalated first, then open, by due date."""
    return (Challenge.objects.select_related("exporter").filter(state__in=[ChallengeState.ESCALATED,
                                                                           ChallengeState.OPEN])
            .order_by(Case(When(state=ChallengeState.ESCALATED, then=Value(0)), default=Value(1),
                           output_field=IntegerField()), "answer_due", "pk"))
