"""Parse a whole DAGs folder: discover, parse each file, reject DAG ids defined twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from brisa.loader.discover import discover
from brisa.loader.isolated import parse_file_isolated
from brisa.loader.result import ImportErrorInfo, ParseResult


def merge_results(results: Iterable[ParseResult]) -> ParseResult:
    """All DAGs and errors; a DAG id already defined by an earlier file becomes an
    import error of the later file (Airflow's ``AirflowDagDuplicatedIdException``)."""
    merged = ParseResult()
    owners: dict[str, str] = {}
    for result in results:
        merged.errors.extend(result.errors)
        for dag in result.dags:
            existing = owners.get(dag.dag_id)
            if existing is not None and existing != dag.fileloc:
                message = (
                    f"AirflowDagDuplicatedIdException: Ignoring DAG {dag.dag_id} from {dag.fileloc} "
                    f"- also found in {existing}"
                )
                merged.errors.append(ImportErrorInfo(dag.fileloc, None, message))
                continue
            owners[dag.dag_id] = dag.fileloc
            merged.dags.append(dag)
    return merged


def parse_folder(
    dags_folder: str,
    *,
    timeout: float = 30.0,
    generation_default: str = "2",
    catchup_default: bool | None = None,
    safe_mode: bool = True,
    include_examples: bool = False,
    ignore_file_syntax: str = "regexp",
    parse: Callable[..., ParseResult] = parse_file_isolated,
) -> ParseResult:
    """Every DAG file of the folder, each parsed by ``parse`` (isolated by default)."""
    files = discover(
        dags_folder,
        safe_mode=safe_mode,
        include_examples=include_examples,
        ignore_file_syntax=ignore_file_syntax,
    )
    return merge_results(
        parse(
            path,
            timeout=timeout,
            generation_default=generation_default,
            catchup_default=catchup_default,
            dags_folder=dags_folder,
        )
        for path in files
    )


__all__ = ["merge_results", "parse_folder"]
