"""Secrets shared by every domain: password hashing and random tokens stored as hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def derived_token(secret: str, *parts: object) -> str:
    """The same token every time for the same parts, unguessable without the secret: a
    replayed request gets the token the first one got, and no late copy can revoke it."""
    digest = hmac.new(secret.encode(), ":".join(map(str, parts)).encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """Tables keep only this, so a leaked database does not leak live sessions or chats."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
