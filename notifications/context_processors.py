from django.utils.functional import SimpleLazyObject

from notifications.services import unread_count


def unread_notifications(request) -> dict:
    """The nav's unread count: one COUNT over the inbox index, only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
