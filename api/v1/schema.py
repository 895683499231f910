"""Schema generation: every operation documents the error shape for its 4xx answers."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `not_found`.")
    detail = serializers.CharField(help_text="A human-readable explanation.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per input field (nested fields as `a.0.b`).",
    )


READ_ERRORS = ("400", "401", "403", "404", "405", "406", "429")
WRITE_ERRORS = (*READ_ERRORS, "409", "415")


class AutoSchema(BaseAutoSchema):
    def _get_paginator(self):
        # Only GET lists are paginated; a POST that answers with a list returns it whole.
        return super()._get_paginator() if self.method == "GET" else None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in ("GET", "HEAD", "OPTIONS") else WRITE_ERRORS
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
                responses[code]["description"] = "Error"
        return responses
