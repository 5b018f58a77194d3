"""The words committees write in their spreadsheets, and what each means to the register.

The importer reads columns and cells with these (households/words.py), and with the words the
pages show for each choice; the exports write the pages' words (chinese_words), so that an exported
table imports again unchanged.
"""

import functools
import re

from django.utils import translation
from django.utils.translation import gettext_lazy

from lockdown.core import cells

from .choices import DocumentType, Presence, Relation, Sex, Tag

# What each column can be, with the names people give it (compared without spaces, case or brackets).
FIELDS = {
    "community": (gettext_lazy("Community"), "居委 居委会 居民区 社区 居委名称 community"),
    "compound": (gettext_lazy("Compound"), "小区 小区名称 小区名 苑 compound estate"),
    "building": (gettext_lazy("Building"), "楼号 楼栋 楼栋号 幢 幢号 栋 栋号 楼 号楼 building"),
    "unit": (gettext_lazy("Unit"), "单元 单元号 unit"),
    "room": (gettext_lazy("Room"), "室号 室 房号 房间号 门牌号 门牌 户号 地址 住址 详细地址 房屋地址 room address"),
    "name": (gettext_lazy("Name"), "姓名 名字 居民姓名 人员姓名 name"),
    "sex": (gettext_lazy("Sex"), "性别 sex gender"),
    "document_type": (gettext_lazy("Document type"), "证件类型 证件种类 documenttype"),
    "id_number": (
        gettext_lazy("ID number"),
        "身份证号 身份证 身份证号码 证件号码 证件号 公民身份号码 居民身份证号码 idnumber id",
    ),
    "birth_date": (gettext_lazy("Birth date"), "出生日期 出生年月 出生年月日 生日 birthdate dateofbirth"),
    "phone": (
        gettext_lazy("Mobile number"),
        "手机 手机号 手机号码 联系电话 电话 电话号码 联系方式 联系手机 phone mobile",
    ),
    "relation": (gettext_lazy("Relation to head"), "与户主关系 户主关系 关系 与户主的关系 relation"),
    "presence": (gettext_lazy("Presence"), "在住情况 居住情况 是否在住 在沪情况 居住状态 人员状态 presence"),
    "tags": (
        gettext_lazy("Key population"),
        "重点人群 特殊人群 人群分类 人员类别 重点人群类别 特殊人群类别 keypopulation",
    ),
    "party_member": (gettext_lazy("Party member"), "政治面貌 是否党员 党员 partymember"),
    "notes": (gettext_lazy("Notes"), "备注 说明 情况说明 notes"),
}
# Columns that are known and deliberately not read (the age follows from the birth date): the
# mapping form does not ask about them.
IGNORED = set("序号 编号 年龄 no age".split())
# The columns the rejected-rows workbook adds after the file's own: known, so that the fixed
# workbook uploads again without questions about them.
REJECTED_SHEET, REJECTED_LINE, REJECTED_WHY = "原工作表", "原行号", "未导入原因"
IGNORED |= {REJECTED_SHEET, REJECTED_LINE, REJECTED_WHY}
REQUIRED = ("name", "room")
MERGED = {"phone", "notes"}  # fields that several columns may feed (a mobile and a second phone)

TAG_WORDS = {
    Tag.AGED_80: "80岁以上 八十岁以上 80周岁以上 高龄 高龄老人 80+",
    Tag.ALONE: "独居老人 独居 孤老 空巢独居",
    Tag.CHRONIC: "慢性病 慢病 慢性病患者 基础病",
    Tag.PREGNANT: "孕妇 孕产妇 怀孕 孕期",
    Tag.INFANT: "婴儿 婴幼儿 新生儿",
    Tag.DISABLED: "残疾 残疾人 残障 卧床 失能 瘫痪 行动不便",
    Tag.DOOR_SERVICE: "上门服务 需上门 需要上门",
    Tag.HARDSHIP: "困难户 困难家庭 低保 低保户 特困 特困户",
}
# Illnesses that make a chronic-illness tag with themselves as the condition. A severe mental disorder
# is a key population of its own in committees' work, which the register has no tag for: the admin
# says what it means.
CONDITION_WORDS = set("高血压 糖尿病 冠心病 心脏病 慢阻肺 哮喘 尿毒症 透析 肿瘤 癌症 脑梗 中风".split())
PRESENCE_WORDS = {
    Presence.HOME: "在住 在家 居住 常住 在 是 在沪 home athome",
    Presence.AWAY: "外出 不在 不在家 不在沪 离沪 外地 未返 未返沪 在外 否 away",
    Presence.QUARANTINE: "隔离 隔离中 集中隔离 方舱 隔离点 居家隔离 quarantine inquarantine",
    Presence.HOSPITAL: "住院 医院 hospital inhospital",
    Presence.MOVED_OUT: "搬离 已搬离 迁出 已迁出 搬走 movedout movedaway",
}
SEX_WORDS = {Sex.MALE: "男 男性 m male", Sex.FEMALE: "女 女性 f female"}
RELATION_WORDS = {
    Relation.HEAD: "户主 本人 户主本人 head",
    Relation.SPOUSE: "配偶 妻 妻子 夫 丈夫 夫妻 老伴 爱人 spouse",
    Relation.CHILD: "子女 子 女 儿子 女儿 长子 次子 三子 长女 次女 三女 之子 之女 养子 养女 child",
    Relation.PARENT: "父母 父 母 父亲 母亲 公公 婆婆 岳父 岳母 继父 继母 parent",
    Relation.GRANDCHILD: "孙子女 孙子 孙女 外孙 外孙女 曾孙 曾孙女 grandchild",
    Relation.SIBLING: "兄弟姐妹 兄 弟 姐 妹 兄弟 姐妹 哥哥 弟弟 姐姐 妹妹 sibling",
    Relation.TENANT: "租户 租客 房客 承租人 tenant",
    # Relations the register has no word of its own for: in-laws, wider family, household help.
    Relation.OTHER: "其他 其它 儿媳 媳妇 女婿 孙媳妇 孙女婿 嫂子 弟媳 姐夫 妹夫 侄子 侄女 外甥 外甥女 "
    "祖父 祖母 外祖父 外祖母 爷爷 奶奶 外公 外婆 亲属 亲戚 保姆 朋友 other",
}
DOCUMENT_WORDS = {
    DocumentType.MAINLAND_ID: "身份证 居民身份证 二代身份证",
    DocumentType.HK_MACAO: "港澳通行证 港澳居民来往内地通行证 回乡证 港澳居民居住证",
    DocumentType.TAIWAN: "台胞证 台湾居民来往大陆通行证 台湾居民居住证",
    DocumentType.PASSPORT: "护照 passport",
    DocumentType.OTHER: "其他 其它 other",
}
PARTY_WORDS = {True: "党员 中共党员 中国共产党党员 预备党员 是 y yes", False: "群众 否 团员 共青团员 无 n no 无党派"}


@functools.cache
def chinese_words(choices):
    """value → the word the Chinese pages show for it (the choice's label in Chinese)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


def first_words(words):
    return {key: text.split()[0] for key, text in words.items()}


NOTHING = {"", "无", "否", "-", "/", "—", "没有", "none"}


def _lookup(words):
    return {word: key for key, text in words.items() for word in text.split()}


ALIASES = {alias: name for name, (_label, aliases) in FIELDS.items() for alias in aliases.split()}
HEADER_NOISE = re.compile(r"[\s*:：]|[(（][^)）]*[)）]")


def header_key(text):
    """The comparable form of a column's name: "身份证号码（必填）*" → "身份证号码"."""
    return HEADER_NOISE.sub("", cells.text(text)).lower()


def column_field(key, overrides):
    """The field a column feeds: the admin's choice first, else its usual name; "" if none."""
    if key in overrides:
        return overrides[key]
    return ALIASES.get(key, "")


TAGS_BY_WORD = _lookup(TAG_WORDS)
PRESENCE_BY_WORD = _lookup(PRESENCE_WORDS)
SEX_BY_WORD = _lookup(SEX_WORDS)
RELATION_BY_WORD = _lookup(RELATION_WORDS)
DOCUMENT_BY_WORD = _lookup(DOCUMENT_WORDS)
PARTY_BY_WORD = _lookup(PARTY_WORDS)
