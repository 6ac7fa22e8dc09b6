"""The request context of every page: who is signed in (a server-side session behind an HttpOnly cookie),
the page's language (switch cookie > user's setting > browser > English), the CSRF token bound to the
session, flash messages that survive the redirect after a POST, the responses that set those cookies, and
the page's one unit of work (`WebCtx.run`, wrapped around every page by `WebRoute`)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from partnerhub.auth.actor import Actor
from partnerhub.auth.web_sessions import SessionNeedsTouch, actor_for_web_session
from partnerhub.errors import CsrfRefused, InvalidInput, SessionExpired
from partnerhub.http.web.navigation import navigation
from partnerhub.http.web.rendering import render_template, translate
from partnerhub.locale import gettext, supported_language
from partnerhub.runtime import Runtime
from partnerhub.tenants.service import tenant_name_unscoped

SESSION_COOKIE = "ph_session"
ANON_COOKIE = "ph_anon"
LANG_COOKIE = "ph_lang"
FLASH_COOKIE = "ph_flash"
CSRF_FIELD = "csrf_token"
R = TypeVar("R", bound=Response)
# Pages load only their own scripts and styles, are never framed, and post forms only to this site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class Signer:
    """HMAC-SHA256 with a key derived from PARTNERHUB_SECRET_KEY: CSRF tokens and flash cookies."""

    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"partnerhub-web:" + secret_key.encode()).digest()

    def mac(self, purpose: str, value: str) -> str:
        digest = hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def sign(self, purpose: str, value: str) -> str:
        return f"{value}.{self.mac(purpose, value)}"

    def unsign(self, purpose: str, signed: str) -> str | None:
        value, _, mac = signed.rpartition(".")
        return value if value and hmac.compare_digest(mac, self.mac(purpose, value)) else None


class SignInRequired(Exception):
    """The page needs a signed-in user; `expired` when a session existed and has ended."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("sign in required")
        self.expired = expired


@dataclass
class WebCtx:
    """One page request: the actor (None for a visitor), the language, the CSRF token, pending flashes."""

    runtime: Runtime
    request: Request
    actor: Actor | None
    locale: str
    csrf_token: str
    flashes: list[tuple[str, str]]
    session_token: str | None = None
    tenant_name: str = ""
    set_cookies: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    drop_cookies: set[str] = field(default_factory=set)
    needs_actor: bool = False
    posted: FormData | None = None
    resolved: bool = False
    session_expired: bool = False
    _session: Session | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    @property
    def session(self) -> Session:
        """The page's session, in the request's one transaction: it commits before the response is sent."""
        if self._session is None:
            raise RuntimeError("the page's unit of work is not open (is the route a WebRoute?)")
        return self._session

    @contextmanager
    def attempt(self) -> Iterator[Session]:
        """A change that may be refused: on a DomainError it is undone (a savepoint), and the page goes on in
        the same transaction to show the refusal beside the form."""
        with self.session.begin_nested():
            yield self.session

    # --- the unit of work --------------------------------------------------------------------------------

    def resolve(self, session: Session, *, touch: bool, check_csrf: bool = True) -> None:
        """The signed-in user of the session cookie (ending it if it has expired), the page's language, the
        CSRF binding, and the checks the page asked for: a signed-in user, the posted form's CSRF token.
        Raises SessionNeedsTouch in a reading transaction when the session's last-seen time is due."""
        request = self.request
        settings = self.runtime.settings
        token = self.session_token
        actor: Actor | None = None
        if token:
            try:
                actor = actor_for_web_session(session, token, idle_minutes=settings.session_idle_minutes, touch=touch)
                self.tenant_name = tenant_name_unscoped(session, actor.tenant_id)
            except SessionExpired:
                self.session_expired = True
        correlation_id = getattr(request.state, "correlation_id", None)
        if actor is not None and correlation_id:
            actor = dataclasses.replace(actor, correlation_id=correlation_id)
        self.locale = page_locale(request, actor)
        if actor is not None:
            actor = dataclasses.replace(actor, locale=self.locale)
            request.state.tenant_id = actor.tenant_id
        request.state.locale = self.locale
        request.state.session_expired = self.session_expired
        self.actor = actor
        if actor is not None and token:
            binding = "session:" + token
        else:
            anon = request.cookies.get(ANON_COOKIE) or ""
            if len(anon) < 20:
                anon = secrets.token_urlsafe(24)
                self.set_cookies[ANON_COOKIE] = (anon, None)
            binding = "anon:" + anon
            self.session_token = None
            if self.session_expired:
                self.drop_cookies.add(SESSION_COOKIE)
        self.csrf_token = self.signer.mac("csrf", binding)
        self.resolved = True
        if self.needs_actor and self.actor is None:
            raise SignInRequired(expired=self.session_expired)
        if check_csrf and self.posted is not None:
            sent = self.posted.get(CSRF_FIELD)
            if not isinstance(sent, str) or not hmac.compare_digest(sent, self.csrf_token):
                raise CsrfRefused()

    def run(self, page: Callable[..., Any], arguments: dict[str, Any]) -> Any:
        """Run `page` in the request's one transaction: a reader for GET (SQLite's write lock is never taken,
        except by the once-a-minute write of a session's last-seen time), a writer otherwise."""
        write = self.request.method.upper() not in READ_METHODS or getattr(page, "writes_on_get", False)
        try:
            return self._run(page, arguments, write=write)
        except SessionNeedsTouch:  # raised before the page ran: nothing to undo
            return self._run(page, arguments, write=True)

    def _run(self, page: Callable[..., Any], arguments: dict[str, Any], *, write: bool) -> Any:
        with self.runtime.unit_of_work(write=write) as session:
            self._session = session
            try:
                self.resolve(session, touch=write)
                if not write and self.actor is not None and self.actor.reads_are_recorded:
                    raise SessionNeedsTouch()  # an operator's read records itself: again, as a writer
                return page(**arguments)
            finally:
                self._session = None

    @property
    def signer(self) -> Signer:
        signer: Signer = self.request.app.state.web_signer
        return signer

    def t(self, msgid: str, /, **params: Any) -> str:
        """A message in the page's language (the msgid is English; see locale/it)."""
        text = gettext(msgid, self.locale)
        return text.format(**params) if params else text

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise SignInRequired()
        return self.actor

    # --- responses ---------------------------------------------------------------------------------

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        flashes = self.flashes
        if flashes:
            self.drop_cookies.add(FLASH_COOKIE)
            self.flashes = []
        page = {
            "ctx": self,
            "actor": self.actor,
            "locale": self.locale,
            "csrf_token": self.csrf_token,
            "flashes": flashes,
            "request": self.request,
            "path": self.request.url.path,
            "nav": navigation(self.actor),
        }
        page.update(context)
        html = render_template(template, self.locale, page)
        return self._finish(HTMLResponse(html, status_code=status_code))

    def redirect(self, url: str, *, flash: str | None = None, kind: str = "success") -> RedirectResponse:
        """Post-redirect-get: 303 to `url`, with a message (already in the page's language) shown there."""
        if flash:
            pending = [*self.flashes, (kind, flash)]
            payload = base64.urlsafe_b64encode(json.dumps(pending).encode()).decode()
            self.set_cookies[FLASH_COOKIE] = (self.signer.sign("flash", payload), None)
            self.drop_cookies.discard(FLASH_COOKIE)
        return self._finish(RedirectResponse(url, status_code=303))

    def _finish(self, response: R) -> R:
        secure = self.request.url.scheme == "https"
        for name in self.drop_cookies:
            if name not in self.set_cookies:
                response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure)
        for name, (value, max_age) in self.set_cookies.items():
            response.set_cookie(
                name, value, max_age=max_age, path="/", httponly=name != LANG_COOKIE, samesite="lax", secure=secure
            )
        response.headers.setdefault("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _read_flashes(signer: Signer, raw: str | None) -> list[tuple[str, str]]:
    payload = signer.unsign("flash", raw) if raw else None
    if not payload:
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return [(str(kind), str(text)) for kind, text in items][:5]
    except (ValueError, TypeError):
        return []


def page_locale(request: Request, actor: Actor | None) -> str:
    """DOMAIN.md §8 for the web: the page switch (cookie) > the user's setting > Accept-Language > English."""
    return (
        supported_language(request.cookies.get(LANG_COOKIE))
        or (supported_language(actor.locale) if actor else None)
        or supported_language(request.headers.get("accept-language"))
        or "en"
    )


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
P = TypeVar("P", bound=Callable[..., Any])


def writes_on_get(page: P) -> P:
    """A GET page that changes data in a writing transaction (the end of a single sign-on: the identity
    provider sends the browser back with a GET). Its changes must be what a visit may repeat safely."""
    page.writes_on_get = True  # type: ignore[attr-defined]
    return page


async def web_context(request: Request) -> WebCtx:
    """The page request as read on the event loop, without touching the database: the session cookie, the
    flashes, a first guess of the language. `WebCtx.run()` resolves the rest in the request's transaction."""
    runtime: Runtime = request.app.state.runtime
    signer: Signer = request.app.state.web_signer
    locale = page_locale(request, None)
    ctx = WebCtx(
        runtime,
        request,
        None,
        locale,
        "",
        _read_flashes(signer, request.cookies.get(FLASH_COOKIE)),
        session_token=request.cookies.get(SESSION_COOKIE),
    )
    request.state.web_ctx = ctx
    request.state.locale = locale
    return ctx


Web = Annotated[WebCtx, Depends(web_context)]


async def signed_in_context(ctx: Web) -> WebCtx:
    """A page for signed-in users only: `WebCtx.run()` sends a visitor to sign-in before the page runs."""
    ctx.needs_actor = True
    return ctx


SignedIn = Annotated[WebCtx, Depends(signed_in_context)]


MAX_FORM_FIELDS = 1_000  # the largest form (a bulk selection of a 500-customer page) sends about 510


async def posted_form(request: Request, ctx: Web) -> FormData:
    """The submitted form; `WebCtx.run()` refuses it unless it carries the CSRF token of this browser's
    session, before the page runs. More fields than any page sends, or a NUL character in any field (which
    PostgreSQL cannot store), is a 400 naming what is wrong, signed in or not."""
    try:
        form = await request.form(max_fields=MAX_FORM_FIELDS)
    except HTTPException:  # the form parser's own refusal (too many fields or parts)
        raise InvalidInput(detail=f"a form has at most {MAX_FORM_FIELDS} fields") from None
    for name, value in form.multi_items():
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            field = name.replace("\x00", "")
            raise InvalidInput(
                data=[{"field": field, "message": "must not contain NUL characters"}],
                detail=f"{field}: must not contain NUL characters",
            )
    ctx.posted = form
    return form


Form = Annotated[FormData, Depends(posted_form)]


def resolve_web_context(request: Request) -> WebCtx:
    """A page context outside any page route (the error pages of unknown addresses), in a read of its own."""
    ctx = getattr(request.state, "web_ctx", None)
    if not isinstance(ctx, WebCtx):
        signer: Signer = request.app.state.web_signer
        ctx = WebCtx(
            request.app.state.runtime,
            request,
            None,
            page_locale(request, None),
            "",
            _read_flashes(signer, request.cookies.get(FLASH_COOKIE)),
            session_token=request.cookies.get(SESSION_COOKIE),
        )
        request.state.web_ctx = ctx
    if not ctx.resolved:
        with ctx.runtime.unit_of_work(write=False) as session:
            ctx.resolve(session, touch=False, check_csrf=False)
    return ctx


def sign_in_url(next_path: str) -> str:
    return "/signin?next=" + quote(next_path, safe="/")


__all__ = [
    "Form",
    "SignInRequired",
    "SignedIn",
    "Signer",
    "Web",
    "WebCtx",
    "posted_form",
    "resolve_web_context",
    "sign_in_url",
    "translate",
    "writes_on_get",
]
