"""Reading an uploaded list file (CSV or JSON) into entries for `services.list_import`.

Two kinds of problem: the file as a whole cannot be read (FileRefused, nothing else is said) or
a row is wrong (collected, with its row number: in a CSV file the header is row 1 and the first
entry row 2, as a spreadsheet numbers them; in a JSON file the first entry is 1). The entries'
content is checked by the services, the same checks as an entry typed in the form."""

import csv
import io
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from portal.errors import ValidationFailed, lazy_format

FORMATS = ("csv", "json")
COLUMNS = ("list_kind", "kind", "names", "aliases", "addresses", "country", "uscc", "registration",
           "announcement", "announced_on", "effective_on", "reason", "effect", "uncertain")
REQUIRED_COLUMNS = ("list_kind", "names", "announcement", "announced_on", "effective_on", "reason")
LIST_COLUMNS = ("names", "aliases", "addresses")
SEPARATOR = "|"
MAX_ROWS = 5000
_TRUE = {"yes", "true", "1", "y", "是"}


@dataclass(frozen=True)
class Columns:
    """The columns of one kind of file: list entries (ENTRIES) or ownership links."""

    names: tuple
    required: tuple
    lists: tuple  # separated by SEPARATOR in CSV, arrays in JSON
    identifiers: str = "identifiers"  # where the uscc and registration columns go
    flags: tuple = ()  # yes or no

_FALSE = {"no", "false", "0", "n", "否", ""}


class FileRefused(ValidationFailed):
    """The file as a whole cannot be read as a list of entries."""

    code = "bad_list_file"

    def __init__(self, message):
        super().__init__(message, fields={"file": [message]})


@dataclass
class Row:
    number: int
    data: dict | None  # None: not an object at all
    # Problems found while reading ({field: [message]}), reported with the content's own.
    problems: dict = field(default_factory=dict)

    def problem(self, name: str, message) -> None:
        self.problems.setdefault(name, []).append(message)


def file_format(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    if extension not in FORMATS:
        raise FileRefused(_("Upload a .csv or .json file."))
    return extension


def read_rows(content: bytes, fmt: str, columns: "Columns | None" = None) -> list[Row]:
    columns = columns or ENTRIES
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    if b"\x00" in content or content[:4] == b"PK\x03\x04":
        raise FileRefused(lazy_format(_("The file is not a %(format)s text file."), format=fmt.upper()))
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRefused(_("The file is not UTF-8 text. Save it as “CSV UTF-8” (or JSON in UTF-8) "
                            "and upload it again.")) from None
    rows = _read_json(text, columns) if fmt == "json" else _read_csv(text, columns)
    if not rows:
        raise FileRefused(_("The file contains no entries."))
    if len(rows) > MAX_ROWS:
        raise FileRefused(lazy_format(_("The file has more than %(max)s entries."), max=MAX_ROWS))
    return rows


# ---------------------------------------------------------------- CSV


def _header(cells: list[str], columns: Columns) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()
    unknown = [name or "(blank)" for name in names if name not in columns.names]
    missing = [name for name in columns.required if name not in names]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    problems = []
    if missing:
        problems.append(lazy_format(_("missing columns: %(names)s"), names=", ".join(missing)))
    if unknown:
        problems.append(lazy_format(_("unknown columns: %(names)s"), names=", ".join(unknown)))
    if repeated:
        problems.append(lazy_format(_("repeated columns: %(names)s"), names=", ".join(repeated)))
    if problems:
        raise FileRefused(lazy_format(
            _("The first row must name the columns, from: %(columns)s. Problems: %(problems)s."),
            columns=", ".join(columns.names), problems=problems))
    return names


def _read_csv(text: str, columns: Columns) -> list[Row]:
    rows, header = [], None
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if header is None:
                if not any(cell.strip() for cell in cells):
                    raise FileRefused(_("The first row must be the header with the column names."))
                header = _header(cells, columns)
                continue
            if not any(cell.strip() for cell in cells):
                continue  # a blank line keeps its number but is not an entry
            if len(rows) >= MAX_ROWS:
                raise FileRefused(lazy_format(_("The file has more than %(max)s entries."), max=MAX_ROWS))
            rows.append(_csv_row(number, header, cells, columns))
    except csv.Error as exc:
        raise FileRefused(lazy_format(_("The CSV file cannot be read: %(reason)s."), reason=str(exc))) from None
    if header is None:
        raise FileRefused(_("The file is empty."))
    return rows


def _csv_row(number: int, header: list[str], cells: list[str], columns: Columns) -> Row:
    raw = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header)}
    row = Row(number, {})
    if any(cell.strip() for cell in cells[len(header):]):
        row.problem("non_field_errors", _("The row has more cells than the header has columns."))
    for name, value in raw.items():
        if name in columns.lists:
            row.data[name] = [part.strip() for part in value.split(SEPARATOR) if part.strip()]
        elif name in ("uscc", "registration"):
            if value.strip():
                row.data.setdefault(columns.identifiers, {})[name] = value.strip()
        elif name in columns.flags:
            flag = value.strip().lower()
            if flag in _TRUE | _FALSE:
                row.data[name] = flag in _TRUE
            else:
                row.problem(name, _("Write yes or no."))
        else:
            row.data[name] = value.strip()
    return row


# ---------------------------------------------------------------- JSON


def _read_json(text: str, columns: Columns) -> list[Row]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FileRefused(lazy_format(_("The file is not valid JSON: %(reason)s."), reason=str(exc)[:200])) from None
    if not isinstance(data, list):
        raise FileRefused(_("The JSON file must be a list of entries, each an object with the columns' names."))
    if len(data) > MAX_ROWS:
        raise FileRefused(lazy_format(_("The file has more than %(max)s entries."), max=MAX_ROWS))
    return [_json_row(number, entry, columns) for number, entry in enumerate(data, start=1)]


def _json_row(number: int, entry, columns: Columns) -> Row:
    row = Row(number, None)
    if not isinstance(entry, dict):
        row.problem("non_field_errors", _("The entry must be an object with the columns' names."))
        return row
    unknown = sorted(str(key)[:40] for key in entry if key not in columns.names and key != columns.identifiers)
    if unknown:
        row.problem("non_field_errors", lazy_format(_("Unknown fields: %(names)s."), names=", ".join(unknown)))
    row.data = {key: value for key, value in entry.items()
                if key in columns.names and key not in ("uscc", "registration")}
    identifiers = entry.get(columns.identifiers)
    loose = {key: entry[key] for key in ("uscc", "registration") if entry.get(key) not in (None, "")}
    if loose:
        if identifiers not in (None, {}):
            row.problem("identifiers", _("Give uscc and registration either in “identifiers” or as fields, not both."))
        else:
            identifiers = loose
    if identifiers is not None:
        row.data[columns.identifiers] = identifiers
    return row


ENTRIES = Columns(COLUMNS, REQUIRED_COLUMNS, LIST_COLUMNS, "identifiers", ("uncertain",))
