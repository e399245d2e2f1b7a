"""Routing: rules as data, and the engine that turns a report into a decision. Pure logic."""

from gbus.domain.case import deciding_report
from gbus.routing.engine import RouteDecision, Router
from gbus.routing.rules import RuleSet, load_rules

__all__ = ["RouteDecision", "Router", "RuleSet", "deciding_report", "load_rules"]
