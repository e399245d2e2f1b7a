"""The routing engine: a Report in, a RouteDecision (handler, watchers, rule, reasons) out.

Pure and deterministic: the same report, directory and rules always give the
same decision, so any node can recompute it and an explanation can be trusted.
A report the rules cannot place raises UnroutableError naming the field to
fix; nothing is ever sent to a default silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gbus.directory import DataFileError, Directory
from gbus.domain.case import accused_agencies, deciding_report
from gbus.domain.report import Report
from gbus.domain.vocabulary import CATEGORIES, CENTRAL_AREA, KIND_FORMALITY, known_category
from gbus.errors import FieldViolation, UnroutableError
from gbus.routing.rules import Condition, Rule, RuleSet, load_rules
from gbus.routing.targets import Target, Template, resolve


@dataclass(frozen=True, slots=True)
class RouteDecision:
    report_id: str
    handler: str
    rule: str  # id of the rule that matched
    explanation: str  # why this handler
    watchers: tuple[str, ...]  # deduplicated, never the handler, in rule order
    reasons: Mapping[str, str] = field(default_factory=dict)  # watcher -> why it watches
    excluded: Mapping[str, str] = field(default_factory=dict)  # agency kept from watching -> why

    def to_dict(self, *, verbose: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "report_id": self.report_id,
            "handler": self.handler,
            "watchers": list(self.watchers),
            "rule": self.rule,
        }
        if verbose:
            out["explanation"] = self.explanation
            out["reasons"] = {w: self.reasons[w] for w in self.watchers}
            if self.excluded:
                out["excluded"] = dict(self.excluded)
        return out


class Router:
    def __init__(self, directory: Directory, rules: RuleSet) -> None:
        self.directory = directory
        self.rules = rules
        _check_fixed_targets(directory, rules)
        # Rules by kind, category and whether the report names a subject, keeping file
        # order, so routing scans only rules that can match: most rules name a category or
        # a subject, and the rest are never looked at (the median budget is 20 µs).
        self._candidates: dict[tuple[str, str, bool], tuple[Rule, ...]] = {
            (kind, category, has_subject): tuple(
                r for r in rules.rules
                if (r.when.kinds is None or kind in r.when.kinds)
                and (r.when.categories is None or category in r.when.categories)
                and (has_subject or not _needs_subject(r.when))
                and (r.when.subject_present is None or r.when.subject_present == has_subject)
            )
            for kind in KIND_FORMALITY
            for category in CATEGORIES
            for has_subject in (False, True)
        }  # fmt: skip

    @classmethod
    def default(cls) -> "Router":
        return cls(Directory.default(), load_rules())

    def route(self, report: Report) -> RouteDecision:
        """Route one report. Raises UnroutableError (a ValidationError) naming the field."""
        rule, values, facts = self._match(report)
        assert rule.handler is not None  # a rule without reject has a handler (rules.py)
        handler = self._place(rule.handler, values, rule.id, "handler")
        handler_area = handler.rpartition("@")[2]
        values["handler.area"] = handler_area
        values["handler.province"] = handler_area[:2] if handler_area != CENTRAL_AREA else CENTRAL_AREA
        excluded = self._exclusions(rule, values)

        reasons: dict[str, list[str]] = {}
        for spec in rule.watchers:
            watcher = self._place(spec.target, values, rule.id, "watcher")
            _add(reasons, handler, excluded, watcher, f"rule {rule.id}: {spec.reason}")
        self._add_always(reasons, handler, excluded, facts, values)
        return _decision(report.report_id, handler, rule, reasons, excluded)

    def route_case(self, reports: Sequence[Report]) -> RouteDecision:
        """Route a case: the deciding report picks handler and rule; every report's
        origin and channel watchers are kept (each report keeps its holders informed), and
        so are the first deciding report's watchers when the case climbed above an accused
        handler, except agencies any report's rule excludes (the accused of every denunciation)."""
        deciding, decision = self._deciding_decision(reports)
        others = [(r, *self._match(r)) for r in reports if r is not deciding]
        excluded = dict(decision.excluded)
        for _, rule, values, _ in others:
            for agency_id, why in self._exclusions(rule, values).items():
                excluded.setdefault(agency_id, why)
        reasons: dict[str, list[str]] = {}
        for watcher in decision.watchers:
            _add(reasons, decision.handler, excluded, watcher, decision.reasons[watcher])
        first = deciding_report(reports)
        if first is not deciding:
            # The case climbed above an accused handler: whoever the first deciding report's rule
            # would have informed (a province's party committee of a denunciation against one
            # of its bodies) stays informed, unless accused itself or now the handler.
            alone = self.route(first)
            for watcher in alone.watchers:
                _add(reasons, decision.handler, excluded, watcher, alone.reasons[watcher])
        for report, _, values, facts in others:
            self._add_always(reasons, decision.handler, excluded, facts, values, report.report_id)
        rule = next(r for r in self.rules.rules if r.id == decision.rule)
        return _decision(decision.report_id, decision.handler, rule, reasons, excluded)

    # -- internals ---------------------------------------------------------------

    def _deciding_decision(self, reports: Sequence[Report]) -> tuple[Report, RouteDecision]:
        """The deciding report's decision, unless another denunciation in the case accuses
        that handler (one accuses a ward committee, another the province committee): then
        the most formal report whose handler no report accuses decides, which climbs the
        hierarchy above every accused agency."""
        deciding = deciding_report(reports)
        decision = self.route(deciding)
        accused = accused_agencies(reports, self.directory.canonical_id)
        if decision.handler not in accused:
            return deciding, decision
        rank = KIND_FORMALITY[deciding.kind]
        peers = sorted(
            (r for r in reports if KIND_FORMALITY[r.kind] == rank), key=lambda r: (r.submitted_at, r.report_id)
        )
        for report in peers:
            candidate = self.route(report)
            if candidate.handler not in accused:
                return report, candidate
        raise UnroutableError.single(
            "subject_agency",
            f"every agency that could handle this case is accused by one of its denunciations: {sorted(accused)}",
        )

    def _match(self, report: Report) -> tuple[Rule, dict[str, str | None], _Facts]:
        """The first rule matching the report, with the placeholder values for its targets
        and the facts its conditions were checked on (the always-watchers reuse them)."""
        subject = self._check_places(report)
        values = self._values(report, subject)
        facts = _Facts(report, subject)
        candidates = self._candidates[report.kind, facts.category, subject is not None]
        rule = next((r for r in candidates if _matches(r.when, facts)), None)
        if rule is None:
            raise UnroutableError.single(
                "category",
                f"no routing rule matches kind {report.kind}, category {report.category}, "
                f"attempt {report.attempt} in {self.rules.source}",
            )
        if rule.reject is not None:
            raise UnroutableError.single(rule.reject.field, f"{rule.reject.message} (rule {rule.id})")
        return rule, values, facts

    def _exclusions(self, rule: Rule, values: Mapping[str, str | None]) -> dict[str, str]:
        # An exclusion that names no agency for this report excludes nothing: that only
        # ever widens who watches, and the rule's own watchers are still placed strictly.
        excluded: dict[str, str] = {}
        for spec in rule.exclude:
            agency_id, _ = resolve(spec.target, values, self.directory)
            if agency_id is not None:
                excluded.setdefault(agency_id, f"rule {rule.id}: {spec.reason}")
        return excluded

    def _check_places(self, report: Report) -> str | None:
        """Every place and agency the report names exists, or UnroutableError naming each."""
        violations: list[FieldViolation] = []
        directory = self.directory
        province = report.province_code
        if province is not None and directory.province(province) is None:
            violations.append(FieldViolation("province_code", f"unknown province {province}"))
        elif report.ward_code is not None:
            ward = directory.ward(report.ward_code)
            if ward is None:
                violations.append(FieldViolation("ward_code", f"unknown ward {report.ward_code}"))
            elif province is not None and ward.province_code != province:
                violations.append(FieldViolation(
                    "ward_code",
                    f"ward {report.ward_code} ({ward.name}) is in province {ward.province_code}, not {province}",
                ))  # fmt: skip
        if report.origin_agency not in directory:
            # The origin always watches; an unknown origin could never be told anything.
            violations.append(FieldViolation("origin_agency", f"{report.origin_agency} is not in the directory"))
        if report.subject_agency is not None and report.subject_agency not in directory:
            violations.append(FieldViolation("subject_agency", f"{report.subject_agency} is not in the directory"))
        if violations:
            raise UnroutableError(violations)
        # A renamed body's old id routes as the body that replaced it (directory aliases).
        return None if report.subject_agency is None else directory.canonical_id(report.subject_agency)

    def _values(self, report: Report, subject: str | None) -> dict[str, str | None]:
        province = report.province_code
        ward = f"{province}.{report.ward_code}" if province and report.ward_code else None
        subject_area = subject.rpartition("@")[2] if subject else None
        values: dict[str, str | None] = {
            "province": province,
            "ward": ward,
            "local": ward or province,
            "origin": report.origin_agency,
            "subject": subject,
            "subject.area": subject_area,
            "subject.province": None if subject_area is None else (
                CENTRAL_AREA if subject_area == CENTRAL_AREA else subject_area[:2]
            ),
        }  # fmt: skip
        category = known_category(report.category)
        for name, table in self.rules.maps.items():
            values[name] = table.get(category)
        return values

    def _place(self, target: Target, values: Mapping[str, str | None], rule_id: str, what: str) -> str:
        agency_id, misses = resolve(target, values, self.directory)
        if agency_id is None:
            raise UnroutableError.single(
                target.blamed_field(), f"rule {rule_id} cannot place the {what}: {'; '.join(misses)}"
            )
        return agency_id

    def _add_always(
        self,
        reasons: dict[str, list[str]],
        handler: str,
        excluded: Mapping[str, str],
        facts: _Facts,
        values: Mapping[str, str | None],
        report_id: str | None = None,
    ) -> None:
        suffix = f" (report {report_id})" if report_id else ""
        for entry in self.rules.always:
            if _matches(entry.when, facts):
                watcher = self._place(entry.target, values, entry.id, "watcher")
                _add(reasons, handler, excluded, watcher, f"{entry.id}: {entry.reason}{suffix}")


class _Facts:
    """What conditions look at, computed once per report."""

    __slots__ = ("report", "category", "area_level", "subject", "subject_unit", "subject_level")

    def __init__(self, report: Report, subject: str | None) -> None:
        self.report = report
        # A category from a newer version routes as `khac` here; the report keeps its own.
        self.category = known_category(report.category)
        if report.province_code is None:
            self.area_level = "central"
        else:
            self.area_level = "commune" if report.ward_code else "province"
        self.subject = subject
        self.subject_unit: str | None
        self.subject_level: str | None
        if subject is not None:
            unit, _, area = subject.partition("@")
            self.subject_unit = unit
            self.subject_level = "central" if area == CENTRAL_AREA else ("commune" if "." in area else "province")
        else:
            self.subject_unit = self.subject_level = None


def _needs_subject(when: Condition) -> bool:
    """A constraint on the subject cannot hold for a report that names none."""
    return when.subject_present is True or any(
        c is not None for c in (when.subject_sectors, when.subject_units, when.subject_levels)
    )


def _matches(when: Condition, facts: _Facts) -> bool:
    report = facts.report
    if when.kinds is not None and report.kind not in when.kinds:
        return False
    if when.categories is not None and facts.category not in when.categories:
        return False
    if when.channels is not None and report.channel not in when.channels:
        return False
    if when.attempts is not None and report.attempt not in when.attempts:
        return False
    if when.min_attempt is not None and report.attempt < when.min_attempt:
        return False
    if when.area_levels is not None and facts.area_level not in when.area_levels:
        return False
    if when.subject_present is not None and (facts.subject is not None) != when.subject_present:
        return False
    if facts.subject is None or facts.subject_unit is None:  # both None or neither
        # A constraint on the subject cannot hold when there is none.
        return when.subject_sectors is None and when.subject_units is None and when.subject_levels is None
    if when.subject_units is not None and facts.subject_unit not in when.subject_units:
        return False
    if when.subject_sectors is not None and facts.subject_unit.partition(".")[0] not in when.subject_sectors:
        return False
    if when.subject_levels is not None and facts.subject_level not in when.subject_levels:
        return False
    return True


def _add(reasons: dict[str, list[str]], handler: str, excluded: Mapping[str, str], watcher: str, reason: str) -> None:
    if watcher == handler or watcher in excluded:
        return  # the handler is told everything anyway; listing it twice double-delivers
    reasons.setdefault(watcher, []).append(reason)


def _decision(
    report_id: str, handler: str, rule: Rule, reasons: Mapping[str, list[str]], excluded: Mapping[str, str]
) -> RouteDecision:
    return RouteDecision(
        report_id=report_id,
        handler=handler,
        rule=rule.id,
        explanation=rule.explanation,
        watchers=tuple(reasons),
        reasons={w: "; ".join(why) for w, why in reasons.items()},
        excluded=dict(excluded),
    )


def _check_fixed_targets(directory: Directory, rules: RuleSet) -> None:
    """A fixed agency id in the rules must exist: a typo there would reject valid reports."""
    targets: list[tuple[str, Target]] = []
    for rule in rules.rules:
        if rule.handler is not None:
            targets.append((rule.id, rule.handler))
        targets.extend((rule.id, w.target) for w in (*rule.watchers, *rule.exclude))
    targets.extend((a.id, a.target) for a in rules.always)
    missing = [
        f"{rules.source}: {rule_id}: {c.text} is not in the directory"
        for rule_id, target in targets
        for c in target.candidates
        if isinstance(c, Template) and not c.placeholders and c.text not in directory
    ]
    if rules.maps:
        units = {f"{a.sector}.{a.role}" for a in directory.agencies()}
        missing.extend(
            f"{rules.source}: maps.{name}.{category}: no {unit} anywhere in the directory"
            for name, table in rules.maps.items()
            for category, unit in table.items()
            if unit not in units
        )
    if missing:
        raise DataFileError("\n".join(missing))
