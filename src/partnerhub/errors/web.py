"""Errors of the web dashboard: sign-in sessions and forms (codes 800410-800429)."""

from __future__ import annotations

from partnerhub.errors.base import DomainError, ErrorKind, Forbidden, Unauthenticated


class SessionExpired(Unauthenticated):
    code = 800124
    message = "Your session has ended. Sign in again."


class CsrfRefused(Forbidden):
    """A form came without the token of the page that showed it: possibly another site posting for you."""

    code = 800410
    message = "The form has expired or did not come from this site. Reload the page and try again."


class SignInThrottled(DomainError):
    kind = ErrorKind.THROTTLED
    code = 800411
    message = "Too many sign-in attempts. Try again in {seconds} seconds."


class SignInBackedOff(DomainError):
    """Too many attempts at one e-mail address: the same words whether the account exists or not."""

    kind = ErrorKind.THROTTLED
    code = 800412
    message = (
        "Too many sign-in attempts for this account. Try again in {minutes} min, or sign in with your "
        "password and the code of your authenticator app."
    )


__all__ = ["CsrfRefused", "SessionExpired", "SignInBackedOff", "SignInThrottled"]
