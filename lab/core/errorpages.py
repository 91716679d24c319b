"""Friendly, translated error pages (and JSON errors for JSON clients)."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded

PAGES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html",
         405: "errors/405.html", 413: "errors/413.html", 429: "errors/429.html",
         500: "errors/500.html"}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def install(app: Flask) -> None:
    for code, template in PAGES.items():
        app.register_error_handler(code, _make_handler(code, template))
    app.register_error_handler(RateLimitExceeded, _make_handler(429, PAGES[429]))


def _make_handler(code: int, template: str):
    def handler(error):
        if _wants_json():
            return {"error": getattr(error, "name", "Error"), "status": code}, code
        return render_template(template, error=error), code

    return handler
