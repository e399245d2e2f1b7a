"""Assemble the corpus: families of grievances per ward, reports per grievance.

A *family* is the set of grievances of one ward (or one draft's opinions in a
province). Siblings in a family are the hard negatives: the same problem at
another street, another problem from the same reporter, the same company's
other grievance, the same petition template, another point on the same
draft. The split is by family, so no grievance (and no hard-negative pair)
straddles two splits; every family is in exactly one of train/dev/test.

Every third phrasing and frame is reserved: only test reports use it, so the
test split holds wordings the scorer never saw while it was trained.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from gbus.dedup.normalise import fold
from gbus.devtools.dedup_corpus.drafts import DRAFTS
from gbus.devtools.dedup_corpus.places import ORGS, Place, chat_place, new_place, place_phrase, wards_by_province
from gbus.devtools.dedup_corpus.problems import PROBLEMS, Problem
from gbus.devtools.dedup_corpus.voices import (
    CHANNELS,
    FRAMES,
    KIND_WORDS,
    NAMES,
    TITLE_STYLES,
    chat_style,
)

ICT = timezone(timedelta(hours=7))
SPLITS = ("train", "dev", "test")
_LABOUR = {"no_luong", "bhxh"}
# Report counts per grievance and their weights (mean ~3.2).
_SIZES = ((1, 18), (2, 24), (3, 20), (4, 15), (5, 10), (6, 6), (7, 4), (8, 3))


def split_of(family: str) -> str:
    """50/20/30 by a hash of the family key: stable whatever else changes."""
    bucket = int(hashlib.sha256(family.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 5 else ("dev" if bucket < 7 else "test")


def usable(options: tuple[str, ...], split: str) -> tuple[str, ...]:
    """Phrasings a split may use: test all, train/dev all but every third."""
    if split == "test" or len(options) < 3:
        return options
    return tuple(o for i, o in enumerate(options) if i % 3 != 2)


@dataclass
class Grievance:
    key: str
    family: str
    split: str
    problem: Problem | None  # None for an opinion on a draft
    place: Place | None
    province: str
    org: str
    n: int
    phone: str | None
    start: datetime
    size: int
    draft_point: tuple[str, ...] = ()
    draft_subject: str = ""
    draft_name: str = ""
    draft_category: str = ""
    petition: bool = False


class CorpusBuilder:
    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.taken: set[tuple[str, str]] = set()
        self.grievances: list[Grievance] = []
        self.rows: list[dict[str, Any]] = []
        self._request = 0

    # -- grievances ---------------------------------------------------------
    def build(self) -> list[dict[str, Any]]:
        rng = self.rng
        for province in sorted(wards_by_province()):
            big = province in ("01", "79", "48", "31", "92")
            n_wards = rng.randint(3, 5) + (3 if big else 0)
            start = rng.randrange(len(wards_by_province()[province]))
            for w in range(n_wards):
                self._ward_family(province, start + 7 * w)
            self._draft_family(province)
        for g in self.grievances:
            self._reports(g)
        return self.rows

    def _size(self) -> int:
        sizes, weights = zip(*_SIZES)
        return self.rng.choices(sizes, weights)[0]

    def _phone(self) -> str:
        return "09" + "".join(str(self.rng.randrange(10)) for _ in range(8))

    def _ward_family(self, province: str, ward_index: int) -> None:
        rng = self.rng
        family = f"{province}-w{ward_index}"
        split = split_of(family)
        first = rng.choice(PROBLEMS)
        members = [first]
        petition = rng.random() < 0.25  # the ward's residents use one petition template
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            roll = rng.random()
            if roll < 0.6:
                members.append(first)  # same problem type, another incident
            else:
                members.append(rng.choice(PROBLEMS))
        shared_phone = self._phone()
        shared_org = rng.choice(ORGS["company"])
        base = datetime(2025, 6, 1, 8, tzinfo=ICT) + timedelta(days=rng.randrange(150))
        for i, problem in enumerate(members):
            place = new_place(province, ward_index, rng, self.taken)
            org = rng.choice(ORGS[problem.org]) if problem.org else ""
            same_org_other_problem = problem.org == "company" and problem is not first and rng.random() < 0.5
            if problem.org == "company" and (i == 0 or same_org_other_problem):
                org = shared_org  # one factory's wages vs its soot: two grievances
            while i and problem is first and problem.org and org == shared_org:
                org = rng.choice(ORGS[problem.org])  # the same problem at another company
            self.grievances.append(
                Grievance(
                    key=f"{family}-g{i}-{problem.key}",
                    family=family,
                    split=split,
                    problem=problem,
                    place=place,
                    province=province,
                    org=org,
                    n=rng.randint(*problem.numbers),
                    # same reporter, different grievance: the first two share a phone half the time
                    phone=shared_phone if (i < 2 and rng.random() < 0.5) else None,
                    start=base + timedelta(days=rng.randrange(20), hours=rng.randrange(12)),
                    size=self._size(),
                    petition=petition,
                )
            )

    def _draft_family(self, province: str) -> None:
        rng = self.rng
        draft = rng.choice(DRAFTS)
        family = f"{province}-draft-{draft.key}"
        split = split_of(family)
        base = datetime(2025, 9, 1, 9, tzinfo=ICT) + timedelta(days=rng.randrange(60))
        for p, point in enumerate(rng.sample(draft.points, rng.choice([2, 2, 3]))):
            self.grievances.append(
                Grievance(
                    key=f"{family}-p{p}",
                    family=family,
                    split=split,
                    problem=None,
                    place=None,
                    province=province,
                    org="",
                    n=0,
                    phone=None,
                    start=base + timedelta(days=rng.randrange(10)),
                    size=rng.choice([1, 2, 3, 3, 4]),
                    draft_point=point,
                    draft_subject=f"{draft.role}@{province}",
                    draft_name=draft.name,
                    draft_category=draft.category,
                )
            )

    # -- reports ------------------------------------------------------------
    def _next_request(self, channel: str) -> str:
        self._request += 1
        return f"{channel.upper()[:4]}-{self._request:06d}"

    def _origin(self, channel: str, province: str, ward: str | None) -> str:
        if channel == "mttq":
            return f"front.mttq@{province}"
        if channel == "cong_doan":
            return f"union.ldld@{province}"
        if channel in ("tiep_cong_dan", "zalo") and ward:
            return f"gov.ubnd@{province}.{ward}"
        return f"gov.ubnd@{province}"

    def _reports(self, g: Grievance) -> None:
        if g.problem is None:
            self._opinions(g)
            return
        rng = self.rng
        first_title = ""
        for i in range(g.size):
            voices = ["clerk", "hotline", "chat", "letter", "front", "social"] + (["cite"] if i else [])
            weights = [3, 3, 4, 2, 2, 2] + ([2] if i else [])
            if g.problem.key in _LABOUR:
                voices.append("union")
                weights.append(4)
            voice = rng.choices(voices, weights)[0]
            if g.petition and i == 0:
                voice = "letter"
            filed = rng.choices(["own", "neighbour", "none"], [62, 18, 20])[0]
            row = self._report(g, i, voice, filed, first_title)
            first_title = first_title or row["title"] or row["description"][:60]
            self.rows.append(row)

    def _report(self, g: Grievance, i: int, voice: str, filed: str, first_title: str) -> dict[str, Any]:
        rng = self.rng
        problem, place = g.problem, g.place
        assert problem is not None and place is not None
        detail = rng.choice(usable(problem.details, g.split)).format(n=g.n)
        org = g.org
        if voice == "chat":
            p = (
                chat_place(place, rng)
                if filed != "neighbour"
                else fold(place_phrase(place, rng, filed_in_neighbour=True))
            )
            if rng.random() < 0.6:
                body = rng.choice(usable(problem.chat, g.split)).format(p=p, d=fold(detail), o=fold(org).lower())
            else:
                body = chat_style(rng.choice(usable(problem.formal, g.split)).format(p=p, d=detail, o=org), rng)
        else:
            p = place_phrase(place, rng, filed_in_neighbour=filed == "neighbour")
            body = rng.choice(usable(problem.formal, g.split)).format(p=p, d=detail, o=org)
        ask = rng.choice(problem.asks)
        frame = rng.choice(usable(FRAMES[voice], g.split))
        if g.petition and voice == "letter":
            frame = FRAMES["letter"][1]
        title_core = rng.choice(usable(problem.titles, g.split)).format(p=p, o=org or "đơn vị")
        ward_field = {"own": place.ward, "neighbour": place.neighbour, "none": None}[filed]
        home_ward = place.neighbour_name if filed == "neighbour" else place.ward_name
        extra = ""
        if voice == "letter":
            others = [f for f in problem.formal if f not in body]
            extra = rng.choice(others).format(p=p, d=detail, o=org) if others else ""
        fills = dict(
            b=body,
            bl=body[:1].lower() + body[1:],
            a=ask if voice != "chat" else fold(ask),
            hh=rng.randint(6, 22),
            mm=f"{rng.randrange(60):02d}",
            to=f"Ủy ban nhân dân {home_ward}",
            name=rng.choice(NAMES),
            home=f"{place.residential}, {home_ward}",
            extra=extra,
            age=rng.randint(45, 80),
            date=g.start.strftime("%d/%m/%Y"),
            cited=(first_title[:1].lower() + first_title[1:]) if first_title else title_core.lower(),
        )
        description = frame.format(**fills)
        style = rng.choice(TITLE_STYLES[voice])
        title = style.format(
            t=title_core,
            tl=title_core[:1].lower() + title_core[1:],
            tc=chat_style(title_core, rng),
            T=title_core.upper(),
            kind_word="",
        ).replace("Đơn  về", "Đơn về")
        channel = rng.choice(CHANNELS[voice])
        kind = rng.choice(problem.kinds) if rng.random() < 0.4 else problem.kinds[0]
        if voice == "letter" and "{kind_word}" in style:
            title = style.format(t=title_core, tl=title_core[:1].lower() + title_core[1:], kind_word=KIND_WORDS[kind])
        category = problem.categories[0] if rng.random() < 0.62 else rng.choice(problem.categories)
        phone = g.phone if g.phone and rng.random() < 0.7 else (self._phone() if rng.random() < 0.4 else None)
        at = g.start + timedelta(hours=rng.randrange(1, 24 * (35 if voice == "cite" else 18))) if i else g.start
        row: dict[str, Any] = {
            "report_id": "",
            "cluster": g.key,
            "kind": kind,
            "category": category,
            "channel": channel,
            "province_code": g.province,
            "ward_code": ward_field,
            "title": title or description[:60],
            "description": description,
            "submitted_at": at.isoformat(),
            "origin_agency": self._origin(channel, g.province, ward_field),
            "request_id": self._next_request(channel),
            "reporter_phone": phone,
            "meta": {
                "family": g.family,
                "problem": problem.key,
                "voice": voice,
                "filed": filed,
                "org": org,
                "petition": g.petition and voice == "letter",
            },
        }
        if kind == "to_cao":
            row["subject_agency"] = f"gov.ubnd@{g.province}.{place.ward}"
        return row

    def _opinions(self, g: Grievance) -> None:
        rng = self.rng
        for i in range(g.size):
            voice = rng.choice(["clerk", "front", "chat", "letter"])
            text = rng.choice(usable(g.draft_point, g.split))
            if voice == "chat":
                text = chat_style(text, rng)
                title = chat_style(f"góp ý {g.draft_name}", rng)
            else:
                title = rng.choice(["Góp ý {n}", "Ý kiến về {n}", "Tham gia ý kiến {n}"]).format(n=g.draft_name)
            if voice == "front":
                text = f"Tổng hợp ý kiến tại hội nghị lấy ý kiến {g.draft_name}: {text[:1].lower() + text[1:]}"
            channel = {"clerk": "cong_dvc", "front": "mttq", "chat": "zalo", "letter": "buu_chinh"}[voice]
            at = g.start + timedelta(hours=rng.randrange(0, 24 * 14))
            self.rows.append(
                {
                    "report_id": "",
                    "cluster": g.key,
                    "kind": "gop_y",
                    "category": g.draft_category,
                    "channel": channel,
                    "province_code": g.province,
                    "ward_code": None,
                    "title": title,
                    "description": text,
                    "submitted_at": at.isoformat(),
                    "origin_agency": self._origin(channel, g.province, None),
                    "request_id": self._next_request(channel),
                    "reporter_phone": self._phone() if rng.random() < 0.3 else None,
                    "subject_agency": g.draft_subject,
                    "meta": {"family": g.family, "problem": "gop_y", "voice": voice, "filed": "none"},
                }
            )


def build_splits(seed: int = 11) -> dict[str, list[dict[str, Any]]]:
    rows = CorpusBuilder(seed).build()
    rows.sort(key=lambda r: (r["submitted_at"], r["request_id"]))
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for n, row in enumerate(rows, start=1):
        row["report_id"] = f"G{n:05d}"
        clean = {k: v for k, v in row.items() if v is not None}
        out[split_of(row["meta"]["family"])].append(clean)
    return out
