"""JWTs as the original client reads them: HS256 with a ``user_id`` claim."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt

from owlistic.kit.errors import Unauthorized
from owlistic.kit.time import utcnow

ALGORITHM = "HS256"
ACCEPTED_ALGORITHMS = ["HS256", "HS384", "HS512"]
TokenKind = Literal["access", "refresh"]


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    jti: str
    kind: TokenKind
    version: int
    expires_at: datetime
    # The login this token descends from (refresh keeps it): logout or the reuse of a
    # rotated refresh token ends every token of the family. Empty on the original's tokens.
    family: str = ""

    @property
    def session_id(self) -> str:
        """What identifies the login a socket was opened with."""
        return self.family or self.jti


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: datetime


def new_family() -> str:
    return uuid.uuid4().hex


def issue(
    secret: str,
    *,
    user_id: uuid.UUID,
    email: str,
    version: int,
    kind: TokenKind,
    lifetime: timedelta,
    family: str,
) -> IssuedToken:
    now = utcnow()
    expires = now + lifetime
    jti = uuid.uuid4().hex
    payload: dict[str, Any] = {
        "user_id": str(user_id),
        "email": email,
        "iat": now,
        "nbf": now,
        "exp": expires,
        "jti": jti,
        "typ": kind,
        "ver": version,
        "fam": family,
    }
    return IssuedToken(jwt.encode(payload, secret, algorithm=ALGORITHM), jti, expires)


def decode(secret: str, token: str, *, expected: TokenKind) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=ACCEPTED_ALGORITHMS,
            options={"require": ["exp", "user_id"]},
        )
        user_id = uuid.UUID(str(payload["user_id"]))
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token has invalid claims: token is expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized(f"token is invalid: {exc}") from exc
    # Tokens minted by the original server carry no typ/jti/ver: treat them as access tokens.
    kind = payload.get("typ", "access")
    if kind != expected:
        raise Unauthorized(f"a {kind} token cannot be used here")
    return TokenClaims(
        user_id=user_id,
        jti=str(payload.get("jti", "")),
        kind=kind,
        version=int(payload.get("ver", 0)),
        expires_at=datetime.fromtimestamp(float(payload["exp"]), tz=utcnow().tzinfo),
        family=str(payload.get("fam", "")),
    )


def unverified_user(token: str) -> str | None:
    """The ``user_id`` a token claims, unchecked: only to count attempts per account."""
    try:
        return str(jwt.decode(token, options={"verify_signature": False})["user_id"])[:64]
    except (jwt.InvalidTokenError, KeyError, TypeError):
        return None
