"""Any table a page shows, as a file: CSV (UTF-8 with BOM, so Excel reads Cyrillic) or XLSX.
One header row of machine keys, optionally a second row of people's names, then the data."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(header: Sequence[str], records: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in r] for r in records])
    return buffer.getvalue()


def to_xlsx(
    header: Sequence[str],
    records: Sequence[Sequence[Any]],
    *,
    title: str,
    labels: Sequence[str] | None = None,
) -> bytes:
    from openpyxl import Workbook  # imported on use: ~30 MB an idle process does without

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    if labels is not None:
        sheet.append(list(labels))
    for r in records:
        sheet.append(list(r))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes) -> list[list[Any]]:
    """The rows of a workbook's first sheet, for checks and round trips."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def csv_response(name: str, text: str) -> Response:
    # the BOM lets Excel read UTF-8
    return Response(
        text.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def xlsx_response(name: str, data: bytes) -> Response:
    return Response(
        data,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
