"""A node closes what it started in reverse order, whatever one of them does on close."""

from __future__ import annotations

from gbus.config import Settings
from gbus.node.app import NodeApp


def test_stop_closes_everything_in_reverse_order_even_when_one_close_fails():
    app = NodeApp(Settings(), area="79")
    closed: list[str] = []

    def failing() -> None:
        closed.append("feed")
        raise RuntimeError("broker gone")

    app._on_stop(lambda: closed.append("store"))
    app._on_stop(failing)
    app._on_stop(lambda: closed.append("producer"))
    app.stop(grace_s=0)
    assert closed == ["producer", "feed", "store"]


def test_a_second_stop_closes_nothing_twice():
    app = NodeApp(Settings(), area="79")
    closed: list[str] = []
    app._on_stop(lambda: closed.append("store"))
    app.stop(grace_s=0)
    app.stop(grace_s=0)
    assert closed == ["store"]
