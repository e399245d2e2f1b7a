"""A Kafka producer that signs every record it sends (gbus.security.record_signing).

Wraps a kafka-python producer with the same `send`, so the intake sink, the command
gateway and the copy feed's dead letters are all signed without knowing it.
"""

from __future__ import annotations

from typing import Any

from gbus.security.record_signing import RecordSigner, without_signature


class SigningProducer:
    def __init__(self, producer: Any, signer: RecordSigner) -> None:
        self._producer = producer
        self.signer = signer

    def send(
        self, topic: str, value: bytes | None = None, key: bytes | None = None, headers: Any = None, **kwargs: Any
    ) -> Any:
        signed = without_signature(headers) + self.signer.headers(topic, key, value)
        return self._producer.send(topic, value=value, key=key, headers=signed, **kwargs)

    def __getattr__(self, name: str) -> Any:  # flush, close, metrics ... of the wrapped producer
        return getattr(self._producer, name)
