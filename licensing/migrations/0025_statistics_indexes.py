"""Indexes for the statistics dashboard's live counts (compliance.statistics.selectors): overdue open
cases by province and overdue referrals by agency, both read index-only over a million cases
(benchmarks/statistics_dashboard.py: 340 ms -> ~40 ms each). Partial, so they hold open cases and
pending referrals only. Written as SQL (valid on PostgreSQL and SQLite) so the models stay as they are."""

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
    ]
