"""Argon2id for new hashes; bcrypt hashes from the original server still verify (and upgrade)."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from owlistic.kit.errors import Unprocessable
from owlistic.settings import Settings


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib), BcryptHasher()))


def _for(settings: Settings) -> PasswordHash:
    return _hasher(settings.password_hash_time_cost, settings.password_hash_memory_kib)


MAX_PASSWORD_LENGTH = 1024
# What the schema states; ``Settings.password_min_length`` may only raise it.
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str, settings: Settings) -> str:
    return _for(settings).hash(password)


def verify_password(
    password: str, password_hash: str, settings: Settings
) -> tuple[bool, str | None]:
    """(matches, new hash to store if the old one used a superseded scheme or cost)."""
    try:
        return _for(settings).verify_and_update(password, password_hash)
    except Exception:  # an unparseable stored hash never matches
        return False, None


# Argon2 takes a good fraction of a second of CPU: never on the event loop, where it would
# stall every other request and WebSocket of the process meanwhile.


async def hash_password_off_loop(password: str, settings: Settings) -> str:
    return await asyncio.to_thread(hash_password, password, settings)


async def verify_password_off_loop(
    password: str, password_hash: str, settings: Settings
) -> tuple[bool, str | None]:
    return await asyncio.to_thread(verify_password, password, password_hash, settings)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 passwords seen most often in public breaches; loaded on first use.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_policy(password: str, settings: Settings) -> None:
    """A new password: long enough, and not one of the most common ones (422 otherwise)."""
    if len(password) < settings.password_min_length:
        raise Unprocessable(f"password must be at least {settings.password_min_length} characters")
    if password.lower() in _common_passwords():
        raise Unprocessable("password is too common; choose another one")
