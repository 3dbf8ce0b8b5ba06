"""Security headers on every response.

A dozen lines of our own rather than Flask-Talisman: the policy is static (no
inline scripts anywhere, Bootstrap and our JS served from /static), HTTPS is
terminated by the proxy (Talisman's forced redirect would fight it), and
Talisman 1.1.0 has had no release since 2023.
"""

from flask import Flask, Response, request
from flask_login import current_user

# Inline style *attributes* are allowed (progress-bar widths); inline scripts,
# event-handler attributes and <style> blocks are not.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def init_security_headers(app: Flask) -> None:
    hsts = app.config.get("HSTS_SECONDS", 0)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
        # Pages built for a logged-in person must not be kept by a browser or a
        # shared proxy (the back button after logout, a shared office PC).
        # The API's answers too (a token's data), without asking the session who is logged in.
        if request.path.startswith("/api/") or (
                request.endpoint not in ("static", "bootstrap.static") and current_user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
