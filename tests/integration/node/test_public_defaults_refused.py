"""A node or processor set up for production refuses to start with the published secrets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gbus.config import ConfigError, ProcessorSettings, SecuritySettings
from gbus.node.app import NodeApp
from gbus.processor.bootstrap import build_processor

pytestmark = pytest.mark.integration


def test_a_node_with_mutual_tls_and_the_development_secrets_refuses_to_start(bus, router, tmp_path):
    settings = bus.settings("79", str(tmp_path / "nodes"))
    settings = settings.replace("grpc", insecure_dev_mode=False)
    with pytest.raises(ConfigError, match="node refuses to start in secure mode with public secrets"):
        NodeApp(settings, router=router).start()
    assert not (tmp_path / "nodes").exists()  # refused before anything was written


def test_a_processor_logging_in_to_kafka_with_the_all_zero_master_refuses_to_start(bus, router, tmp_path):
    settings = bus.settings("79", str(tmp_path / "nodes"))
    settings = replace(
        settings,
        kafka=replace(settings.kafka, security_protocol="SASL_PLAINTEXT"),
        security=SecuritySettings(reporter_hmac_secret="this-installation-only"),
        processor=ProcessorSettings(data_dir=str(tmp_path / "processor")),
    )
    with pytest.raises(
        ConfigError,
        match="identity_master_hex is the published all-zero development master",
    ):
        build_processor(settings, router=router)
