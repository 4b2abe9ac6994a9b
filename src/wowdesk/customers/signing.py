"""Verified identities: the site that embeds the chat (or a channel adapter calling the REST
API) signs the customer's id with a secret it shares with wowdesk, one secret per channel
(`WOWDESK_IDENTITY_KEYS`). Anyone can claim any id; only the holder of the key can sign it.

An unsigned id still opens a conversation, but as an unverified customer of its own: it is
never attached to the customer who owns that id, nor matched to anyone by e-mail or phone,
so guessing an id shows nobody's orders or cases.

    signature = hex(HMAC-SHA256(key, customer_id))
"""

from __future__ import annotations

import hashlib
import hmac

from wowdesk.errors import Forbidden, Invalid


def sign_identity(key: str, identity: str) -> str:
    """What the embedding site computes on its server (never in the browser)."""
    return hmac.new(key.encode(), identity.encode(), hashlib.sha256).hexdigest()


def check_identity_signature(
    keys: dict[str, str], channel: str, identity: str, signature: str | None
) -> bool:
    """True when the identity is signed with the channel's key; False when it is unsigned
    (an unverified customer). A signature that does not verify is refused: it is a forgery
    or a misconfigured site, and either should be seen, not silently downgraded."""
    if not signature:
        return False
    key = keys.get(channel)
    if not key:
        raise Invalid(
            "Identities on the channel {channel} are not signed: no key is configured",
            code="no_identity_key",
            channel=channel,
        )
    if not hmac.compare_digest(sign_identity(key, identity), signature.lower()):
        raise Forbidden("The identity signature does not match", code="bad_identity_signature")
    return True
