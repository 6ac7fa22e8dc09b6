"""Bulk terminate (issue 16 §3): the active GDAP relationships of a selection of customers end, one customer at
a time, each with its outcome; a customer with nothing to end is reported, the others go on."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.service import actor_for_email
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.service import create_admin_relationship, lock_for_approval
from partnerhub.errors import Forbidden, GdapBulkActionInvalid, InvalidInput, JobNotFound
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import run_pending
from partnerhub.usecases.bulk_offboarding import bulk_report
from partnerhub.usecases.gdap_bulk import gdap_bulk_report, start_gdap_bulk_job
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.delegated_admin.bulk_world import bulk_world, statuses, terminations
from tests.factories import make_customer, make_partner


def test_bulk_terminate_ends_every_active_relationship_and_reports_each_customer(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 3, active_each=2)
    with transaction(fresh_engine) as s:
        admin = actor_for_email(s, w.admin_email)
        bare = make_customer(s, admin, name="Bare Srl").customer.id  # a customer without GDAP
        pending = create_admin_relationship(
            s, admin, customer_id=w.customer_ids[0], display_name="Pending one", role_ids=["Directory Readers"]
        )
        lock_for_approval(s, admin, admin_relationship_id=pending.id)
        job_id = start_gdap_bulk_job(
            s, actor_for_email(s, w.agent_email), action="terminate", customer_ids=[*w.customer_ids, bare]
        ).id
    assert run_pending(fresh_engine, worker_id="w") == 1
    assert statuses(fresh_engine, w.customer_ids[0]) == ["terminated", "terminated", "approvalPending"]
    assert [statuses(fresh_engine, c) for c in w.customer_ids[1:]] == [["terminated", "terminated"]] * 2
    assert [terminations(fresh_engine, c) for c in w.customer_ids] == [2, 2, 2]
    with transaction(fresh_engine) as s:
        report = gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=job_id)
        assert report.job.status == "succeeded"
        assert report.job.result == {"succeeded": 3, "failed": 1, "pending": 0}
        outcome = {i.item_key: i for i in report.items}
        assert len(outcome[w.customer_ids[1]].result["terminated"]) == 2
        refused = outcome[bare]
        assert (refused.status, refused.error_code) == ("failed", 800290)
        assert refused.error == f"You have no active admin relationship with customer {bare}: there is nothing to end."
        assert report.company_names[bare] == "Bare Srl"
        started = s.scalars(select(ActivityRecord).where(ActivityRecord.operation_type == "start_gdap_bulk_job")).one()
        assert (started.resource_id, started.new_value) == (job_id, {"action": "terminate", "customers": 4})


def test_a_customer_whose_reseller_relationship_ended_meanwhile_is_refused(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 2)
    with transaction(fresh_engine) as s:
        admin = actor_for_email(s, w.admin_email)
        job_id = start_gdap_bulk_job(s, admin, action="TERMINATE", customer_ids=w.customer_ids).id
        remove_reseller_relationship(s, admin, customer_id=w.customer_ids[0])  # ends its GDAP too
    run_pending(fresh_engine, worker_id="w")
    with transaction(fresh_engine) as s:
        items = gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=job_id).items
    assert [(i.status, i.error_code) for i in items] == [("failed", 800290), ("succeeded", None)]
    assert terminations(fresh_engine, w.customer_ids[0]) == 1  # by the removal, not again by the job


def test_ids_that_are_not_the_partners_customers_are_refused_up_front(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 1)
    with transaction(fresh_engine) as s:
        foreign = make_customer(s, make_partner(s).admin).customer.id
        with pytest.raises(InvalidInput) as caught:
            start_gdap_bulk_job(
                s,
                actor_for_email(s, w.admin_email),
                action="terminate",
                customer_ids=[w.customer_ids[0], foreign, "nope"],
            )
    assert [d["field"] for d in caught.value.data] == ["customerIds[1]", "customerIds[2]"]
    with read_session(fresh_engine) as s:
        assert s.scalars(select(Job)).all() == []


def test_bad_requests_change_nothing(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 1)
    with transaction(fresh_engine) as s:
        with pytest.raises(GdapBulkActionInvalid):
            start_gdap_bulk_job(s, actor_for_email(s, w.admin_email), action="explode", customer_ids=w.customer_ids)
        with pytest.raises(InvalidInput):
            start_gdap_bulk_job(s, actor_for_email(s, w.admin_email), action="terminate", customer_ids=[" "])
        with pytest.raises(Forbidden):
            start_gdap_bulk_job(s, actor_for_email(s, w.sales_email), action="terminate", customer_ids=w.customer_ids)
    with read_session(fresh_engine) as s:
        assert s.scalars(select(Job)).all() == []
    assert statuses(fresh_engine, w.customer_ids[0]) == ["active"]


def test_a_gdap_job_is_not_an_offboarding_nor_another_partners(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 1)
    with transaction(fresh_engine) as s:
        job_id = start_gdap_bulk_job(
            s, actor_for_email(s, w.admin_email), action="terminate", customer_ids=w.customer_ids
        ).id
        stranger = make_partner(s).admin
    with transaction(fresh_engine) as s:
        with pytest.raises(JobNotFound):
            bulk_report(s, actor_for_email(s, w.admin_email), job_id=job_id)
        with pytest.raises(JobNotFound):
            gdap_bulk_report(s, stranger, job_id=job_id)
