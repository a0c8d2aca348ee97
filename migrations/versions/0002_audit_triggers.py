"""Audit triggers: every insert, update and delete on the land-release tables writes a row to
audit_log with the actor, the time, the reason and the row before and after.

The actor comes from the transaction settings ``safeground.actor_id`` / ``safeground.actor_label``
/ ``safeground.reason`` (set by the services). Secrets (password and token hashes) never reach the log.
A bulk loader may set ``safeground.audit = 'off'`` for its own transaction (the benchmark does, for
synthetic data); nothing else should.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AUDITED_TABLES = ("organisations", "users", "admin_areas", "hazards", "survey_points", "activities",
                  "reports", "release_products", "eo_items", "api_tokens", "user_admin_areas")

FUNCTION = r"""
CREATE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    row_key bigint;
BEGIN
    IF current_setting('safeground.audit', true) = 'off' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_row := to_jsonb(OLD) - 'password_hash' - 'token_hash';
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := to_jsonb(NEW) - 'password_hash' - 'token_hash';
    END IF;
    IF TG_OP = 'UPDATE' AND old_row = new_row THEN
        RETURN NULL;
    END IF;
    row_key := COALESCE((COALESCE(new_row, old_row) ->> 'id')::bigint,
                        (COALESCE(new_row, old_row) ->> 'user_id')::bigint);
    INSERT INTO audit_log (at, actor_id, actor_label, action, table_name, row_id, reason, before, after)
    VALUES (clock_timestamp(),
            NULLIF(current_setting('safeground.actor_id', true), '')::integer,
            NULLIF(current_setting('safeground.actor_label', true), ''),
            lower(TG_OP), TG_TABLE_NAME, row_key,
            NULLIF(current_setting('safeground.reason', true), ''),
            old_row, new_row);
    RETURN NULL;
END;
$$;
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    for table in AUDITED_TABLES:
        op.execute(f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION audit_row_change()")


def downgrade() -> None:
    for table in AUDITED_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS audit_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS audit_row_change()")
