"""Indexes for the statistics dashboard's live counts (compliance.statistics.selectors): overdue open
cases by province and overdue referrals by agency, both read index-only over a million cases
(benchmarks/statistics_dashboard.py: 340 ms -> ~40 ms each). Partial, so they hold open cases and
pending referrals only. Written as SQL (valid on PostgreSQL and SQLite) so the models stay as they are.

A provincial officer's counts go through Application.objects.visible_to (province and submitted_at):
case_overdue_in_province_idx's predicate is implied by that filter, so its count is index-only (~200 ms
-> 1.5 ms for a province of ~42,000 open cases); case_with_agencies_province_idx gives the province's
cases with the agencies, index-only, for its overdue referrals (110 ms -> 3 ms for that part)."""

from django.db import migrations

OPEN = "('accepted', 'with_agencies', 'awaiting_decision', 'awaiting_countersign')"


class Migration(migrations.Migration):

    dependencies = [
        ("licensing", "0024_licence_routes"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX case_overdue_province_idx ON licensing_application (decision_due, province_id, id) "
            f"WHERE forwarded_at IS NOT NULL AND status IN {OPEN}",
            "DROP INDEX case_overdue_province_idx"),
        migrations.RunSQL(
            "CREATE INDEX referral_overdue_idx ON licensing_referral (due_on, agency_id, application_id) "
            "WHERE state = 'sent' AND sent_at IS NOT NULL",
            "DROP INDEX referral_overdue_idx"),
        migrations.RunSQL(
            "CREATE INDEX case_overdue_in_province_idx ON licensing_application (province_id, decision_due) "
            f"WHERE forwarded_at IS NOT NULL AND submitted_at IS NOT NULL AND status IN {OPEN}",
            "DROP INDEX case_overdue_in_province_idx"),
        migrations.RunSQL(
            "CREATE INDEX case_with_agencies_province_idx ON licensing_application (province_id, id) "
            "WHERE status = 'with_agencies'",
            "DROP INDEX case_with_agencies_province_idx"),
    ]
