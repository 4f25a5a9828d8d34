from __future__ import annotations

from pydantic import BaseModel, Field

from owlistic.kit.schemas import InputSchema

# RFC 8291: p256dh is a 65-byte P-256 point (87 base64url chars), auth 16 bytes (22 chars);
# the bounds leave room for padding without letting a client store kilobytes.
MAX_P256DH = 100
MAX_AUTH = 32


class SubscriptionKeys(InputSchema):
    p256dh: str = Field(min_length=80, max_length=MAX_P256DH, pattern=r"^[A-Za-z0-9_\-=]+$")
    auth: str = Field(min_length=16, max_length=MAX_AUTH, pattern=r"^[A-Za-z0-9_\-=]+$")


class SubscriptionIn(InputSchema):
    """``PushSubscription.toJSON()`` as the browser gives it."""

    endpoint: str = Field(min_length=1)
    keys: SubscriptionKeys


class Unsubscribe(InputSchema):
    endpoint: str = Field(min_length=1)


class PushKey(BaseModel):
    public_key: str


class SubscriptionOut(BaseModel):
    endpoint: str
