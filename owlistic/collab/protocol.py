"""The y-websocket wire format: a varUint message type, then a payload.

``0`` sync (a varUint sub-type, then one length-prefixed Yjs message: a state vector for
step 1, an update for step 2 and for updates), ``1`` awareness (one length-prefixed
awareness update: a count, then per client its id, clock and JSON state). Parsing is
strict: a frame with trailing bytes or a truncated field is malformed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
# Outlines of the protocol y-websocket servers also answer; we refuse them as unsupported.
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3

EMPTY_UPDATE = b"\x00\x00"


class SyncStep(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


class Malformed(ValueError):
    """The frame does not follow the protocol."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def var_uint(self) -> int:
        value, shift = 0, 0
        while True:
            if self._pos >= len(self._data):
                raise Malformed("truncated number")
            byte = self._data[self._pos]
            self._pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
            if shift > 63:
                raise Malformed("number too long")

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        end = self._pos + length
        if end > len(self._data):
            raise Malformed("truncated payload")
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("text is not UTF-8") from None

    def end(self) -> None:
        if self._pos != len(self._data):
            raise Malformed("trailing bytes")


def var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def var_bytes(data: bytes) -> bytes:
    return var_uint(len(data)) + data


@dataclass(frozen=True, slots=True)
class SyncMessage:
    step: SyncStep
    payload: bytes  # a state vector (STEP1) or an update


@dataclass(frozen=True, slots=True)
class AwarenessMessage:
    payload: bytes  # the awareness update, as relayed
    entries: tuple[AwarenessEntry, ...]


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    client_id: int
    clock: int
    state: str  # JSON text, as sent; ``null`` when the client left

    @property
    def left(self) -> bool:
        return self.state == "null"


def parse(frame: bytes) -> SyncMessage | AwarenessMessage:
    reader = _Reader(frame)
    kind = reader.var_uint()
    if kind == MESSAGE_SYNC:
        step = reader.var_uint()
        if step not in (SyncStep.STEP1, SyncStep.STEP2, SyncStep.UPDATE):
            raise Malformed(f"unknown sync message {step}")
        payload = reader.var_bytes()
        reader.end()
        return SyncMessage(SyncStep(step), payload)
    if kind == MESSAGE_AWARENESS:
        payload = reader.var_bytes()
        reader.end()
        return AwarenessMessage(payload, parse_awareness(payload))
    raise Malformed(f"unsupported message type {kind}")


def parse_awareness(payload: bytes) -> tuple[AwarenessEntry, ...]:
    reader = _Reader(payload)
    entries = []
    for _ in range(reader.var_uint()):
        client_id = reader.var_uint()
        clock = reader.var_uint()
        text = reader.var_string()
        try:
            json.loads(text)
        except ValueError:
            raise Malformed("awareness state is not JSON") from None
        entries.append(AwarenessEntry(client_id, clock, text))
    reader.end()
    return tuple(entries)


def encode_awareness(entries: list[tuple[int, int, str]]) -> bytes:
    """An awareness update from ``(client id, clock, JSON state text)`` entries."""
    body = bytearray(var_uint(len(entries)))
    for client_id, clock, state in entries:
        body += var_uint(client_id) + var_uint(clock) + var_bytes(state.encode())
    return bytes(body)


def awareness_frame(payload: bytes) -> bytes:
    return var_uint(MESSAGE_AWARENESS) + var_bytes(payload)


def sync_frame(step: SyncStep, payload: bytes) -> bytes:
    return var_uint(MESSAGE_SYNC) + var_uint(step) + var_bytes(payload)


def update_frame(update: bytes) -> bytes:
    return sync_frame(SyncStep.UPDATE, update)


def decode_state_vector(state: bytes) -> dict[int, int]:
    """A Yjs state vector: client id -> next expected clock."""
    reader = _Reader(state)
    vector = {}
    for _ in range(reader.var_uint()):
        client = reader.var_uint()
        vector[client] = reader.var_uint()
    reader.end()
    return vector
