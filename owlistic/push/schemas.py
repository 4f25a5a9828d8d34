from __future__ import annotations

from pydantic import BaseModel, Field, JsonValue

from owlistic.kit.schemas import InputSchema
from owlistic.settings import Settings

# RFC 8291: p256dh is a 65-byte P-256 point (87 base64url chars), auth 16 bytes (22 chars);
# the bounds leave room for padding without letting a client store kilobytes.
MAX_P256DH = 100
MAX_AUTH = 32


class SubscriptionKeys(InputSchema):
    p256dh: str = Field(min_length=80, max_length=MAX_P256DH, pattern=r"^[A-Za-z0-9_\-=]+$")
    auth: str = Field(min_length=16, max_length=MAX_AUTH, pattern=r"^[A-Za-z0-9_\-=]+$")


# The schema states the production rule (an https URL with a host, no longer than the
# default limit); tests against a local push service may allow http in the settings.
MAX_ENDPOINT = Settings.model_fields["push_max_endpoint_length"].default
# After the scheme: a host name, an optional port and a path of printable ASCII.
ENDPOINT_REST = r"://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[!-~]*)?$"
ENDPOINT_SCHEMA: dict[str, JsonValue] = {
    "type": "string",
    "pattern": f"^https{ENDPOINT_REST}",
    "maxLength": MAX_ENDPOINT,
}


class SubscriptionIn(InputSchema):
    """``PushSubscription.toJSON()`` as the browser gives it."""

    endpoint: str = Field(min_length=1, json_schema_extra=ENDPOINT_SCHEMA)
    keys: SubscriptionKeys


class Unsubscribe(InputSchema):
    endpoint: str = Field(min_length=1, json_schema_extra=ENDPOINT_SCHEMA)


class PushKey(BaseModel):
    public_key: str


class SubscriptionOut(BaseModel):
    endpoint: str
