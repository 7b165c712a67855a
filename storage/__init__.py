"""The SQLite data layer: the only package that speaks SQL.

It never imports ``bot``; the bot imports it. Every function takes an open
connection (usually the transaction from :meth:`Database.transaction`) so that
several writes of one user step commit together or not at all.
"""

from storage.db import Connection, Database, StorageError

__all__ = ["Connection", "Database", "StorageError"]
