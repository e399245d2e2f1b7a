"""The processing thread's watchdog: a step past its deadline, or a stop not honoured, ends the process."""

from __future__ import annotations

import threading

from gbus.processor.watchdog import Expiry, Watchdog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _watchdog(**kwargs):
    clock, expired = Clock(), []
    dog = Watchdog(on_expire=expired.append, clock=clock, **kwargs)
    return dog, clock, expired


def test_a_step_inside_its_deadline_is_left_alone():
    dog, clock, expired = _watchdog()
    with dog.guard("commit", 30):
        clock.now += 29
        assert dog.check() is None
    assert expired == []


def test_a_step_past_its_deadline_expires_once_naming_the_step():
    dog, clock, expired = _watchdog()
    with dog.guard("commit", 30):
        clock.now += 31
        first = dog.check()
        clock.now += 5
        dog.check()
    assert isinstance(first, Expiry) and first.step == "commit" and first.overdue_s == 1
    assert len(expired) == 1  # the reaction runs once, however often it is looked at


def test_nothing_expires_between_steps_however_long_the_wait():
    dog, clock, expired = _watchdog()
    with dog.guard("poll", 1):
        pass
    clock.now += 3600
    assert dog.check() is None and expired == []


def test_a_stop_not_honoured_within_the_grace_ends_the_process():
    stop = threading.Event()
    dog, clock, expired = _watchdog(stop=stop, stop_grace_s=10)
    with dog.guard("restore", 10_000):
        stop.set()
        dog.check()  # the stop is seen now
        clock.now += 9
        assert dog.check() is None
        clock.now += 2
        expiry = dog.check()
    assert expiry is not None and "stop requested" in expiry.reason and expired == [expiry]


def test_the_watch_thread_fires_on_its_own():
    fired = threading.Event()
    dog = Watchdog(on_expire=lambda _e: fired.set(), check_every_s=0.01)
    dog.start()
    try:
        with dog.guard("commit", 0.05):
            assert fired.wait(2.0)
    finally:
        dog.close()
