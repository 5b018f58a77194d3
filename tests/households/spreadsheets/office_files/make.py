"""Writes a committee's register the way people type it, and has LibreOffice save it as .xlsx, .xls
and a GB18030 .csv, as a committee's office suite would; truth.json says what the register should hold.

The files in this folder are committed, so that the tests need no office suite. To write them again
(Debian's libreoffice-calc, headless):

    .venv/bin/python -m tests.households.spreadsheets.office_files.make

Every class of problem seen in committees' files is here: presence and key-population words written
in everyday phrases, brackets and colons of both widths, a condition or a date after a word; words
nobody could know (the admin says what they mean); ID numbers typed into number cells, which the
office suite rounds; the same person twice, the first row also carrying an unknown word; a short
phone number; subtotal and blank rows; a title row naming the compound; sheets 1号楼 … 10号楼.
"""

import datetime
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl

from lockdown.core.identity import id_check_char

HERE = Path(__file__).resolve().parent
COMPOUND = "金杨新村"
BUILDINGS = ("1", "2", "3", "10")
HEADER = [
    "单元",
    "室号",
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "联系电话",
    "与户主关系",
    "在住情况",
    "重点人群",
    "备注",
]
TODAY = datetime.date(2022, 4, 1)
# LibreOffice's number for the GB18030 character set in its CSV filter options.
GB18030 = 85

# How people write each presence; the last two phrases no importer could know: the admin says so.
PRESENCE = {
    "home": ["在家", "在住", "居住", "常住", "已返回", ""],
    "away": ["外出", "外出务工", "在外地", "不在家", "未返沪", "外地未返", "出差", "外出（上海）", "离沪"],
    "quarantine": ["集中隔离", "居家隔离", "隔离中", "方舱"],
    "hospital": ["住院", "住院中"],
}
PRESENCE_ASKED = {"常住外地": "away", "回老家": "away"}
TAGS = {
    "alone": ["独居老人", "独居", "孤老", "独居（子女在外地）", "独居老人 2022.3.1", "【独居】"],
    "chronic": ["高血压", "慢性病（高血压）", "慢性病(糖尿病)", "慢病：冠心病", "慢性病:高血压、糖尿病", "糖尿病"],
    "pregnant": ["孕妇", "孕妇（预产期2022-06-01）", "孕妇 预产期2022.7.15"],
    "disabled": ["残疾", "卧床", "残疾（肢体二级）", "行动不便"],
    "hardship": ["低保户", "低保", "困难家庭"],
}
TAGS_ASKED = {"痛风": "chronic"}  # a word for an illness the importer does not know
TAGS_LEFT = ["老党员", "空巢"]  # words that are no key population: kept in the notes
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力鹏宇浩然欣怡子轩梓涵雨桐佳琪思远志强凤珍海燕德"
)


def person_id(rng, birth, sex):
    first17 = f"310115{birth:%Y%m%d}{rng.randrange(100):02d}{rng.randrange(0, 10, 2) + (sex == 'M')}"
    return first17 + id_check_char(first17)


def make_people(seed=2022):
    """(sheets: {name: [row]}, truth: [resident]) for the buildings, household by household."""
    rng = random.Random(seed)
    sheets, truth, used_ids = {}, [], set()
    for building in BUILDINGS:
        rows = []
        for unit in ("1", "2"):
            for floor in range(1, 7):
                for door in (1, 2):
                    room = f"{floor}0{door}"
                    surname = rng.choice(SURNAMES)
                    for index in range(rng.choice((1, 1, 2, 2, 3, 4))):
                        rows.append(_person(rng, building, unit, room, surname, index, used_ids, truth))
        rows.insert(len(rows) // 2, [None] * len(HEADER))  # a blank line in the middle of the sheet
        rows.append(["合计", "", "", "", "", "", "", "", "", "", f"{len(rows) - 1}人"])
        sheets[f"{building}号楼"] = rows
    return sheets, truth


def _person(rng, building, unit, room, surname, index, used_ids, truth):
    age = rng.choice((rng.randrange(0, 18), rng.randrange(18, 60), rng.randrange(60, 95), rng.randrange(60, 95)))
    sex = rng.choice("MF")
    birth = TODAY - datetime.timedelta(days=age * 365 + rng.randrange(365))
    number = person_id(rng, birth, sex)
    while number in used_ids:
        number = person_id(rng, birth, sex)
    used_ids.add(number)
    taken = {t["name"] for t in truth if t["room"] == f"{building}-{unit}-{room}"}
    name = next(
        n for n in iter(lambda: surname + "".join(rng.sample(GIVEN, rng.choice((1, 2)))), None) if n not in taken
    )
    presence = rng.choices(list(PRESENCE), weights=(60, 30, 6, 4))[0]
    written_presence = rng.choice(PRESENCE[presence])
    if presence == "away" and rng.random() < 0.15:
        written_presence = rng.choice(list(PRESENCE_ASKED))
    tags, words = _tags(rng, age, sex)
    id_style = rng.random()
    id_cell = number if id_style < 0.85 or number.endswith("X") else (int(number) if id_style < 0.95 else "")
    phone = f"13{rng.randrange(5, 10)}{rng.randrange(10**8):08d}"
    phone_style = rng.random()
    written_phone = phone
    if phone_style < 0.1:
        written_phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    elif phone_style < 0.15:
        written_phone = f"{phone}/021-{rng.randrange(10**7, 10**8)}"
    elif phone_style < 0.18:
        written_phone, phone = phone[:10], None  # a digit short: kept in the notes
    elif phone_style < 0.25:
        written_phone, phone = "", None
    birth_cell = rng.choice((birth, f"{birth.year}年{birth.month}月{birth.day}日", f"{birth:%Y.%m.%d}", ""))
    relation = "户主" if index == 0 else rng.choice(("配偶", "子女", "儿媳", "父母", "孙子女", "女婿"))
    row = [unit, room, name, "男" if sex == "M" else "女", id_cell, birth_cell, written_phone, relation]
    row += [written_presence, "、".join(words), ""]
    truth.append(
        {
            "sheet": f"{building}号楼",
            "name": name,
            "room": f"{building}-{unit}-{room}",
            "presence": presence,
            "tags": sorted(tags),  # besides 80+, which follows the birth date on the day of the import
            # as the register can know it: from the ID number as text, or the birth date's own cell
            "birth_date": birth.isoformat() if (isinstance(id_cell, str) and id_cell) or birth_cell else None,
            "id_number": number if isinstance(id_cell, str) and id_cell else None,
            "id_in_number_cell": isinstance(id_cell, int),
            "phone": phone,
        }
    )
    return row


def _tags(rng, age, sex):
    tags, words = set(), []
    if age >= 65 and rng.random() < 0.3:
        tags.add("alone")
        words.append(rng.choice(TAGS["alone"]))
    if age >= 45 and rng.random() < 0.35:
        tags.add("chronic")
        words.append(rng.choice(TAGS["chronic"] + list(TAGS_ASKED)))
    if sex == "F" and 22 <= age <= 40 and rng.random() < 0.15:
        tags.add("pregnant")
        words.append(rng.choice(TAGS["pregnant"]))
    if rng.random() < 0.05:
        tags.add("disabled")
        words.append(rng.choice(TAGS["disabled"]))
    if rng.random() < 0.05:
        tags.add("hardship")
        words.append(rng.choice(TAGS["hardship"]))
    if rng.random() < 0.04:
        words.append(rng.choice(TAGS_LEFT))
    rng.shuffle(words)
    return tags, words


def add_duplicates(sheets, truth):
    """The same person twice: a second row by ID number (another room, no phone) after a first row with
    an unknown word, and a second row by name in the same room (no ID numbers)."""
    pairs = []
    for sheet_name, pick in (("1号楼", 3), ("2号楼", 7), ("10号楼", 11)):
        rows = sheets[sheet_name]
        person = [t for t in truth if t["sheet"] == sheet_name and t["id_number"]][pick]
        index = next(i for i, row in enumerate(rows) if row[2] == person["name"] and row[4] == person["id_number"])
        rows[index][9] = "、".join(filter(None, [rows[index][9], "老党员"]))
        twin = list(rows[index])
        twin[1], twin[6], twin[9] = "601" if twin[1] != "601" else "602", "", ""
        rows.append(twin)
        pairs.append({"why": "id", "names": [person["name"]] * 2, "sheet": sheet_name})
    rows = sheets["3号楼"]
    first = next(i for i, row in enumerate(rows) if row[4] == "" and row[2])
    rows.insert(first + 1, list(rows[first]))
    pairs.append({"why": "name", "names": [rows[first][2]] * 2, "sheet": "3号楼"})
    return pairs


def write_workbook(path, sheets):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append([f"{COMPOUND}住户信息表（{TODAY:%Y年%m月}）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def save_with_libreoffice(source, target_dir):
    """The workbook saved by LibreOffice as .xlsx and .xls, and its first sheet as a GB18030 .csv
    named after its building, as a committee saves one building's sheet."""
    conversions = {
        "register.xlsx": "xlsx:Calc MS Excel 2007 XML",
        "register.xls": "xls:MS Excel 97",
        "1号楼.csv": f"csv:Text - txt - csv (StarCalc):44,34,{GB18030}",
    }
    with tempfile.TemporaryDirectory() as work:
        for name, conversion in conversions.items():
            subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to", conversion]
                + ["--outdir", work, str(source)],
                check=True,
                capture_output=True,
            )
            shutil.move(Path(work) / f"{source.stem}{Path(name).suffix}", target_dir / name)


def main():
    sheets, truth = make_people()
    pairs = add_duplicates(sheets, truth)
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "register.xlsx"
        write_workbook(source, sheets)
        save_with_libreoffice(source, HERE)
    facts = {
        "compound": COMPOUND,
        "today": TODAY.isoformat(),
        "residents": truth,
        "duplicates": pairs,
        "meanings": {"presence": PRESENCE_ASKED, "tags": TAGS_ASKED},
    }
    (HERE / "truth.json").write_text(json.dumps(facts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(truth)} residents, {len(pairs)} duplicate pairs written to {HERE}")


if __name__ == "__main__":
    main()
