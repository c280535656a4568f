"""The one registry of finding codes. A code is never reused or renumbered; retired codes stay listed.

The letter after ``K2E-`` is the severity (E error, W warning, I info). Number ranges: 0xx input and
kinds, 1xx containers and pod spec, 2xx sizing, 3xx Deployment -> ECS service, 4xx Service, 5xx HPA,
6xx settings the manifests do not carry, 7xx ECS -> Kubernetes (the reverse direction), 9xx the catch-all
for fields no mapping consumed.
"""

from __future__ import annotations

from converter.core.code_info import CodeInfo
from converter.core.codes_reverse import REVERSE_CODES
from converter.core.codes_service_hpa import SERVICE_HPA_CODES
from converter.core.codes_workload import WORKLOAD_CODES
from converter.core.topics import TOPICS


def _codes(*infos: CodeInfo) -> dict[str, CodeInfo]:
    table: dict[str, CodeInfo] = {}
    for info in infos:
        assert info.code not in table, info.code
        table[info.code] = info
    return table


C = CodeInfo
CODES: dict[str, CodeInfo] = _codes(
    # -- 0xx: input, kinds, metadata ------------------------------------------------------------
    C(code="K2E-W001", title="Kind not converted",
      explanation="This kind has no ECS counterpart that k2ecs renders; the document is read and reported, not converted.",
      suggestion="See the suggestion for this kind."),
    C(code="K2E-I002", title="Referenced-only kind not used",
      explanation="ConfigMaps, Secrets and ServiceAccounts are converted only through the workloads that refer to them. This one is referred to by no converted workload.",
      suggestion="Nothing to do unless a workload outside this input uses it."),
    C(code="K2E-W003", title="Partial conversion of a StatefulSet",
      explanation="A StatefulSet without volumeClaimTemplates is converted like a Deployment; stable network identity, ordinal names and ordered rollout have no ECS equivalent.",
      suggestion="Check that the workload does not depend on stable pod names or ordered start-up."),
    C(code="K2E-I004", title="Read-only status ignored",
      explanation="The status block is written by the Kubernetes control plane and is not part of the desired state.",
      suggestion="Nothing to do."),
    C(code="K2E-I005", title="Namespace has no ECS equivalent",
      explanation="ECS has no namespaces. The namespace is kept as a tag; services of different namespaces share one cluster unless you use one cluster per namespace.",
      suggestion="Use one ECS cluster (or name prefix) per namespace if names collide.", topics=("names",),),
    C(code="K2E-W006", title="Unexpected apiVersion",
      explanation="The apiVersion is not one k2ecs was written against; the document is read with the shape of the version k2ecs knows.",
      suggestion="Upgrade the manifest to the current apiVersion (kubectl convert) and check the output."),
    C(code="K2E-E007", title="Duplicate resource",
      explanation="Two documents declare the same kind, namespace and name. Kubernetes would keep only the last one applied.",
      suggestion="Remove one of them. k2ecs converted the last one, as `kubectl apply -f` leaves the last one applied (a folder's files in lexical order), and not this one."),
    C(code="K2E-I008", title="Annotation not carried",
      explanation="Annotations become ECS tags only when they fit the tag rules (key <= 128, value <= 256, allowed characters, no aws: prefix).",
      suggestion="Nothing to do unless a tool reads this annotation at run time.", topics=("tags",),),
    C(code="K2E-I009", title="Field has no meaning on ECS",
      explanation="This field is Kubernetes bookkeeping (selectors, generated metadata, defaults) with no ECS counterpart and no effect on the running workload.",
      suggestion="Nothing to do."),
    C(code="K2E-E020", title="Workload name not usable",
      explanation="Output files are named after the workload, so its name must be a valid Kubernetes object name (a lower-case RFC 1123 subdomain: a-z, 0-9, '-' and '.', at most 253 characters, as the API server requires) and short enough for a file name (<name>.taskdef.json within 255 bytes). Anything else could never have been applied to a cluster, and could name a path outside the output folder or collide with another file on a case-insensitive file system. The workload was not converted.",
      suggestion="Fix metadata.name (kubectl apply --dry-run=server shows what the API server accepts), then convert again."),
    C(code="K2E-E021", title="Two workloads would have the same ECS name",
      explanation="A workload's ECS name (task definition family, service name and file names) is <namespace>-<name>, or <name> in the default namespace or with no namespace, so it is the same whatever the order of the input and whatever else is converted with it. These workloads would still share one name (case aside, as names become file names): a Deployment and a StatefulSet of one name in one namespace, a manifest without a namespace beside one in default, or names such as namespace a, name b-c and namespace a-b, name c. Neither is converted: giving the name to the first would let the order of the files decide which live service a later plan changes.",
      suggestion="Rename one of them (metadata.name), or convert them in separate runs."),
    C(code="K2E-I022", title="Not a regular file; skipped",
      explanation="A folder given as input holds a file with a manifest suffix that is not a regular file: a FIFO (reading it would wait for a writer forever), a device or a link to one (/dev/zero reads on without end), or a socket. Only regular files, and links to them, are read from a folder.",
      suggestion="Nothing to do, unless the file was meant to be a manifest: then replace it with a regular file, or name it on the command line, where it is read as given (bounded by the size limit)."),
    C(code="K2E-E030", title="Document not readable",
      explanation="This document (or file) could not be read as a Kubernetes object: a YAML syntax error, a limit passed, a document that is not a mapping, a missing kind, or a string holding NUL. It was not converted; every other document of the run was converted as usual. Exit status 1 follows --fail-on (error by default); when no document of the input can be read at all, the exit status is 3.",
      suggestion="Fix the document at the line given (kubectl apply --dry-run=client -f FILE shows what kubectl reads), then convert again."),
    C(code="K2E-E031", title="Document not valid",
      explanation="A field of this document has a type or value the Kubernetes API server would refuse (for example replicas: \"two\", an env name that is empty or holds '=', an apps/v1 Deployment without spec.selector). The document was not converted; the rest of the run was.",
      suggestion="Fix the field named (kubectl apply --dry-run=server -f FILE shows what the API server accepts), then convert again."),
    C(code="K2E-E032", title="Duplicate mapping key",
      explanation="A mapping gives the same key twice. kubectl decodes manifests non-strictly and keeps the last value without a word (cli-runtime's StreamVisitor), and the API server's default field validation (Warn) keeps the last one too, so k2ecs converts the last value. It is an error finding because the first value is silently lost on the cluster as well, which is rarely what the author meant.",
      suggestion="Remove the key you did not mean; the one at the later line is what was converted."),
    C(code="K2E-I033", title="Helm chart source skipped",
      explanation="A folder with Chart.yaml is a Helm chart: values.yaml and the templates with {{ }} are inputs of helm, not Kubernetes objects. The folder was not read.",
      suggestion="Render the chart and convert the output: helm template RELEASE CHART_DIR -f values.yaml > rendered.yaml; k2ecs convert rendered.yaml"),
    C(code="K2E-I034", title="Kustomization skipped",
      explanation="A kustomization file is kustomize's input, not an object. The other files of its folder were read as they are, without the kustomization's patches, name prefixes, generated ConfigMaps and Secrets.",
      suggestion="Render it and convert the output: kubectl kustomize DIR > rendered.yaml; k2ecs convert rendered.yaml"),
    C(code="K2E-I035", title="Hidden folder skipped",
      explanation="Folders whose name starts with a dot (.github/, .gitlab/, ...) hold CI and tool settings, whose YAML files are not Kubernetes objects. The folder was not searched.",
      suggestion="If it does hold manifests, name the folder (or the files) as an input of its own."),
    C(code="K2E-I036", title="Template file skipped",
      explanation="The file holds {{ }} and does not parse as YAML: it is a Go or Helm template, which becomes a manifest only when rendered.",
      suggestion="Render it first (helm template, or the tool that owns it) and convert the output."),
    # -- 1xx to 3xx: containers and pod spec, sizing, Deployment -> ECS service: converter.core.codes_workload ----
    *WORKLOAD_CODES,
    # -- 4xx and 5xx: Service, HorizontalPodAutoscaler: converter.core.codes_service_hpa -----------------------
    *SERVICE_HPA_CODES,
    # -- 6xx: settings the manifests do not carry -------------------------------------------------
    C(code="K2E-W601", title="Network settings missing",
      explanation="awsvpc services need subnets and security groups, which manifests do not carry. Placeholders were written.",
      suggestion="Pass --subnets and --security-groups, or set network: in the k2ecs config.", topics=("pod-networking",),),
    C(code="K2E-W602", title="Execution role missing",
      explanation="Fargate tasks need an execution role to pull private images, write awslogs and read secrets. A placeholder was written.",
      suggestion="Pass --execution-role-arn, or set executionRoleArn in the k2ecs config.", topics=("identity",),),
    C(code="K2E-W604", title="Service Connect namespace missing",
      explanation="Service Connect needs a Cloud Map namespace. A placeholder was written.",
      suggestion="Set serviceConnectNamespace in the k2ecs config.", topics=("service-connect",),),
    C(code="K2E-W605", title="Target group ARN missing",
      explanation="The load balancer attachment needs the ARN of a target group that exists. A placeholder was written.",
      suggestion="Create the target group and set it under targetGroups: in the k2ecs config.", topics=("service-type",),),
    C(code="K2E-W606", title="Cluster missing",
      explanation="The scalable target's ResourceId names the cluster. A placeholder was written.",
      suggestion="Pass --cluster or set cluster in the k2ecs config.", topics=("scaling-target",),),
    C(code="K2E-W607", title="Region missing",
      explanation="awslogs needs the log group's region. A placeholder was written.",
      suggestion="Pass --region or set region in the k2ecs config."),
    C(code="K2E-I620", title="Log group to create",
      explanation="The containers log with the awslogs driver to a CloudWatch Logs group. The driver does not create the group (awslogs-create-group defaults to false), and a task whose log group is missing fails to start. The ecs-json payloads only name the group; k2ecs apply creates it when it is missing, and the cloudformation and terraform formats declare it.",
      suggestion="Create the log group before registering the service (aws logs create-log-group), or deploy with k2ecs apply, CloudFormation or Terraform.", topics=("volumes",),),
    C(code="K2E-W621", title="ServiceAccount without a task role",
      explanation="The pods run as a ServiceAccount that is in the input but has no IRSA annotation (eks.amazonaws.com/role-arn), and the k2ecs config maps no task role to it. On EKS it may still have had AWS access through an EKS Pod Identity association, which is kept in the EKS API and not in manifests. Without a task role an ECS task has no AWS credentials.",
      suggestion="Map the ServiceAccount to its IAM role under taskRoles: in the k2ecs config (aws eks list-pod-identity-associations shows the role an association gave it).", topics=("identity",),),
    C(code="K2E-E660", title="CloudFormation quota exceeded",
      explanation="The conversion's one CloudFormation template has more resources, parameters or outputs than a stack may hold (500, 200 and 200). CloudFormation would reject it; the template is written anyway so that it can be reviewed and split.",
      suggestion="Convert the manifests in smaller groups (one template each), or use --format terraform, which has no such limit."),
    # -- 7xx: ECS -> Kubernetes (converter/pipeline/reverse.py): converter.core.codes_reverse ---------------------------
    *REVERSE_CODES,
    # -- 8xx: accepted findings and CI ---------------------------------------------------------------
    # Emitted by converter.report.baseline after convert (not by convert itself); these codes cannot be accepted.
    C(code="K2E-W801", title="Accept annotation entry not understood",
      explanation="The k2ecs.io/accept annotation is a comma-separated list of CODE=reason entries (K2E-W110=the image has curl). This entry has no registered code, no reason, or names an 8xx code, so it accepts nothing.",
      suggestion="Write the entry as K2E-XNNN=reason, with a code from k2ecs explain and a reason."),
    C(code="K2E-W802", title="Stale baseline entry",
      explanation="A baseline entry matches a finding by code, resource and JSON Pointer path. No finding of this run matches this entry: the loss it accepted is gone, or the resource or path changed.",
      suggestion="Run k2ecs baseline to rewrite the file (reasons of entries that still match are kept), or delete the entry."),
    C(code="K2E-W803", title="Accept annotation entry matches no finding",
      explanation="The k2ecs.io/accept annotation accepts a code that no finding about this resource has in this run: the loss it accepted is gone.",
      suggestion="Remove the entry from the annotation."),
    # -- 9xx: catch-all -----------------------------------------------------------------------------
    C(code="K2E-W901", title="Field not mapped",
      explanation="No mapping in k2ecs consumed this field, so it is not in the output. k2ecs never drops a field silently: this finding is the catch-all.",
      suggestion="Check whether the field matters on ECS; if it does, open an issue with the manifest."),
)
del C


def explain(code: str, installed_doc: str | None = None) -> str:
    """The text of ``k2ecs explain CODE``; ``installed_doc`` is the path of the installed docs/MAPPING.md."""
    info = CODES.get(code.upper())
    if info is None:
        raise KeyError(code)
    lines = [f"{info.code} ({info.severity.label}): {info.title}", "", info.explanation, "", f"What to do: {info.suggestion}",
             "", f"Read more: {doc_reference(info.code)}"]
    lines += [f"  {TOPICS[key].title}: {MAPPING_DOC}#{topic_anchor(key)}" for key in info.topics]
    if installed_doc is not None:
        lines.append(f"Installed copy: {installed_doc}")
    return "\n".join(lines)


# Where each code is documented: its anchor in the generated docs/MAPPING.md (tests keep the file equal to
# what converter.report.mapping_doc generates from this registry, and every pointer below resolving to an anchor).
REPO_URL = "https://github.com/k2ecs/k2ecs"
MAPPING_DOC = "docs/MAPPING.md"
DOCS_URL = f"{REPO_URL}/blob/main/{MAPPING_DOC}"


def code_anchor(code: str) -> str:
    """The anchor of ``code``'s section of docs/MAPPING.md (``k2e-w110``); it never changes with the text."""
    return code.lower()


def topic_anchor(key: str) -> str:
    return f"topic-{key}"


def doc_reference(code: str) -> str:
    """``docs/MAPPING.md#k2e-w110``: the code's section, relative to the repository (or the installed copy)."""
    return f"{MAPPING_DOC}#{code_anchor(code)}"


def help_uri(code: str) -> str:
    """The link to ``code``'s section of docs/MAPPING.md (SARIF helpUri, explain --json)."""
    return f"{DOCS_URL}#{code_anchor(code)}"


def topic_uri(key: str) -> str:
    return f"{DOCS_URL}#{topic_anchor(key)}"


def code_entry(info: CodeInfo) -> dict[str, object]:
    """One code as data (explain --json, explain --list --json)."""
    return {"code": info.code, "severity": info.severity.label, "title": info.title,
            "explanation": info.explanation, "suggestion": info.suggestion, "reference": doc_reference(info.code),
            "topics": [{"title": TOPICS[key].title, "reference": f"{MAPPING_DOC}#{topic_anchor(key)}"}
                       for key in info.topics],
            "helpUri": help_uri(info.code)}
