"""A long-lived admin client is rebuilt when its view of the cluster is stale, and only then."""

from __future__ import annotations

import pytest
from kafka.errors import (
    CoordinatorNotAvailableError,
    NotCoordinatorError,
    NotLeaderForPartitionError,
    TopicAuthorizationFailedError,
    UnknownTopicOrPartitionError,
)

from gbus.kafka_io.recovering_admin import RecoveringAdmin, is_stale_view


class Client:
    """Answers with `answers` in turn, raising the exceptions among them."""

    def __init__(self, number: int, answers: list) -> None:
        self.number = number
        self._answers = answers
        self.closed = False

    def read(self):
        answer = self._answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return f"{answer} from client {self.number}"

    def close(self) -> None:
        self.closed = True


def factory(answers_per_client: list[list]):
    made: list[Client] = []

    def make() -> Client:
        made.append(Client(len(made) + 1, answers_per_client[len(made)]))
        return made[-1]

    return make, made


@pytest.mark.parametrize("stale", [NotCoordinatorError(), CoordinatorNotAvailableError(), NotLeaderForPartitionError()])
def test_a_stale_view_closes_the_client_and_the_call_is_answered_by_a_new_one(stale):
    make, made = factory([[stale], ["offsets"]])
    admin = RecoveringAdmin(make)
    assert admin.call(lambda c: c.read()) == "offsets from client 2"
    assert made[0].closed and not made[1].closed
    assert admin.rebuilds == 1


def test_the_client_is_kept_while_calls_succeed():
    make, made = factory([["a", "b", "c"]])
    admin = RecoveringAdmin(make)
    assert [admin.call(lambda c: c.read()) for _ in range(3)] == [f"{x} from client 1" for x in "abc"]
    assert len(made) == 1


def test_an_error_a_new_client_would_repeat_is_raised_without_a_rebuild():
    make, made = factory([[TopicAuthorizationFailedError()]])
    admin = RecoveringAdmin(make)
    with pytest.raises(TopicAuthorizationFailedError):
        admin.call(lambda c: c.read())
    assert len(made) == 1 and not made[0].closed


def test_a_second_stale_answer_is_left_to_the_next_call_which_starts_a_third_client():
    make, made = factory([[NotCoordinatorError()], [NotCoordinatorError()], ["offsets"]])
    admin = RecoveringAdmin(make)
    with pytest.raises(NotCoordinatorError):
        admin.call(lambda c: c.read())
    assert admin.call(lambda c: c.read()) == "offsets from client 3"


def test_stale_views_are_coordinator_and_metadata_errors_only():
    assert is_stale_view(NotCoordinatorError())
    assert is_stale_view(UnknownTopicOrPartitionError())  # invalid_metadata: a topic's leader moved
    assert not is_stale_view(TopicAuthorizationFailedError())
    assert not is_stale_view(ValueError("not Kafka"))
