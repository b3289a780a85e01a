"""The REST API: one NinjaAPI, one error shape, routers per app."""

from ninja import NinjaAPI

api = NinjaAPI(title="Ombuds API", version="1", urls_namespace="api")
