"""Accounts of the web app and the API: users with argon2 password hashes, sessions, API tokens, the
cookie-signing key."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("viewer", "monitor", "admin")   # each may do what the ones before it may
MIN_PASSWORD = 10
_hasher = PasswordHasher()               # argon2id with the library's current defaults
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("no such user")


def role_at_least(role: str | None, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- users ----------------------------------------------------------------------------------
def get_user(db, name: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE name = ?", [name]))
    return rows[0] if rows else None


def get_user_by_id(db, user_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def list_users(db) -> list[dict]:
    return list(db.query("SELECT id, name, role, created_at, disabled_at FROM users ORDER BY name"))


def set_user(db, name: str, role: str, password: str, now: str) -> bool:
    """Add the user, or give an existing one this role and password (and enable it again);
    True when the user is new. Its sessions end either way."""
    hashed = _hasher.hash(password)
    existing = get_user(db, name)
    if existing is None:
        db.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                   [name, role, hashed, now])
        return True
    db.execute("UPDATE users SET role = ?, password_hash = ?, disabled_at = NULL WHERE id = ?",
               [role, hashed, existing["id"]])
    end_sessions(db, existing["id"])
    return False


def disable_user(db, name: str, now: str) -> bool:
    user = get_user(db, name)
    if user is None or user["disabled_at"]:
        return False
    db.execute("UPDATE users SET disabled_at = ? WHERE id = ?", [now, user["id"]])
    end_sessions(db, user["id"])
    return True


def check_password(db, name: str, password: str) -> dict | None:
    """The enabled user with this name and password, else None (in about the same time)."""
    user = get_user(db, name)
    try:
        _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user["disabled_at"]:
        return None
    if _hasher.check_needs_rehash(user["password_hash"]):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), user["id"]])
    return user


# -- sessions -------------------------------------------------------------------------------
def start_session(db, user_id: int, now: str, expires_at: str) -> tuple[str, str]:
    """A new session: (its id, for the cookie; its CSRF token)."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.execute("DELETE FROM sessions WHERE expires_at < ?", [now])
    db.execute("INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
               [_sha256(session_id), user_id, csrf, now, expires_at])
    return session_id, csrf


def session_user(db, session_id: str, now: str) -> dict | None:
    """The user of a live session, with the session's `csrf`; None when it ended or expired."""
    rows = list(db.query(
        """SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL""",
        [_sha256(session_id), now]))
    return rows[0] if rows else None


def end_session(db, session_id: str) -> None:
    db.execute("DELETE FROM sessions WHERE id_hash = ?", [_sha256(session_id)])


def end_sessions(db, user_id: int) -> None:
    db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])


# -- API tokens -----------------------------------------------------------------------------
TOKEN_PREFIX = "vigil_"


def create_token(db, name: str, role: str, now: str) -> str:
    """A new token, returned once; only its SHA-256 is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.execute("INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
               [name, role, _sha256(token), now])
    return token


def token_role(db, token: str) -> dict | None:
    """The live token's id, name, role and last use; None for an unknown or revoked token."""
    rows = list(db.query("SELECT id, name, role, last_used_at FROM api_tokens WHERE token_hash = ? "
                         "AND revoked_at IS NULL", [_sha256(token)]))
    return rows[0] if rows else None


def touch_token(db, token_id: int, now: str) -> None:
    db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [now, token_id])


def list_tokens(db) -> list[dict]:
    return list(db.query("SELECT name, role, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY name"))


def token_exists(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM api_tokens WHERE name = ?", [name]).fetchone() is not None


def revoke_token(db, name: str, now: str) -> bool:
    cursor = db.execute("UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [now, name])
    return cursor.rowcount > 0


# -- the signing key ------------------------------------------------------------------------
def secret_key(db) -> str:
    """The key that signs session cookies: made once, kept in the database, so a restart keeps
    everyone logged in."""
    db.execute("INSERT OR IGNORE INTO web_secrets (name, value) VALUES ('cookie_key', ?)", [secrets.token_hex(32)])
    return db.execute("SELECT value FROM web_secrets WHERE name = 'cookie_key'").fetchone()[0]
