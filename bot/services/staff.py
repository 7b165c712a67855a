"""Staff accounts: roles, passwords, one-time links, sign-in with lock-out, web sessions.

Shared by ``youthbot staff``, the console and the chat's ``/web``. Every change
of an account is written to the audit trail in the same transaction.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.i18n import LANGUAGES
from bot.services import audit
from storage import staff as store
from storage.staff import StaffRow

SET_PASSWORD_VALID = timedelta(hours=24)
SIGN_IN_LINK_VALID = timedelta(minutes=10)
SESSION_IDLE = timedelta(hours=12)
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_TRIES = 5
PASSWORD_MIN = 10
PASSWORD_MAX = 256

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current parameters


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 0, Role.COORDINATOR: 1, Role.ADMIN: 2}[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may (admin > coordinator > viewer)."""
        return self.rank >= needed.rank


@dataclass(frozen=True)
class StaffMember:
    id: int
    email: str
    name: str
    role: Role
    language: str
    telegram_id: int | None
    viber_id: str | None
    disabled: bool


class StaffError(ValueError):
    """An account operation that cannot be done; ``code`` says why (for the caller's own wording)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class Locked:
    """Too many wrong passwords: try again after ``until``."""

    until: datetime


def member(row: StaffRow) -> StaffMember:
    return StaffMember(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        language=row.language,
        telegram_id=row.telegram_id,
        viber_id=row.viber_id,
        disabled=row.disabled,
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> str | None:
    """Why a new password is refused ("short", "long"), or None."""
    if len(password) < PASSWORD_MIN:
        return "short"
    if len(password) > PASSWORD_MAX:
        return "long"
    return None


async def get(tx: aiosqlite.Connection, staff_id: int) -> StaffMember | None:
    row = await store.get(tx, staff_id)
    return member(row) if row else None


async def by_email(tx: aiosqlite.Connection, email: str) -> StaffMember | None:
    row = await store.by_email(tx, normalise_email(email))
    return member(row) if row else None


async def list_all(tx: aiosqlite.Connection) -> list[StaffMember]:
    return [member(r) for r in await store.all_accounts(tx)]


async def add(
    tx: aiosqlite.Connection,
    *,
    email: str,
    name: str,
    role: Role,
    now: datetime,
    language: str = "sq",
    actor: int | None = None,
) -> tuple[StaffMember, str]:
    """Create an account; returns it and the set-password token (valid 24 h)."""
    email = normalise_email(email)
    if not _EMAIL_RE.match(email):
        raise StaffError("email", f"{email!r} is not an e-mail address")
    name = name.strip()
    if not name:
        raise StaffError("name", "the name is empty")
    if language not in LANGUAGES:
        raise StaffError("language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
    if await store.by_email(tx, email) is not None:
        raise StaffError("exists", f"an account for {email} exists already")
    row = await store.create(tx, email=email, name=name, role=role.value, language=language, now=now)
    token = await store.issue_token(tx, row.id, "set_password", now, now + SET_PASSWORD_VALID)
    await audit.record(
        tx,
        staff_id=actor,
        action="staff.add",
        target_kind="staff",
        target_id=str(row.id),
        detail={"role": role.value},
        now=now,
    )
    return member(row), token


async def _require(tx: aiosqlite.Connection, staff_id: int) -> StaffRow:
    row = await store.get(tx, staff_id)
    if row is None:
        raise StaffError("unknown", f"no staff account {staff_id}")
    return row


async def set_disabled(
    tx: aiosqlite.Connection, staff_id: int, disabled: bool, *, now: datetime, actor: int | None = None
) -> int:
    """Disable (ending every session of the account; returns how many) or enable again."""
    await _require(tx, staff_id)
    await store.update(tx, staff_id, now, disabled=int(disabled))
    ended = await store.revoke_all_sessions(tx, staff_id, now) if disabled else 0
    await audit.record(
        tx,
        staff_id=actor,
        action="staff.disable" if disabled else "staff.enable",
        target_kind="staff",
        target_id=str(staff_id),
        detail={"sessions_ended": ended} if disabled else {},
        now=now,
    )
    return ended


async def set_role(
    tx: aiosqlite.Connection, staff_id: int, role: Role, *, now: datetime, actor: int | None = None
) -> None:
    row = await _require(tx, staff_id)
    await store.update(tx, staff_id, now, role=role.value)
    await audit.record(
        tx,
        staff_id=actor,
        action="staff.role",
        target_kind="staff",
        target_id=str(staff_id),
        detail={"from": row.role, "to": role.value},
        now=now,
    )


async def reset(tx: aiosqlite.Connection, staff_id: int, *, now: datetime, actor: int | None = None) -> str:
    """Clear the password, end the sessions and return a new set-password token (24 h)."""
    await _require(tx, staff_id)
    await store.update(tx, staff_id, now, password_hash=None)
    await store.revoke_all_sessions(tx, staff_id, now)
    token = await store.issue_token(tx, staff_id, "set_password", now, now + SET_PASSWORD_VALID)
    await audit.record(tx, staff_id=actor, action="staff.reset", target_kind="staff", target_id=str(staff_id), now=now)
    return token


async def link_chat(
    tx: aiosqlite.Connection,
    staff_id: int,
    *,
    telegram_id: int | None,
    viber_id: str | None,
    now: datetime,
    actor: int | None = None,
) -> None:
    """Link (or with None, unlink) the account's Telegram and Viber ids."""
    await _require(tx, staff_id)
    for column, value in (("telegram_id", telegram_id), ("viber_id", viber_id)):
        if value is None:
            continue
        other = await store.by_chat(tx, "telegram" if column == "telegram_id" else "viber", str(value))
        if other is not None and other.id != staff_id:
            raise StaffError("linked_elsewhere", f"that {column} is linked to another account")
    await store.update(tx, staff_id, now, telegram_id=telegram_id, viber_id=viber_id)
    await audit.record(
        tx,
        staff_id=actor,
        action="staff.link",
        target_kind="staff",
        target_id=str(staff_id),
        detail={"telegram": telegram_id is not None, "viber": viber_id is not None},
        now=now,
    )


async def set_language(tx: aiosqlite.Connection, staff_id: int, language: str, *, now: datetime) -> None:
    if language not in LANGUAGES:
        raise StaffError("language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
    await store.update(tx, staff_id, now, language=language)


async def token_account(tx: aiosqlite.Connection, token: str, *, now: datetime) -> StaffMember | None:
    """The account a set-password token opens, if it is still valid (the token is not used up)."""
    staff_id = await store.peek_token(tx, token, "set_password", now)
    return await get(tx, staff_id) if staff_id is not None else None


async def set_password(tx: aiosqlite.Connection, token: str, password: str, *, now: datetime) -> StaffMember:
    """Set the password with a one-time token; the token is used up."""
    problem = check_password_rules(password)
    if problem is not None:
        raise StaffError(problem)
    staff_id = await store.use_token(tx, token, "set_password", now)
    if staff_id is None:
        raise StaffError("token")
    await store.update(tx, staff_id, now, password_hash=_hasher.hash(password))
    await store.clear_failures(tx, (await _require(tx, staff_id)).email)
    await audit.record(
        tx, staff_id=staff_id, action="staff.password_set", target_kind="staff", target_id=str(staff_id), now=now
    )
    found = await get(tx, staff_id)
    assert found is not None
    return found


async def lock_until(tx: aiosqlite.Connection, email: str, address: str, *, now: datetime) -> datetime | None:
    """When sign-in opens again for this account or address, or None when it is open now."""
    since = now - LOCKOUT_WINDOW
    by_account, by_address = await store.failures_since(tx, normalise_email(email), address, since)
    if by_account < LOCKOUT_TRIES and by_address < LOCKOUT_TRIES:
        return None
    oldest = await store.oldest_failure_since(tx, normalise_email(email), address, since)
    return (oldest or now) + LOCKOUT_WINDOW


async def authenticate(
    tx: aiosqlite.Connection, email: str, password: str, address: str, *, now: datetime
) -> StaffMember | Locked | None:
    """Check a password: the account, ``Locked`` after too many wrong tries, or None (recorded as a failure)."""
    email = normalise_email(email)
    until = await lock_until(tx, email, address, now=now)
    if until is not None:
        return Locked(until)
    row = await store.by_email(tx, email)
    ok = False
    if row is not None and row.password_hash and not row.disabled:
        try:
            ok = _hasher.verify(row.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    if not ok or row is None:
        await store.record_failure(tx, email, address, now)
        await audit.record(
            tx,
            staff_id=row.id if row is not None else None,
            action="auth.sign_in_failed",
            target_kind="staff" if row is not None else None,
            target_id=str(row.id) if row is not None else None,
            now=now,
        )
        return None
    assert row.password_hash is not None
    if _hasher.check_needs_rehash(row.password_hash):
        await store.update(tx, row.id, now, password_hash=_hasher.hash(password))
    await store.clear_failures(tx, email)
    await audit.record(tx, staff_id=row.id, action="auth.sign_in", detail={"method": "password"}, now=now)
    return member(row)


async def issue_sign_in_link(tx: aiosqlite.Connection, staff_id: int, *, now: datetime) -> str:
    """A one-time sign-in token for the chat's ``/web`` (10 minutes)."""
    token = await store.issue_token(tx, staff_id, "sign_in", now, now + SIGN_IN_LINK_VALID)
    await audit.record(tx, staff_id=staff_id, action="auth.chat_link", now=now)
    return token


async def use_sign_in_link(tx: aiosqlite.Connection, token: str, *, now: datetime) -> StaffMember | None:
    staff_id = await store.use_token(tx, token, "sign_in", now)
    if staff_id is None:
        return None
    found = await get(tx, staff_id)
    if found is None or found.disabled:
        return None
    await audit.record(tx, staff_id=staff_id, action="auth.sign_in", detail={"method": "chat_link"}, now=now)
    return found


async def open_session(tx: aiosqlite.Connection, staff_id: int, *, now: datetime) -> str:
    return await store.open_session(tx, staff_id, now, now + SESSION_IDLE)


async def close_session(tx: aiosqlite.Connection, session_id: str, staff_id: int, *, now: datetime) -> None:
    await store.revoke_session(tx, session_id, now)
    await audit.record(tx, staff_id=staff_id, action="auth.sign_out", now=now)


async def chat_role(tx: aiosqlite.Connection, channel: str, platform_id: str) -> tuple[StaffMember | None, Role | None]:
    """The account linked to a chat id and its role (None for an unlinked or disabled account)."""
    row = await store.by_chat(tx, channel, platform_id)
    if row is None or row.disabled:
        return None, None
    found = member(row)
    return found, found.role
