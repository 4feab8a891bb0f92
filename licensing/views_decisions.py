"""Pages for the ministry's review: decisions. PLACEHOLDER written by the lead; the helper owning it fills it in."""


def panel_context(request, app) -> dict:
    """Extra context for templates/licensing/panels/decisions.html on the case page."""
    return {}
