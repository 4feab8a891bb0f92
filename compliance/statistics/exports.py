"""The dashboard's tables as CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese), and
every cell a spreadsheet would take for a formula neutralised with a leading quote."""

import csv
import io

from compliance.statistics.selectors import Dashboard

BREAKDOWN_COLUMNS = ["key", "label", "approved", "refused", "decided", "approval_rate", "refusal_rate"]
COLUMNS = {
    "months": ["month", "submitted", "issued", "approved", "refused", "measured", "p50", "p90"],
    "sector": BREAKDOWN_COLUMNS,
    "destination": BREAKDOWN_COLUMNS,
    "province": BREAKDOWN_COLUMNS,
    "agency": BREAKDOWN_COLUMNS,
    "overdue_cases": ["key", "label", "count"],
    "overdue_referrals": ["key", "label", "count"],
}


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def table_csv(board: Dashboard, name: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = COLUMNS[name]
    writer.writerow(columns)
    for row in board.table(name):
        writer.writerow([_cell(row.get(column)) for column in columns])
    return "\ufeff" + out.getvalue()
