"""Pages for the ministry's review: requests. PLACEHOLDER written by the lead; the helper owning it fills it in."""


def panel_context(request, app) -> dict:
    """Extra context for templates/licensing/panels/requests.html on the case page."""
    return {}
