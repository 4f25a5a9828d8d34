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


# Tokens already verified, with their claims: a client sends the same access token with
# every request, and checking its signature again (PyJWT) was ~8 % of a REST write's CPU.
# Keyed by the secret too, so a rotated secret verifies afresh; expiry is checked on every
# use. Bounded: cleared when full (a client whose token drops out only verifies it again).
_VERIFIED: dict[tuple[str, str], TokenClaims] = {}
_VERIFIED_MAX = 4096
_EXPIRED = "token has invalid claims: token is expired"


def decode(secret: str, token: str, *, expected: TokenKind) -> TokenClaims:
    claims = _VERIFIED.get((secret, token))
    if claims is None:
        claims = _verify(secret, token)
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[secret, token] = claims
    elif claims.expires_at <= utcnow():
        _VERIFIED.pop((secret, token), None)
        raise Unauthorized(_EXPIRED)
    if claims.kind != expected:
        raise Unauthorized(f"a {claims.kind} token cannot be used here")
    return claims


def _verify(secret: str, token: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=ACCEPTED_ALGORITHMS,
            options={"require": ["exp", "user_id"]},
        )
        user_id = uuid.UUID(str(payload["user_id"]))
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(_EXPIRED) from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized(f"token is invalid: {exc}") from exc
    return TokenClaims(
        user_id=user_id,
        jti=str(payload.get("jti", "")),
        # Tokens minted by the original server carry no typ/jti/ver: access tokens.
        kind=payload.get("typ", "access"),
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
