"""`partnerhub webhooks ...`: register endpoints, show them, send a test event, read the delivery log,
redeliver, replay, rotate the signing secret (shown once)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from partnerhub.audit.dates import parse_instant
from partnerhub.cli.acting import AsOption, acting, runtime
from partnerhub.cli.output import JsonOption, console, print_json, print_table
from partnerhub.webhooks import service
from partnerhub.webhooks.dispatcher import dispatch_once
from partnerhub.webhooks.queries import attempts_of, get_endpoint, get_validation_event, list_deliveries, list_endpoints
from partnerhub.webhooks.schemas import delivery_dict, endpoint_dict, validation_event_dict

webhooks_app = typer.Typer(help="Webhooks: endpoints, test events, the delivery log.", no_args_is_help=True)
EndpointArg = Annotated[str | None, typer.Argument(help="The endpoint's id (default: the registration).")]


def _config() -> service.WebhookConfig:
    return service.WebhookConfig.from_settings(runtime().settings)


def _print_endpoint(data: dict[str, Any]) -> None:
    kind = "registration" if data["isRegistration"] else "endpoint"
    state = "enabled" if data["isEnabled"] else f"disabled ({data['disabledReason']})"
    console.print(f"Webhook {kind} {data['id']}: {data['webhookUrl']} — {state}", highlight=False)
    console.print("  events: " + ", ".join(data["webhookEvents"]), highlight=False)


@webhooks_app.command("register")
def register(
    as_: AsOption,
    url: Annotated[str, typer.Option("--url", help="The https URL that receives the events.")],
    event: Annotated[list[str], typer.Option("--event", help="An event name (repeat it); see `events`.")],
    full_body: Annotated[bool, typer.Option("--full-body", help="Add the changed values and the state.")] = False,
    json_: JsonOption = False,
) -> None:
    """Register an endpoint (the first one is the partner's Partner Center registration); its signing
    secret is printed once."""
    with acting(as_) as (session, actor):
        first = not list_endpoints(session, partner_id=service.manager_partner(actor))
        made = service.create_endpoint(
            session, actor, url=url, events=event, config=_config(), registration=first, full_body=full_body
        )
        data = endpoint_dict(made.endpoint, secret=made.secret)
    if json_:
        print_json(data)
        return
    _print_endpoint(data)
    console.print(f"Signing secret (shown only now): [bold]{made.secret}[/]", highlight=False)


@webhooks_app.command("events")
def events(as_: AsOption, json_: JsonOption = False) -> None:
    """The event names an endpoint can subscribe to."""
    from partnerhub.webhooks.events import EVENT_NAMES, PARTNER_CENTER_EVENTS

    with acting(as_, write=False) as (_session, actor):
        service.manager_partner(actor)
    if json_:
        print_json(list(EVENT_NAMES))
    else:
        for name in EVENT_NAMES:
            console.print(name + ("" if name in PARTNER_CENTER_EVENTS else "  (partnerhub)"), highlight=False)


@webhooks_app.command("show")
def show(as_: AsOption, endpoint_id: EndpointArg = None, json_: JsonOption = False) -> None:
    """Every endpoint of your partner, or one (never their secrets)."""
    with acting(as_, write=False) as (session, actor):
        partner_id = service.manager_partner(actor)
        found = (
            [get_endpoint(session, partner_id=partner_id, endpoint_id=endpoint_id)]
            if endpoint_id
            else list_endpoints(session, partner_id=partner_id)
        )
        data = [endpoint_dict(e) for e in found]
    if json_:
        print_json(data[0] if endpoint_id else data)
    elif not data:
        console.print("No webhook endpoint yet: partnerhub webhooks register --url URL --event NAME")
    else:
        for item in data:
            _print_endpoint(item)


@webhooks_app.command("test")
def test(
    as_: AsOption,
    endpoint_id: EndpointArg = None,
    now: Annotated[
        bool,
        typer.Option(
            "--now",
            help="Send it from this process at once and print the result (else the server's dispatcher sends it).",
        ),
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Send a `test-created` event to an endpoint."""
    config = _config()
    with acting(as_) as (session, actor):
        delivery = service.send_test_event(session, actor, config=config, endpoint_id=endpoint_id)
        correlation_id = delivery.correlation_id or ""
    if now:
        dispatch_once(runtime().engine, config)
    with acting(as_, write=False) as (session, actor):
        partner_id = service.manager_partner(actor)
        d = get_validation_event(session, partner_id=partner_id, correlation_id=correlation_id)
        url = get_endpoint(session, partner_id=partner_id, endpoint_id=d.endpoint_id).url
        data = validation_event_dict(d, attempts_of(session, partner_id=partner_id, deliveries=[d])[d.id], url)
    if json_:
        print_json(data)
        return
    console.print(f"Test event {correlation_id}: {data['status']}", highlight=False)
    for r in data["results"]:
        console.print(
            f"  {r['dateTimeUtc']}: {r['responseCode'] or 'no answer'} {r['responseMessage'][:200]}", highlight=False
        )


@webhooks_app.command("deliveries")
def deliveries(
    as_: AsOption,
    endpoint_id: EndpointArg = None,
    status: Annotated[str | None, typer.Option(help="pending, succeeded or failed.")] = None,
    event: Annotated[str | None, typer.Option(help="An event name.")] = None,
    size: Annotated[int, typer.Option(help="How many, newest first (1-500).", min=1, max=500)] = 50,
    json_: JsonOption = False,
) -> None:
    """The delivery log of an endpoint: each delivery's status, attempts and the receiver's answers."""
    with acting(as_, write=False) as (session, actor):
        partner_id = service.manager_partner(actor)
        target = endpoint_id or get_endpoint_id(session, partner_id)
        page = list_deliveries(
            session, partner_id=partner_id, endpoint_id=target, status=status, event=event, size=size
        )
        data = [delivery_dict(d, page.attempts[d.id]) for d in page.items]
    if json_:
        print_json(data)
        return
    print_table(
        "Deliveries",
        ["Id (webhook-id)", "Created", "Event", "Status", "Attempts", "Last answer"],
        [
            (
                d["id"],
                d["createdAt"],
                d["eventName"],
                d["status"],
                str(d["attemptCount"]),
                str(d["lastStatusCode"] or d["lastError"] or ""),
            )
            for d in data
        ],
    )


def get_endpoint_id(session: Any, partner_id: str) -> str:
    from partnerhub.webhooks.queries import get_registration

    return get_registration(session, partner_id=partner_id).id


@webhooks_app.command("redeliver")
def redeliver(
    as_: AsOption,
    delivery_id: Annotated[str, typer.Argument(help="The delivery's id (webhook-id).")],
    json_: JsonOption = False,
) -> None:
    """Send one delivery again, with the same webhook-id."""
    with acting(as_) as (session, actor):
        d = service.redeliver(session, actor, delivery_id=delivery_id)
        data = delivery_dict(d, [])
    if json_:
        print_json(data)
    else:
        console.print(f"Delivery {d.id} ({d.event_name}) will be sent again.", highlight=False)


@webhooks_app.command("replay")
def replay(
    as_: AsOption,
    since: Annotated[str, typer.Option(help="ISO 8601 or M/D/YYYY h:mm:ss AM.")],
    endpoint_id: EndpointArg = None,
    json_: JsonOption = False,
) -> None:
    """Send again every event since a time that the endpoint subscribes to."""
    with acting(as_) as (session, actor):
        count = service.replay_since(
            session, actor, endpoint_id=endpoint_id, since=parse_instant(since), config=_config()
        )
    if json_:
        print_json({"events": count, "since": since})
    else:
        console.print(f"{count} event(s) will be sent again.")


@webhooks_app.command("rotate-secret")
def rotate_secret(as_: AsOption, endpoint_id: EndpointArg = None, json_: JsonOption = False) -> None:
    """A new signing secret, printed once; the old one keeps signing beside it for 24 hours."""
    with acting(as_) as (session, actor):
        made = service.rotate_secret(session, actor, endpoint_id=endpoint_id, config=_config())
        data = endpoint_dict(made.endpoint, secret=made.secret)
    if json_:
        print_json(data)
    else:
        console.print(f"New signing secret (shown only now): [bold]{made.secret}[/]", highlight=False)
        console.print(f"The old one signs beside it until {data['previousSecretValidUntil']}.", highlight=False)
