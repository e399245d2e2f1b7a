"""What a report is about, where, and which named things it mentions.

Two grievances in one ward often share most words ("mưa", "ngập", "cống") and
differ only in a street name, an alley number or a company. So the text of a
report is split into three kinds of evidence, compared separately by the
matcher:

- topic: content words (stopwords, request formulae and addresses removed);
- names: named places and organisations ("le thanh ton", "may phu thinh"),
  found after a marker (đường, hẻm, chợ, công ty...) or as a capitalised run;
- numbers: numbered places ("alley=12", "parcel=125", "group=7").

Administrative addresses (phường X, quận 1) are dropped: the ward is known
from ward_code, and citizens mix old and new names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from gbus.dedup.gazetteer import admin_names, area_names, longest_admin_name, name_syllables
from gbus.dedup.lexicon import (
    ADMIN_MARKERS,
    AMBIGUOUS_MARKERS,
    BOILERPLATE,
    GENERIC_NAME_HEADS,
    NAME_FILLERS,
    NAME_MARKER_KIND,
    NAME_MARKERS,
    NUMBER_MARKERS,
    PERSON_MARKERS,
    STOPWORDS,
)
from gbus.dedup.normalise import Token, normalise_tokens

FINGERPRINT_VERSION = 1
# Enough for the title and the first paragraph, where citizens say what and
# where; keeps an indexed entry small however long the letter is.
MAX_TOPIC_TOKENS = 80
MAX_NAMES = 8
MAX_NAME_TOKENS = 7

# Accented spellings under which a folded marker really is that marker
# ("đường" street, not "dương"; "chợ" market, not "cho" for).
_MARKER_SPELLINGS: dict[str, frozenset[str]] = {
    folded: frozenset(forms.split())
    for folded, forms in {
        "duong": "đường",
        "pho": "phố",
        "hem": "hẻm",
        "ngo": "ngõ",
        "ngach": "ngách",
        "kiet": "kiệt",
        "cau": "cầu",
        "cho": "chợ",
        "song": "sông",
        "kenh": "kênh",
        "rach": "rạch",
        "suoi": "suối",
        "con": "cồn",
        "ho": "hồ",
        "toa": "tòa toà",
        "truong": "trường",
        "xuong": "xưởng",
        "thon": "thôn",
        "xom": "xóm",
        "ap": "ấp",
        "ban": "bản",
        "lang": "làng",
        "cang": "cảng",
        "so": "số",
        "to": "tổ",
        "lo": "lô",
        "doi": "đội",
        "thua": "thửa",
        "quan": "quận",
        "xa": "xã",
        "phuong": "phường",
        "tinh": "tỉnh",
        "huyen": "huyện",
        "ong": "ông",
        "ba": "bà",
        "chi": "chị",
        "co": "cô",
        "chu": "chú",
        "bac": "bác",
        "chau": "cháu",
        "mo": "mỏ",
    }.items()
}
# Markers whose bare folded form is a different everyday word in a text that
# otherwise carries diacritics ("mưa to 2 tiếng": "to" is big, not tổ).
_NEEDS_ACCENT_IN_ACCENTED_TEXT = frozenset("to so lo doi ap ban con cho cau ho toa song lang xa".split())
# Markers after which a lower-case name may be read (no capitals in the text).
_LOWERCASE_NAME_MARKERS = frozenset(
    {
        ("duong",),
        ("pho",),
        ("hem",),
        ("ngo",),
        ("ngach",),
        ("kiet",),
        ("cong", "ty"),
        ("nha", "may"),
        ("xi", "nghiep"),
        ("benh", "vien"),
        ("dai", "lo"),
        ("quoc", "lo"),
        ("tinh", "lo"),
    }
)
_NUMBER_MARKER_PHRASES = tuple(NUMBER_MARKERS)
# Units after a number that make it a fact of the grievance (folded unit ->
# one spelling, so "40 phân" and "40cm" agree).
_QUANTITY_UNITS = {
    "cm": "cm",
    "phan": "cm",
    "m": "m",
    "met": "m",
    "km": "km",
    "thang": "thang",
    "ngay": "ngay",
    "tuan": "tuan",
    "gio": "gio",
    "tieng": "gio",
    "h": "gio",
    "trieu": "trieu",
    "nghin": "nghin",
    "ngan": "nghin",
    "tang": "tang",
    "lan": "lan",
    "khoan": "khoan",
    "con": "con",
    "ghe": "ghe",
    "nguoi": "nguoi",
    "bong": "bong",
    "vu": "vu",
    "chiec": "chiec",
    "dem": "dem",
    "hom": "ngay",
}
_NOT_NAME = STOPWORDS | {p[0] for p in BOILERPLATE if len(p) == 1}


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases grouped by their first word, longest first within a group.

    Memoised by the identity of the (immutable) phrase tuple: the extractor
    asks ~90 times per report, and a `functools.cache` keyed by the tuple
    itself re-hashed up to a hundred phrases on every call (over half of
    `analyse`'s time)."""
    hit = _GROUPED.get(id(phrases))
    if hit is None or hit[0] is not phrases:
        groups: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(phrases, key=len, reverse=True):
            groups.setdefault(phrase[0], []).append(phrase)
        hit = _GROUPED[id(phrases)] = (phrases, {word: tuple(group) for word, group in groups.items()})
    return hit[1]


# id(phrases) -> (phrases, groups); holding `phrases` keeps its id from being reused
_GROUPED: dict[int, tuple[tuple[tuple[str, ...], ...], dict[str, tuple[tuple[str, ...], ...]]]] = {}


@dataclass(frozen=True, slots=True)
class TextFeatures:
    topic: tuple[str, ...]
    names: tuple[str, ...]  # "kind:name" in order of mention, title first; kind may be ""
    numbers: tuple[str, ...]  # "class=value"

    @property
    def primary_name(self) -> str | None:
        """The place or body the report is mainly about: the first name of
        two or more words ("May mặc Phú Thịnh" beats a stray "May"). Weak
        names (kind "~", read without a marker from lower case) never are."""
        strong = [n for n in self.names if not n.startswith("~:")]
        for name in strong:
            if " " in name:
                return name
        return strong[0] if strong else None


def split_name(name: str) -> tuple[str, str]:
    """ "street:le loi" -> ("street", "le loi"); an unmarked name has kind ""."""
    kind, _, text = name.partition(":")
    return kind, text


def to_fingerprint(features: TextFeatures) -> str:
    """Compact, storable form: `1|topic words|name;name|class=value;...`."""
    return "|".join(
        (str(FINGERPRINT_VERSION), " ".join(features.topic), ";".join(features.names), ";".join(features.numbers))
    )


def from_fingerprint(fingerprint: str) -> TextFeatures:
    version, topic, names, numbers = fingerprint.split("|")
    if int(version) != FINGERPRINT_VERSION:
        raise ValueError(f"fingerprint version {version} is not {FINGERPRINT_VERSION}")
    return TextFeatures(
        topic=tuple(topic.split()),
        names=tuple(names.split(";")) if names else (),
        numbers=tuple(numbers.split(";")) if numbers else (),
    )


# The case processor analyses each report twice: in decide(), then in
# IndexEntry.from_report when the decided report is indexed, right after. Analysis is
# ~40% of decide() and the second pass was ~8% of the processor's CPU (py-spy under
# bench/bench_e2e.py). TextFeatures is immutable and analyse() pure, so the second call
# is served from this cache; 1024 entries hold far more than one polled batch.
@lru_cache(maxsize=1024)
def analyse(
    title: str, description: str, province_code: str | None = None, ward_code: str | None = None
) -> TextFeatures:
    """Features of a report's text; the codes say which place names are its
    own address (a bare "Bến Thành" in a Bến Thành report).

    Title and description are read separately: an SMS title is often all
    lower case while the body is not, and a title's last word must not run
    into the body's first.
    """
    own_area = area_names(province_code, ward_code)
    topic: list[str] = []
    names: list[str] = []
    numbers: list[str] = []
    for text in (title, description):
        extractor = _Extractor(normalise_tokens(text), own_area)
        extractor.run()
        topic += extractor.topic
        names += extractor.names
        numbers += extractor.numbers
    return TextFeatures(
        topic=tuple(topic[:MAX_TOPIC_TOKENS]),
        names=_unique_names(names)[:MAX_NAMES],
        numbers=tuple(dict.fromkeys(numbers)),
    )


def _unique_names(names: list[str]) -> tuple[str, ...]:
    """One entry per name, keeping the kind when any mention had a marker."""
    kinds: dict[str, str] = {}
    for name in names:
        kind, text = split_name(name)
        if not kinds.get(text):
            kinds[text] = kind
    return tuple(f"{kind}:{text}" for text, kind in kinds.items())


class _Extractor:
    """Reads one text (a title or a description) left to right."""

    def __init__(self, tokens: list[Token], own_area: frozenset[tuple[str, ...]] = frozenset()) -> None:
        self.own_area = own_area
        self.t = tokens
        self.texts = [tok.text for tok in tokens]  # phrases are matched on slices of these
        self.n = len(tokens)
        accented = sum(1 for tok in tokens if tok.accented)
        self.accented_text = accented > 0.2 * max(self.n, 1)
        # Citizens who type names with capitals do it everywhere; in an
        # all-lower-case message a name is only read after a clear marker.
        self.mixed_case = any(tok.cap and not tok.start for tok in tokens)
        self.topic: list[str] = []
        self.names: list[str] = []
        self.numbers: list[str] = []
        self._weak_until = 0

    def run(self) -> None:
        i = 0
        while i < self.n:
            i = self._step(i)

    def _step(self, i: int) -> int:
        for step in (self._numbered_place, self._admin_address, self._named_place, self._person, self._capitalised):
            nxt = step(i)
            if nxt is not None:
                return nxt
        formula = self._match(i, BOILERPLATE)
        if formula is not None:
            return i + len(formula)
        if not self.mixed_case:
            self._weak_name(i)
        tok = self.t[i]
        if "/" in tok.text:
            # "nhà 12/5 Lê Quang Định" is an address although 12/5 could be a date
            after_house = i > 0 and self.t[i - 1].text in ("nha", "can", "so")
            before_name = i + 1 < self.n and self.t[i + 1].cap and not self.t[i + 1].brk
            self._slashed(tok.text, address=after_house or before_name)
        if tok.is_number and i + 1 < self.n and self.t[i + 1].text in _QUANTITY_UNITS:
            # "ngập 40cm", "nợ lương 3 tháng": a grievance's own facts, repeated
            # by every report of it and rarely equal across two incidents
            self.numbers.append(f"qty={tok.text} {_QUANTITY_UNITS[self.t[i + 1].text]}")
        if not tok.is_number and not tok.initial and len(tok.text) > 1 and tok.text not in STOPWORDS:
            self.topic.append(tok.text)  # unmarked numbers are quantities and dates: dropped
        return i + 1

    def _slashed(self, text: str, *, address: bool = False) -> None:
        """ "88/5" is house 5 in alley 88, unless it reads as a date ("14/10",
        "05/08/2025") where nothing says it is an address: its alley then
        tells two alleys of one street apart, its house two houses of one alley."""
        parts = text.split("/")
        if len(parts) != 2:
            return
        first, second = int(parts[0]), int(parts[1])
        if not address and ((first <= 31 and 1 <= second <= 12) or (first <= 12 and second >= 1900)):
            return  # a day and a month, or a month and a year
        self.numbers.append(f"alley={first}")
        self.numbers.append(f"house={text}")

    # -- markers -----------------------------------------------------------
    def _marker_ok(self, tok: Token) -> bool:
        allowed = _MARKER_SPELLINGS.get(tok.text)
        if allowed is None:
            return True
        if tok.accented:
            return tok.accented in allowed
        return not (self.accented_text and tok.text in _NEEDS_ACCENT_IN_ACCENTED_TEXT)

    def _match(self, i: int, phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
        for phrase in _by_first_word(phrases).get(self.t[i].text, ()):  # longest first
            if len(phrase) == 1 or tuple(self.texts[i : i + len(phrase)]) == phrase:
                return phrase
        return None

    def _numbered_place(self, i: int) -> int | None:
        for key in _by_first_word(_NUMBER_MARKER_PHRASES).get(self.t[i].text, ()):
            length = len(key)
            if length > 1 and tuple(self.texts[i : i + length]) != key:
                continue
            cls = NUMBER_MARKERS[key]
            j = i + length
            if cls and cls != "house" and j + 1 < self.n and self.t[j].text == "so" and self.t[j + 1].is_number:
                j += 1  # "thửa đất số 215", "tờ bản đồ số 9", "hẻm số 12"
            if cls and j < self.n and self.t[j].is_number and (length > 1 or self._marker_ok(self.t[i])):
                self.numbers.append(f"{cls}={self.t[j].text}")
                if cls in ("alley", "house"):  # "hẻm 12 Nơ Trang Long": the street follows
                    self._slashed(self.t[j].text, address=True)
                    k, name = self._name_after(j + 1, lowercase_ok=not self.mixed_case)
                    if name:
                        self.names.append(f"street:{name}")
                        return k
                return j + 1
        return None

    def _admin_address(self, i: int) -> int | None:
        marker = self._match(i, ADMIN_MARKERS)
        if marker is None or (len(marker) == 1 and not self._marker_ok(self.t[i])):
            return None
        j = i + len(marker)
        if j < self.n and self.t[j].is_number:  # "quận 1", "phường 12"
            return j + 1
        length = self._admin_name_length(j)
        if length:
            name = tuple(self.texts[j : j + length])
            if name not in self.own_area:
                # "giáp phường Bến Nghé": another ward named, which lets the
                # report match that ward's cases (kept as evidence, not a name)
                self.numbers.append(f"area={' '.join(name)}")
        return j + length if length else j  # a bare "phường" is boilerplate

    def _admin_name_length(self, j: int) -> int:
        names = admin_names()
        for length in range(min(longest_admin_name(), self.n - j), 0, -1):
            if tuple(self.texts[j : j + length]) in names:
                return length
        return 0

    def _named_place(self, i: int) -> int | None:
        marker = self._match(i, NAME_MARKERS)
        if marker is None or (len(marker) == 1 and not self._marker_ok(self.t[i])):
            return None
        confirmed = bool(self.t[i].accented) or marker[0] not in AMBIGUOUS_MARKERS
        lowercase_ok = confirmed and marker in _LOWERCASE_NAME_MARKERS and not self.mixed_case
        j, name = self._name_after(i + len(marker), lowercase_ok=lowercase_ok)
        if not name:
            if len(marker) == 1:
                return None  # "đường" without a name is just a word
            self.topic.extend(marker)  # "bệnh viện" without a name is still a topic
            return i + len(marker)
        self.names.append(f"{NAME_MARKER_KIND[marker]}:{name}")
        return j

    def _person(self, i: int) -> int | None:
        tok = self.t[i]
        if tok.text not in PERSON_MARKERS or not self._marker_ok(tok):
            return None
        j = i + 1
        if j >= self.n or not self.t[j].cap or self._starts_marker(j):
            return None  # "cháu Trường Mầm non...": a place follows, not a person
        while j < self.n and self.t[j].cap and not self.t[j].is_number and (j == i + 1 or not self.t[j].brk):
            j += 1  # a reporter's or official's name: differs between reports
        return j

    def _capitalised(self, i: int) -> int | None:
        tok = self.t[i]
        if not (self.mixed_case and tok.cap) or tok.is_number:
            return None
        if tok.start:
            # A capital at a sentence start proves nothing on its own: a name
            # starts there only with a name syllable followed by a capital.
            nxt = self.t[i + 1] if i + 1 < self.n else None
            if (
                nxt is None
                or not nxt.cap
                or nxt.brk
                or nxt.is_number
                or tok.text not in name_syllables()
                or tok.text in _NOT_NAME
            ):
                return None
        j, name = self._cap_run(i, after_marker=False)
        if not name:
            return j  # a capitalised agency or formula: neither topic nor name
        if tuple(name.split()) in self.own_area:
            return j  # a bare "Bến Thành" in a Bến Thành report: its address
        self.names.append(f":{name}")
        return j

    def _weak_name(self, i: int) -> None:
        """In an all-lower-case message ("nguyen huu canh lai ngap r"), a run
        of two or three place-name syllables may be a street named without
        a marker. Recorded as a weak name (kind "~"): it can confirm a place
        another report names, never contradict one."""
        if self._weak_until > i:
            return
        syllables = name_syllables()
        k = i
        while (
            k < self.n
            and k - i < 3
            and (k == i or not self.t[k].brk)
            and self.t[k].text in syllables
            and self.t[k].text not in _NOT_NAME
            and not self._starts_marker(k)
            and not self.t[k].is_number
        ):
            k += 1
        if k - i >= 2:
            name = " ".join(tok.text for tok in self.t[i:k])
            if tuple(name.split()) not in self.own_area:
                self.names.append(f"~:{name}")
        self._weak_until = max(k, i + 1)

    # -- names -------------------------------------------------------------
    def _name_after(self, j: int, *, lowercase_ok: bool) -> tuple[int, str | None]:
        while j < self.n and self.t[j].text in NAME_FILLERS:
            j += 1
        if j >= self.n or self.t[j].is_number or self.t[j].brk:
            return j, None  # "...xuống đường. Phường có biết": no name after a full stop
        if self.t[j].cap:
            return self._cap_run(j)
        if not lowercase_ok:
            return j, None
        syllables = name_syllables()
        known = self._admin_name_length(j)
        if known:  # "bv dong nai bat mua...": a place name ends where the known name does
            name = " ".join(tok.text for tok in self.t[j : j + known])
            return j + known, None if tuple(name.split()) in self.own_area else name
        k = j
        while (
            k < self.n
            and k - j < 3
            and (k == j or not self.t[k].brk)
            and self.t[k].text in syllables
            and self.t[k].text not in _NOT_NAME
            and not self._starts_marker(k)
        ):
            k += 1
        accepted = self._accept(self.t[j:k])
        if accepted and tuple(accepted.split()) in self.own_area:
            return k, None
        return k, accepted

    def _starts_marker(self, k: int) -> bool:
        key = (self.t[k].text,)
        if key in NUMBER_MARKERS:
            return True
        return self._match(k, NAME_MARKERS) is not None or self._match(k, ADMIN_MARKERS) is not None

    def _cap_run(self, j: int, *, after_marker: bool = True) -> tuple[int, str | None]:
        k = j
        while (
            k < self.n
            and self.t[k].cap
            and not self.t[k].is_number
            and not self.t[k].initial
            and (k == j or not (self.t[k].brk or self._starts_admin(k)))
            and k - j < MAX_NAME_TOKENS
        ):
            k += 1
        if k < self.n and self.t[k].initial:
            return k + 1, None  # "Nguyễn Thị X.": a person, named differently in every report
        run = self.t[j:k]
        if not after_marker and len(run) == 1 and (run[0].accented or run[0].text in name_syllables()):
            # One Vietnamese syllable without a marker ("Liên đoàn", "Điện
            # lực") is a capitalised common word; "Pasteur" is a name.
            return k, None
        return k, self._accept(run)

    def _starts_admin(self, k: int) -> bool:
        """ "Mong P. Bến Thành...": the address is not part of a name before it."""
        return self._match(k, ADMIN_MARKERS) is not None and self._marker_ok(self.t[k])

    @staticmethod
    def _accept(run: list[Token]) -> str | None:
        words = tuple(tok.text for tok in run if tok.text not in NAME_FILLERS)
        if not words or any("_" in w for w in words):
            return None  # a grievance concept ("Lao động" -> cong_nhan) is not a name
        if len(words) == 1 and len(words[0]) < 3:
            return None  # "HH" of "HH4C": a fragment
        if len(words) == 1 and words[0] in _NOT_NAME:  # "Các", "Mong": a capitalised word
            return None
        if any(words[: len(head)] == head for head in GENERIC_NAME_HEADS):
            return None  # "Sở Giáo dục", "Công an phường": an agency, not a place
        return " ".join(words)
