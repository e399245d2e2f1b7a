"""The legal time limits are policy data with a small reader for the pipeline."""

from __future__ import annotations

import pytest

from gbus.directory import DataFileError
from gbus.routing.time_limits import Limit, load_time_limits, time_limits_from_data


@pytest.fixture(scope="module")
def limits():
    return load_time_limits()


def test_a_complaint_must_be_accepted_within_10_days(limits):
    assert limits.acceptance("khieu_nai") == Limit(10)


@pytest.mark.parametrize(
    ("attempt", "complex", "remote", "days"),
    [(1, False, False, 30), (1, True, False, 45), (1, False, True, 45), (1, True, True, 60),
     (2, False, False, 45), (2, True, False, 60), (2, False, True, 60), (2, True, True, 70), (3, False, False, 45)],
)  # fmt: skip
def test_complaint_resolution_limits_follow_the_law_on_complaints(limits, attempt, complex, remote, days):
    assert limits.resolution("khieu_nai", attempt, complex=complex, remote=remote) == Limit(days)


def test_a_denouncer_is_told_of_acceptance_within_5_working_days(limits):
    assert limits.acceptance("to_cao") == Limit(5, working_days=True)


def test_a_denunciation_is_resolved_in_30_days_extendable_once_or_twice(limits):
    assert limits.resolution("to_cao") == Limit(30)
    assert limits.denunciation_extension_days == 30
    assert (limits.max_extensions("to_cao", "complex"), limits.max_extensions("to_cao", "especially_complex")) == (1, 2)
    assert limits.max_extensions("to_cao") == 0


def test_kinds_without_a_statutory_limit_get_none_not_an_invented_number(limits):
    assert limits.resolution("phan_anh") is None and limits.acceptance("gop_y") is None


def test_a_breach_makes_the_superior_watch_and_raises_an_alert(limits):
    assert limits.superior_watches_on_breach and limits.alert_on_breach


def test_a_broken_time_limits_file_names_the_problem():
    with pytest.raises(DataFileError, match="positive integer"):
        time_limits_from_data({
            "khieu_nai": {"acceptance": {"days": -1}, "resolution": {}},
            "to_cao": {"acceptance_notice": {"days": 5}, "resolution": {"days": 30},
                       "extension": {"days": 30, "max_times": {}}},
        })  # fmt: skip
