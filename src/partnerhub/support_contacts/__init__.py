"""Designated support contacts of subscriptions: the default (provider or direct partner), a change to an
indirect reseller, and the fallback when a support contact leaves the customer."""
