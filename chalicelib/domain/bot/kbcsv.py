"""Import / export of the knowledge base CSV format
(``id,question,similar,answer[,tags,enabled,learned]``).

* UTF-8 (a leading BOM is tolerated), header ``id,question,similar,answer`` optionally
  followed by ``tags``, ``enabled`` and/or ``learned`` (the export writes all three);
* an answer may contain unquoted commas (everything between the third comma and the
  optional trailing columns is the answer);
* ``tags`` are separated by ``|``; ``enabled`` is true/false (also 1/0, yes/no; empty = true);
* a quoted field that is never closed is an error (it would otherwise swallow every
  following row);
* ``similar`` holds alternative phrasings separated by ``|`` (may be empty); ``learned``
  (``|``-separated) names those learned from chats (others it names are ignored);
* import is all-or-nothing: everything is validated first, and either the full list of
  entries or the full list of errors (with 1-based line numbers) is returned.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Iterable, Union

from .matcher import KBEntry

HEADER = ["id", "question", "similar", "answer"]
OPTIONAL = ["tags", "enabled", "learned"]
EXPORT_HEADER = HEADER + OPTIONAL
_QUOTED_START = re.compile(r'(?:^|,)[ \t]*"')
_TRUE = {"", "true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
MAX_ID = 128
MAX_QUESTION = 500
MAX_SIMILAR = 4000
MAX_ANSWER = 5000
MAX_ROWS = 20000


@dataclass
class ImportError_:
    line: int
    message: str

    def __str__(self) -> str:
        return "line %d: %s" % (self.line, self.message)


@dataclass
class ImportResult:
    entries: list[KBEntry] = field(default_factory=list)
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_csv(data: Union[bytes, str]) -> ImportResult:
    """Parse and validate a KB CSV. Returns entries when valid, else errors only."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return ImportResult(errors=[ImportError_(line, "file is not valid UTF-8 (byte %d)" % exc.start)])
    else:
        text = data[1:] if data.startswith("\ufeff") else data
    errors: list[ImportError_] = []
    entries: list[KBEntry] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return ImportResult(errors=[ImportError_(1, "empty file: expected header %s" % ",".join(HEADER))])
    except csv.Error as exc:
        return ImportResult(errors=[ImportError_(1, "malformed CSV: %s" % exc)])
    names = [h.strip().lower() for h in header]
    extra_cols = names[4:]
    if names[:4] != HEADER or any(c not in OPTIONAL for c in extra_cols) \
            or len(set(extra_cols)) != len(extra_cols):
        return ImportResult(errors=[ImportError_(1, "bad header %r: expected %s (optionally "
                                                 "followed by tags, enabled, learned)" % (
                                                     ",".join(header), ",".join(HEADER)))])
    n_extra = len(extra_cols)
    physical = text.split("\n")
    seen: dict[str, int] = {}
    rows = 0
    while True:
        prev_end = reader.line_num
        line = prev_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(ImportError_(line, "malformed CSV: %s" % exc))
            break
        line = reader.line_num  # last physical line of the record
        start_line = min(prev_end + 1, line)
        if not row or all(not c.strip() for c in row):
            continue
        raw = "\n".join(physical[start_line - 1:line])
        if raw.count('"') % 2 and (line > start_line or _QUOTED_START.search(raw)):
            errors.append(ImportError_(start_line, "unterminated quoted field (a '\"' is never "
                                                   "closed; it would swallow the rows after it)"))
            break
        rows += 1
        if rows > MAX_ROWS:
            errors.append(ImportError_(start_line, "too many rows (max %d)" % MAX_ROWS))
            break
        if len(row) < 4 + n_extra:
            errors.append(ImportError_(start_line, "expected %d columns, got %d" % (
                4 + n_extra, len(row))))
            continue
        extra = dict(zip(extra_cols, row[len(row) - n_extra:])) if n_extra else {}
        if n_extra:
            row = row[:len(row) - n_extra]
        if len(row) > 4:
            # unquoted commas inside the answer (as in the sample kb.csv): the answer is
            # the rest of the line (before the optional columns)
            row = row[:3] + [",".join(row[3:])]
        eid, q, sim, ans = (c.strip() for c in row)
        tags = [t.strip() for t in extra.get("tags", "").split("|") if t.strip()]
        enabled_raw = extra.get("enabled", "").strip().lower()
        if enabled_raw in _TRUE:
            enabled = True
        elif enabled_raw in _FALSE:
            enabled = False
        else:
            errors.append(ImportError_(start_line, "enabled must be true or false, got %r"
                                       % extra.get("enabled")))
            enabled = True
        if not eid:
            errors.append(ImportError_(start_line, "missing id"))
        elif len(eid) > MAX_ID:
            errors.append(ImportError_(start_line, "id longer than %d characters" % MAX_ID))
        elif eid in seen:
            errors.append(ImportError_(start_line, "duplicate id %r (first on line %d)" % (eid, seen[eid])))
        else:
            seen[eid] = start_line
        if not q:
            errors.append(ImportError_(start_line, "empty question"))
        elif len(q) > MAX_QUESTION:
            errors.append(ImportError_(start_line, "question longer than %d characters" % MAX_QUESTION))
        if len(sim) > MAX_SIMILAR:
            errors.append(ImportError_(start_line, "similar longer than %d characters" % MAX_SIMILAR))
        if not ans:
            errors.append(ImportError_(start_line, "empty answer"))
        elif len(ans) > MAX_ANSWER:
            errors.append(ImportError_(start_line, "answer longer than %d characters" % MAX_ANSWER))
        similar = [s.strip() for s in sim.split("|") if s.strip()] if sim else []
        learned = [s.strip() for s in extra.get("learned", "").split("|")
                   if s.strip() in similar]
        entries.append(KBEntry(id=eid, question=q, similar=similar, answer=ans, tags=tags,
                               enabled=enabled, learned=learned))
    if errors:
        return ImportResult(errors=errors)
    return ImportResult(entries=entries)


def load_csv_file(path: str) -> list[KBEntry]:
    with open(path, "rb") as fh:
        res = import_csv(fh.read())
    if not res.ok:
        raise ValueError("; ".join(str(e) for e in res.errors))
    return res.entries


def export_csv(entries: Iterable[KBEntry]) -> str:
    """Serialise entries in the import format (round-trips with ``import_csv``)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_HEADER)
    for e in entries:
        w.writerow([e.id, e.question, "|".join(e.similar), e.answer, "|".join(e.tags or []),
                    "true" if e.enabled else "false", "|".join(e.learned)])
    return buf.getvalue()
