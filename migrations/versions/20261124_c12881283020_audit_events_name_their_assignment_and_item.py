"""audit events name their assignment and item

Columns are added in place, not through a batch copy: on SQLite a batch copy would drop the
append-only triggers of the table.

Revision ID: c12881283020
Revises: fcb37a55bb81
Create Date: 2026-11-24 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12881283020'
down_revision = 'fcb37a55bb81'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_events', sa.Column('assignment_id', sa.Integer(), nullable=True))
    op.add_column('audit_events', sa.Column('recommendation_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_events_assignment_seq', 'audit_events', ['assignment_id', 'seq'], unique=False)
    op.create_index('ix_audit_events_recommendation_seq', 'audit_events', ['recommendation_id', 'seq'], unique=False)


def downgrade():
    op.drop_index('ix_audit_events_recommendation_seq', table_name='audit_events')
    op.drop_index('ix_audit_events_assignment_seq', table_name='audit_events')
    op.drop_column('audit_events', 'recommendation_id')
    op.drop_column('audit_events', 'assignment_id')
