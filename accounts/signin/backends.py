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
