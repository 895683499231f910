"""Content-Security-Policy for every page: scripts and styles from our own origin only.

Templates carry no inline script or style, so the policy can forbid both; a
response that sets its own policy (attachment downloads) keeps it.
"""

from django.conf import settings

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "TIERDESK_CSP", DEFAULT_POLICY)
        # The interactive API docs (drf-spectacular's Swagger UI) bootstrap with an
        # inline script; they are the API's pages and keep their own rules.
        self.exempt = tuple(getattr(settings, "TIERDESK_CSP_EXEMPT_PREFIXES", ("/api/docs",)))

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.exempt):
            return response
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
