"""The engine the service runs on, chosen by the settings: embedded Oxigraph or a remote store."""

from phakhi.api.settings import Settings
from phakhi.graph.loader import open_engine
from phakhi.graph.remote import Endpoints, RemoteStore
from phakhi.graph.store import OxigraphStore


def open_backend(settings: Settings) -> OxigraphStore | RemoteStore:
    """A remote store when store_url is set (its version read once, so a store that is down
    stops the start with its cause), else the embedded one."""
    if settings.store_url is None:
        return open_engine(
            settings.data_dir, settings.ontology, settings.data_files, settings.store
        )
    store = remote_store(settings)
    try:
        store.check_version()
    except BaseException:
        store.close()
        raise
    return store


def remote_store(settings: Settings) -> RemoteStore:
    assert settings.store_url is not None
    password = settings.store_password.get_secret_value() if settings.store_password else None
    endpoints = Endpoints.from_url(
        settings.store_url,
        update=settings.store_update_url,
        graph_store=settings.store_graph_store_url,
        user=settings.store_user,
        password=password,
        auth=settings.store_auth,
    )
    return RemoteStore(
        endpoints,
        timeout=settings.store_timeout,
        graph_prefixes=settings.store_graph_prefixes,
        max_response_bytes=max(settings.max_response_bytes, 200_000_000),
    )
