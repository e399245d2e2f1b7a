"""Reading at a node: who may see a case, whose reporter is shown, what a watcher replays."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from gbus.cases.authority import Authority
from gbus.codec import AvroCodec
from gbus.domain.case import make_report_id
from gbus.domain.status import CaseStatus
from gbus.errors import NotFoundError, PermissionDeniedError, ValidationError
from gbus.node.copies import decode_copy
from gbus.node.reading import CaseReader, ListQuery
from gbus.node.store import NodeStore
from gbus.observability.metrics import Metrics
from gbus.routing import Router
from gbus.security.identity_seal import ReporterIdentity
from support.cases import HANDLER, ORIGIN, UNRELATED, WATCHER, copy_bytes, opened, with_status
from support.identity import keyed, keyring_for, sealed

ROUTER = Router.default()
CODEC = AvroCodec()
PERSON = ReporterIdentity(name="Lê Văn C", phone="0912345678")


@pytest.fixture
def node(tmp_path):
    store = NodeStore(tmp_path / "n.sqlite", CODEC)
    reader = CaseReader(
        store, Authority(ROUTER.directory), keyring_for(HANDLER, ORIGIN, WATCHER), area="79", metrics=Metrics()
    )
    offsets = iter(range(10_000))

    def apply(state, history):
        store.apply(decode_copy(CODEC, copy_bytes(CODEC, state, history)), topic="t", partition=0, offset=next(offsets))

    yield reader, apply
    store.close()


def _sealed_case(request_id="r-1"):
    state, history = opened(ROUTER, request_id, sealed=sealed(PERSON, make_report_id("79", ORIGIN, request_id)))
    return keyed(state), history


def test_an_unrelated_agency_is_told_the_case_does_not_exist(node):
    reader, apply = node
    state, history = opened(ROUTER)
    apply(state, history)
    with pytest.raises(NotFoundError):
        reader.get(UNRELATED, state.case_id)
    with pytest.raises(NotFoundError):
        reader.get(HANDLER, "79-nosuchcase")


def test_the_handler_s_superior_reads_the_case_but_not_the_reporter(node):
    reader, apply = node
    apply(*_sealed_case())
    state = _sealed_case()[0]
    superior = ROUTER.directory.superior_of(HANDLER).id
    view, _ = reader.get(superior, state.case_id)
    assert view.state.case_id == state.case_id and view.reporters == {}


def test_the_reporter_is_shown_to_the_handler_and_the_origin_only(node):
    reader, apply = node
    state, history = _sealed_case()
    apply(state, history)
    rid = state.reports[0].report_id
    assert reader.get(HANDLER, state.case_id)[0].reporters == {rid: PERSON}
    assert reader.get(ORIGIN, state.case_id)[0].reporters == {rid: PERSON}
    assert reader.get(WATCHER, state.case_id)[0].reporters == {}


def test_history_comes_with_the_case_only_when_asked(node):
    reader, apply = node
    state, history = opened(ROUTER)
    apply(state, history)
    assert reader.get(HANDLER, state.case_id)[1] == []
    assert [e.seq for e in reader.get(HANDLER, state.case_id, include_history=True)[1]] == [1, 2]


def test_listing_pages_through_every_case_once(node):
    reader, apply = node
    for i in range(7):
        apply(*opened(ROUTER, f"r-{i}"))
    seen, token = [], ""
    while True:
        views, token = reader.list(HANDLER, ListQuery(page_size=3, page_token=token))
        seen.extend(v.case_id for v in views)
        if not token:
            break
    assert len(seen) == 7 == len(set(seen))


def test_listing_another_agency_s_cases_needs_to_be_its_superior(node):
    reader, _ = node
    with pytest.raises(PermissionDeniedError):
        reader.list(WATCHER, ListQuery(agency_id=HANDLER))
    superior = ROUTER.directory.superior_of(HANDLER).id
    assert reader.list(superior, ListQuery(agency_id=HANDLER)) == ([], "")
    with pytest.raises(ValidationError):
        reader.list(HANDLER, ListQuery(category="not-a-category"))


def test_a_watch_resumed_from_a_cursor_replays_exactly_the_changes_after_it(node):
    reader, apply = node
    v1 = opened(ROUTER)
    v2 = with_status(*v1, CaseStatus.ACCEPTED)
    v3 = with_status(*v2, CaseStatus.IN_PROGRESS)
    other = opened(ROUTER, "r-2")
    for change in (v1, other, v2, v3):
        apply(*change)
    active = iter([True, False])  # one pass: what is there now, then stop
    first = next(reader.watch(WATCHER, cursor="", agency_id="", is_active=lambda: True))
    replay = list(reader.watch(WATCHER, cursor=first.cursor, agency_id="", is_active=lambda: next(active)))
    assert [(i.view.case_id, i.view.version) for i in replay] == [
        (other[0].case_id, 1), (v1[0].case_id, 2), (v1[0].case_id, 3)
    ]  # fmt: skip
    assert [[e.seq for e in i.events] for i in replay] == [[1, 2], [3], [4]]


def test_a_watch_skips_cases_the_agency_may_not_read(node):
    reader, apply = node
    apply(*opened(ROUTER))
    active = iter([True, False])
    assert list(reader.watch(UNRELATED, cursor="", agency_id="", is_active=lambda: next(active))) == []


def test_a_waiting_watch_receives_a_change_applied_later(node):
    reader, apply = node
    state, history = opened(ROUTER)
    received = []
    stop = threading.Event()

    def watch():
        for item in reader.watch(HANDLER, cursor="", agency_id="", is_active=lambda: not stop.is_set()):
            received.append(item.view.version)
            stop.set()

    t = threading.Thread(target=watch)
    t.start()
    apply(state, history)
    t.join(5)
    assert received == [1] and not t.is_alive()


def test_shutdown_ends_a_waiting_watch(node):
    reader, _ = node
    t = threading.Thread(target=lambda: list(reader.watch(HANDLER, cursor="", agency_id="", is_active=lambda: True)))
    t.start()
    reader.shutdown()
    t.join(2)
    assert not t.is_alive()


def test_an_agency_the_case_was_transferred_away_from_hears_of_the_transfer_and_nothing_after(node):
    reader, apply = node
    state, history = opened(ROUTER)
    apply(state, history)
    away = replace(state, handler="gov.ubnd@79", version=2, watchers=(), reports=tuple(
        replace(r, report=replace(r.report, origin_agency="front.mttq@79")) for r in state.reports))  # fmt: skip
    later = replace(away, version=3)
    apply(away, history)  # the history is not what this test is about
    apply(later, history)
    active = iter([True, False])
    seen = [i.view.version for i in reader.watch(HANDLER, cursor="", agency_id="", is_active=lambda: next(active))]
    assert seen == [1, 2]
    with pytest.raises(NotFoundError):
        reader.get(HANDLER, state.case_id)


def test_after_erasure_a_watch_replayed_from_the_start_shows_the_reporter_to_nobody(node):
    from gbus.cases.history import ChangeBuilder
    from gbus.domain import events as ev
    from gbus.security.identity_access import open_reporters

    reader, apply = node
    state, history = _sealed_case()
    apply(state, history)
    builder = ChangeBuilder(state, actor=HANDLER, at=state.updated_at, request_id=None)
    builder.emit(ev.IdentityErased((state.reports[0].report_id,), "test"))
    erased, new = builder.finish(
        replace(state, reports=(replace(state.reports[0], reporter_sealed=None),), key_wraps=())
    )
    apply(erased, (*history, *new))
    active = iter([True, False])
    replay = list(reader.watch(HANDLER, cursor="", agency_id="", is_active=lambda: next(active)))
    assert [i.view.version for i in replay] == [1, 2]
    assert all(i.view.reporters == {} for i in replay)
    # Not hidden but gone: the first change's stored snapshot no longer holds a wrap or a ciphertext.
    first = replay[0].view.state
    assert first.key_wraps == () and first.reports[0].reporter_sealed is None
    assert list(open_reporters(first, HANDLER, keyring_for(HANDLER))) == []
