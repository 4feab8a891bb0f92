"""Indexes for the review queues (measured with benchmarks/review_queues.py at 100,000 cases).

- case_review_due_idx, case_acceptance_due_idx: a queue's first page in deadline order is read
  from the index in that order and stops after 50 rows, instead of sorting every case of the queue.
- case_open_counts_idx: the dashboard counts every queue from this index alone.
- referral_sent_queue_idx: an agency's queue and its counts, without reading the referral rows.
- item_code_upper_idx (PostgreSQL only): the control-code prefix filter (istartswith, i.e.
  UPPER(code) LIKE 'X%'); text_pattern_ops so LIKE can use it whatever the database collation,
  INCLUDE so the matching application ids come from the index alone.
"""

from django.db import migrations, models

OPEN_REVIEW = ["accepted", "with_agencies", "awaiting_decision", "awaiting_countersign"]
AWAITING_ACCEPTANCE = ["forwarded", "correcting"]
OPEN = AWAITING_ACCEPTANCE + OPEN_REVIEW

ITEM_CODE_INDEX = ("CREATE INDEX IF NOT EXISTS item_code_upper_idx ON licensing_applicationitem "
                   "(UPPER(control_code::text) text_pattern_ops) INCLUDE (application_id, control_code)")


def create_item_code_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ITEM_CODE_INDEX)


def drop_item_code_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS item_code_upper_idx")


class Migration(migrations.Migration):
    dependencies = [("licensing", "0007_seed_routing")]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["decision_due", "id"], condition=models.Q(status__in=OPEN_REVIEW),
                               name="case_review_due_idx"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["acceptance_due", "id"],
                               condition=models.Q(status__in=AWAITING_ACCEPTANCE), name="case_acceptance_due_idx"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["status", "clock_state", "assigned_to", "decision_due", "acceptance_due"],
                               condition=models.Q(forwarded_at__isnull=False, status__in=OPEN),
                               name="case_open_counts_idx"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["agency", "state", "due_on"], condition=models.Q(sent_at__isnull=False),
                               name="referral_sent_queue_idx"),
        ),
        migrations.RunPython(create_item_code_index, drop_item_code_index, elidable=False),
    ]
