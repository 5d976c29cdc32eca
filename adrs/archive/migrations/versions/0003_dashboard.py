"""Covering indexes for the dashboard's read paths.

Each one lets a run page, a runs listing or a model table be answered from the index
alone, without reading program sources or prompts from the table rows.

Revision ID: 0003_dashboard
Revises: 0002_llm
"""

from alembic import op

revision = "0003_dashboard"
down_revision = "0002_llm"
branch_labels = None
depends_on = None

INDEXES = {
    # score of every program over the run, islands, improvements: (seq, score, island)
    "ix_programs_run_seq_score": ("programs", ["run_id", "seq", "score", "island"]),
    # status counts per run
    "ix_programs_run_state_status": ("programs", ["run_id", "state", "status"]),
    # calls, cost and tokens per model
    "ix_llm_calls_run_model": (
        "llm_calls",
        ["run_id", "model", "cost_usd", "tokens_in", "tokens_out"],
    ),
    # children of a program in proposal order (a lineage node's fan-out, paged)
    "ix_programs_parent_seq": ("programs", ["parent_id", "seq"]),
    # the held-out validation table of a run
    "ix_evaluations_run_purpose": ("evaluations", ["run_id", "purpose"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
