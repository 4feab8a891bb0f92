from axes.backends import AxesStandaloneBackend


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' check before the password is tried. A call without a request (Django's test
    client's login(), a script in the shell) has no address to count and is let through to the
    next backend instead of failing; every sign-in from outside (the page, the API token, the
    admin site) comes with its request and is counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """The address failures are counted against (AXES_CLIENT_IP_CALLABLE). Behind N trusted
    reverse proxies every request comes from the nearest proxy, so the address is the N-th entry
    from the right of X-Forwarded-For, the one a trusted proxy wrote; entries further left are
    whatever the client sent and are not believed."""
    from django.conf import settings

    count = settings.PORTAL_TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count][:45]
    return request.META.get("REMOTE_ADDR")
