"""Reading an uploaded list file (CSV, XLSX or JSON) into entry rows, and checking all of it.

Two kinds of problem: a whole-file error (not readable at all: raises FileRefused) and row errors
(collected for every row, with the row number the officer sees in the file: for CSV and XLSX the
header is row 1 and the first entry row 2; for JSON the first entry is 1). Nothing is imported
unless a file has no error at all (issue 4)."""

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from controllist.codes import parent_code, parse_control_code
from portal.errors import ValidationFailed, lazy_format

FORMAT = "dualuse-control-list/1"
FORMATS = ("csv", "xlsx", "json")
COLUMNS = ("code", "parent", "description_zh", "description_en", "parameters_zh", "parameters_en",
           "hs_codes", "notes", "uncertain")
MAX_ROWS = 50_000
PROGRESS_EVERY = 500
# Guards against a small zip that inflates to gigabytes (openpyxl reads shared strings whole).
MAX_XLSX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_LENGTHS = {"code": 32, "parent": 32, "description_zh": 2000, "description_en": 4000,
               "parameters_zh": 20000, "parameters_en": 30000, "notes": 5000, "hs_codes": 500}
MAX_HS_CODES = 30
_HS = re.compile(r"^[0-9]{4,10}$")
# PostgreSQL text stores neither NUL nor an unpaired surrogate (a JSON file can hold both).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TRUE = {"yes", "true", "1", "y", "是"}
_FALSE = {"no", "false", "0", "n", "否", ""}


def storable(text: str) -> bool:
    return not _UNSTORABLE.search(text)


class UnstorableText(ValueError):
    """A text holding a character the database cannot store."""


class FileRefused(ValidationFailed):
    """The file as a whole cannot be read as a list."""

    code = "bad_list_file"


@dataclass
class RowError:
    row: int
    code: str
    message: object  # a lazy translation

    def as_dict(self) -> dict:
        """Stored on the job in both languages, so each reader sees their own."""
        messages = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                # A message may quote the bad value itself; the job's error list must be storable.
                messages[language] = _UNSTORABLE.sub("\ufffd", str(self.message))
        return {"row": self.row, "code": _UNSTORABLE.sub("\ufffd", self.code), "message": messages["en"],
                "messages": messages}


@dataclass
class ParsedFile:
    file_format: str
    # From a JSON file's "version" object: label, title_zh, title_en, effective_from, source.
    meta: dict = field(default_factory=dict)
    # (row number, {column: raw value}) in file order.
    rows: list = field(default_factory=list)


@dataclass
class CheckedFile:
    meta: dict
    entries: list  # cleaned rows, the loader's "entries"
    errors: list  # RowError
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


# ---------------------------------------------------------------- format detection and reading


def detect_format(name: str, content: bytes) -> str:
    """The format from the file name, confirmed by the content (a renamed file is refused)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    is_zip = content[:4] == b"PK\x03\x04"
    if extension not in FORMATS:
        is_json = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
        extension = "xlsx" if is_zip else "json" if is_json else "csv"
    if extension == "xlsx" and not is_zip:
        raise FileRefused(_("The file is not an XLSX workbook (an XLSX file is a zip archive)."))
    if extension != "xlsx" and (is_zip or b"\x00" in content[:8192]):
        raise FileRefused(lazy_format(_("The file is not a %(format)s text file."), format=extension.upper()))
    return extension


def read_file(content: bytes, file_format: str) -> ParsedFile:
    if not content:
        raise FileRefused(_("The file is empty."))
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}
    if file_format not in readers:
        raise FileRefused(_("Upload a CSV, XLSX or JSON file."))
    parsed = readers[file_format](content)
    if not parsed.rows:
        raise FileRefused(_("The file contains no entries."))
    return parsed


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise FileRefused(_("The file is not text in UTF-8 or GB18030 encoding."))


def _too_many_rows():
    return FileRefused(lazy_format(_("The file has more than %(max)s entries."), max=f"{MAX_ROWS:,}"))


def _check_header(header: list[str]) -> list[str]:
    names = [str(name or "").strip().lstrip("\ufeff").lower() for name in header]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    problems = []
    if missing:
        problems.append(lazy_format(_("missing columns: %(names)s"), names=", ".join(missing)))
    if unknown:
        problems.append(lazy_format(_("unknown columns: %(names)s"),
                                    names=", ".join(name or "(blank)" for name in unknown)))
    if duplicated:
        problems.append(lazy_format(_("repeated columns: %(names)s"), names=", ".join(duplicated)))
    if problems:
        raise FileRefused(lazy_format(
            _("The first row must name exactly these columns: %(columns)s. Problems: %(problems)s."),
            columns=", ".join(COLUMNS), problems=problems))
    return names


def _table_rows(records, file_format: str) -> ParsedFile:
    """Rows of a table whose first record is the header (CSV and XLSX)."""
    parsed = ParsedFile(file_format)
    header = None
    for number, record in enumerate(records, start=1):
        if number > 2 * MAX_ROWS:  # blank rows count too: a sheet can claim a million of them
            raise _too_many_rows()
        cells = ["" if cell is None else cell for cell in record]
        if header is None:
            if not any(str(cell).strip() for cell in cells):
                raise FileRefused(_("The first row must be the header with the column names."))
            # A spreadsheet pads the header to its widest row: a stray cell further right is that
            # row's error (below), not a header problem.
            while not str(cells[-1]).strip():
                cells.pop()
            header = _check_header(cells)
            continue
        if not any(str(cell).strip() for cell in cells):
            continue  # a blank line keeps its number but is not an entry
        if len(parsed.rows) >= MAX_ROWS:
            raise _too_many_rows()
        row = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header)}
        if any(str(cell).strip() for cell in cells[len(header):]):
            row["_extra_cells"] = True
        parsed.rows.append((number, row))
    if header is None:
        raise FileRefused(_("The file is empty."))
    return parsed


def _read_csv(content: bytes) -> ParsedFile:
    text = _decode(content)
    try:
        return _table_rows(csv.reader(io.StringIO(text, newline="")), "csv")
    except csv.Error as exc:
        raise FileRefused(lazy_format(_("The CSV file cannot be read: %(reason)s."), reason=str(exc)))


def _xlsx_cell(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def _read_xlsx(content: bytes) -> ParsedFile:
    from openpyxl import load_workbook

    not_xlsx = _("The file is not a readable XLSX workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise FileRefused(_("The XLSX workbook is too large once unpacked."))
            if "xl/workbook.xml" not in archive.namelist():
                raise FileRefused(not_xlsx)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused(not_xlsx)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on damaged workbooks
        raise FileRefused(not_xlsx)
    try:
        if not workbook.worksheets:
            raise FileRefused(_("The XLSX workbook has no worksheet."))
        records = ((_xlsx_cell(value) for value in record)
                   for record in workbook.worksheets[0].iter_rows(values_only=True))
        return _table_rows(([*record] for record in records), "xlsx")
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(not_xlsx)
    finally:
        workbook.close()


def _read_json(content: bytes) -> ParsedFile:
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise FileRefused(_("A JSON file must be UTF-8 text."))
    except (ValueError, RecursionError) as exc:
        raise FileRefused(lazy_format(_("The file is not valid JSON: %(reason)s."), reason=str(exc)[:200]))
    if not isinstance(data, dict):
        raise FileRefused(_("The JSON file must be an object with “format”, “version” and “entries”."))
    if data.get("format") != FORMAT:
        raise FileRefused(lazy_format(_("Unknown list file format “%(found)s”; expected “%(expected)s”."),
                                      found=str(data.get("format"))[:60], expected=FORMAT))
    meta = data.get("version") or {}
    entries = data.get("entries")
    if not isinstance(meta, dict) or not isinstance(entries, list):
        raise FileRefused(_("The JSON file must have a “version” object and an “entries” list."))
    if len(entries) > MAX_ROWS:
        raise _too_many_rows()
    parsed = ParsedFile("json", meta={key: meta[key] for key in
                                      ("label", "title_zh", "title_en", "effective_from", "source")
                                      if isinstance(meta.get(key), str)})
    parsed.rows = [(number, entry) for number, entry in enumerate(entries, start=1)]
    return parsed


# ---------------------------------------------------------------- checking rows


def _text(row: dict, name: str):
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(_xlsx_cell(value))
    if not isinstance(value, str):
        raise TypeError(name)
    if not storable(value):
        raise UnstorableText(name)
    return value.strip()


def _hs_codes(row: dict) -> list[str]:
    value = row.get("hs_codes")
    if value is None or value == "":
        return []
    if isinstance(value, list):
        items = value
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        items = str(value).split(";")
    else:
        raise TypeError("hs_codes")
    codes = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise TypeError("hs_codes")
        code = str(item).strip().replace(".", "").replace(" ", "")
        if code:
            codes.append(code)
    return codes


def _uncertain(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int):
        return {1: True, 0: False}.get(value)
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    return None


def _check_row(number: int, row, errors: list) -> dict | None:
    """One row cleaned, or None (with its errors added) when it is wrong."""

    def fail(code, message):
        errors.append(RowError(number, str(code)[:40], message))

    if not isinstance(row, dict):
        fail("", _("The entry must be an object with code, descriptions and parameters."))
        return None
    raw_code = row.get("code")
    shown = raw_code if isinstance(raw_code, str) else ""
    before = len(errors)
    if row.get("_extra_cells"):
        fail(shown, _("The row has more cells than the header has columns."))
    clean = {}
    unreadable = set()  # fields already reported, not to be reported missing as well
    for name in ("code", "parent", "description_zh", "description_en", "parameters_zh", "parameters_en", "notes"):
        try:
            clean[name] = _text(row, name)
        except TypeError:
            fail(shown, lazy_format(_("Field “%(field)s” must be text."), field=name))
            clean[name] = ""
            unreadable.add(name)
            continue
        except UnstorableText:
            fail(shown, lazy_format(_("Field “%(field)s” contains a NUL character or an unpaired surrogate, "
                                      "which cannot be stored."), field=name))
            clean[name] = ""
            unreadable.add(name)
            continue
        if len(clean[name]) > MAX_LENGTHS[name]:
            fail(shown, lazy_format(_("Field “%(field)s” is too long: at most %(max)s characters."),
                                    field=name, max=MAX_LENGTHS[name]))
    if clean["code"] and len(clean["code"]) <= MAX_LENGTHS["code"]:
        try:
            clean["code"] = parse_control_code(clean["code"]).code
        except ValidationFailed as exc:
            fail(shown, exc.message)
    elif not clean["code"] and "code" not in unreadable:
        fail(shown, _("The code is missing."))
    if clean["parent"] and len(clean["parent"]) <= MAX_LENGTHS["parent"]:
        try:
            clean["parent"] = parse_control_code(clean["parent"]).code
        except ValidationFailed as exc:
            fail(shown, lazy_format(_("Bad parent code: %(reason)s"), reason=exc.message))
    if not clean["description_zh"] and "description_zh" not in unreadable:
        fail(shown, _("The Chinese description is missing."))
    if not clean["description_en"] and "description_en" not in unreadable:
        fail(shown, _("The English description is missing."))
    try:
        hs_codes = _hs_codes(row)
    except TypeError:
        fail(shown, _("HS codes must be text, separated by “;”."))
        hs_codes = []
    bad_hs = [code for code in hs_codes if not _HS.match(code)]
    if bad_hs:
        fail(shown, lazy_format(_("Bad HS code %(codes)s: an HS code has 4 to 10 digits."),
                                codes=", ".join(f"“{code[:20]}”" for code in bad_hs[:3])))
    if len(hs_codes) > MAX_HS_CODES:
        fail(shown, lazy_format(_("Too many HS codes: at most %(max)s."), max=MAX_HS_CODES))
    uncertain = _uncertain(row.get("uncertain"))
    if uncertain is None:
        fail(shown, _("“uncertain” must be yes, no, true, false, 1, 0 or blank."))
    if len(errors) > before:
        return None
    clean["hs_codes"] = hs_codes
    clean["uncertain"] = uncertain
    return clean


def check_rows(parsed: ParsedFile, on_progress: Callable[[int, int], None] | None = None) -> CheckedFile:
    """Check every row, then the links between rows (duplicates, parents). `on_progress` is called
    with (processed, total) every PROGRESS_EVERY rows and at the end."""
    total = len(parsed.rows)
    errors: list[RowError] = []
    cleaned: list[tuple[int, dict]] = []
    for index, (number, row) in enumerate(parsed.rows, start=1):
        clean = _check_row(number, row, errors)
        if clean is not None:
            cleaned.append((number, clean))
        if on_progress and index % PROGRESS_EVERY == 0 and index < total:
            on_progress(index, total)

    # Codes of every row whose code itself is good, so a bad description elsewhere does not
    # also make its children report an unknown parent.
    first_row: dict[str, int] = {}
    for number, row in parsed.rows:
        try:
            code = parse_control_code(_text(row, "code")).code if isinstance(row, dict) else None
        except (ValidationFailed, TypeError, UnstorableText):
            code = None
        if code:
            first_row.setdefault(code, number)
    entries = []
    for number, clean in cleaned:
        code, parent = clean["code"], clean["parent"]
        if first_row[code] != number:
            errors.append(RowError(number, code, lazy_format(
                _("Duplicate code: %(code)s is already on row %(row)s."), code=code, row=first_row[code])))
            continue
        if parent and not code.startswith(parent + "."):
            errors.append(RowError(number, code, lazy_format(
                _("The parent %(parent)s is not a prefix of the code %(code)s."), parent=parent, code=code)))
            continue
        parent = parent or parent_code(code)
        if parent and parent not in first_row:
            errors.append(RowError(number, code, lazy_format(
                _("Unknown parent: %(parent)s is not in the file."), parent=parent)))
            continue
        entries.append(clean)
    if on_progress:
        on_progress(total, total)
    errors.sort(key=lambda error: error.row)
    return CheckedFile(meta=parsed.meta, entries=entries if not errors else [], errors=errors,
                       error_count=len(errors))


def check_file(content: bytes, file_format: str, on_progress=None) -> CheckedFile:
    """Read and check a whole file; FileRefused when it cannot be read at all."""
    return check_rows(read_file(content, file_format), on_progress)
