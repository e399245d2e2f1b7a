"""The duplicate index follows every case change: opened, linked, merged, unmerged, closed."""

from __future__ import annotations

from dataclasses import replace

from gbus.cases.intake_decisions import link_report, open_case
from gbus.domain.status import CaseStatus
from gbus.processor.dedup_port import IndexKeeper
from support.factories import T0, case_report, router
from support.processor_fakes import FakeAdapter


def _keeper():
    adapter = FakeAdapter()
    return IndexKeeper(adapter), adapter


def test_an_opened_case_indexes_its_report_and_a_link_adds_only_the_new_one():
    keeper, adapter = _keeper()
    opened, _ = open_case(router(), case_report(title="a"), now=T0)
    keeper.sync(None, opened)
    linked, _ = link_report(router(), opened, case_report(title="a"), now=T0, score=1, matched_report_id=None)
    keeper.sync(opened, linked)
    engine = adapter.engines["79"]
    assert [c for c in engine.calls if c[0] == "add"] == [("add", r.report_id) for r in linked.reports]
    assert keeper.decide("79", case_report(title="a"), T0).case_id == opened.case_id


def test_a_merged_case_leaves_the_index_and_its_reports_return_under_the_target():
    keeper, adapter = _keeper()
    source, _ = open_case(router(), case_report(title="a"), now=T0)
    target, _ = open_case(router(), case_report(title="b"), now=T0)
    keeper.sync(None, source)
    keeper.sync(None, target)
    merged = replace(source, status=CaseStatus.MERGED, merged_into=target.case_id)
    grown = replace(target, reports=(*target.reports, *source.reports))
    keeper.sync(source, merged)
    keeper.sync(target, grown)
    entries = adapter.engines["79"].entries
    assert {e.case_id for e in entries.values()} == {target.case_id} and len(entries) == 2


def test_a_note_on_a_merged_case_does_not_touch_the_index():
    keeper, adapter = _keeper()
    source, _ = open_case(router(), case_report(title="a"), now=T0)
    merged = replace(source, status=CaseStatus.MERGED, merged_into="79-x")
    keeper.sync(merged, replace(merged, version=merged.version + 1))
    assert adapter.engines["79"].calls == []


def test_an_unmerged_report_moves_to_its_new_case():
    keeper, adapter = _keeper()
    case, _ = open_case(router(), case_report(title="a"), now=T0)
    case, _ = link_report(router(), case, case_report(title="a"), now=T0, score=1, matched_report_id=None)
    keeper.sync(None, case)
    moved = case.reports[1]
    remaining = replace(case, reports=case.reports[:1])
    new_case, _ = open_case(router(), moved, now=T0, generation=case.version)
    keeper.sync(case, remaining)
    keeper.sync(None, new_case)
    assert adapter.engines["79"].entries[moved.report_id].case_id == new_case.case_id


def test_closing_a_case_tells_the_engine_and_reopening_tells_it_again():
    keeper, adapter = _keeper()
    case, _ = open_case(router(), case_report(title="a"), now=T0)
    keeper.sync(None, case)
    closed = replace(case, status=CaseStatus.CLOSED, closed_at=T0)
    keeper.sync(case, closed)
    keeper.sync(closed, replace(closed, status=CaseStatus.REOPENED))
    statuses = [c[1] for c in adapter.engines["79"].calls if c[0] == "status"]
    assert statuses == [(case.case_id, True), (case.case_id, False), (case.case_id, True)]


def test_a_rebuild_replaces_the_shard_engine_with_the_given_committed_cases():
    keeper, adapter = _keeper()
    kept, _ = open_case(router(), case_report(title="kept"), now=T0)
    staged, _ = open_case(router(), case_report(title="staged"), now=T0)
    keeper.sync(None, kept)
    keeper.sync(None, staged)
    assert keeper.rebuild("79", [kept]) == 1
    assert set(adapter.engines["79"].entries) == {kept.reports[0].report_id}


def test_a_bulk_rebuild_answers_as_the_index_kept_one_change_at_a_time(monkeypatch):
    # The real engine rebuilds through its bulk add, in chunks; chunks of 3 make every
    # boundary case (a case's reports and its status in different chunks) appear here.
    from gbus.processor import dedup_port
    from gbus.processor.dedup_bridge import EngineAdapter

    monkeypatch.setattr(dedup_port, "_REBUILD_CHUNK", 3)
    topics = ["Lấn chiếm đất công tại hẻm 12", "Đèn đường hỏng ở chợ Bến Thành", "Nước ngập đường Lê Lợi"]
    cases = []
    for i in range(12):
        title = topics[i % 3]
        case, _ = open_case(router(), case_report(title=f"{title} {i}"), now=T0)
        if i % 2:
            case, _ = link_report(router(), case, case_report(title=title), now=T0, score=1, matched_report_id=None)
        if i % 4 == 3:
            case = replace(case, status=CaseStatus.CLOSED, closed_at=T0)
        cases.append(case)
    one_by_one, bulk = IndexKeeper(EngineAdapter()), IndexKeeper(EngineAdapter())
    for case in cases:
        one_by_one.sync(None, case)

    assert bulk.rebuild("79", cases) == sum(len(c.reports) for c in cases) == 18
    kept, rebuilt = one_by_one._engines["79"], bulk._engines["79"]
    counts = ("reports", "cases", "postings")  # not bytes: the bulk path grows its arrays differently
    assert {k: rebuilt.stats()[k] for k in counts} == {k: kept.stats()[k] for k in counts}
    closed = [c.case_id for c in cases if c.status is CaseStatus.CLOSED]
    assert len(closed) == 3
    for case_id in closed:
        row_kept, row_rebuilt = (
            kept.index.cases.row(case_id, create=False),
            rebuilt.index.cases.row(case_id, create=False),
        )
        assert rebuilt.index.cases.closed_at[row_rebuilt] == kept.index.cases.closed_at[row_kept] < 2**62
    for title in topics:
        query = case_report(title=title)
        assert bulk.decide("79", query, T0) == one_by_one.decide("79", query, T0)
