"""Strict environment parsing: a bad value stops start-up with a message naming the variable."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MISSING = object()


class EnvReader:
    def __init__(self, environ_map=None):
        self._env = os.environ if environ_map is None else environ_map

    def fail(self, name: str, problem: str):
        raise ImproperlyConfigured(f"Environment variable {name} {problem}.")

    def _raw(self, name, default):
        value = self._env.get(name)
        if value is None or value == "":
            if default is _MISSING:
                self.fail(name, "is required but not set")
            return None
        return value

    def str(self, name, default=_MISSING, min_length=0):
        value = self._raw(name, default)
        if value is None:
            return default
        if len(value) < min_length:
            self.fail(name, f"must be at least {min_length} characters long")
        return value

    def bool(self, name, default=_MISSING):
        value = self._raw(name, default)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self.fail(name, f"must be one of true/false/1/0/yes/no/on/off, not {value!r}")

    def int(self, name, default=_MISSING, minimum=None, maximum=None):
        value = self._raw(name, default)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.fail(name, f"must be an integer, not {value!r}")
        if minimum is not None and number < minimum:
            self.fail(name, f"must be at least {minimum}, not {number}")
        if maximum is not None and number > maximum:
            self.fail(name, f"must be at most {maximum}, not {number}")
        return number

    def choice(self, name, choices, default=_MISSING):
        value = self._raw(name, default)
        if value is None:
            return default
        if value not in choices:
            self.fail(name, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def list(self, name, default=_MISSING, required=False):
        value = self._raw(name, _MISSING if required else default)
        if value is None:
            return default
        items = [part.strip() for part in value.split(",") if part.strip()]
        if required and not items:
            self.fail(name, "must list at least one value")
        return items

    def path(self, name, default=_MISSING):
        value = self._raw(name, default)
        return Path(value) if value is not None else Path(default)

    def url(self, name, schemes, default=_MISSING):
        value = self._raw(name, default)
        if value is None:
            return default
        parsed = urlparse(value)
        if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
            self.fail(name, f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
        return value

    def database(self, name, default):
        value = self._raw(name, default)
        url = value or default
        scheme = urlparse(url).scheme
        if scheme not in ("sqlite", "postgres", "postgresql", "pgsql"):
            self.fail(name, f"must be a postgres:// or sqlite:// URL, not scheme {scheme!r}")
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # django-environ raises several kinds
            self.fail(name, f"could not be parsed ({exc})")
        if config["ENGINE"].endswith("sqlite3"):
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
            # IMMEDIATE: a writing transaction takes the lock at BEGIN, so two concurrent writes
            # wait for each other instead of failing with "database is locked".
            config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
        else:
            config["CONN_MAX_AGE"] = 60
            config["CONN_HEALTH_CHECKS"] = True
        config["ATOMIC_REQUESTS"] = False
        return config

    def email(self, name, default):
        value = self._raw(name, default) or default
        try:
            return environ.Env.email_url_config(value)
        except Exception as exc:
            self.fail(name, f"could not be parsed ({exc})")

    def dev_secret_key(self, var_dir: Path) -> str:
        """Development only: a random key kept in var/ so sessions survive restarts."""
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file = var_dir / "dev_secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(64))
        return key_file.read_text().strip()
