"""Celery task of ICP evidence: reminders before an element's evidence goes stale and when it is.
Thin and idempotent (each element told once per due date); beat runs it hourly
(`compliance.icp_evidence_remind`)."""

from celery import shared_task

from compliance.icp import services


@shared_task(name="compliance.icp_evidence_remind", acks_late=True)
def icp_evidence_remind() -> dict:
    return services.icp_evidence_remind()
