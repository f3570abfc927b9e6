"""Issue 7: the app secret and tokens never leak; logs mask phones and ID numbers; the cache is private."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.sandbox import SANDBOX_APP_ID, Sandbox

ROOT = Path(__file__).resolve().parents[1]
SECRET = "S3cr3t-Zebra-9921-do-not-leak"


def test_secret_and_tokens_appear_nowhere(tmp_path):
    shutil.copy(ROOT / "sample_sheets" / "onboarding_zh.xlsx", tmp_path / "in.xlsx")
    recipe = (ROOT / "recipes" / "onboarding.yaml").read_text(encoding="utf-8").replace("writers: [xlsx]", "writers: [xlsx, csv, jsonl]")
    (tmp_path / "r.yaml").write_text(recipe, encoding="utf-8")
    with Sandbox(app_secret=SECRET, token_ttl=2) as sb:
        env = {"FEISHU_BASE_URL": sb.url, "FEISHU_APP_ID": SANDBOX_APP_ID, "FEISHU_APP_SECRET": SECRET,
               "RECONCILER_CACHE_PATH": str(tmp_path / "cache" / "c.sqlite")}
        runner = CliRunner()
        outputs = [runner.invoke(cli, ["run", str(tmp_path / "r.yaml"), str(tmp_path / "in.xlsx"), "--log",
                                       str(tmp_path / "run.log"), "--report", str(tmp_path / "report.json"), "--debug"], env=env)]
        sb.configure(app_secret="rotated")  # the old secret is now refused: the error must not quote it
        outputs.append(runner.invoke(cli, ["run", str(tmp_path / "r.yaml"), str(tmp_path / "in.xlsx"), "--no-cache",
                                           "--log", str(tmp_path / "run.log"), "--debug"], env=env))
        tokens = list(sb.tokens._expiry)  # every token the sandbox ever issued
    assert outputs[0].exit_code == 0 and outputs[1].exit_code == 3
    assert tokens
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "r.yaml"]
    assert {"run.log", "report.json", "in.reconciled.xlsx", "in.reconciled.csv", "in.reconciled.jsonl"} <= {p.name for p in files}
    assert any(p.name.startswith("c") and p.suffix == ".sqlite" for p in files)
    blobs = {p.name: p.read_bytes() for p in files} | {f"output{i}": r.output.encode() for i, r in enumerate(outputs)}
    for name, blob in blobs.items():
        assert SECRET.encode() not in blob, f"the secret is in {name}"
        for token in tokens:
            assert token.encode() not in blob, f"a token is in {name}"


def test_log_masks_phones_and_ids(tmp_path):
    shutil.copy(ROOT / "sample_sheets" / "onboarding_zh.xlsx", tmp_path / "in.xlsx")
    env = {"RECONCILER_CACHE_PATH": str(tmp_path / "c.sqlite")}
    result = CliRunner().invoke(cli, ["run", str(ROOT / "recipes" / "onboarding.yaml"), str(tmp_path / "in.xlsx"),
                                      "--sandbox", "--log", str(tmp_path / "run.log"), "-q"], env=env)
    assert result.exit_code == 0, result.output
    log = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert "row " in log and "****" in log  # rows with problems are logged, masked
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", log), "an unmasked mobile is in the log"
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?![\dXx])", log), "an unmasked ID number is in the log"
    assert (tmp_path / "run.log").stat().st_mode & 0o777 == 0o600


def test_cache_info_and_clear(tmp_path):
    shutil.copy(ROOT / "sample_sheets" / "onboarding_zh.xlsx", tmp_path / "in.xlsx")
    env = {"RECONCILER_CACHE_PATH": str(tmp_path / "cache" / "c.sqlite")}
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(ROOT / "recipes" / "onboarding.yaml"), str(tmp_path / "in.xlsx"),
                               "--sandbox", "-q"], env=env).exit_code == 0
    info = runner.invoke(cli, ["cache", "info"], env=env)
    assert info.exit_code == 0 and "c.sqlite" in info.output and "0o600" in info.output
    assert re.search(r"[1-9]\d* responses", info.output)
    for cache_file in (tmp_path / "cache").glob("*.sqlite"):
        assert cache_file.stat().st_mode & 0o777 == 0o600
    cleared = runner.invoke(cli, ["cache", "clear"], env=env)
    assert cleared.exit_code == 0 and "removed" in cleared.output
    assert not list((tmp_path / "cache").glob("c.sqlite*")) and not list((tmp_path / "cache").glob("c-keys*"))
