"""The safeground command: users, tokens, status, backups."""
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from webapp.services.passwords import verify_password
from webapp.services.users import token_digest
from webapp.store import db
from webapp.store.models import ApiToken, User


@pytest.fixture
def cli(make_app, fresh_db):
    db.upgrade(fresh_db)
    engine = db.make_engine(fresh_db)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (name, short_name, kind) VALUES ('Authority', 'NMAA', 'authority')"))
    engine.dispose()
    app = make_app(fresh_db)
    return app, app.test_cli_runner()


def test_user_create_hashes_the_password(cli):
    app, runner = cli
    result = runner.invoke(args=["user", "create", "--email", "Approver@Example.org", "--name", "Petro",
                                 "--role", "approver", "--organisation", "NMAA"],
                           input="a-long-passphrase\na-long-passphrase\n")
    assert result.exit_code == 0, result.output
    assert "approver, NMAA" in result.output
    from webapp.extensions import store

    with Session(store(app).engine) as s:
        user = s.scalar(select(User).where(func.lower(User.email) == "approver@example.org"))
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, "a-long-passphrase")
        assert not verify_password(user.password_hash, "wrong-passphrase")


@pytest.mark.parametrize("args, message", [
    (["--role", "approver", "--organisation", "NOPE"], "no organisation called 'NOPE'"),
    (["--role", "wizard", "--organisation", "NMAA"], "Invalid value for '--role'"),
])
def test_user_create_explains_bad_input(cli, args, message):
    _, runner = cli
    result = runner.invoke(args=["user", "create", "--email", "x@example.org", "--name", "X", *args],
                           input="a-long-passphrase\na-long-passphrase\n")
    assert result.exit_code != 0
    assert message in result.output


def test_user_create_refuses_weak_passwords_and_duplicates(cli):
    _, runner = cli
    base = ["user", "create", "--email", "s@example.org", "--name", "S", "--role", "surveyor",
            "--organisation", "NMAA"]
    weak = runner.invoke(args=base, input="short\nshort\n")
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    assert runner.invoke(args=base, input="a-long-passphrase\na-long-passphrase\n").exit_code == 0
    again = runner.invoke(args=[*base[:3], "S@EXAMPLE.ORG", *base[4:]],
                          input="a-long-passphrase\na-long-passphrase\n")
    assert again.exit_code != 0 and "exists already" in again.output


def test_user_token_prints_a_token_whose_hash_only_is_stored(cli):
    app, runner = cli
    runner.invoke(args=["user", "create", "--email", "t@example.org", "--name", "T", "--role", "viewer",
                        "--organisation", "NMAA"], input="a-long-passphrase\na-long-passphrase\n")
    result = runner.invoke(args=["user", "token", "t@example.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("sg_") and len(token) > 40
    from webapp.extensions import store

    with Session(store(app).engine) as s:
        stored = s.scalars(select(ApiToken.token_hash)).all()
    assert stored == [token_digest(token)]
    missing = runner.invoke(args=["user", "token", "nobody@example.org"])
    assert missing.exit_code != 0 and "no active user" in missing.output


def test_db_status_and_backup_restore_commands(cli, tmp_path, pg_cluster):
    app, runner = cli
    status = runner.invoke(args=["db", "status"])
    assert status.exit_code == 0, status.output
    assert f"migrations: {db.head_revision()} (head {db.head_revision()})" in status.output
    assert "secret" not in status.output
    dump = tmp_path / "b.dump"
    backup = runner.invoke(args=["db", "backup", str(dump)])
    assert backup.exit_code == 0, backup.output
    target = "sg_restore_cli"
    pg_cluster.ensure_database(target)
    try:
        restored = runner.invoke(args=["db", "restore", str(dump), "--database", pg_cluster.url(target)])
        assert restored.exit_code == 0, restored.output
        assert "Restored and verified" in restored.output
        again = runner.invoke(args=["db", "restore", str(dump), "--database", pg_cluster.url(target)])
        assert again.exit_code != 0 and "not empty" in again.output
    finally:
        pg_cluster.drop_database(target)
