"""Tables as CSV or XLSX downloads, safe to open in a spreadsheet.

Cells that a spreadsheet would run as a formula (starting with = + - @ or a tab) get a
quote in front, in both formats: exports hold text members typed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from flask import Response
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value) -> str:
    """The cell as text, with a quote in front of anything a spreadsheet runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, list | tuple):
        text = "; ".join(str(item) for item in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value):
    """Numbers stay numbers in XLSX; everything else is neutralised text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return neutralise(value)


def csv_lines(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text line by line (with a BOM, so spreadsheets read it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        writer.writerow([neutralise(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(header)
    for row in rows:
        yield line(row)


def _disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> Response:
    return Response("".join(csv_lines(header, rows)), mimetype="text/csv",
                    headers=_disposition(filename))


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows)."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([neutralise(cell) for cell in header])
        for row in rows:
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets) -> Response:
    return Response(xlsx_bytes(sheets), mimetype=XLSX_TYPE, headers=_disposition(filename))
