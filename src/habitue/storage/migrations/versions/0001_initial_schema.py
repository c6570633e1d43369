"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_indicators',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('contact_id', sa.Text(), nullable=False),
    sa.Column('institution_id', sa.Text(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('assiduite', sa.Integer(), nullable=True),
    sa.Column('assiduite_level', sa.SmallInteger(), nullable=True),
    sa.Column('produit_enfant', sa.Boolean(), nullable=True),
    sa.Column('produit_enfant_level', sa.SmallInteger(), nullable=True),
    sa.Column('adherent', sa.Boolean(), nullable=True),
    sa.Column('adherent_level', sa.SmallInteger(), nullable=True),
    sa.Column('pmg', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('pmg_level', sa.SmallInteger(), nullable=True),
    sa.Column('pmg_n', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('pmg_n_level', sa.SmallInteger(), nullable=True),
    sa.Column('recence', sa.Date(), nullable=True),
    sa.Column('recence_level', sa.SmallInteger(), nullable=True),
    sa.Column('filiere_vente', sa.Integer(), nullable=True),
    sa.Column('filiere_vente_level', sa.SmallInteger(), nullable=True),
    sa.Column('abonne', sa.Boolean(), nullable=True),
    sa.Column('abonne_level', sa.SmallInteger(), nullable=True),
    sa.Column('anciennete', sa.Date(), nullable=True),
    sa.Column('anciennete_level', sa.SmallInteger(), nullable=True),
    sa.Column('jeune', sa.Boolean(), nullable=True),
    sa.Column('jeune_level', sa.SmallInteger(), nullable=True),
    sa.Column('engagement_social', sa.Integer(), nullable=True),
    sa.Column('engagement_social_level', sa.SmallInteger(), nullable=True),
    sa.Column('influence_sociale', sa.Integer(), nullable=True),
    sa.Column('influence_sociale_level', sa.SmallInteger(), nullable=True),
    sa.Column('pmg_population', sa.Text(), nullable=True),
    sa.Column('pmg_n_population', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'contact_id')
    )
    op.create_table('contacts',
    sa.Column('contact_id', sa.Text(), nullable=False),
    sa.Column('institution_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('structure_type', sa.Text(), nullable=True),
    sa.Column('parent_contact_id', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('first_name', sa.Text(), nullable=True),
    sa.Column('last_name', sa.Text(), nullable=True),
    sa.Column('structure_name', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('street', sa.Text(), nullable=True),
    sa.Column('postal_code', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('email_opt_in', sa.Boolean(), nullable=True),
    sa.Column('sms_opt_in', sa.Boolean(), nullable=True),
    sa.Column('post_opt_in', sa.Boolean(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('institution_id', 'contact_id')
    )
    op.create_table('import_rejects',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('file', sa.Text(), nullable=False),
    sa.Column('line', sa.BigInteger(), nullable=True),
    sa.Column('column_name', sa.Text(), nullable=True),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False)
    )
    op.create_index(op.f('ix_import_rejects_run_id'), 'import_rejects', ['run_id'], unique=False)
    op.create_table('import_runs',
    sa.Column('run_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('rejects_path', sa.Text(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('run_id')
    )
    op.create_table('indicator_batches',
    sa.Column('batch_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('cadence', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('thresholds', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('batch_id')
    )
    op.create_table('indicator_history',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('contact_id', sa.Text(), nullable=False),
    sa.Column('indicator', sa.Text(), nullable=False),
    sa.Column('old_level', sa.SmallInteger(), nullable=True),
    sa.Column('new_level', sa.SmallInteger(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True)
    )
    op.create_table('indicator_settings',
    sa.Column('institution_id', sa.Text(), nullable=False),
    sa.Column('indicator', sa.Text(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('institution_id', 'indicator')
    )
    op.create_table('institutions',
    sa.Column('institution_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('institution_id')
    )
    op.create_table('order_line_statuses',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('line_id', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('status_at', sa.DateTime(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'line_id', 'status', 'status_at')
    )
    op.create_table('order_lines',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('line_id', sa.Text(), nullable=False),
    sa.Column('product_id', sa.Text(), nullable=False),
    sa.Column('performance_id', sa.Text(), nullable=True),
    sa.Column('beneficiary_contact_id', sa.Text(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('scanned_at', sa.DateTime(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'line_id')
    )
    op.create_table('orders',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('buyer_contact_id', sa.Text(), nullable=False),
    sa.Column('payer_contact_id', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('origin', sa.Text(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'order_id')
    )
    op.create_table('organisations',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('institution_id', sa.Text(), nullable=True),
    sa.Column('timezone', sa.Text(), nullable=True),
    sa.Column('currency', sa.Text(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id')
    )
    op.create_table('performances',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('performance_id', sa.Text(), nullable=False),
    sa.Column('product_id', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('season_id', sa.Text(), nullable=True),
    sa.Column('venue', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'performance_id')
    )
    op.create_table('products',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('product_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('family', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=True),
    sa.Column('genre', sa.Text(), nullable=True),
    sa.Column('season_id', sa.Text(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'product_id')
    )
    op.create_table('seasons',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('season_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'season_id')
    )
    op.create_table('share_visits',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('visit_id', sa.Text(), nullable=False),
    sa.Column('share_id', sa.Text(), nullable=False),
    sa.Column('visited_at', sa.DateTime(), nullable=False),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'visit_id')
    )
    op.create_table('social_shares',
    sa.Column('organisation_id', sa.Text(), nullable=False),
    sa.Column('share_id', sa.Text(), nullable=False),
    sa.Column('contact_id', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Text(), nullable=True),
    sa.Column('network', sa.Text(), nullable=True),
    sa.Column('shared_at', sa.DateTime(), nullable=False),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('organisation_id', 'share_id')
    )


def downgrade() -> None:
    op.drop_table('social_shares')
    op.drop_table('share_visits')
    op.drop_table('seasons')
    op.drop_table('products')
    op.drop_table('performances')
    op.drop_table('organisations')
    op.drop_table('orders')
    op.drop_table('order_lines')
    op.drop_table('order_line_statuses')
    op.drop_table('institutions')
    op.drop_table('indicator_settings')
    op.drop_table('indicator_history')
    op.drop_table('indicator_batches')
    op.drop_table('import_runs')
    op.drop_index(op.f('ix_import_rejects_run_id'), table_name='import_rejects')
    op.drop_table('import_rejects')
    op.drop_table('contacts')
    op.drop_table('contact_indicators')
