#!/usr/bin/env python3
"""Reads report.xlsx back with openpyxl (an independent reader) and checks it against the CSV
tables of the same output folder: every sheet in order, every cell's value, and its type.

Usage: check-xlsx.py OUT_DIR [OUT_DIR ...]     (exit 1 on the first folder that differs)

- numbers are numeric cells: integers with format `0`; 4-decimal rates `0.0000`; 2-decimal
  money `#,##0.00` or days and hours `0.00`; the value printed with its decimals equals the CSV;
- timestamps (`..._at`) are date-time cells `yyyy-mm-dd hh:mm:ss` and dates (`week_start`,
  `..._date`) date cells `yyyy-mm-dd`, equal to the CSV's ISO text;
- empty CSV values are empty cells; text is text, equal to the CSV's but for the CSV's
  spreadsheet guard (a leading `'` before = + - @ tab CR) and characters XML cannot hold (U+FFFD);
- a CSV value that reads as a number is a numeric cell unless its column holds text (ids, rules);
- the header row is bold and frozen, and each sheet has an autofilter over its table.
"""
import csv
import datetime
import re
import sys

import openpyxl
from openpyxl.utils import get_column_letter

TABLES = ["funnel", "icp", "icp_rules", "cost", "velocity", "sla", "weekly", "decision",
          "quality", "attribution", "influence", "credit", "rejects"]
# Columns of text that may look like numbers (ids, evidence, raw rows, configured words).
TEXT_COLUMNS = {"pilot_id", "record_id", "evidence", "row", "file", "scope", "rule", "check",
                "contested_with", "reason", "cohort", "status", "final", "primary_metric",
                "scale_held", "stop_held", "low_sample", "currency", "transition", "clock",
                "milestone", "model"}
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
GUARD = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def fail(where, message):
    print(f"check-xlsx: {where}: {message}", file=sys.stderr)
    sys.exit(1)


def expected_text(csv_value):
    if csv_value.startswith("'") and csv_value[1:2] in GUARD and csv_value[1:2] != "":
        csv_value = csv_value[1:]
    return ILLEGAL.sub("\ufffd", csv_value)


def check_cell(where, column, want, cell):
    v = cell.value
    if want == "":
        if v is not None:
            fail(where, f"want an empty cell, got {v!r}")
        return
    if isinstance(v, bool):
        fail(where, f"a boolean cell {v!r}")
    if isinstance(v, datetime.datetime):
        if column.endswith("_at"):
            if cell.number_format != "yyyy-mm-dd hh:mm:ss":
                fail(where, f"date-time format {cell.number_format!r}")
            got = (v + datetime.timedelta(microseconds=500000)).replace(microsecond=0)
            text = got.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            if cell.number_format != "yyyy-mm-dd":
                fail(where, f"date format {cell.number_format!r}")
            text = v.strftime("%Y-%m-%d")
        if text != want:
            fail(where, f"{text} != CSV {want}")
        return
    if isinstance(v, int):
        if cell.number_format != "0" or str(v) != want:
            fail(where, f"integer {v} ({cell.number_format!r}) != CSV {want}")
        return
    if isinstance(v, float):
        decimals = len(want.split(".")[1]) if "." in want else 0
        formats = {4: ("0.0000",), 2: ("#,##0.00", "0.00")}.get(decimals, ())
        if cell.number_format not in formats or f"{v:.{decimals}f}" != want:
            fail(where, f"number {v!r} ({cell.number_format!r}) != CSV {want}")
        return
    if not isinstance(v, str):
        fail(where, f"unexpected cell type {type(v).__name__}")
    if column.endswith("_at") and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", want):
        fail(where, f"timestamp {want} written as text")
    if NUMBER.match(want) and column not in TEXT_COLUMNS:
        fail(where, f"number {want} written as text")
    if v != expected_text(want):
        fail(where, f"text {v!r} != CSV {want!r}")


def check_folder(folder):
    book = openpyxl.load_workbook(f"{folder}/report.xlsx")
    if book.sheetnames != TABLES:
        fail(folder, f"sheets {book.sheetnames} != {TABLES}")
    for name in TABLES:
        with open(f"{folder}/{name}.csv", newline="", encoding="utf-8", errors="replace") as f:
            rows = list(csv.reader(f))
        ws = book[name]
        header, body = rows[0], rows[1:]
        if ws.max_row != len(rows) or ws.max_column != len(header):
            fail(name, f"{ws.max_row}x{ws.max_column} cells, CSV {len(rows)}x{len(header)}")
        if ws.freeze_panes != "A2":
            fail(name, f"freeze panes {ws.freeze_panes!r}")
        last = f"{get_column_letter(len(header))}{len(rows)}"
        if ws.auto_filter.ref != f"A1:{last}":
            fail(name, f"autofilter {ws.auto_filter.ref!r}, want A1:{last}")
        for i, title in enumerate(header, start=1):
            cell = ws.cell(row=1, column=i)
            if cell.value != title or not cell.font.bold:
                fail(name, f"header {i}: {cell.value!r} (bold {cell.font.bold})")
        for r, row in enumerate(body, start=2):
            for i, want in enumerate(row, start=1):
                check_cell(f"{folder} {name}!{get_column_letter(i)}{r}", header[i - 1], want, ws.cell(row=r, column=i))
    print(f"check-xlsx: {folder}/report.xlsx: {len(TABLES)} sheets equal their CSV tables")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        fail("usage", "check-xlsx.py OUT_DIR [OUT_DIR ...]")
    for folder in sys.argv[1:]:
        check_folder(folder)
