"""A CloudFormation template (YAML with short-form tags, or JSON) -> one piece per resource.

AWS::ECS::TaskDefinition, AWS::ECS::Service and AWS::ApplicationAutoScaling::ScalableTarget and
::ScalingPolicy are read by the same parsers as API payloads, through an EcsView that respells
PascalCase and resolves intrinsics (converter.read.ecs.intrinsics). Every other resource type is named
(K2E-W702) with what to use on Kubernetes instead. The template's own sections are read here.
"""

from __future__ import annotations

from typing import Any

from converter.read.ecs.detect import POLICY, SERVICE, TARGET, TASK, Piece
from converter.read.ecs.intrinsics import Template
from converter.read.ecs.view import note_together
from converter.core.errors import InputError
from converter.core.reader import Reader
from converter.core.document import Document

KINDS = {"AWS::ECS::TaskDefinition": TASK, "AWS::ECS::Service": SERVICE,
         "AWS::ApplicationAutoScaling::ScalableTarget": TARGET, "AWS::ApplicationAutoScaling::ScalingPolicy": POLICY}
OTHER = "cloudformation-resource"
RESOURCE_ATTRIBUTES = ("DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "UpdatePolicy", "CreationPolicy")
_SUGGESTIONS = {
    "AWS::Logs::LogGroup": "Ship container logs with a node-level agent (Fluent Bit or the CloudWatch agent DaemonSet).",
    "AWS::IAM::Role": "Workload roles become IRSA roles on ServiceAccounts; the ECS service role is not needed.",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Keep it with a TargetGroupBinding, or let the AWS Load Balancer Controller make one.",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "Use an Ingress (ALB) with the AWS Load Balancer Controller.",
    "AWS::ElasticLoadBalancingV2::Listener": "Use an Ingress (ALB) or a LoadBalancer Service (NLB).",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "The AWS Load Balancer Controller creates load balancers from Ingresses and Services.",
    "AWS::CloudWatch::Alarm": "Alarms that drive step scaling have no HPA counterpart; keep them in CloudWatch for monitoring.",
    "AWS::ECS::Cluster": "Create an EKS cluster (or use a namespace per ECS cluster).",
    "AWS::ServiceDiscovery::Service": "Kubernetes Services are named in the cluster DNS.",
}


def template_of(document: Document, values: dict[str, str] | None = None) -> Template:
    """The template's parameters, mappings and resource types; ``values``: --parameter NAME=VALUE."""
    data = document.data
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        raise InputError("a CloudFormation template needs a Resources mapping", file=document.file, line=document.line)
    types: dict[str, str] = {}
    for logical_id, resource in resources.items():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(logical_id, str) or not isinstance(kind, str):
            raise InputError(f"resource {logical_id!r} needs a Type", file=document.file,
                             line=document.line_of(("Resources", logical_id)))
        types[logical_id] = kind
    parameters = data.get("Parameters") if isinstance(data.get("Parameters"), dict) else {}
    mappings = data.get("Mappings") if isinstance(data.get("Mappings"), dict) else {}
    return Template(parameters=parameters, mappings=mappings, resources=types, values=values)


def resource_pieces(document: Document, values: dict[str, str] | None = None) -> list[Piece]:
    template = template_of(document, values)
    found = []
    for logical_id, kind in template.resources.items():
        path = ("Resources", logical_id)
        child = document.child(path, document.data["Resources"][logical_id])
        found.append(Piece(KINDS.get(kind, OTHER), child, ("Properties",), template=template, logical_id=logical_id))
    return found


def read_resource_attributes(reader: Reader, piece: Piece) -> None:
    """Type and the CloudFormation resource attributes around Properties."""
    kind = reader.get(("Type",), str)
    note_together(reader, RESOURCE_ATTRIBUTES, "K2E-I733",
                  lambda present: f"resource attributes {', '.join(present)} of {piece.logical_id} are not carried")
    if reader.has(("Condition",)):
        reader.note(("Condition",), "K2E-W704", f"{piece.logical_id} exists only when condition "
                    f"{reader.raw(('Condition',))!r} holds, which is decided at deploy time; converted as if it held")
    if piece.kind == OTHER:
        reader.note((), "K2E-W702", f"{kind} {piece.logical_id} is not converted",
                    _SUGGESTIONS.get(str(kind), "Find the Kubernetes or AWS add-on that plays its role."))
        reader.take(())
    elif not isinstance(reader.raw(("Properties",)), dict):
        reader.fail(("Properties",), f"{kind} {piece.logical_id} needs Properties")


def read_template_sections(reader: Reader) -> None:
    """The sections around Resources: parameters and mappings are read through the values that use them."""
    for key in ("AWSTemplateFormatVersion", "Parameters", "Mappings", "Rules", "Resources"):
        reader.take((key,))
    note_together(reader, ("Description", "Metadata"), "K2E-I733", lambda present: f"template {', '.join(present)} not carried")
    if reader.has(("Conditions",)):
        reader.note(("Conditions",), "K2E-W704", "conditions are evaluated at deploy time; resources are converted as if "
                    "every condition held")
    if reader.has(("Transform",)):
        reader.note(("Transform",), "K2E-W704", "transforms (macros) are not expanded; the template is read as written",
                    "Convert the processed template (aws cloudformation get-template --template-stage Processed).")
    if reader.has(("Outputs",)):
        reader.note(("Outputs",), "K2E-W702", "stack outputs are not converted", "Nothing to do.")


def resource_name(piece: Piece) -> str:
    data: Any = piece.document.data
    return f"{data.get('Type', 'Resource')}/{piece.logical_id}"
