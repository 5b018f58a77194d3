"""What the words in a committee's cells mean: presence, key-population tags, sex, relation …

People write the same thing many ways: brackets and colons of either width, a condition or a date
after the word (慢性病（高血压）, 慢病：糖尿病, 孕妇 预产期2022.6.1), or an everyday phrase instead of the
form's word (外出务工, 在外地, 未返沪). A cell is read as its known words first, then by the key
words each phrase contains; a phrase whose keys point two ways (常住外地) is not guessed. What is not
understood is returned as such, never an error: the importer keeps its text and lists it, and the
admin may say what it means (`meanings`), as for columns.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lockdown.core import cells
from lockdown.core.cells import CellError

from .choices import DocumentType, Presence, Relation, Sex, Tag
from .vocabulary import (
    CONDITION_WORDS,
    DOCUMENT_WORDS,
    NOTHING,
    PARTY_WORDS,
    PRESENCE_WORDS,
    RELATION_WORDS,
    SEX_WORDS,
    TAG_WORDS,
)

WORD_FIELDS = ("presence", "tags", "sex", "relation", "document_type", "party_member")
# An admin's meaning that says a word means nothing: it is neither kept in the notes nor listed.
NO_MEANING = "none"

# What the admin may say a word means, for each field, with the words the pages show.
WORD_CHOICES = {
    "presence": dict(Presence.choices),
    "tags": dict(Tag.choices),
    "sex": dict(Sex.choices),
    "relation": dict(Relation.choices),
    "document_type": dict(DocumentType.choices),
    "party_member": {"true": _("Party member"), "false": _("Not a party member")},
}
for _meanings in WORD_CHOICES.values():
    _meanings[NO_MEANING] = _("Means nothing: leave it out")

BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")"})
DASHES = re.compile(r"\s*[—–－~〜]+\s*|\s+-\s+")
SPACES = re.compile(r"\s+")
EDGE_PUNCTUATION = " .,;:、。!?·'\"“”‘’"
ITEM_SEPARATORS = "、,;/\n|"
DATE_AT_END = re.compile(
    r"^(?P<head>.*?)\s*(?P<date>(?:预产期|截至|至|到)?\s*(?:\d{4}\s*[年./-]\s*\d{1,2}(?:\s*[月./-]\s*\d{1,2}\s*日?)?月?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日?|\d{8}))\s*$"
)
DUE_DATE_WORDS = re.compile(r"^(?:预产期|截至|至|到)")
NEGATIONS = "不未没非无"

# Key words a phrase may contain, for each presence, and what each key means. Longer keys are
# matched first and taken out, so "不在家" is one key, not "在家" with a word before it.
PRESENCE_KEYS = {
    Presence.MOVED_OUT: "迁出 迁走 搬离 搬走 搬出 已搬 户口迁 已卖 出售 注销",
    Presence.QUARANTINE: "隔离 方舱 集中观察 健康观察 转运",
    Presence.HOSPITAL: "住院 医院 在院 病房",
    Presence.AWAY: "外出 外地 在外 外省 外市 外区 外国 国外 境外 出国 出差 探亲 务工 打工 上学 "
    "离沪 离京 离开 离家 未返 未回 没回 不在 异地 人户分离 长期在",
    Presence.HOME: "在家 在住 居住 常住 自住 住家 在沪 在本地 本地 已返 已回 返回 返沪 回来 在小区",
}
TAG_KEYS = {
    Tag.AGED_80: "80岁 80周岁 八十岁 八旬 90岁 九十岁 百岁 高龄",
    Tag.ALONE: "独居 孤老 孤寡 一人居住 独自居住 单身老人",
    Tag.CHRONIC: "慢性病 慢病 基础病 基础疾病 长期服药 长期用药",
    Tag.PREGNANT: "孕妇 孕产 怀孕 孕期 预产期 孕",
    Tag.INFANT: "婴儿 婴幼儿 新生儿 幼儿 婴",
    Tag.DISABLED: "残疾 残障 残 卧床 失能 半失能 瘫痪 行动不便 轮椅",
    Tag.DOOR_SERVICE: "上门",
    Tag.HARDSHIP: "困难 低保 特困 低收入 救助",
}
SEX_KEYS = {Sex.MALE: "男", Sex.FEMALE: "女"}
PARTY_KEYS = {
    True: "党员 中共",
    False: "群众 团员 无党派 民革 民盟 民建 民进 农工 致公 九三 台盟 民主党派",
}
DOCUMENT_KEYS = {
    DocumentType.MAINLAND_ID: "身份证",
    DocumentType.HK_MACAO: "港澳 回乡 香港 澳门",
    DocumentType.TAIWAN: "台湾 台胞",
    DocumentType.PASSPORT: "护照 passport",
}


@dataclass(frozen=True, slots=True)
class TagDetail:
    """What a cell says of one tag besides the tag itself."""

    condition: str = ""  # chronic illness: the illnesses
    note: str = ""
    due_date: datetime.date | None = None  # pregnancy


@dataclass(frozen=True, slots=True)
class Understood:
    value: object  # the field's value; None where nothing was understood
    unknown: tuple[str, ...] = ()  # the words (phrases) that were not understood
    detail: str = ""  # what was written beside a presence word, kept in the notes
    explained: tuple[str, ...] = ()  # the words understood by the admin's meaning


def normalise(raw) -> str:
    """A cell's words in one width: brackets and colons half-width, dashes one "-", spaces single."""
    found = cells.text(raw).translate(BRACKETS)
    found = found.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",").replace("；", ";")
    found = DASHES.sub("-", found)
    return SPACES.sub(" ", found).strip(EDGE_PUNCTUATION)


def word_key(word) -> str:
    """The comparable form of a word: no spaces, lower case."""
    return word.replace(" ", "").lower()


class Vocabulary:
    """The words of one import: the known ones, the choices' labels as pages show them, and the admin's
    meanings. Each distinct cell is understood once (a register repeats the same few words)."""

    def __init__(self, meanings=None):
        meanings = meanings or {}
        self.lookups = {
            "presence": _lookup(PRESENCE_WORDS, Presence),
            "tags": _lookup(TAG_WORDS, Tag),
            "sex": _lookup(SEX_WORDS, Sex),
            "relation": _lookup(RELATION_WORDS, Relation),
            "document_type": _lookup(DOCUMENT_WORDS, DocumentType),
            "party_member": _lookup(PARTY_WORDS),
        }
        self.keys = {
            "presence": _keys(PRESENCE_KEYS),
            "tags": _keys(TAG_KEYS),
            "sex": _keys(SEX_KEYS),
            "party_member": _keys(PARTY_KEYS),
            "document_type": _keys(DOCUMENT_KEYS),
        }
        self.meanings = {
            name: {word_key(word): _meaning(name, value) for word, value in chosen.items() if value}
            for name, chosen in meanings.items()
        }
        self.conditions = {word_key(word) for word in CONDITION_WORDS}
        self._seen = {name: {} for name in WORD_FIELDS}  # field → {raw cell: Understood}
        # field → {raw cell: value} of the cells understood at once: a value, nothing left over, no
        # admin's meaning. The importer looks here first (most cells are such).
        self.plain = {name: {} for name in WORD_FIELDS}

    def understand(self, name, raw) -> Understood:
        seen = self._seen[name]
        if raw not in seen:
            text = normalise(raw)
            seen[raw] = found = self._tags(text) if name == "tags" else self._one(name, text)
            if found.value is not None and not (found.unknown or found.detail or found.explained):
                self.plain[name][raw] = found.value
        return seen[raw]

    # One value: presence, sex, relation, document type, party membership ------------------------------

    def _one(self, name, text):
        head, detail = _split_detail(text)
        for candidate in dict.fromkeys((text, head)):
            found = self._known(name, candidate)
            if found is not _UNKNOWN:
                explained = (candidate,) if word_key(candidate) in self.meanings.get(name, {}) else ()
                return Understood(found, detail=detail if candidate == head else "", explained=explained)
        if word_key(text) in NOTHING:  # after the known words: 否 is a word of presence and of party membership
            return Understood(None)
        if name in self.keys:
            found = _by_keys(self.keys[name], word_key(head))
            if len(found) == 1 and NEGATED not in found:
                return Understood(found.pop(), detail=detail)
        return Understood(None, unknown=(text,))

    def _known(self, name, word):
        key = word_key(word)
        if key in self.meanings.get(name, {}):
            meaning = self.meanings[name][key]
            return None if meaning == NO_MEANING else meaning
        return self.lookups[name].get(key, _UNKNOWN)

    # Key-population tags, each with its detail ---------------------------------------------------------

    def _tags(self, text):
        tags, unknown, explained, meant_nothing = {}, [], [], False
        for item in _items(text):
            if word_key(item) in NOTHING:
                continue
            head, detail = _split_detail(item)
            found = self._tag_words(head)
            if found is None:
                unknown.append(head)  # the word the admin may explain; its detail stays in the notes
                continue
            if word_key(head) in self.meanings.get("tags", {}):
                explained.append(head)
                meant_nothing |= not found
            for tag, condition in found.items():
                tags[tag] = _merge_detail(tags.get(tag), _detail(tag, condition, detail))
        # A cell of words none of which is understood says nothing of the tags: the register keeps its own.
        # Nor does a cell of words the admin said mean nothing.
        says_nothing = not tags and (unknown or meant_nothing)
        return Understood(None if says_nothing else tags, unknown=tuple(unknown), explained=tuple(explained))

    def _tag_words(self, head):
        """{tag: condition} that a word names, {} for a word meaning nothing, None if not understood."""
        key = word_key(head)
        chosen = self.meanings.get("tags", {})
        if key in chosen:
            meaning = chosen[key]
            if meaning == NO_MEANING:
                return {}
            return {meaning: head if meaning == Tag.CHRONIC else ""}
        if key in self.lookups["tags"]:
            return {self.lookups["tags"][key]: ""}
        if key in self.conditions:
            return {Tag.CHRONIC: head}
        found = _by_keys(self.keys["tags"], key)
        if NEGATED in found:  # 无慢性病, 非独居: not guessed
            return None
        illnesses = [word for word in self.conditions if word in key]
        if illnesses and found <= {Tag.CHRONIC}:
            return {Tag.CHRONIC: head}
        return dict.fromkeys(found, "") or None


_UNKNOWN = object()
NEGATED = "negated"  # a key word after 不, 未, 没, 非 or 无 that has no opposite
OPPOSITES = {Presence.HOME: Presence.AWAY, True: False}


def _meaning(name, value):
    if name == "party_member" and value in ("true", "false"):
        return value == "true"
    return value


def _lookup(words, choices=None):
    """Word → value, from the vocabulary and from the choices' labels in Chinese and in English."""
    lookup = {word_key(word): value for value, text in words.items() for word in text.split()}
    if choices is not None:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for value, label in choices.choices:
                    lookup.setdefault(word_key(str(label)), value)
    return lookup


def _keys(keys):
    """(key, value) pairs, longest key first."""
    pairs = [(word_key(key), value) for value, text in keys.items() for key in text.split()]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _by_keys(keys, key):
    """The values whose key words the phrase contains. A key after a negation means its opposite where
    there is one (不在家 is away, 非党员 not a party member), else NEGATED (无慢性病: not guessed)."""
    found, rest = set(), key
    for word, value in keys:
        position = rest.find(word)
        while position >= 0:
            if position > 0 and rest[position - 1] in NEGATIONS:
                found.add(OPPOSITES.get(value, NEGATED))
            else:
                found.add(value)
            rest = rest[:position] + "#" + rest[position + len(word) :]
            position = rest.find(word)
    return found


def _items(text):
    """The cell's words, split at separators outside brackets: 慢性病(高血压、糖尿病)、独居 → two. A date
    standing alone belongs to the word before it (孕妇 预产期2022.6.1)."""
    items, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and (char in ITEM_SEPARATORS or char == " "):
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    words = []
    for item in items:
        item = item.strip(EDGE_PUNCTUATION)
        if not item:
            continue
        match = DATE_AT_END.match(item)
        if words and match and not match.group("head"):
            words[-1] = f"{words[-1]} {item}"
        else:
            words.append(item)
    return words


def _split_detail(item):
    """(word, what is written beside it): 慢性病(高血压) · 孕妇 预产期2022.6.1 · 慢病:糖尿病 · 残疾-二级."""
    if "(" in item:
        head, _bracket, rest = item.partition("(")
        inside, _close, after = rest.partition(")")
        inside, after = inside.strip(), after.strip(EDGE_PUNCTUATION)
        if not head.strip():  # (慢性病)高血压: the word in brackets, then its detail
            return inside, after
        return head.strip(), " ".join(part for part in (inside, after) if part)
    match = DATE_AT_END.match(item)
    if match and match.group("head").strip(EDGE_PUNCTUATION + "-"):
        return match.group("head").strip(EDGE_PUNCTUATION + "-"), match.group("date")
    for mark in (":", "-"):
        if mark in item:
            head, _mark, detail = item.partition(mark)
            if head.strip():
                return head.strip(), detail.strip()
    return item, ""


def _detail(tag, condition, detail):
    """The TagDetail of one tag from the word's own condition and what was written beside it."""
    if not detail:
        return TagDetail(condition=condition)
    if tag == Tag.CHRONIC:
        illnesses = [condition] if condition else []
        return TagDetail(condition="、".join(illnesses + [p for p in _items(detail.replace(" ", "、")) if p]))
    if tag == Tag.PREGNANT:
        due_date = _date(DUE_DATE_WORDS.sub("", detail).strip())
        if due_date is not None:
            return TagDetail(condition=condition, due_date=due_date)
    return TagDetail(condition=condition, note=detail)


def _date(text):
    try:
        return cells.date(text, today=datetime.date(2100, 1, 1))
    except CellError:
        return None


def _merge_detail(earlier, later):
    if earlier is None:
        return later
    return TagDetail(
        condition="、".join(dict.fromkeys(p for p in (earlier.condition, later.condition) if p)),
        note="；".join(dict.fromkeys(p for p in (earlier.note, later.note) if p)),
        due_date=earlier.due_date or later.due_date,
    )
