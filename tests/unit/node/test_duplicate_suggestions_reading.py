"""GetCase at a node shows a case's duplicate suggestions only where the caller may
read the suggested case (issue 11.4): a suggestion never reveals another case."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.cases.authority import Authority
from gbus.codec import AvroCodec
from gbus.domain.events import DuplicateSuggestion as S
from gbus.domain.status import CaseStatus
from gbus.errors import NotFoundError
from gbus.node.copies import decode_copy
from gbus.node.reading import CaseReader, ListQuery
from gbus.node.servicer import view_to_pb
from gbus.node.store import NodeStore
from gbus.observability.metrics import Metrics
from gbus.routing import Router
from support.cases import HANDLER, ORIGIN, copy_bytes, opened
from support.identity import keyring_for

ROUTER = Router.default()
CODEC = AvroCodec()
CENTRAL_UNION = "union.tld@VN"  # an origin that is neither handler nor watcher nor superior of ORIGIN's cases


@pytest.fixture
def node(tmp_path):
    store = NodeStore(tmp_path / "n.sqlite", CODEC)
    reader = CaseReader(store, Authority(ROUTER.directory), keyring_for(HANDLER, ORIGIN), area="79", metrics=Metrics())
    offsets = iter(range(10_000))

    def apply(state, history):
        store.apply(decode_copy(CODEC, copy_bytes(CODEC, state, history)), topic="t", partition=0, offset=next(offsets))
        return state

    yield reader, apply
    store.close()


def _two_cases(apply, score=0.42):
    """The union's case first; then the front's similar case, which the engine suggested it for."""
    union = apply(*opened(ROUTER, "u-1", origin=CENTRAL_UNION, channel="cong_doan"))
    state, history = opened(ROUTER, "f-1")
    front = apply(state.with_suggestions([S(union.case_id, score)]), history)
    return union, front


def test_the_handler_sees_the_suggested_case_with_its_score(node):
    reader, apply = node
    union, front = _two_cases(apply)
    view, _ = reader.get(HANDLER, front.case_id)
    assert view.suggestions == (S(union.case_id, 0.42),)
    wire = view_to_pb(view).duplicate_suggestions
    assert [(s.case_id, s.score) for s in wire] == [(union.case_id, 0.42)]


def test_a_caller_who_may_not_read_the_suggested_case_is_not_told_it_exists(node):
    reader, apply = node
    union, front = _two_cases(apply)
    with pytest.raises(NotFoundError):  # the front may not read the union's case at all ...
        reader.get(ORIGIN, union.case_id)
    view, _ = reader.get(ORIGIN, front.case_id)  # ... so its own case shows no suggestion of it
    assert view.suggestions == () and not view_to_pb(view).duplicate_suggestions
    assert union.case_id not in str(view_to_pb(view))


def test_a_suggested_case_this_node_does_not_hold_is_left_out(node):
    reader, apply = node
    state, history = opened(ROUTER, "f-1")
    front = apply(state.with_suggestions([S("79-notheldhere", 0.5)]), history)
    assert reader.get(HANDLER, front.case_id)[0].suggestions == ()


def test_a_suggested_case_merged_since_is_shown_as_the_case_it_went_into(node):
    reader, apply = node
    union, front = _two_cases(apply)
    third = apply(*opened(ROUTER, "f-3", title="Lấn chiếm lòng đường khu phố 3"))
    merged_union = replace(union, status=CaseStatus.MERGED, merged_into=third.case_id, version=union.version + 1)
    apply(merged_union, opened(ROUTER, "u-1", origin=CENTRAL_UNION, channel="cong_doan")[1])
    assert reader.get(HANDLER, front.case_id)[0].suggestions == (S(third.case_id, 0.42),)


def test_list_cases_leaves_suggestions_to_get_case(node):
    reader, apply = node
    _, front = _two_cases(apply)
    views, _ = reader.list(HANDLER, ListQuery())
    assert {v.case_id for v in views} >= {front.case_id} and all(v.suggestions == () for v in views)
