"""One rule, asked everywhere: the agencies a case's denunciations accuse, also under an id renamed since."""

from __future__ import annotations

from dataclasses import dataclass

from gbus.domain.case import accused_agencies


@dataclass(frozen=True)
class R:
    kind: str
    subject_agency: str | None


RENAMED = {"party.bdv@79": "party.btgdv@79"}


def test_only_denunciations_accuse_and_only_when_they_name_a_subject():
    reports = [R("to_cao", "gov.ubnd@79.26743"), R("khieu_nai", "gov.so-xd@79"), R("to_cao", None), R("to_cao", "")]
    assert accused_agencies(reports) == {"gov.ubnd@79.26743"}


def test_an_accused_body_renamed_since_the_denunciation_is_accused_under_its_new_id():
    reports = [R("to_cao", "party.bdv@79")]
    assert accused_agencies(reports, lambda a: RENAMED.get(a, a)) == {"party.btgdv@79"}


def test_a_transfer_to_the_accused_body_under_its_new_name_is_refused():
    # The Department of Natural Resources and Environment (gov.so-tnmt) became the Department
    # of Agriculture and Environment (gov.so-nnmt) in 2025; a denunciation filed against the
    # old id must still keep the case away from the body that answers to it today.
    import pytest

    from gbus import errors
    from gbus.cases import commands as c
    from gbus.cases.intake_decisions import open_case
    from support.factories import T0, case_report, directory, router

    denunciation = case_report(kind="to_cao", subject_agency="gov.so-tnmt@79", category="dat_dai")
    case, _ = open_case(router(), denunciation, now=T0)
    assert case.handler != "gov.so-nnmt@79"
    handler = c.CommandHandler(router(), directory())
    command = c.CaseCommand("cmd-1", "r1", case.case_id, case.handler, T0, 0, c.TransferCase("gov.so-nnmt@79", "x"))
    with pytest.raises(errors.IllegalTransitionError, match="accused"):
        handler.handle(command, lambda case_id: case, T0)
