"""The `phakhi` command: serve, build, validate, export, dump, restore, suggest, map and viz."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from phakhi.graph.paths import DIST_DIR


def _validate(args: argparse.Namespace) -> int:
    from phakhi.graph.build import check

    problems = check(Path(args.data))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"{args.data}: valid")
    return 0


def _build(args: argparse.Namespace) -> int:
    from phakhi.graph.build import build

    problems = build(Path(args.data), Path(args.output))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found; nothing written", file=sys.stderr)
        return 1
    print(f"wrote {args.output}")
    if args.store:
        return _fill_store(Path(args.store), [Path(args.output)], Path(args.data))
    return 0


def _fill_store(store: Path, files: list[Path], data: Path) -> int:
    """Load files into an empty on-disk store in bulk, with its search and network indexes."""
    from phakhi.graph.loader import cached_index, open_engine
    from phakhi.graph.network import Network
    from phakhi.graph.paths import ONTOLOGY_FILE
    from phakhi.graph.search import SearchIndex
    from phakhi.graph.store import OxigraphStore

    if store.exists() and not OxigraphStore(store).is_empty():
        print(f"{store}: the store is not empty; remove it to build it again", file=sys.stderr)
        return 1
    engine = open_engine(data, ONTOLOGY_FILE, files, store)
    cached_index(engine, "search", SearchIndex.build)
    cached_index(engine, "network", Network.build)
    print(f"filled {store} (dataset version {engine.version})")
    return 0


def _load(args: argparse.Namespace) -> int:
    """Publish the compiled sources (or RDF files) into a remote store, graph by graph."""
    from phakhi.api.backend import remote_store
    from phakhi.api.settings import Settings
    from phakhi.graph.loader import open_engine
    from phakhi.graph.paths import ONTOLOGY_FILE
    from phakhi.graph.problems import SourceErrors
    from phakhi.graph.remote import StoreError, graphs_of

    given = {
        "store_url": args.to.removeprefix("sparql+"),
        "store_update_url": args.update_url,
        "store_graph_store_url": args.graph_store_url,
        "store_user": args.user,
        "store_auth": args.auth,
        "store_graph_prefixes": args.graph_prefix,
    }  # the password, like every other store setting, also from PHAKHI_STORE_*
    try:
        remote = remote_store(Settings(**{k: v for k, v in given.items() if v is not None}))
        local = open_engine(Path(args.data), ONTOLOGY_FILE, [Path(f) for f in args.files])
    except SourceErrors as errors:
        for problem in errors.problems:
            print(problem, file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"phakhi load: {error}", file=sys.stderr)
        return 1
    try:
        remote.publish(graphs_of(local), local.version)
    except StoreError as error:
        print(f"phakhi load: {error}", file=sys.stderr)
        return 1
    finally:
        remote.close()
    print(f"loaded {len(local)} quads into {args.to} (dataset version {local.version})")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    import shutil

    from phakhi.graph.loader import open_seed
    from phakhi.graph.paths import ONTOLOGY_FILE
    from phakhi.graph.suggest import draft

    article, data = Path(args.article), Path(args.data)
    source_id = args.id or article.stem.lower().replace("_", "-")
    output = Path(args.output) if args.output else data / "sources" / f"{source_id}.yaml"
    if output.exists() and not args.force:
        print(f"{output}: exists (use --force to replace it)", file=sys.stderr)
        return 1
    text = data / "texts" / article.name
    if not text.exists():
        shutil.copyfile(article, text)
    yaml_text = draft(article, f"texts/{article.name}", source_id, open_seed(data, ONTOLOGY_FILE))
    output.write_text(yaml_text, encoding="utf-8")
    print(f"wrote {output}; fill in every TODO, then run: phakhi validate")
    return 0


def _export(args: argparse.Namespace) -> int:
    from phakhi.graph.export import ExportNotFound, run_export
    from phakhi.graph.loader import open_seed
    from phakhi.graph.paths import ONTOLOGY_FILE

    if args.store:
        from phakhi.graph.store import OxigraphStore

        engine = OxigraphStore.open(Path(args.store), read_only=True)
    else:
        engine = open_seed(Path(args.data), ONTOLOGY_FILE)
    try:
        written = run_export(
            engine, args.format, Path(args.output) if args.output else None,
            source=args.source, entity=args.entity, ontology=args.ontology,
            named_graphs=args.named_graphs, bom=not args.no_bom,
        )  # fmt: skip
    except (ValueError, ExportNotFound) as error:
        print(f"phakhi export: {error}", file=sys.stderr)
        return 1
    if written is not None:
        print(f"wrote {written}", file=sys.stderr)
    return 0


def _dump(args: argparse.Namespace) -> int:
    from phakhi.graph.dump import write_dump
    from phakhi.graph.store import OxigraphStore
    from phakhi.graph.writes import SNAPSHOTS

    store = Path(args.store)
    if not store.is_dir():
        print(f"phakhi dump: {store}: no such store", file=sys.stderr)
        return 1
    try:  # opened for writing, it is ours alone: nothing changes it while it is read
        engine = OxigraphStore.open(store)
    except OSError:  # a server has it open: safe to read only if it takes no writes
        if (store / SNAPSHOTS).exists():
            print(
                f"phakhi dump: {store} is open in a server that accepts writes; stop it first",
                file=sys.stderr,
            )
            return 1
        engine = OxigraphStore.open(store, read_only=True)
    output = Path(args.output) if args.output else None
    write_dump(engine, output)
    if output is not None:
        print(f"wrote {output} (dataset version {engine.version})", file=sys.stderr)
    return 0


def _restore(args: argparse.Namespace) -> int:
    from phakhi.graph.dump import RestoreRefused, restore

    try:
        version = restore(Path(args.dump), Path(args.store), force=args.force)
    except (RestoreRefused, ValueError, OSError) as error:
        print(f"phakhi restore: {error}", file=sys.stderr)
        return 1
    print(f"restored {args.store} from {args.dump} (dataset version {version})")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from phakhi.api.app import create_app
    from phakhi.api.settings import Settings
    from phakhi.graph.problems import SourceErrors

    overrides = {"host": args.host, "port": args.port, "data_files": args.data, "store": args.store}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v})
    except ValueError as error:  # e.g. a write token without a store
        print(f"phakhi serve: {error}", file=sys.stderr)
        return 1
    try:
        app = create_app(settings)
    except SourceErrors as errors:
        for problem in errors.problems:
            print(problem, file=sys.stderr)
        return 1
    except ValueError as error:  # a --data file that cannot be loaded (or is refused)
        print(f"phakhi serve: {error}", file=sys.stderr)
        return 1
    uvicorn.run(app, host=settings.host, port=settings.port)
    return 0


def parser() -> argparse.ArgumentParser:
    from phakhi.graph.paths import DATA_DIR

    root = argparse.ArgumentParser(prog="phakhi", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the graph over HTTP")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--data", nargs="+", type=Path, help="serve these RDF files instead")
    serve.add_argument(
        "--store",
        help="on-disk store folder (filled when empty, else opened as is), or a remote store "
        "as sparql+http://HOST/PATH (its query URL)",
    )
    serve.set_defaults(run=_serve)

    build = commands.add_parser("build", help="compile data/ into dist/phakhi.trig")
    build.add_argument("--data", default=str(DATA_DIR), help="the data folder")
    build.add_argument("-o", "--output", default=str(DIST_DIR / "phakhi.trig"))
    build.add_argument("--store", help="also load the result into this empty on-disk store")
    build.set_defaults(run=_build)

    load = commands.add_parser("load", help="publish the graph into a remote SPARQL store")
    load.add_argument("--to", required=True, help="the store's query URL (sparql+ optional)")
    load.add_argument("files", nargs="*", help="RDF files to load instead of the sources")
    load.add_argument("--data", default=str(DATA_DIR), help="the data folder")
    load.add_argument("--update-url", help="the update URL (default: from the query URL)")
    load.add_argument("--graph-store-url", help="the Graph Store URL (default: from --to)")
    load.add_argument("--user", help="user name (the password: PHAKHI_STORE_PASSWORD)")
    load.add_argument("--auth", choices=("basic", "digest"), help="default: basic")
    load.add_argument(
        "--graph-prefix", action="append", help="the dataset's graphs start with this"
    )
    load.set_defaults(run=_load)

    validate = commands.add_parser("validate", help="check the source files and the shapes")
    validate.add_argument("--data", default=str(DATA_DIR), help="the data folder")
    validate.set_defaults(run=_validate)

    from phakhi.graph.export import FORMAT_CHOICES

    export = commands.add_parser("export", help="write the graph in a standard format")
    export.add_argument("--format", "-f", choices=FORMAT_CHOICES, default="ttl")
    scope = export.add_mutually_exclusive_group()
    scope.add_argument("--source", help="one source's named graph (its id)")
    scope.add_argument("--entity", help="one entity's neighbourhood (KIND/ID)")
    scope.add_argument("--ontology", action="store_true", help="the ontology alone")
    export.add_argument("--named-graphs", action="store_true", help="JSON-LD with named graphs")
    export.add_argument("--no-bom", action="store_true", help="CSV without a byte-order mark")
    export.add_argument("--data", default=str(DATA_DIR), help="the data folder")
    export.add_argument("-o", "--output", help="file (a folder for csv); default: stdout")
    export.add_argument("--store", help="export this on-disk store instead of compiling --data")
    export.set_defaults(run=_export)

    dump = commands.add_parser("dump", help="back up an on-disk store as canonical N-Quads")
    dump.add_argument("--store", required=True, help="the store folder")
    dump.add_argument("-o", "--output", help="the file to write (default: stdout)")
    dump.set_defaults(run=_dump)

    restore = commands.add_parser("restore", help="fill an on-disk store from a dump")
    restore.add_argument("dump", help="an N-Quads file written by phakhi dump")
    restore.add_argument("--store", required=True, help="the store folder to (re)create")
    restore.add_argument("--force", action="store_true", help="replace a store that has data")
    restore.set_defaults(run=_restore)

    suggest = commands.add_parser("suggest", help="draft a source file from a new Thai article")
    suggest.add_argument("article", help="the article, as UTF-8 plain text")
    suggest.add_argument("--id", help="the new source's id (default: from the file name)")
    suggest.add_argument("--data", default=str(DATA_DIR), help="the data folder")
    suggest.add_argument("-o", "--output", help="where to write the draft")
    suggest.add_argument("--force", action="store_true", help="replace an existing draft")
    suggest.set_defaults(run=_suggest)

    from phakhi.viz.map import add_command as add_map

    add_map(commands)

    from phakhi.viz.network_view import add_command as add_viz

    add_viz(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
