"""marshmallow schemas per surface: load requests, dump responses, feed the OpenAPI document."""
