import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# The same examples on every run: a red run of the suite is a regression,
# never a new draw. Search wider with a script of its own, not in CI.
settings.register_profile("procmap", derandomize=True)
settings.load_profile("procmap")

# The helpers module sits beside the tests; rule tests live one folder down.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner in an empty folder that stops the config search."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    return CliRunner()
