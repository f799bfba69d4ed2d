"""assignments carry the open update state and accepted round

The dashboard counts returned updates and acceptances in the current round from the
assignments alone; existing rows are filled from their updates.

Revision ID: d84d534032e1
Revises: f2f98c0a0ad4
Create Date: 2026-11-24 22:40:19.227572

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd84d534032e1'
down_revision = 'f2f98c0a0ad4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_update_state', sa.Enum('draft', 'submitted', 'accepted', 'returned', name='open_update_state', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('accepted_round_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignments_accepted_round_id_reporting_rounds'), 'reporting_rounds', ['accepted_round_id'], ['id'])

    op.execute(
        "UPDATE assignments SET"
        " open_update_state = (SELECT state FROM progress_updates WHERE progress_updates.id = assignments.open_update_id),"
        " accepted_round_id = (SELECT round_id FROM progress_updates WHERE progress_updates.id = assignments.accepted_update_id)"
        " WHERE open_update_id IS NOT NULL OR accepted_update_id IS NOT NULL"
    )



def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_accepted_round_id_reporting_rounds'), type_='foreignkey')
        batch_op.drop_column('accepted_round_id')
        batch_op.drop_constraint(batch_op.f('ck_assignments_open_update_state'), type_='check')
        batch_op.drop_column('open_update_state')

