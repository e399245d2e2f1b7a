"""The administrative changes file: reading it (every mistake with its file and line) and
the directory once its changes are in force."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest

from gbus.directory import DataFileError
from gbus.directory.changes import (
    VIETNAM,
    Change,
    changes_from_text,
    directory_with,
    load_changes,
    removed_ids,
)
from gbus.directory.directory import Directory

BEN_THANH, THU_DAU_MOT = "79.26743", "79.25747"

GOOD = """\
changes:
  - id: merge-ben-thanh
    effective: 2026-07-01
    type: ward_merged
    from: 79.26743
    into: 79.25747
    source: "Nghị quyết thử nghiệm"
  - {id: add-bql, effective: 2026-03-01, type: agency_added,
     agency: {id: GOV.BQL-KCN@79, name: "Ban Quản lý các khu công nghiệp"}}
  - {id: rename-so-tp, effective: 2026-05-01, type: agency_renamed, old: gov.so-tp@79, new: gov.so-tp2@79}
  - {id: dissolve-ttphcc, effective: 2026-05-01, type: agency_dissolved,
     agency: gov.ttphcc@79.25747, successor: gov.vp@79.25747}
"""


@lru_cache(maxsize=1)
def _changed() -> Directory:
    return directory_with(changes_from_text(GOOD, source="ok.yaml").changes, source="ok.yaml")


def test_changes_are_read_in_effective_order_and_start_at_midnight_vietnam_time():
    changes = changes_from_text(GOOD, source="ok.yaml")
    assert [c.id for c in changes.changes] == ["add-bql", "rename-so-tp", "dissolve-ttphcc", "merge-ben-thanh"]
    merge = changes.by_id("merge-ben-thanh")
    assert merge is not None and (merge.from_area, merge.into_area, merge.line) == (BEN_THANH, THU_DAU_MOT, 2)
    assert merge.effective_at == dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.timezone.utc)
    assert not merge.in_force(dt.datetime(2026, 6, 30, 23, 59, tzinfo=VIETNAM))
    assert merge.in_force(dt.datetime(2026, 7, 1, 0, 0, tzinfo=VIETNAM))
    added = changes.by_id("add-bql")
    assert added is not None and added.agency is not None and added.agency.id == "gov.bql-kcn@79"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("changes:\n  - {id: a, effective: 2026-07-01, type: ward_split, from: 79.26743}\n", 2, "type must be one of"),
        (
            "changes:\n  - id: a\n    effective: 2026-07-01\n    type: ward_merged\n    from: 79.26743\n    into: 79\n",
            6,
            "a ward is 'province.ward'",
        ),
        (
            "changes:\n  - {id: a, effective: 2026-07-01, type: ward_merged, from: 79.26743, into: 01.00070}\n",
            2,
            "different provinces",
        ),
        (
            "changes:\n  - {id: a, effective: next week, type: agency_renamed, old: gov.x@79, new: gov.y@79}\n",
            2,
            "effective must be a date",
        ),
        ("changes:\n  - {id: a, effective: 2026-07-01, type: agency_renamed, old: gov.x@79}\n", 2, "needs new"),
        (
            "changes:\n  - {id: a, effective: 2026-07-01, type: agency_added, agency: {id: gov.x@79}}\n",
            2,
            "needs a name",
        ),
        (
            "changes:\n  - {id: a, effective: 2026-07-01, type: agency_dissolved, agency: bogus, successor: gov.y@79}\n",
            2,
            "not an agency id",
        ),
        (
            "changes:\n  - {effective: 2026-07-01, type: agency_dissolved, agency: gov.x@79, successor: gov.y@79}\n",
            2,
            "needs an id",
        ),
        (
            "changes:\n  - {id: a, effective: 2026-07-01, type: ward_merged, from: 79.26743, into: 79.25747,\n"
            "     unknown: 1}\n",
            3,
            "unknown keys",
        ),
        ("changes:\n  - {id: a, effective: 2026-07-01\n", 3, "not valid YAML"),
        ("agencies: []\n", 1, "unknown key 'agencies'"),
    ],
)
def test_a_bad_change_is_refused_naming_the_file_and_its_line(text, line, words):
    with pytest.raises(DataFileError) as caught:
        changes_from_text(text, source="bad.yaml")
    message = str(caught.value)
    assert message.startswith(f"bad.yaml:{line}: ") and words in message, message


def test_every_mistake_of_a_file_is_reported_at_once_and_a_reused_id_names_both_lines():
    text = (
        "changes:\n"
        "  - {id: a, effective: 2026-07-01, type: ward_merged, from: 79.26743, into: 79.25747}\n"
        "  - {id: a, effective: 2026-08-01, type: ward_merged, from: 79.26740, into: 79.25747}\n"
        "  - {id: b, effective: 2026-07-01, type: teleported}\n"
    )
    with pytest.raises(DataFileError) as caught:
        changes_from_text(text, source="bad.yaml")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("bad.yaml:3: ") and "first at line 2" in lines[0]
    assert lines[1].startswith("bad.yaml:4: ") and "type must be one of" in lines[1]


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataFileError, match="nowhere.yaml: cannot read"):
        load_changes(tmp_path / "nowhere.yaml")


def test_a_merged_wards_bodies_answer_as_the_same_bodies_of_the_ward_it_merged_into():
    changed = _changed()
    assert changed.get(f"gov.ubnd@{BEN_THANH}").id == f"gov.ubnd@{THU_DAU_MOT}"
    assert changed.resolve_id(f"party.du@{BEN_THANH}") == f"party.du@{THU_DAU_MOT}"
    assert changed.agencies(area=BEN_THANH) == []  # the old ward's bodies are not listed any more
    assert changed.former_ids(f"gov.ubnd@{THU_DAU_MOT}") == (f"gov.ubnd@{BEN_THANH}",)
    # A body the ward merged into had already lost answers through its successor.
    assert changed.resolve_id(f"gov.ttphcc@{BEN_THANH}") == f"gov.vp@{THU_DAU_MOT}"
    # The ward's division stays known: old reports and stored cases still name it.
    assert changed.has_area(BEN_THANH)


def test_renamed_added_and_dissolved_agencies():
    changed, before = _changed(), Directory.default()
    renamed = changed.get("gov.so-tp@79")
    assert renamed is not None and renamed.id == "gov.so-tp2@79" and renamed.name == before.get("gov.so-tp@79").name
    assert changed.get("gov.bql-kcn@79").superior_id == "gov.ubnd@79"  # the sector's default superior
    assert changed.resolve_id("gov.ttphcc@79.25747") == "gov.vp@79.25747"
    assert "gov.ttphcc@79.25747" not in {a.id for a in changed.agencies(area=THU_DAU_MOT)}
    assert len(changed) == len(before) + 1 - 1 - len(before.agencies(area=BEN_THANH))


def test_a_change_that_cannot_apply_names_its_line_and_why():
    text = (
        "changes:\n"
        "  - {id: gone, effective: 2026-07-01, type: agency_dissolved, agency: gov.so-tp@79, successor: gov.nope@79}\n"
        "  - {id: far, effective: 2026-07-01, type: ward_merged, from: 79.99999, into: 79.25747}\n"
    )
    with pytest.raises(DataFileError) as caught:
        directory_with(changes_from_text(text, source="c.yaml").changes, source="c.yaml")
    message = str(caught.value)
    assert "c.yaml:2: change gone: successor gov.nope@79 is not an agency" in message
    assert "c.yaml:3: change far: ward 79.99999 is not in the division data" in message


def test_removed_ids_are_what_stops_existing():
    before = Directory.default()
    merge = Change("m", "ward_merged", dt.date(2026, 7, 1), 1, from_area=BEN_THANH, into_area=THU_DAU_MOT)
    assert removed_ids(merge, before) == {a.id for a in before.agencies(area=BEN_THANH)}
    gone = Change("g", "agency_dissolved", dt.date(2026, 7, 1), 1, old_id="gov.so-tp@79", new_id="gov.ubnd@79")
    assert removed_ids(gone, before) == {"gov.so-tp@79"}
