"""The declarative base, its constraint naming convention, and engine settings."""

from __future__ import annotations

import enum
import json
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as dt_time

from sqlalchemy import Date, DateTime, Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def canonical_json(value) -> str:
    """Serialize the way the audit hash sees it: sorted keys, no spaces, UTF-8 text as is.

    Every JSON column is stored this way too, so an event's stored data is the text its hash covers.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_clock: ContextVar[datetime | None] = ContextVar("clock", default=None)
_PINNED = "tracker.pinned_clock"


@dataclass
class PinnedClock:
    """The clock of a pinned ``TODAY``: it starts at ``start`` and runs at the speed of real time."""

    day: str  # the TODAY setting it was started for
    start: datetime
    began: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


def start_of(day: date) -> datetime:
    """Return the first moment of ``day`` in UTC."""
    return datetime.combine(day, dt_time.min, tzinfo=timezone.utc)


def start_clock(app, floor: datetime | None = None) -> PinnedClock | None:
    """Start the app's pinned clock at 00:00 UTC on ``TODAY``, or at ``floor`` when that is later.

    Demo mode passes the newest stored event as ``floor``, so a restarted demo goes on from where
    it stopped instead of going back in time.
    """
    day = app.config.get("TODAY")
    if not day:
        app.extensions.pop(_PINNED, None)
        return None
    start = start_of(date.fromisoformat(day))
    clock = PinnedClock(day, max(start, floor) if floor else start)
    app.extensions[_PINNED] = clock
    return clock


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC.

    Inside ``clock_at`` it is that moment. With ``TODAY`` pinned (demo mode) it is the pinned
    clock: the pinned day plus the time elapsed since the clock started, so every timestamp
    agrees with "today".
    """
    moment = _clock.get()
    if moment is not None:
        return moment
    from flask import current_app, has_app_context

    if has_app_context():
        day = current_app.config.get("TODAY")
        if day:
            clock = current_app.extensions.get(_PINNED)
            if clock is None or clock.day != day:  # set after the app was made (tests do)
                clock = start_clock(current_app)
            return clock.now()
    return datetime.now(timezone.utc)


@contextmanager
def clock_at(moment: datetime):
    """Run the block as if it were ``moment``: demo data is written with the dates of 2018-19."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs a timezone-aware moment")
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def today() -> date:
    """Return today's date in UTC, by the same clock as ``utcnow`` (so the pinned ``TODAY`` in demo mode)."""
    return utcnow().date()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: use tracker.core.db.utcnow()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)


def as_utc(value: datetime | str) -> datetime:
    """A stored timestamp as an aware UTC datetime; SQLite hands it over as zone-less UTC text."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class utc_day(FunctionElement):
    """SQL for the UTC calendar day of a stored timestamp, to group by; read back as a date."""

    type = Date()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element, compiler, **kw):
    return "substr(%s, 1, 10)" % compiler.process(element.clauses, **kw)  # stored as UTC text


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    return "CAST(timezone('UTC', %s) AS DATE)" % compiler.process(element.clauses, **kw)


class TitledEnum(str, enum.Enum):
    """A string enum whose members carry a display title (set ``__titles__`` after the class)."""

    __titles__: dict = {}

    @property
    def title(self) -> str:
        return str(self.__titles__.get(self, self.value))

    def __str__(self) -> str:
        return self.value


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by value in a VARCHAR that a named CHECK constraint restricts."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
    )


def configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """WAL, foreign keys, durable writes, a busy timeout, and BEGIN IMMEDIATE for writers.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves: a
    transaction that starts as a reader and later writes can fail with "database is locked"
    without waiting, so requests that may write take the write lock up front.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _may_write() -> bool:
    from flask import has_request_context, request

    if has_request_context():
        return request.method not in ("GET", "HEAD", "OPTIONS")
    return True


def render_item(type_, obj, autogen_context):
    """Write our column types into migrations as plain SQLAlchemy types, so they stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
