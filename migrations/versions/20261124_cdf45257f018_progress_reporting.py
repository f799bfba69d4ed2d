"""progress reporting

Assignments point at three of their updates (accepted, published, open) and updates at their
assignment: those three keys are added once both tables exist.

Revision ID: cdf45257f018
Revises: 62ac28a9faf4
Create Date: 2026-11-24 21:23:17.886943

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cdf45257f018'
down_revision = '62ac28a9faf4'
branch_labels = None
depends_on = None

POINTERS = ('accepted_update_id', 'published_update_id', 'open_update_id')


def upgrade():
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('official_status', sa.Enum('not_started', 'in_progress', 'partially_implemented', 'implemented', 'not_applicable', name='official_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('official_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_update_id', sa.Integer(), nullable=True),
    sa.Column('published_update_id', sa.Integer(), nullable=True),
    sa.Column('open_update_id', sa.Integer(), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_assignments_entity_id_entities')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_assignments_recommendation_id_recommendations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('recommendation_id', 'entity_id', name='uq_assignments_recommendation_entity')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_entity_recommendation', ['entity_id', 'recommendation_id'], unique=False)

    op.create_table('progress_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'accepted', 'returned', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('claimed_status', sa.Enum('not_started', 'in_progress', 'partially_implemented', 'implemented', 'not_applicable', name='claimed_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('confidentiality', sa.Enum('entity', 'committee', 'public', name='confidentiality', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('assessed_status', sa.Enum('not_started', 'in_progress', 'partially_implemented', 'implemented', 'not_applicable', name='assessed_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('assessment_reason', sa.Text(), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(state = 'accepted' AND assessed_status IS NOT NULL AND reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL) OR (state <> 'accepted' AND assessed_status IS NULL)", name=op.f('ck_progress_updates_assessed_iff_accepted')),
    sa.CheckConstraint("state <> 'returned' OR return_comment IS NOT NULL", name=op.f('ck_progress_updates_comment_if_returned')),
    sa.CheckConstraint("state = 'draft' OR submitted_at IS NOT NULL", name=op.f('ck_progress_updates_submitted_at_once_submitted')),
    sa.CheckConstraint('assessed_status IS NULL OR assessed_status = claimed_status OR assessment_reason IS NOT NULL', name=op.f('ck_progress_updates_reason_if_assessment_differs')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_progress_updates_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_progress_updates_author_id_users')),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_progress_updates_entity_id_entities')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_progress_updates_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['reporting_rounds.id'], name=op.f('fk_progress_updates_round_id_reporting_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_updates'))
    )
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_updates_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_updates_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index('ix_progress_updates_state_submitted_at', ['state', 'submitted_at'], unique=False)
        batch_op.create_index('uq_progress_updates_one_open', ['assignment_id'], unique=True, sqlite_where=sa.text("state IN ('draft', 'submitted', 'returned')"), postgresql_where=sa.text("state IN ('draft', 'submitted', 'returned')"))

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('link', 'file', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(kind = 'link' AND url IS NOT NULL AND stored_name IS NULL) OR (kind = 'file' AND url IS NULL AND stored_name IS NOT NULL AND sha256 IS NOT NULL)", name=op.f('ck_evidence_link_or_file')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_evidence_added_by_id_users')),
    sa.ForeignKeyConstraint(['update_id'], ['progress_updates.id'], name=op.f('fk_evidence_update_id_progress_updates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_stored_name'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_update_id'), ['update_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        for column in POINTERS:
            batch_op.create_foreign_key(
                op.f(f'fk_assignments_{column}_progress_updates'), 'progress_updates', [column], ['id']
            )



def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        for column in POINTERS:
            batch_op.drop_constraint(op.f(f'fk_assignments_{column}_progress_updates'), type_='foreignkey')

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_update_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('progress_updates', schema=None) as batch_op:
        batch_op.drop_index('uq_progress_updates_one_open', sqlite_where=sa.text("state IN ('draft', 'submitted', 'returned')"), postgresql_where=sa.text("state IN ('draft', 'submitted', 'returned')"))
        batch_op.drop_index('ix_progress_updates_state_submitted_at')
        batch_op.drop_index(batch_op.f('ix_progress_updates_entity_id'))
        batch_op.drop_index(batch_op.f('ix_progress_updates_assignment_id'))

    op.drop_table('progress_updates')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_entity_recommendation')

    op.drop_table('assignments')
