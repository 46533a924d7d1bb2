"""Contacts as CSV (UTF-8 with a BOM, so spreadsheet programs read Chinese correctly). Pure.

Columns: name, company, emails, phones, tags, notes, then one per custom field (its key).
Lists (emails, phones, tags, multi-select values) are `|`-separated. Parsing validates every
row before anything is written and reports bad rows by line (the header is line 1)."""
from __future__ import annotations

import csv
import io

from chalicelib.domain.contacts import fields as field_rules
from chalicelib.domain.contacts import identities as ids
from chalicelib.errors import ValidationError

BOM = "\ufeff"
BASE = ("name", "company", "emails", "phones", "tags", "notes")
MAX_ROWS = 5000
MAX_ERRORS = 50


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text   # no formula injection


def export(contacts: list[dict], defs: list[dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    keys = [d["key"] for d in defs]
    w.writerow(list(BASE) + keys)
    for c in contacts:
        idents = c.get("identities") or []
        row = [c.get("name"), c.get("company"), ids.of_kind(idents, "email"),
               ids.of_kind(idents, "phone"), c.get("tags") or [], c.get("notes")]
        row += [(c.get("fields") or {}).get(k) for k in keys]
        w.writerow([_cell(v) for v in row])
    return BOM + out.getvalue()


def _split(text: str) -> list[str]:
    return [x.strip() for x in (text or "").split("|") if x.strip()]


def _unquote(text: str) -> str:
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


def parse(text: str, defs: list[dict], country: str = ids.DEFAULT_COUNTRY) -> list[dict]:
    """Rows as {line, name, company, identities, tags, notes, fields}; raises
    ValidationError `invalid_csv` with details.errors [{line, message}] if any row is bad."""
    if text.startswith(BOM):
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError("The CSV is empty.", code="invalid_csv",
                              details={"errors": [{"line": 1, "message": "no header"}]})
    known = set(BASE) | {d["key"] for d in defs}
    unknown = [h for h in header if h not in known]
    if unknown or "name" not in header:
        raise ValidationError("Unknown or missing columns.", code="invalid_csv", details={
            "errors": [{"line": 1, "message": f"unknown column {h!r}" if unknown else
                        "the name column is required"} for h in (unknown or [None])]})
    rows, errors, seen = [], [], {}
    end = reader.line_num
    for cells in reader:
        number, end = end + 1, reader.line_num       # a quoted cell may span lines
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append({"line": number, "message": f"more than {MAX_ROWS} rows"})
            break
        raw = {h: _unquote(cells[i].strip()) if i < len(cells) else ""
               for i, h in enumerate(header)}
        try:
            idents = [ids.key("email", e) for e in _split(raw.get("emails"))]
            idents += [ids.key("phone", p, country) for p in _split(raw.get("phones"))]
            values = {k: v for k, v in raw.items() if k not in BASE}
            fields = {k: v for k, v in field_rules.check_values(defs, values, partial=False)
                      .items() if v is not None}
            if not raw.get("name") and not idents:
                raise ValidationError("A row needs a name, an e-mail or a phone.",
                                      code="invalid_csv")
            if len(raw.get("name", "")) > 100 or len(raw.get("notes", "")) > 5000:
                raise ValidationError("name or notes too long", code="too_long")
            for ident in idents:
                if ident in seen:
                    raise ValidationError(f"{ident} is also on line {seen[ident]}",
                                          code="duplicate")
                seen[ident] = number
            tags = sorted(set(_split(raw.get("tags"))))
            if len(tags) > 30 or any(len(t) > 40 for t in tags):
                raise ValidationError("too many or too long tags", code="too_long")
        except ValidationError as exc:
            field = exc.details.get("field") if exc.details else None
            errors.append({"line": number, "message": exc.message +
                           (f" ({field})" if field else "")})
            if len(errors) >= MAX_ERRORS:
                break
            continue
        rows.append({"line": number, "name": raw.get("name") or None,
                     "company": raw.get("company") or None, "identities": sorted(set(idents)),
                     "tags": tags, "notes": raw.get("notes") or None, "fields": fields})
    if errors:
        raise ValidationError(f"{len(errors)} bad row(s); nothing was imported.",
                              code="invalid_csv", details={"errors": errors})
    return rows
