"""Bulk request from a template and bulk renew (issue 16 §3): one request per customer, locked for the
customer's approval, with the template's groups assigned on approval; renewals without Global Administrator
and with auto-extend; each customer that cannot be served is reported with a typed reason."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select

from partnerhub.audit.models import ActivityRecord
from partnerhub.auth.service import actor_for_email
from partnerhub.db import read_session, transaction
from partnerhub.delegated_admin.models import AccessAssignment, AdminRelationship
from partnerhub.delegated_admin.per_customer import request_for_customer_from_template
from partnerhub.delegated_admin.service import approve_admin_relationship
from partnerhub.delegated_admin.templates import delete_template
from partnerhub.errors import (
    AdminRelationshipRenewalPending,
    CustomerNotFound,
    GdapBulkTemplateRequired,
    GdapTemplateNotFound,
    TemplateRequestPending,
)
from partnerhub.jobs.models import Job
from partnerhub.jobs.runner import run_pending
from partnerhub.usecases.gdap_bulk import gdap_bulk_report, start_gdap_bulk_job
from partnerhub.usecases.remove_reseller_relationship import remove_reseller_relationship
from tests.delegated_admin.bulk_world import bulk_world, make_template, statuses
from tests.factories import make_customer


def _relationships(engine: Engine, customer_id: str) -> list[AdminRelationship]:
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(AdminRelationship)
                .where(AdminRelationship.customer_id == customer_id)
                .order_by(AdminRelationship.created_at, AdminRelationship.id)
            )
        )


def test_bulk_request_sends_one_request_per_customer_and_approval_assigns_the_groups(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 3, active_each=0)
    template_id = make_template(fresh_engine, w.admin_email)
    with transaction(fresh_engine) as s:
        job_id = start_gdap_bulk_job(
            s,
            actor_for_email(s, w.agent_email),
            action="requestFromTemplate",
            customer_ids=w.customer_ids,
            template_id="standard msp",
        ).id  # by name
    assert run_pending(fresh_engine, worker_id="w") == 1
    with transaction(fresh_engine) as s:
        report = gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=job_id)
        assert report.job.result == {"succeeded": 3, "failed": 0, "pending": 0}
        assert report.job.payload["templateId"] == template_id
        assert all(i.result["status"] == "approvalPending" for i in report.items)
    for cid in w.customer_ids:
        [rel] = _relationships(fresh_engine, cid)
        assert (rel.status, rel.template_id, rel.auto_extend_days) == ("approvalPending", template_id, 180)
        assert rel.display_name.startswith("Standard MSP ")
    first = _relationships(fresh_engine, w.customer_ids[0])[0]
    with transaction(fresh_engine) as s:
        approve_admin_relationship(s, actor_for_email(s, w.customer_admin_emails[0]), admin_relationship_id=first.id)
    with read_session(fresh_engine) as s:
        assigned = s.scalars(select(AccessAssignment).where(AccessAssignment.admin_relationship_id == first.id)).all()
        assert len(assigned) == 1 and len(assigned[0].role_ids) == 2
        started = s.scalars(select(ActivityRecord).where(ActivityRecord.operation_type == "start_gdap_bulk_job")).one()
        assert started.new_value == {
            "action": "requestFromTemplate",
            "customers": 3,
            "templateId": template_id,
            "templateName": "Standard MSP",
        }


def test_a_customer_with_a_request_waiting_or_without_a_reseller_relationship_is_refused(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 3, active_each=0)
    make_template(fresh_engine, w.admin_email)
    with transaction(fresh_engine) as s:
        first = start_gdap_bulk_job(
            s,
            actor_for_email(s, w.admin_email),
            action="requestFromTemplate",
            customer_ids=w.customer_ids[:1],
            template_id="Standard MSP",
        ).id
    run_pending(fresh_engine, worker_id="w")
    with transaction(fresh_engine) as s:
        admin = actor_for_email(s, w.admin_email)
        second = start_gdap_bulk_job(
            s, admin, action="requestFromTemplate", customer_ids=w.customer_ids, template_id="Standard MSP"
        ).id
        remove_reseller_relationship(s, admin, customer_id=w.customer_ids[2])  # after the job was queued
    run_pending(fresh_engine, worker_id="w")
    with transaction(fresh_engine) as s:
        report = gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=second)
        outcome = [(i.status, i.error_code) for i in report.items]
        waiting = report.items[0]
        assert gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=first).job.status == "succeeded"
    assert outcome == [("failed", 800294), ("succeeded", None), ("failed", CustomerNotFound.code)]
    assert "already has a request from template Standard MSP waiting for approval" in (waiting.error or "")
    assert [len(statuses(fresh_engine, c)) for c in w.customer_ids] == [1, 1, 0]  # asked once each


def test_a_bulk_request_names_an_existing_template_of_the_partner(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 1, active_each=0)
    other = bulk_world(fresh_engine, 1, active_each=0)
    foreign = make_template(fresh_engine, other.admin_email, name="Theirs")
    with transaction(fresh_engine) as s:
        admin = actor_for_email(s, w.admin_email)
        with pytest.raises(GdapBulkTemplateRequired):
            start_gdap_bulk_job(s, admin, action="requestFromTemplate", customer_ids=w.customer_ids)
        for template in ("Nope", foreign):
            with pytest.raises(GdapTemplateNotFound):
                start_gdap_bulk_job(
                    s, admin, action="requestFromTemplate", customer_ids=w.customer_ids, template_id=template
                )
    with read_session(fresh_engine) as s:
        assert s.scalars(select(Job)).all() == []


def test_bulk_renew_sends_a_renewal_of_each_active_relationship_once(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 2, active_each=2)
    with transaction(fresh_engine) as s:
        bare = make_customer(s, actor_for_email(s, w.admin_email), name="Bare Srl").customer.id
        job_id = start_gdap_bulk_job(
            s, actor_for_email(s, w.admin_email), action="renew", customer_ids=[*w.customer_ids, bare]
        ).id
    run_pending(fresh_engine, worker_id="w")
    for cid in w.customer_ids:
        rels = _relationships(fresh_engine, cid)
        assert [r.status for r in rels] == ["active", "active", "approvalPending", "approvalPending"]
        assert {r.renewed_from_id for r in rels[2:]} == {rels[0].id, rels[1].id}
        assert all(r.auto_extend_days == 180 for r in rels[2:])
    with transaction(fresh_engine) as s:
        report = gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=job_id)
        assert [(i.status, i.error_code) for i in report.items] == [("succeeded", None)] * 2 + [("failed", 800293)]
        assert len(report.items[0].result["renewed"]) == 2
        again = start_gdap_bulk_job(
            s, actor_for_email(s, w.admin_email), action="renew", customer_ids=w.customer_ids[:1]
        ).id
    run_pending(fresh_engine, worker_id="w")
    with transaction(fresh_engine) as s:
        [item] = gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=again).items
    assert (item.status, item.error_code) == ("failed", AdminRelationshipRenewalPending.code)
    assert "already renewed" in (item.error or "")
    assert len(_relationships(fresh_engine, w.customer_ids[0])) == 4  # all or nothing: no third renewal


def test_a_template_deleted_while_the_job_waits_refuses_each_customer(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 2, active_each=0)
    template_id = make_template(fresh_engine, w.admin_email)
    with transaction(fresh_engine) as s:
        admin = actor_for_email(s, w.admin_email)
        job_id = start_gdap_bulk_job(
            s, admin, action="requestFromTemplate", customer_ids=w.customer_ids, template_id=template_id
        ).id
        delete_template(s, admin, template_id=template_id)
    run_pending(fresh_engine, worker_id="w")
    with transaction(fresh_engine) as s:
        items = gdap_bulk_report(s, actor_for_email(s, w.admin_email), job_id=job_id).items
    assert [(i.status, i.error_code) for i in items] == [("failed", GdapTemplateNotFound.code)] * 2
    assert [statuses(fresh_engine, c) for c in w.customer_ids] == [[], []]


@pytest.mark.race
def test_two_bulk_requests_for_the_same_customer_at_once_ask_it_once(fresh_engine: Engine) -> None:
    w = bulk_world(fresh_engine, 1, active_each=0)
    template_id = make_template(fresh_engine, w.admin_email)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            barrier.wait()
            with transaction(fresh_engine) as s:
                outcomes.append(
                    request_for_customer_from_template(
                        s, actor_for_email(s, w.admin_email), template_id=template_id, customer_id=w.customer_ids[0]
                    ).status
                )
        except TemplateRequestPending:
            outcomes.append("refused")
        except BaseException as exc:  # reported below, so a failure in a thread fails the test
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(outcomes) == ["approvalPending", "refused"]
    assert statuses(fresh_engine, w.customer_ids[0]) == ["approvalPending"]
