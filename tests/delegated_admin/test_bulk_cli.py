"""`partnerhub gdap bulk ...`: customer ids from a file, a progress bar, a per-customer report, and resume after
a kill -9 in the middle of a customer's transaction."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from partnerhub.cli.acting import runtime
from partnerhub.clock import frozen_at, utc_now
from partnerhub.db import transaction
from partnerhub.jobs.models import Job
from tests.cli.test_seed_flow import Cli
from tests.delegated_admin.bulk_world import bulk_world, make_template, statuses, terminations

CRASH_AFTER = Path(__file__).parent.parent / "offboarding" / "crash_after.py"


def test_terminate_from_a_file_reports_each_customer(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = bulk_world(fresh_engine, 2)
    ids = tmp_path / "customers.txt"
    ids.write_text(f"# customers leaving our managed service\n{w.customer_ids[0]}\n\n{w.customer_ids[1].upper()}\n")
    cli = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    out = cli.run("gdap", "bulk", "terminate", "--file", str(ids), "--yes", as_=w.agent_email).stdout
    assert "2 customer(s), terminate" in out and "2 done, 0 refused, 0 pending" in out
    assert "1 relationship(s) ended" in out
    assert [statuses(fresh_engine, c) for c in w.customer_ids] == [["terminated"], ["terminated"]]
    job_id = out.split("Job ", 1)[1].split(":", 1)[0]
    again = json.loads(
        cli.run(
            "gdap", "bulk", "terminate", "--customer", w.customer_ids[0], "--yes", "--json", as_=w.agent_email
        ).stdout
    )
    assert (again["failed"], again["items"][0]["errorCode"]) == (1, 800290)
    report = json.loads(cli.run("gdap", "bulk", "report", job_id, "--json", as_=w.admin_email).stdout)
    assert (report["action"], report["status"], report["succeeded"]) == ("terminate", "succeeded", 2)
    assert [i["companyName"] for i in report["items"]] == ["Bulk 000", "Bulk 001"]


def test_bad_input_is_refused_and_changes_nothing(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = bulk_world(fresh_engine, 1)
    cli = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    assert (
        "no such file"
        in cli.run(
            "gdap", "bulk", "terminate", "--file", str(tmp_path / "missing.txt"), "--yes", as_=w.admin_email, expect=3
        ).stderr
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("\n# nobody\n")
    assert (
        "--file"
        in cli.run("gdap", "bulk", "terminate", "--file", str(empty), "--yes", as_=w.admin_email, expect=3).stderr
    )
    refused = cli.run(
        "gdap", "bulk", "terminate", "--customer", "not-a-customer", "--yes", as_=w.admin_email, expect=3
    ).stderr
    assert "not your customers" in refused
    cli.run("gdap", "bulk", "terminate", "--customer", w.customer_ids[0], "--yes", as_=w.sales_email, expect=5)
    with transaction(fresh_engine) as s:
        assert s.scalars(select(Job)).all() == []
    assert statuses(fresh_engine, w.customer_ids[0]) == ["active"]


def test_a_kill_inside_a_customers_transaction_loses_it_whole_and_resume_finishes(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = bulk_world(fresh_engine, 6, active_each=2)
    ids = tmp_path / "customers.txt"
    ids.write_text("\n".join(w.customer_ids))
    env = {
        **os.environ,
        "PARTNERHUB_DATABASE_URL": fresh_engine.url.render_as_string(hide_password=False),
        "PARTNERHUB_DATA_DIR": str(tmp_path),
        "PARTNERHUB_AS": w.admin_email,
        "PARTNERHUB_JOB_LEASE_SECONDS": "30",
    }
    proc = subprocess.run(
        [sys.executable, str(CRASH_AFTER), "3", "gdap", "bulk", "terminate", "--file", str(ids), "--yes", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # the 3rd customer was killed just before its commit: both its relationships are still active
    assert [statuses(fresh_engine, c) for c in w.customer_ids] == [["terminated"] * 2] * 2 + [["active"] * 2] * 4
    with transaction(fresh_engine) as s:
        job = s.scalars(select(Job)).one()
        assert (job.status, job.progress_done) == ("running", 2)
        job_id = job.id
    cli = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    held = cli.run("gdap", "bulk", "resume", job_id, as_=w.admin_email, expect=3).stderr  # the dead one's lease
    assert "partnerhub gdap bulk report" in held
    with frozen_at(utc_now() + timedelta(seconds=31)):
        out = json.loads(cli.run("gdap", "bulk", "resume", job_id, "--json", as_=w.admin_email).stdout)
    assert (out["status"], out["succeeded"], out["failed"], out["pending"]) == ("succeeded", 6, 0, 0)
    runtime().engine.dispose()
    runtime.cache_clear()
    assert [statuses(fresh_engine, c) for c in w.customer_ids] == [["terminated"] * 2] * 6
    assert [terminations(fresh_engine, c) for c in w.customer_ids] == [2] * 6  # each ended once


def test_request_from_a_template_then_renew_from_files(
    fresh_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = bulk_world(fresh_engine, 2, active_each=0)
    make_template(fresh_engine, w.admin_email)
    ids = tmp_path / "customers.txt"
    ids.write_text("\n".join(w.customer_ids))
    cli = Cli(fresh_engine, tmp_path, monkeypatch, capsys)
    out = cli.run(
        "gdap", "bulk", "request", "--template", "Standard MSP", "--file", str(ids), "--yes", as_=w.agent_email
    ).stdout
    assert "2 done, 0 refused, 0 pending" in out and out.count("sent for approval") == 2
    assert [statuses(fresh_engine, c) for c in w.customer_ids] == [["approvalPending"]] * 2
    again = json.loads(
        cli.run(
            "gdap",
            "bulk",
            "request",
            "--template",
            "standard msp",
            "--file",
            str(ids),
            "--yes",
            "--json",
            as_=w.agent_email,
        ).stdout
    )
    assert [i["errorCode"] for i in again["items"]] == [800294, 800294]
    assert (
        "not found"
        in cli.run(
            "gdap", "bulk", "request", "--template", "Nope", "--file", str(ids), "--yes", as_=w.agent_email, expect=4
        ).stderr
    )

    renew = json.loads(
        cli.run("gdap", "bulk", "renew", "--file", str(ids), "--yes", "--json", as_=w.agent_email).stdout
    )
    assert (renew["action"], renew["failed"]) == ("renew", 2)  # nothing active to renew yet
    assert {i["errorCode"] for i in renew["items"]} == {800293}
