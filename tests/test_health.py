"""GET /health: what a load balancer or monitor asks (the remote case: test_remote_store.py)."""

from fastapi.testclient import TestClient


def test_health_names_the_store_and_the_version(client: TestClient) -> None:
    found = client.get("/health")
    assert found.status_code == 200
    assert found.json() == {
        "status": "ok",
        "store": "embedded",
        "dataset_version": found.headers["Phakhi-Dataset-Version"],
    }
