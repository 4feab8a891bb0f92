"""Domain errors raised by services; pages and the API turn them into 4xx answers.

Messages are lazy translations so each interface can show them in both languages.
"""

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, code=None, fields=None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status_code = 400
    code = "validation_failed"
    default_message = _("Some fields are missing or wrong.")


class NotAllowed(DomainError):
    status_code = 403
    code = "not_allowed"
    default_message = _("Your role does not allow this action.")


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"
    default_message = _("This action is not possible in the case's current state.")


class StaleVersion(DomainError):
    status_code = 409
    code = "stale"
    default_message = _(
        "Someone changed this case after you opened it. Reload the page and try again."
    )


def _interpolate(template, params):
    def text(value):
        if isinstance(value, (list, tuple)):
            return "; ".join(str(v) for v in value)
        return str(value)

    return str(template) % {key: text(value) for key, value in params.items()}


def lazy_format(template, **params):
    """A translated message with parameters that stays lazy, so it can be shown in either
    language later (the API answers in both)."""
    return lazy(_interpolate, str)(template, params)


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("Not found, or you have no access to it.")
