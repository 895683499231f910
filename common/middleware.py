"""Turns a refused request (ApplicationError) into a clear 4xx page."""

from django.shortcuts import render

from .errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError):
            return render(
                request,
                "errors/application_error.html",
                {"error": exception},
                status=exception.status_code,
            )
        return None
