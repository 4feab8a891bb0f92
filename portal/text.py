"""Checking free text that people type into forms and API bodies (shared by the services)."""

from django.utils.translation import gettext_lazy as _

from portal.errors import ValidationFailed, lazy_format


def clean_text(value, field: str, *, limit: int, required: bool = True) -> str:
    """The stripped text, or a 400 naming the field: not text, a null character, unencodable
    characters, missing when required, or longer than `limit`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={field: [_("Must be text.")]})
    value = value.strip()
    if "\x00" in value:
        raise ValidationFailed(fields={field: [_("The text contains a null character.")]})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationFailed(fields={field: [_("The text contains invalid characters.")]}) from None
    if required and not value:
        message = _("This field is required.")
        raise ValidationFailed(message, fields={field: [message]})
    if len(value) > limit:
        message = lazy_format(_("At most %(n)s characters."), n=limit)
        raise ValidationFailed(message, fields={field: [message]})
    return value
