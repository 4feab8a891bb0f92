import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

from portal.checks import warn_if_slow_pdf  # noqa: E402  (needs Django set up)

warn_if_slow_pdf(logging.getLogger("portal.web"))
