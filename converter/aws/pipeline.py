"""What plan and apply share: settings -> clients -> conversion -> checks -> live state -> plan, and error handling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from converter.aws import session
from converter.aws.errors import AwsError, DetailedExit, PreflightError
from converter.aws.plan import Plan, build_plan
from converter.aws.preflight import check_outputs
from converter.aws.session import Clients, Redactor
from converter.aws.state import check_cluster, read_state
from converter.report.baseline import review
from converter.load.config import load_config
from converter.core.errors import K2ecsError
from converter.core.findings import Severity
from converter.report.canonical import is_accepted

Converter = Callable[[str, str], Any]  # (cluster, region) -> converter.pipeline.convert.Conversion


@dataclass
class Prepared:
    plan: Plan
    clients: Clients
    warnings: int  # conversion warnings not accepted
    findings: tuple = ()  # the conversion's findings that are not accepted (none is an error: those stop it)


def prepare(*, config: str | None, cluster: str | None, region: str | None, profile: str | None,
            convert: Converter, redact: Redactor, timeout_seconds: float | None = None) -> Prepared:
    """Everything up to the plan. Only read-only AWS calls; any error here is before any change."""
    settings = load_config(config)
    cluster_name = cluster if cluster is not None else settings.cluster
    if cluster_name is None:
        raise PreflightError("no ECS cluster: give --cluster (or cluster in --config)")
    # The region of the clients also fills the awslogs region of the payloads, so the log group is
    # created where the service runs: --region, then the config file, then boto3's chain.
    region_name = region if region is not None else settings.region
    opened = session.open_session(region_name, profile, redact)
    conversion = convert(cluster_name, opened.region)
    findings = _check_findings(conversion)
    warnings = sum(1 for f in findings if f.severity.label == "warning")
    outputs = conversion.outputs
    check_outputs(outputs)
    # The clients after the conversion, and once the rest of it (its records, call graph, the findings accepted)
    # is let go: their service models are loaded beside what the plan keeps, not beside the conversion's peak.
    del conversion
    clients = session.connect(opened, timeout_seconds)
    check_cluster(clients, cluster_name)
    live = read_state(clients, cluster_name, outputs)
    plan = build_plan(outputs, live, cluster=cluster_name, region=clients.region, endpoint=clients.endpoint)
    return Prepared(plan=plan, clients=clients, warnings=warnings, findings=tuple(findings))


def _check_findings(conversion: Any) -> list:
    """Error findings (not accepted) stop plan and apply, as they fail convert; the others are returned."""
    findings = [f for f in review(conversion.findings, conversion.sources) if not is_accepted(f)]
    errors = [f for f in findings if f.severity >= Severity.ERROR]
    if errors:
        shown = "; ".join(f"{f.code} {f.resource}: {f.message}" for f in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise PreflightError(f"the conversion reported {len(errors)} error finding(s): {shown}{more}; "
                             f"run k2ecs convert for the report, then fix the input or accept them; "
                             f"nothing was changed")
    return findings


def detailed(run: Callable[[], int], redact: Redactor) -> Callable[[], int]:
    """``run`` with plan/apply error handling, for converter.guard.guarded.

    Every k2ecs error exits 1 (DetailedExit.ERROR), so 2 only ever means "changes pending"; botocore
    errors become one-line AwsErrors; every message and log record is redacted.
    """

    def wrapped() -> int:
        with session.redacting_logs(redact):
            try:
                return int(run())
            except K2ecsError as err:
                err.message = redact(err.message)
                err.exit_status = DetailedExit.ERROR  # type: ignore[assignment]
                raise
            except Exception as err:
                if session.is_botocore_error(err):
                    # `from None`: the chained botocore error (shown by --traceback) is not redacted.
                    raise AwsError(session.error_text(err, redact)) from None
                raise

    return wrapped
