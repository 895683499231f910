"""A renderer so a download can be negotiated as a file; errors still come out as JSON."""

import json

from rest_framework.renderers import BaseRenderer


class FileRenderer(BaseRenderer):
    media_type = "application/octet-stream"
    format = "bin"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()
