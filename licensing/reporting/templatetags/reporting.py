"""`{% load reporting %}{% licence_reports licence user %}`: the licence's reports panel, for the
licence page's include slot (templates/licensing/licences/licence_extras.html). Registered as a
template library in portal/settings.py (TEMPLATES OPTIONS "libraries"), since licensing's areas are
not apps of their own."""

from django import template

from licensing.reporting.panels import panel_context

register = template.Library()


@register.inclusion_tag("licensing/reporting/licence_reports_panel.html", takes_context=True)
def licence_reports(context, licence, user):
    return {"csrf_token": context.get("csrf_token"), "request": context.get("request"), "user": user,
            **panel_context(user, licence)}
