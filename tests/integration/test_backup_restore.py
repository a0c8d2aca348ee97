"""A backup restored into an empty database has the same rows and the same geometries."""
import pytest
from sqlalchemy import create_engine

from webapp.store.backup import BackupError, backup, restore, table_fingerprints


def test_backup_then_restore_gives_identical_counts_and_geometry_hashes(demo_url, fresh_db, tmp_path):
    dump = tmp_path / "safeground.dump"
    manifest = backup(demo_url, dump)
    assert dump.stat().st_size > 10_000
    assert manifest["tables"]["hazards"]["rows"] == 300
    restored = restore(fresh_db, dump)
    assert restored == manifest["tables"]
    engine = create_engine(demo_url)
    with engine.connect() as conn:
        assert table_fingerprints(conn) == restored
    engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(demo_url, tmp_path):
    dump = tmp_path / "safeground.dump"
    backup(demo_url, dump)
    with pytest.raises(BackupError, match="not empty"):
        restore(demo_url, dump)


def test_restore_detects_a_dump_that_does_not_match_its_manifest(demo_url, fresh_db, tmp_path):
    import json

    dump = tmp_path / "safeground.dump"
    backup(demo_url, dump)
    manifest_path = tmp_path / "safeground.dump.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["hazards"]["rows"] += 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="differs from the backup in: hazards"):
        restore(fresh_db, dump)
