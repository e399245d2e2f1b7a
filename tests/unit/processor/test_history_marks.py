"""History marks: where a case's events lie in case-events, so restore need not read them."""

from __future__ import annotations

from gbus.processor.history import (
    HistoryMark,
    floors_after_commit,
    marks_after,
    marks_from_record,
    marks_from_text,
    marks_of_offsets,
    marks_record,
    marks_text,
    seq_ranges,
)

M = HistoryMark


def test_a_new_case_is_marked_from_its_floor_in_the_transaction():
    assert marks_after((), 0, 2, floor=45, since=40) == (M(1, 45),)


def test_a_later_transaction_adds_a_mark_from_the_first_event_it_adds():
    assert marks_after((M(1, 40),), 2, 4, floor=97, since=90) == (M(1, 40), M(3, 97))


def test_a_second_change_in_the_same_transaction_is_covered_by_its_first_mark():
    # The floor has moved on (other cases' events, and this case's own, come before it
    # now), but the case's events of one transaction are written together after its mark.
    assert marks_after((M(1, 40), M(3, 97)), 4, 6, floor=130, since=90) == (M(1, 40), M(3, 97))


def test_a_change_without_events_adds_no_mark():
    assert marks_after((M(1, 40),), 2, 2, floor=97, since=90) == (M(1, 40),)


def test_each_mark_reads_the_seqs_up_to_the_next_mark():
    assert seq_ranges((M(1, 40), M(3, 97), M(4, 150)), 6) == [(40, 1, 2), (97, 3, 3), (150, 4, 6)]


def test_events_before_the_first_mark_are_read_from_the_partitions_start():
    assert seq_ranges((M(3, 97),), 4) == [(0, 1, 2), (97, 3, 4)]
    assert seq_ranges((), 2) == [(0, 1, 2)]
    assert seq_ranges((), 0) == []


def test_a_commit_moves_the_floor_past_its_records_and_its_marker():
    assert floors_after_commit({0: 10, 1: 5}, {0: 3, 1: 0, 2: 2}) == {0: 14, 1: 5, 2: 3}


def test_known_offsets_give_one_mark_per_run_of_adjacent_offsets():
    assert marks_of_offsets({1: 10, 2: 11, 3: 50, 4: 51, 5: 52, 6: 90}) == (M(1, 10), M(3, 50), M(6, 90))
    assert marks_of_offsets({}) == ()


def test_marks_survive_the_snapshot_record_and_the_store_column():
    marks = (M(1, 40), M(3, 97))
    assert marks_from_record(marks_record(marks)) == marks
    assert marks_from_text(marks_text(marks)) == marks
    assert marks_from_text(marks_text(())) == ()
    assert marks_from_record(None) is None  # a snapshot written before CaseSnapshot v4
