"""Django finds the compliance areas' admin registrations here."""

from compliance.retention import admin as retention_admin  # noqa: F401
