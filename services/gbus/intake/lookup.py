"""GetReport: where a report this node accepted went, for the agency that filed it.

Answered from the node's own records: the verdicts it received and the
requests it accepted (a report accepted but not yet judged is placed=false).
As for cases, a caller who may not see a report gets NOT_FOUND, the same
answer as for a report that does not exist, so a report id reveals nothing.
"""

from __future__ import annotations

from gbus.errors import NotFoundError, ValidationError
from gbus.intake.accepted import AcceptedRequests
from gbus.intake.placement import Placement
from gbus.intake.placement_store import PlacementStore


class ReportLookup:
    def __init__(self, placements: PlacementStore, accepted: AcceptedRequests) -> None:
        self._placements = placements
        self._accepted = accepted

    def get(self, caller: str, *, origin_agency: str = "", request_id: str = "", report_id: str = "") -> Placement:
        if report_id:
            found = self._by_report_id(report_id)
        elif request_id:
            # A member system asks about its own reports; naming itself is then optional.
            found = self._by_request(origin_agency or caller, request_id)
        else:
            raise ValidationError.single(
                "report_id", "give report_id, or request_id (origin_agency defaults to the caller)"
            )
        # Only the filing agency: the handler and watchers follow the case through CaseService.
        if found is None or found.origin_agency != caller:
            raise NotFoundError(f"report {(report_id or request_id)[:80]} not found")
        return found

    def _by_report_id(self, report_id: str) -> Placement | None:
        placement = self._placements.get(report_id)
        if placement is not None:
            return placement
        key = self._accepted.find_report(report_id)
        return Placement.pending(report_id, *key) if key else None

    def _by_request(self, origin_agency: str, request_id: str) -> Placement | None:
        placement = self._placements.find(origin_agency, request_id)
        if placement is not None:
            return placement
        prior = self._accepted.get(origin_agency, request_id)
        return Placement.pending(prior.report_id, origin_agency, request_id) if prior else None
