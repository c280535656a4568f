"""The CloudFormation template (YAML) written a workload at a time, straight from the linked payloads.

``cloudformation.build_stack`` + the Jinja template (templates/cloudformation.yaml.j2, filters.cfn_block) stay
the reference: tests/test_iac_fast_text.py renders every sample both ways and compares the bytes. This writer
maps each payload member to its property name and writes its line in the same walk, with no properties
dict, no ``Safe`` strings and no template in between, and it keeps only text: each workload's payloads can
be let go as soon as it is written (render.IacSink), where the stack of the whole run and its text were
held together (issue 24: peak memory 18x the input at 10 MB).

The logical IDs of a workload's resources are only known at the end: parameters and log groups take their
names before any workload in the template's one namespace, and both are only all known once every
workload is linked. A workload's text therefore holds a marker (``\\0key\\0``) where an ID of its own or a
log group's goes, and ``finish`` puts the IDs in. A NUL is never written otherwise: ``yaml_str`` escapes it.
"""

from __future__ import annotations

from itertools import chain
from sys import intern
from typing import Any, Iterator

from converter.core.errors import OutputValidationError
from converter.core.names import Taken, unique_within
from converter.core.settings import PLACEHOLDER_PREFIX
from converter.write.iac.filters import (
    _LOGICAL_ID,
    _REF_TARGET,
    _YAML_UNSAFE,
    _yaml_escape,
    _yaml_key,
    cfn_value,
)
from converter.write.iac.links import (
    Linked,
    LinkedWorkload,
    LogGroupRef,
    ParamRef,
    RegionRef,
    ScalingResourceId,
    TaskDefinitionRef,
    pascal,
    policy_metric,
)
from converter.write.iac.mapping import RESOURCES, SCALING_POLICY, Field
from converter.write.iac.spool import Pieces, TextSpool

MARK = "\0"
_OUTPUT_MARKS = f"s{MARK}t{MARK}"  # the markers of every workload's outputs (its service's, its task definition's)
_unsafe = _YAML_UNSAFE.search
_PADS = [" " * indent for indent in range(128)]


def yaml_str(value: str) -> str:
    """filters.yaml_str without the type check and the Safe wrapper (callers pass ``str`` only)."""
    if _unsafe(value) is None:
        return '"' + value + '"'
    return '"' + _YAML_UNSAFE.sub(_yaml_escape, value) + '"'


def _pad(indent: int) -> str:
    return _PADS[indent] if indent < 128 else " " * indent


def _logical_id(value: str) -> str:
    if not _LOGICAL_ID.fullmatch(value):
        raise ValueError(f"not a CloudFormation logical ID: {value!r}")
    return value


class _Properties:
    """One workload's payloads as block YAML lines: filters._yaml_lines of what cloudformation._Context.properties
    would build, in one walk."""

    def __init__(self, where: str, keys: dict[str, str], log_marks: dict[str, str], refs: dict[str, str],
                 heads: list[dict[str, str]] | None = None) -> None:
        self.where = where
        self.keys = keys  # property name -> its YAML key text, shared by the run
        # per indent: property name -> its line's start (indent, key text, ":"), shared by the run: the same few
        # dozen properties start every workload's lines (issue 24)
        self.heads = [{} for _ in _PADS] if heads is None else heads
        self.log_marks = log_marks  # log group name -> the marker of its logical ID
        self.refs = refs  # parameter's logical name -> "!Ref name", shared by the run

    def mapping(self, payload: dict[str, Any], table: Any, indent: int, out: list[str]) -> None:
        heads = self.heads[indent] if indent < len(_PADS) else {}
        for key, value in payload.items():
            member = table.get(key)
            if member is None:
                raise OutputValidationError(f"{self.where}: payload member {key!r} has no CloudFormation property "
                                            "in converter/write/iac/mapping.py")
            cfn = member.cfn
            if cfn is None:
                continue
            head = heads.get(cfn)
            if head is None:
                text = self.keys.get(cfn)
                if text is None:
                    text = self.keys[cfn] = _yaml_key(cfn)
                head = heads[cfn] = f"{_pad(indent)}{text}:"
            self.entry(head, value, member, indent, out)

    def entry(self, head: str, value: Any, member: Field, indent: int, out: list[str]) -> None:
        """``head`` (``key:``) and the value: on its line, or as the block below it."""
        cls = value.__class__
        if cls is str:
            out.append(head + " " + (('"' + value + '"') if _unsafe(value) is None else yaml_str(value)))
        elif cls is int:
            out.append(f"{head} {value}")
        elif cls is bool:
            out.append(head + (" true" if value else " false"))
        elif cls is dict or isinstance(value, dict):
            at = len(out)
            out.append(head)
            self.members(value, member, indent + 2, out)
            if len(out) == at + 1:
                out[at] = head + " {}"
        elif cls is list or isinstance(value, list):
            if not value:
                out.append(head + " []")
            else:
                out.append(head)
                self.items(value, member, indent + 2, out)
        else:
            out.append(head + " " + self.scalar(value))

    def members(self, value: dict[str, Any], member: Field, indent: int, out: list[str]) -> None:
        """A payload object's members as the properties it maps to (or its data keys as they are)."""
        if member.keys == "data":
            pad = _pad(indent)
            for key, item in value.items():
                self.entry(f"{pad}{_yaml_key(key)}:", item, Field(cfn=key, tf=None), indent, out)
            return
        if member.nested is None:
            raise OutputValidationError(f"{self.where}: {member.cfn} is not an object in converter/write/iac/mapping.py")
        self.mapping(value, member.nested, indent, out)

    def items(self, value: list[Any], member: Field, indent: int, out: list[str]) -> None:
        pad = _pad(indent)
        inner = indent + 2
        for item in value:
            cls = item.__class__
            if cls is str:
                out.append(pad + "- " + (('"' + item + '"') if _unsafe(item) is None else yaml_str(item)))
            elif cls is dict or isinstance(item, dict):
                at = len(out)
                self.members(item, member, inner, out)
                if len(out) == at:
                    out.append(pad + "- {}")
                else:
                    out[at] = pad + "- " + out[at][inner:]
            elif cls is list or isinstance(item, list):
                if not item:
                    out.append(pad + "- []")
                else:
                    at = len(out)
                    self.items(item, member, inner, out)
                    out[at] = pad + "- " + out[at][inner:]
            else:
                out.append(pad + "- " + self.scalar(item))

    def scalar(self, value: Any) -> str:
        """A reference, or any other value that fits on one line (filters.cfn_value)."""
        if isinstance(value, ParamRef):
            name = value.param.cfn_name
            text = self.refs.get(name)
            if text is None:
                if not _REF_TARGET.fullmatch(name):
                    raise ValueError(f"not a logical ID or pseudo parameter: {name!r}")
                text = self.refs[name] = "!Ref " + name
            return text
        if isinstance(value, LogGroupRef):
            return "!Ref " + self.log_marks[value.name]
        if isinstance(value, RegionRef):
            return "!Ref AWS::Region"
        if isinstance(value, TaskDefinitionRef):
            return f"!Ref {MARK}t{MARK}"
        if isinstance(value, ScalingResourceId):
            # Sub(("service/", Ref(cluster), "/", GetAtt(service, "Name"))): nothing in it for yaml_str to escape
            return self.scalar(value.cluster).replace("!Ref ", '!Sub "service/${', 1) + f"}}/${{{MARK}s{MARK}.Name}}\""
        return str(cfn_value(value))


class _Workload:
    """What ``finish`` needs of a written workload (its text is in the spool): what its logical IDs are made from
    and the markers in its text. Kept small: one per workload and one per its outputs, to the end of the run
    (issue 24: their lists of bases and markers were 3 MB of a 10 MB template's peak)."""

    __slots__ = ("ids", "metrics", "marks")

    def __init__(self, ids: Any, metrics: tuple[str, ...] | None, marks: str) -> None:
        self.ids = ids  # cloudformation.CfnWorkload, its IDs filled by finish()
        # None: no scalable target; else the PascalCase metric of each scaling policy, in order (the bases
        # of the IDs are _bases() of these and the workload's name, made by finish())
        self.metrics = metrics
        self.marks = marks  # the marker keys in its text, in order, each followed by MARK


def _bases(written: _Workload) -> list[tuple[str, str]]:
    """(marker key, the ID before unique_within), in the order build_stack names them."""
    base = pascal(written.ids.name) or "Workload"
    bases = [("t", base + "TaskDefinition"), ("s", base + "Service")]
    if written.metrics is not None:
        bases.append(("a", base + "ScalableTarget"))
        bases += [(f"p{index}", base + metric + "ScalingPolicy") for index, metric in enumerate(written.metrics)]
    return bases


class CloudFormationText:
    """The template's text, a workload at a time (render.IacSink); ``finish`` writes what the whole run decides:
    the parameters, the log groups, and the logical IDs. ``spooled``: the workloads' texts in a temporary
    file until they are written (spool.TextSpool)."""

    def __init__(self, spooled: bool = False) -> None:
        self.keys: dict[str, str] = {}
        self.heads: list[dict[str, str]] = [{} for _ in _PADS]
        self.refs: dict[str, str] = {}
        self.log_marks: dict[str, str] = {}  # log group name -> marker
        self.output_ids = Taken()
        self.workloads: list[_Workload] = []
        self.outputs: list[_Workload] = []
        self.texts, self.output_texts = TextSpool(spooled), TextSpool(spooled)
        self.log_ids: list[str] = []
        self.resource_count = 0
        self.text_bytes = 0  # UTF-8 bytes of the workloads' texts without their markers

    def close(self) -> None:
        self.texts.close()
        self.output_texts.close()

    def add(self, workload: LinkedWorkload, linked: Linked) -> None:
        from converter.write.iac.cloudformation import CfnWorkload  # the model the report and tests read

        if len(linked.log_groups) > len(self.log_marks):
            for name in list(linked.log_groups)[len(self.log_marks):]:
                self.log_marks[name] = f"{MARK}l{len(self.log_marks)}{MARK}"
        ids = CfnWorkload(name=workload.name, resource=workload.resource, task_definition="", service="")
        metrics: tuple[str, ...] | None = None
        writer = _Properties(workload.name, self.keys, self.log_marks, self.refs, self.heads)
        lines: list[str] = []
        _resource(writer, lines, "t", RESOURCES["task_definition"], workload.task_definition)
        _resource(writer, lines, "s", RESOURCES["service"], workload.service)
        count = 2
        if workload.scalable_target is not None:
            _resource(writer, lines, "a", RESOURCES["scalable_target"], workload.scalable_target)
            count += 1
            metrics = tuple(intern(pascal(policy_metric(policy, workload.service))) for policy in workload.policies)
            for index, policy in enumerate(workload.policies):
                _policy(writer, lines, f"p{index}", policy)
                count += 1
        self.resource_count += count
        self.workloads.append(self._written(ids, metrics, lines, self.texts))
        out_base = pascal(workload.name)
        outputs = []
        for suffix, what, key in (("ServiceArn", "ECS service", "s"), ("TaskDefinitionArn", "task definition", "t")):
            outputs += [f"  {_logical_id(unique_within(out_base + suffix, self.output_ids, separator=''))}:",
                        f"    Description: {yaml_str(f'ARN of the {what} {workload.name}')}",
                        f"    Value: !Ref {MARK}{key}{MARK}"]
        self.outputs.append(self._written(ids, None, outputs, self.output_texts))

    def _written(self, ids: Any, metrics: tuple[str, ...] | None, lines: list[str], texts: TextSpool) -> _Workload:
        text = "\n".join(lines) + "\n"
        _no_placeholder(text)
        parts = text.split(MARK)
        self.text_bytes += sum(map(len, parts[0::2])) if text.isascii() else sum(len(part.encode("utf-8")) for part in parts[0::2])
        texts.add(text)
        marks = "".join(key + MARK for key in parts[1::2])
        return _Workload(ids, metrics, _OUTPUT_MARKS if marks == _OUTPUT_MARKS else marks)

    def finish(self, linked: Linked, format_version: str, description: str) -> tuple[list[str], dict[str, int]]:
        """The template's text in pieces, and what the quotas are checked against (render._quota_findings)."""
        from converter.write.iac.cloudformation import PARAMETER_TYPES  # lazy: a cycle otherwise

        head = [f"AWSTemplateFormatVersion: {yaml_str(_text(format_version))}",
                f"Description: {yaml_str(_text(description))}"]
        taken = Taken()
        if linked.params:
            head.append("Parameters:")
        for param in linked.params.values():
            taken.add(param.cfn_name)
            default = param.default
            head += [f"  {_logical_id(param.cfn_name)}:", f"    Type: {yaml_str(PARAMETER_TYPES[param.kind])}",
                     f"    Description: {yaml_str(_text(param.description))}"]
            if default is not None:
                head.append(f"    Default: {yaml_str(_text(','.join(default) if isinstance(default, tuple) else default))}")
        head.append("Resources:")
        log_ids = []
        for name, owner in linked.log_groups.items():
            log_id = _logical_id(unique_within(pascal(owner) + "LogGroup", taken, separator=""))
            log_ids.append(log_id)
            head += [f"  {log_id}:", f"    Type: {RESOURCES['log_group'][1]}", "    DeletionPolicy: Delete",
                     "    UpdateReplacePolicy: Delete", "    Properties:",
                     f"      LogGroupName: {cfn_value(name)}"]
        text = "\n".join(head) + "\n"
        _no_placeholder(text)
        self.log_ids = log_ids
        size = len(text.encode("utf-8")) + self.text_bytes
        for written in self.workloads:
            ids = written.ids
            values = [_logical_id(unique_within(base, taken, separator="")) for _, base in _bases(written)]
            ids.task_definition, ids.service = values[0], values[1]
            ids.scalable_target = values[2] if len(values) > 2 else None
            ids.policies = values[3:]
        for written in chain(self.workloads, self.outputs):
            size += sum(len(self._id(key, written.ids)) for key in written.marks.split(MARK)[:-1])
        tail = "Outputs:\n" if self.outputs else ""
        counts = {"resources": len(log_ids) + self.resource_count, "parameters": len(linked.params),
                  "outputs": 2 * len(self.outputs), "bytes": size + len(tail), "log_groups": len(log_ids)}
        pieces = Pieces(text, lambda: self._joined(self.texts, self.workloads), tail,
                        lambda: self._joined(self.output_texts, self.outputs))
        return pieces, counts

    def _id(self, key: str, ids: Any) -> str:
        """The logical ID a marker key stands for, in the text of the workload of ``ids`` (a CfnWorkload)."""
        first = key[0]
        if first == "t":
            return ids.task_definition
        if first == "s":
            return ids.service
        if first == "a":
            return ids.scalable_target
        if first == "p":
            return ids.policies[int(key[1:])]
        return self.log_ids[int(key[1:])]

    def _joined(self, texts: TextSpool, written: list[_Workload]) -> Iterator[str]:
        """Each workload's text with the logical IDs in."""
        for text, one in zip(texts.texts(), written, strict=True):
            parts = text.split(MARK)
            for index in range(1, len(parts), 2):
                parts[index] = self._id(parts[index], one.ids)
            yield "".join(parts)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"yaml_str expects a string, got {type(value).__name__}")
    return str(value)


def _resource(writer: _Properties, lines: list[str], key: str, kind: tuple[Any, str, str], payload: dict[str, Any]) -> None:
    lines += [f"  {MARK}{key}{MARK}:", f"    Type: {kind[1]}", "    Properties:"]
    at = len(lines)
    writer.mapping(payload, kind[0], 6, lines)
    if len(lines) == at:
        raise TypeError("cfn_block expects a non-empty mapping")


def _policy(writer: _Properties, lines: list[str], key: str, policy: dict[str, Any]) -> None:
    """A scaling policy: PolicyName, PolicyType and the Ref to its target first, then the rest in order
    (cloudformation._workload)."""
    chunks: dict[str, list[str]] = {}
    for name, value in policy.items():
        member = SCALING_POLICY.get(name)
        if member is None or member.cfn is None:
            writer.mapping({name: value}, SCALING_POLICY, 6, [])  # the same error, or nothing
            continue
        chunk: list[str] = []
        writer.mapping({name: value}, SCALING_POLICY, 6, chunk)
        chunks[member.cfn] = chunk
    first = [chunks.pop("PolicyName"), chunks.pop("PolicyType"), [f"      ScalingTargetId: !Ref {MARK}a{MARK}"]]
    lines += [f"  {MARK}{key}{MARK}:", f"    Type: {RESOURCES['scaling_policy'][1]}", "    Properties:"]
    for chunk in first + list(chunks.values()):
        lines += chunk




def _no_placeholder(text: str) -> None:
    if PLACEHOLDER_PREFIX in text:
        raise OutputValidationError("a <k2ecs:...> placeholder reached the CloudFormation template")
