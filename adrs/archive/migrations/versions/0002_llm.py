"""Model calls record how many requests each took (retries included).

Revision ID: 0002_llm
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_llm"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("llm_calls") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("llm_calls") as batch:
        batch.drop_column("attempts")
