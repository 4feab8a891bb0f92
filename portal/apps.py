from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self):
        from portal import checks  # noqa: F401  registers system checks
        from portal.celery import app

        # Register every app's tasks in this process too: the outbox looks tasks up by name,
        # including in the web process and when tasks run eagerly.
        app.autodiscover_tasks(force=True)
