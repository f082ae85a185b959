"""Every sheet LibreOffice exported as CSV (from report.xlsx) against the CSV table of the same
run, cell by cell: a cell LibreOffice put in another column or row, or lost, fails. LibreOffice
shows numbers in the cell's format, so a timestamp `2026-03-02T05:00:30Z` reads back as
`2026-03-02 05:00:30` and numbers compare as numbers; the CSV's `'` guard is not in the workbook.
Usage: check-xlsx-libreoffice.py OUT_FOLDER EXPORTED_CSV_FOLDER"""
import csv
import os
import sys


def same(table, exported):
    if table == exported or table.lstrip("'") == exported:
        return True
    if len(table) == 20 and table[10] == "T" and table.endswith("Z") and table[:19].replace("T", " ") == exported:
        return True
    try:
        return abs(float(table) - float(exported)) <= 1e-9 * max(1.0, abs(float(table)))
    except ValueError:
        return False


def main(out, exported):
    files = sorted(f for f in os.listdir(exported) if f.startswith("report-") and f.endswith(".csv"))
    sheets = {f[len("report-"):-len(".csv")] for f in files}
    tables = {f[:-len(".csv")] for f in os.listdir(out) if f.endswith(".csv")}
    if sheets != tables:
        # A table longer than a sheet continues on `name (2)`: not a case for this check.
        sys.exit(f"check-xlsx-libreoffice: sheets without a table: {sorted(sheets - tables)}, tables without a sheet: {sorted(tables - sheets)}")
    wrong, cells = [], 0
    for f in files:
        name = f[len("report-"):-len(".csv")]
        with open(os.path.join(out, name + ".csv"), encoding="utf-8", newline="") as h:
            table = list(csv.reader(h))
        with open(os.path.join(exported, f), encoding="utf-8", newline="") as h:
            sheet = list(csv.reader(h))
        if len(table) != len(sheet):
            wrong.append(f"{name}: {len(table)} rows in the CSV, {len(sheet)} in the sheet")
            continue
        for i, (a, b) in enumerate(zip(table, sheet)):
            b = b + [""] * (len(a) - len(b))
            if len(b) > len(a) and any(b[len(a):]):
                wrong.append(f"{name} row {i + 1}: cells beyond the table's {len(a)} columns: {b[len(a):]}")
            for j, (x, y) in enumerate(zip(a, b)):
                cells += 1
                if not same(x, y):
                    wrong.append(f"{name} row {i + 1} column {j + 1}: {x!r} in the CSV, {y!r} in the sheet")
    for w in wrong[:20]:
        print(w, file=sys.stderr)
    if wrong:
        sys.exit(f"check-xlsx-libreoffice: {len(wrong)} differences")
    print(f"check-xlsx-libreoffice: {len(files)} sheets, {cells} cells read back by LibreOffice equal their CSV tables")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
