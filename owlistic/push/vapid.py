"""The server's VAPID key pair (RFC 8292): push services check our pushes are signed by the
key the browser subscribed with, so it must stay the same across restarts and instances."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from py_vapid.utils import b64urlencode

from owlistic.settings import ConfigurationError, Settings

log = logging.getLogger("owlistic.push")

KEY_FILE = "vapid_private.pem"


def load_vapid(settings: Settings) -> Vapid02:
    """From ``OWLISTIC_VAPID_PRIVATE_KEY``, else from (or generated into) the data dir."""
    if settings.vapid_private_key is not None:
        value = settings.vapid_private_key.get_secret_value().strip()
        try:
            if value.startswith("-----BEGIN"):
                return Vapid02.from_pem(value.encode())
            return Vapid02.from_string(value)
        except Exception as exc:  # py_vapid raises whatever the key parser raised
            raise ConfigurationError(
                f"OWLISTIC_VAPID_PRIVATE_KEY is not a VAPID key: {exc}"
            ) from exc
    path = settings.data_dir / KEY_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        vapid = Vapid02()
        vapid.generate_keys()
        pem = vapid.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written whole under a name of its own (mode 0600), then linked into place, which
        # fails if a worker starting at the same time got there first: every worker ends up
        # with the first key, and none reads a key still being written.
        fd, name = tempfile.mkstemp(dir=settings.data_dir, prefix=f".{KEY_FILE}.")
        draft = Path(name)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        else:
            if settings.env == "production":
                log.warning(
                    "generated a VAPID key in %s; keep it (or set it) for every instance", path
                )
            return vapid
        finally:
            draft.unlink()
    return Vapid02.from_pem(path.read_bytes())


def public_key(vapid: Vapid02) -> str:
    """The ``applicationServerKey`` browsers subscribe with (base64url, uncompressed point)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    text: str = b64urlencode(raw)
    return text
