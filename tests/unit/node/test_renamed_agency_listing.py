"""At a node: a body renamed in 2025 finds the cases filed under its old id, and a case
with a category from a newer version is stored and shown as sent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.cases.authority import Authority
from gbus.codec import AvroCodec
from gbus.errors import PermissionDeniedError
from gbus.node.copies import decode_copy
from gbus.node.reading import CaseReader, ListQuery
from gbus.node.servicer import view_to_pb
from gbus.node.store import NodeStore
from gbus.observability.metrics import Metrics
from gbus.routing import Router
from support.cases import copy_bytes, opened
from support.identity import keyring_for

ROUTER = Router.default()
CODEC = AvroCodec()
OLD, NEW = "party.bdv@79", "party.btgdv@79"


@pytest.fixture
def reader_with_an_old_case(tmp_path):
    store = NodeStore(tmp_path / "n.sqlite", CODEC)
    reader = CaseReader(store, Authority(ROUTER.directory), keyring_for(NEW), area="79", metrics=Metrics())
    state, history = opened(ROUTER)
    state = replace(state, handler=OLD)  # opened before the 2025 merger, under the old id
    store.apply(decode_copy(CODEC, copy_bytes(CODEC, state, history)), topic="t", partition=0, offset=0)
    yield reader, state
    store.close()


def test_the_renamed_body_lists_and_reads_the_cases_filed_under_its_old_id(reader_with_an_old_case):
    reader, state = reader_with_an_old_case
    views, _ = reader.list(NEW, ListQuery(agency_id=OLD))
    assert [v.case_id for v in views] == [state.case_id]
    assert reader.get(NEW, state.case_id)[0].case_id == state.case_id


def test_another_body_may_not_list_the_old_ids_cases(reader_with_an_old_case):
    reader, _ = reader_with_an_old_case
    with pytest.raises(PermissionDeniedError):
        reader.list("party.btc@79", ListQuery(agency_id=OLD))


def test_a_node_stores_and_shows_a_case_whose_category_it_does_not_know(tmp_path):
    # A newer processor may send a copy with a category added after this version.
    store = NodeStore(tmp_path / "n.sqlite", CODEC)
    reader = CaseReader(store, Authority(ROUTER.directory), keyring_for(), area="79", metrics=Metrics())
    state, history = opened(ROUTER)
    state = replace(
        state,
        category="nong_thon_moi",
        reports=tuple(replace(r, report=replace(r.report, category="nong_thon_moi")) for r in state.reports),
    )
    store.apply(decode_copy(CODEC, copy_bytes(CODEC, state, history)), topic="t", partition=0, offset=0)
    view, _ = reader.get(state.handler, state.case_id)
    assert view.state.category == "nong_thon_moi"
    assert view_to_pb(view).category == "nong_thon_moi"  # what GetCase answers
    store.close()
