"""Errors of webhooks (codes 800700-800719)."""

from __future__ import annotations

from partnerhub.errors.base import Conflict, InvalidInput, InvalidState, NotFound


class WebhookRegistrationExists(Conflict):
    code = 800700
    message = "This partner already has a webhook registration: change it with PUT."


class WebhookRegistrationNotFound(NotFound):
    code = 800701
    message = "This partner has no webhook registration."


class WebhookEndpointNotFound(NotFound):
    code = 800702
    message = "Webhook endpoint {id} was not found."


class WebhookDeliveryNotFound(NotFound):
    code = 800703
    message = "Webhook delivery {id} was not found."


class UnknownWebhookEvents(InvalidInput):
    code = 800704
    message = "Unknown webhook event names: {names}. GET /webhooks/v1/registration/events lists them."


class NoWebhookEvents(InvalidInput):
    code = 800705
    message = "Choose at least one webhook event."


class WebhookUrlScheme(InvalidInput):
    code = 800706
    message = "A webhook URL must start with https:// ({scheme}:// is not allowed)."


class WebhookUrlNotHttps(InvalidInput):
    code = 800707
    message = (
        "A webhook URL must use https. Plain http is allowed only where the operator sets "
        "PARTNERHUB_WEBHOOK_ALLOW_PRIVATE=true."
    )


class WebhookUrlUnsafeAddress(InvalidInput):
    code = 800708
    message = (
        "The webhook URL's host {host} resolves to {address}, a loopback, private, link-local or "
        "cloud-metadata address."
    )


class WebhookUrlUnresolvable(InvalidInput):
    code = 800709
    message = "The webhook URL's host {host} cannot be resolved."


class WebhookUrlMalformed(InvalidInput):
    code = 800710
    message = "The webhook URL is not a valid absolute URL."


class ValidationEventNotFound(NotFound):
    code = 800711
    message = "Validation event {id} was not found."


class WebhookEndpointDisabled(InvalidState):
    code = 800712
    message = "Webhook endpoint {id} is disabled: enable it first."


class ActivityRecordNotFound(NotFound):
    code = 800713
    message = "Activity record {id} was not found."
