"""Spreadsheets built in the tests, the way committees' files come: .xlsx, .xls and .csv."""

import csv

import openpyxl
import xlwt

HEADER = ["楼号", "单元", "室号", "姓名", "性别", "身份证号", "出生日期", "联系电话", "重点人群", "备注"]


def xlsx(path, sheets, *, title_rows=()):
    """sheets: {name: [row, ...]}, each under `title_rows` merged across the width, as committees make them."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for title in title_rows:
            sheet.append([title])
            width = max((len(row) for row in rows), default=1)
            if width > 1:
                sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def xls(path, sheets):
    """The older format WPS and old Excel still save."""
    workbook = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def csv_file(path, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows(rows)
    return path
