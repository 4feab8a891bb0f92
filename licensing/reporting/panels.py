"""The reports panel of the licence page (templates/licensing/reporting/licence_reports_panel.html):
what the licence must report and by when, the reports filed, and for the ministry the forms that
set the requirements. The licence page renders it through `{% load reporting %}{% licence_reports
licence user %}` (licensing/reporting/templatetags/reporting.py); the reports page here too."""

from licensing.reporting import selectors, services
from licensing.reporting.forms import RemoveForm, RequirementForm


def panel_context(user, licence, *, requirement_form=None) -> dict:
    if not getattr(user, "is_authenticated", False) or not (user.is_exporter or user.is_ministry):
        return {}
    if selectors.licence_for(user, licence.number) is None:
        return {}
    return {"reporting": {
        "licence": licence,
        "requirements": selectors.requirements_of(licence),
        "reports": selectors.reports_of(licence),
        "can_file": services.may(user, "file"),
        "can_require": services.may(user, "require"),
        "requirement_form": requirement_form or RequirementForm(),
        "remove_form": RemoveForm(),
    }}
