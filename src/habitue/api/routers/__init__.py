"""One module per resource; each exposes ``router`` (an ``APIRouter``), included under
``/api/v1`` by :func:`habitue.api.app.create_app`."""
