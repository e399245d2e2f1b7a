from __future__ import annotations

import pytest

from gbus.security.pki import PkiLayout
from support.pki import make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    """One CA with gov.ubnd@79, front.mttq@79 and node 79, shared read-only by the session."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def foreign_pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    """Another CA issuing the same names: what an attacker with their own CA could make."""
    return make_pki(tmp_path_factory.mktemp("foreign-pki"))
