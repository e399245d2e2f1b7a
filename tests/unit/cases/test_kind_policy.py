"""The kind table is the one source: every view of a kind's meaning agrees with it."""

from __future__ import annotations

from gbus.domain.kinds import KIND_POLICIES, is_draft_opinion, policy
from gbus.domain.vocabulary import KIND_FORMALITY, KINDS
from gbus.intake.reporter import reporter_violations


def test_the_vocabulary_is_read_off_the_table():
    assert KINDS == tuple(p.code for p in KIND_POLICIES)
    assert KIND_FORMALITY == {p.code: p.formality for p in KIND_POLICIES}


def test_only_a_denunciation_accuses_and_only_a_complaint_must_be_named():
    assert [p.code for p in KIND_POLICIES if p.accuses_subject] == ["to_cao"]
    assert [p.code for p in KIND_POLICIES if p.named_reporter] == ["khieu_nai"]


def test_intake_refuses_an_anonymous_report_exactly_for_the_kinds_that_must_be_named():
    refused = {p.code for p in KIND_POLICIES if reporter_violations(None, True, p.code)}
    assert refused == {p.code for p in KIND_POLICIES if p.named_reporter}


def test_a_kind_this_version_does_not_know_is_treated_as_plain_feedback():
    unknown = policy("kien_nghi_moi")
    assert not unknown.accuses_subject and not unknown.named_reporter and not is_draft_opinion("kien_nghi_moi")
    assert is_draft_opinion("gop_y")
