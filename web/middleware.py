"""Content-Security-Policy for every page: scripts and styles from our own origin only.

Templates carry no inline script or style, so the policy can forbid both; a
response that sets its own policy (attachment downloads) keeps it. No page is exempt:
the API docs load their start-up script as a file (Swagger UI "split" view) and only
relax inline *styles*, which Swagger UI sets from its own script; the celery-beat admin
form's inline script is replaced by a static file (templates/admin/djcelery/).
"""

from django.conf import settings

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = DEFAULT_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "TIERDESK_CSP", DEFAULT_POLICY)
        self.prefix_policies = tuple(
            getattr(settings, "TIERDESK_CSP_PREFIX_POLICIES", {"/api/docs": DOCS_POLICY}).items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        policy = self.policy
        for prefix, prefix_policy in self.prefix_policies:
            if request.path.startswith(prefix):
                policy = prefix_policy
                break
        response["Content-Security-Policy"] = policy
        return response
