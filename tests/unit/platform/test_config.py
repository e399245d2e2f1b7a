"""Configuration: TOML file, then GBUS__SECTION__KEY environment overrides."""

from __future__ import annotations

import pytest

from gbus.config import ConfigError, load_settings


def test_defaults_apply_without_a_file_or_environment():
    settings = load_settings(None, env={})
    assert settings.kafka.bootstrap_servers == "127.0.0.1:9092"
    assert settings.grpc.insecure_dev_mode is True


def test_a_toml_file_sets_values_and_the_environment_overrides_them(tmp_path):
    path = tmp_path / "node-79.toml"
    path.write_text('[node]\narea = "79"\n[kafka]\npartitions = 12\n[grpc]\nlisten = "127.0.0.1:7000"\n')
    settings = load_settings(
        path, env={"GBUS__GRPC__LISTEN": "127.0.0.1:7001", "GBUS__GRPC__INSECURE_DEV_MODE": "false"}
    )
    assert settings.node.area == "79"
    assert settings.kafka.partitions == 12
    assert settings.grpc.listen == "127.0.0.1:7001"
    assert settings.grpc.insecure_dev_mode is False


def test_an_unknown_key_in_the_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[kafka]\nbootstrap = '1.2.3.4:9092'\n")
    with pytest.raises(ConfigError, match=r"kafka\.bootstrap"):
        load_settings(path, env={})


def test_a_wrongly_typed_environment_override_is_an_error_naming_the_variable():
    with pytest.raises(ConfigError, match="GBUS__KAFKA__PARTITIONS"):
        load_settings(None, env={"GBUS__KAFKA__PARTITIONS": "many"})


def test_invalid_toml_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[kafka\n")
    with pytest.raises(ConfigError, match="broken.toml"):
        load_settings(path, env={})


def test_unrelated_environment_variables_are_ignored():
    assert load_settings(None, env={"GBUS_HOME": "/x", "PATH": "/bin"}).node.area == "VN"


def test_the_transaction_batch_bound_is_a_setting_and_must_be_positive():
    assert (
        load_settings(None, env={"GBUS__PROCESSOR__TRANSACTION_BATCH_S": "0.25"}).processor.transaction_batch_s == 0.25
    )
    with pytest.raises(ConfigError, match="processor.transaction_batch_s"):
        load_settings(None, env={"GBUS__PROCESSOR__TRANSACTION_BATCH_S": "0"})


def test_the_processor_is_built_with_the_configured_transaction_batch_bound():
    from gbus.config import ProcessorSettings, Settings
    from gbus.processor.bootstrap import build_processor

    settings = Settings(processor=ProcessorSettings(group_id="g", instance_id="p1", transaction_batch_s=0.25))
    processor = build_processor(settings, in_memory=True)
    try:
        assert processor._batch_seconds == 0.25
    finally:
        processor.close()


def test_placement_waiters_is_a_node_setting_that_cannot_be_negative():
    assert load_settings(None, env={"GBUS__NODE__PLACEMENT_WAITERS": "2"}).node.placement_waiters == 2
    assert load_settings(None, env={"GBUS__NODE__PLACEMENT_WAITERS": "0"}).node.placement_waiters == 0
    with pytest.raises(ConfigError, match="node.placement_waiters"):
        load_settings(None, env={"GBUS__NODE__PLACEMENT_WAITERS": "-1"})
