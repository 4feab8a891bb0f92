"""Celery task of licence reports: reminders before a report's due date and overdue flags. Thin and
idempotent (each requirement is told once per due date); beat runs it hourly
(`licensing.licence_reports_remind`)."""

from celery import shared_task

from licensing.reporting import services


@shared_task(name="licensing.licence_reports_remind", acks_late=True)
def licence_reports_remind() -> dict:
    return services.report_requirements_remind()
