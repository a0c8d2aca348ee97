"""Sessions and login throttling: server-side records of browser sessions (user_sessions), and a
per-account lock after repeated failed sign-ins (users.failed_logins, users.locked_until).

Audit: user_sessions is audited when a session starts, is revoked or is deleted, not for its
once-a-minute ``last_seen_at`` touch; likewise the api_tokens trigger no longer fires for the
``last_used_at`` touch (it still records issue, revocation and deletion). The random session id is
stored only as a SHA-256 in ``token_hash``, which the audit function already leaves out.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

API_TOKEN_COLUMNS = "user_id, token_hash, label, revoked_at"


def upgrade() -> None:
    op.add_column("users", sa.Column("failed_logins", sa.SmallInteger(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)

    op.execute("CREATE TRIGGER audit_user_sessions AFTER INSERT OR DELETE OR UPDATE OF revoked_at "
               "ON user_sessions FOR EACH ROW EXECUTE FUNCTION audit_row_change()")
    op.execute("DROP TRIGGER audit_api_tokens ON api_tokens")
    op.execute(f"CREATE TRIGGER audit_api_tokens AFTER INSERT OR DELETE OR UPDATE OF {API_TOKEN_COLUMNS} "
               "ON api_tokens FOR EACH ROW EXECUTE FUNCTION audit_row_change()")


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_api_tokens ON api_tokens")
    op.execute("CREATE TRIGGER audit_api_tokens AFTER INSERT OR UPDATE OR DELETE ON api_tokens "
               "FOR EACH ROW EXECUTE FUNCTION audit_row_change()")
    op.execute("DROP TRIGGER IF EXISTS audit_user_sessions ON user_sessions")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_column("users", "locked_until")
    op.drop_column("users", "failed_logins")
