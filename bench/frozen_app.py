"""Phakhi's app with `gc.freeze()` after start-up: the change proposed for api/app.py,
measured by bench/run.py beside the app as it is.

Why: the search index and the network projection are ~500,000 long-lived objects at 1M
triples. Under load, objects of requests in flight survive young collections often enough
that a full collection runs about once a second, and each one walks every object (60-80 ms
at 100k triples, ~190 ms at 1M), holding the GIL: that pause is the p99 of the light
JSON routes. Frozen objects are left out of collections.
"""

import gc

from fastapi import FastAPI

from phakhi.api.app import create_app as phakhi_app


def create_app() -> FastAPI:
    app: FastAPI = phakhi_app()
    gc.freeze()
    return app
