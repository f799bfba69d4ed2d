"""Backups restore, and the restored chain verifies with the same head (restore drill)."""

import shutil
import subprocess

from sqlalchemy.engine import make_url

from tests.conftest import dispose, make_app
from tracker.audit.queries import head, verify


def test_backup_and_restore_drill(app, cli, reporting, databases, database_url, tmp_path):
    reporting.update("FRA", "I.3", "accepted", narrative="Before the backup.")
    with app.app_context():
        original = head()
    path = tmp_path / "tracker.backup"
    result = cli.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert f"event {original[0]}" in result.output

    if make_url(database_url).get_backend_name() == "sqlite":
        restored = f"sqlite:///{tmp_path / 'restored.db'}"
        shutil.copy(path, tmp_path / "restored.db")
    else:
        restored = databases.new()
        plain = make_url(restored).set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(["pg_restore", "--no-owner", "-d", plain, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    restored_app = make_app(restored)
    try:
        with restored_app.app_context():
            assert verify().ok
            assert head() == original
    finally:
        dispose(restored_app)


def test_backup_refuses_to_overwrite(cli, tmp_path):
    path = tmp_path / "exists.backup"
    path.write_text("keep me")
    result = cli.invoke(args=["backup", str(path)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert path.read_text() == "keep me"
