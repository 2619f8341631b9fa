"""The HTTP floor: a FastAPI route returning a fixed small body, served like Phakhi is."""

from fastapi import FastAPI, Response

BODY = b'{"head":{"vars":["l"]},"results":{"bindings":[{"l":{"type":"literal","value":"x"}}]}}'
app = FastAPI()


@app.get("/fixed")
def fixed() -> Response:
    return Response(BODY, media_type="application/sparql-results+json")
