"""--format cloudformation|terraform: every template is valid, and all three views carry the same values.

For every sample (samples/ecs-* are ECS-side inputs and are left out) and every file of ../shared/corpus/k8s:

- the CloudFormation template passes cfn-lint with no error, warning or informational finding;
- every .tf file parses back with python-hcl2, is laid out as ``terraform fmt`` would lay it out (checked
  by an implementation of hclwrite's indent and alignment rules written here, independent of the
  renderer), and its decoded container definitions are valid for RegisterTaskDefinition in botocore's model;
- walking converter.write.iac.mapping from the ecs-json payload side, each CloudFormation property and each
  Terraform argument resolves (parameters to their defaults, references to what they name) to exactly the
  payload's value, and nothing else is written.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from converter.load.config import load_config
from converter.pipeline.convert import Conversion, convert
from converter.validate.ecs_shapes import validate_operation
from converter.core.errors import OutputValidationError
from converter.write.iac import mapping
from converter.write.iac.cloudformation import load as load_template
from converter.write.iac.render import Rendering, render
from converter.load.inputs import load_inputs
from converter.load.loader import load_paths, parse_text
from converter.core.settings import Settings, is_placeholder
from tests.helpers import CORPUS, ROOT, SAMPLES, corpus_k8s_files, run_k2ecs, yields_nothing

SAMPLE_CASES = sorted(p for p in SAMPLES.iterdir() if (p / "input").is_dir() and not p.name.startswith("ecs-"))
# A file with no readable manifest in it is refused whole (exit 3, tests/test_corpus.py): nothing to render.
CORPUS_FILES = [path for path in corpus_k8s_files() if not yields_nothing(path)]
CASES = [pytest.param(p, id=p.name) for p in SAMPLE_CASES] + [
    pytest.param(p, id="corpus/" + str(p.relative_to(CORPUS / "k8s"))) for p in CORPUS_FILES]
# Unknown at render time, and so stand-ins in what the views resolve to (both pass as placeholders).
UNSET = "<k2ecs:unset:{}>"  # a parameter or variable without a default
STACK_REGION = "<k2ecs:stack-region>"  # AWS::Region / data.aws_region.current.name


@cache
def conversion(case: Path) -> Conversion:
    if case.is_dir():
        config = case / "k2ecs.yaml"
        return convert(load_paths([str(case / "input")]), load_config(str(config) if config.is_file() else None))
    return convert(load_inputs([str(case)]), Settings())  # as the command line reads it (issue 18)


@cache
def rendered(case: Path, fmt: str, cfn_json: bool = False) -> Rendering:
    return render(fmt, conversion(case), cfn_json=cfn_json)


def _workloads(case: Path) -> Conversion | None:
    """The conversion, or None (after checking that no file is rendered) when nothing in it converts."""
    result = conversion(case)
    if not result.outputs:
        assert rendered(case, "cloudformation").files == {} and rendered(case, "terraform").files == {}
        return None
    return result


# -- CloudFormation ------------------------------------------------------------------------------------

@cache
def _cfn_lint_setup():
    """cfn-lint's configuration and its rules, loaded once.

    cfnlint.api.lint(text) builds a Runner, and so loads every rule module and resource schema again, for
    each template (about 80% of its time on our templates). Its ``rules=`` shortcut does not help: it
    expects a RulesCollection, and the Runner's rules are a Rules. run_template_by_data is what lint runs
    after decoding; given the same config and the same loaded rules it finds the same matches
    (test_the_shared_cfn_lint_rules_find_what_a_fresh_lint_finds)."""
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    config = ConfigMixIn(**ManualArgs(include_checks=["I"], regions=["us-east-1"]))
    return config, Runner(config).rules


def cfn_lint(text: str) -> list[tuple[str, str, int]]:
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(text)
    if errors:
        matches = errors
    elif template is None:
        matches = []
    else:
        config, rules = _cfn_lint_setup()
        matches = list(run_template_by_data(template, config, rules))
    return [(m.rule.id, m.message, m.linenumber) for m in matches]


def test_the_shared_cfn_lint_rules_find_what_a_fresh_lint_finds():
    from cfnlint.api import ManualArgs, lint

    good = rendered(SAMPLE_CASES[0], "cloudformation").files["template.yaml"]
    broken = good.replace("AWS::ECS::Service", "AWS::ECS::Servic", 1).replace("!Ref ", "!Ref Nowhere", 1)
    for text in (good, broken, "Resources: [\n"):
        fresh = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-east-1"]))
        assert cfn_lint(text) == [(m.rule.id, m.message, m.linenumber) for m in fresh]
    assert len(cfn_lint(broken)) >= 2  # the check sees both errors, so the equality above is not vacuous


@pytest.mark.parametrize("case", CASES)
def test_cloudformation_template_passes_cfn_lint_with_no_finding(case: Path):
    if _workloads(case) is None:
        return
    text = rendered(case, "cloudformation").files["template.yaml"]
    assert cfn_lint(text) == []


@pytest.mark.parametrize("case", [pytest.param(p, id=p.name) for p in SAMPLE_CASES])
def test_cloudformation_json_is_the_same_template_and_passes_cfn_lint(case: Path):
    if _workloads(case) is None:
        return
    as_json = rendered(case, "cloudformation", True).files["template.json"]
    # Byte for byte what reading the YAML back and dumping it gave, before the JSON was built directly (issue 24).
    read_back = load_template(rendered(case, "cloudformation").files["template.yaml"])
    assert as_json == json.dumps(read_back, indent=2, ensure_ascii=False) + "\n"
    assert cfn_lint(as_json) == []


def test_cloudformation_json_is_built_without_the_yaml_template(monkeypatch):
    """--cfn-json neither renders the YAML template nor parses YAML (issue 24: that was most of the run)."""
    from converter.write.iac import cloudformation, templating

    calls = []
    monkeypatch.setattr(cloudformation, "render_template", lambda *a, **k: calls.append("render") or "")
    monkeypatch.setattr(cloudformation.yaml, "load", lambda *a, **k: calls.append("load"))
    result = conversion(SAMPLES / "web-loadbalancer-hpa")
    text = render("cloudformation", result, cfn_json=True).files["template.json"]
    assert calls == [] and json.loads(text)["Resources"]
    assert templating.render_template is not cloudformation.render_template  # the spy was where the code looks


def _cfn_resolver(template: dict[str, Any]):
    parameters = template.get("Parameters", {})
    resources = template["Resources"]

    def resolve(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            (function, argument), = node.items()
            if function == "Ref":
                if argument == "AWS::Region":
                    return STACK_REGION
                if argument in parameters:
                    parameter = parameters[argument]
                    if "Default" not in parameter:
                        return UNSET.format(argument)
                    default = parameter["Default"]
                    return default.split(",") if parameter["Type"].startswith("List<") else default
                target = resources[argument]
                # Ref of a task definition is its ARN, which names the family ecs-json's service refers to.
                return {"AWS::ECS::TaskDefinition": lambda p: p["Family"],
                        "AWS::Logs::LogGroup": lambda p: p["LogGroupName"]}[target["Type"]](target["Properties"])
            if function == "Fn::GetAtt":
                resource, attribute = argument
                assert (resources[resource]["Type"], attribute) == ("AWS::ECS::Service", "Name")
                return resources[resource]["Properties"]["ServiceName"]
            if function == "Fn::Sub":
                text = re.sub(r"\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z]+))?\}",
                              lambda m: str(resolve({"Fn::GetAtt": [m[1], m[2]]} if m[2] else {"Ref": m[1]})), argument)
                return text.replace("${!", "${")
        return node

    return resolve


_UNSET = re.compile(r"(<k2ecs:unset:[^>]*>)")


def _same(api: Any, resolved: Any, where: str, problems: list[str]) -> None:
    """Equal, or a parameter without default where ecs-json has a placeholder (or, for the cluster, nothing)."""
    if resolved == api:
        return
    if resolved == STACK_REGION and where.endswith("awslogs-region") and isinstance(api, str):
        return  # the stack's region by design (converter/write/iac/links.py): ecs-json names the configured one
    if isinstance(resolved, str) and _UNSET.search(resolved):
        whole = _UNSET.fullmatch(resolved) is not None
        if whole and (api is None or (isinstance(api, list) and api and all(is_placeholder(v) for v in api))):
            return
        pattern = "".join("<k2ecs:[^>]*>" if _UNSET.fullmatch(part) else re.escape(part) for part in _UNSET.split(resolved))
        if isinstance(api, str) and re.fullmatch(pattern, api):
            return
    problems.append(f"{where}: ecs-json {api!r}, template {resolved!r}")


def cfn_differences(api: dict[str, Any], props: dict[str, Any], table: dict[str, mapping.Field], resolve,
                    where: str, extra_ok: frozenset[str] = frozenset()) -> list[str]:
    problems: list[str] = []
    used = set()
    for key, value in api.items():
        member = table[key]
        if member.cfn is None:
            continue
        used.add(member.cfn)
        if member.cfn not in props:
            problems.append(f"{where}.{key}: missing as {member.cfn}")
            continue
        problems += _cfn_value(value, props[member.cfn], member, resolve, f"{where}.{key}")
    for name in set(props) - used - extra_ok:
        problems.append(f"{where}.{name}: written but not in ecs-json")
    return problems


def _cfn_value(api: Any, node: Any, member: mapping.Field, resolve, where: str) -> list[str]:
    node = resolve(node)
    problems: list[str] = []
    if isinstance(api, dict):
        if not isinstance(node, dict):
            return [f"{where}: {node!r} is not an object"]
        if member.keys == "data":
            if set(api) != set(node):
                return [f"{where}: keys {sorted(node)} instead of {sorted(api)}"]
            for key in api:
                _same(api[key], resolve(node[key]), f"{where}.{key}", problems)
            return problems
        return cfn_differences(api, node, dict(member.nested or {}), resolve, where)
    if isinstance(api, list) and isinstance(node, list) and len(api) == len(node):
        for index, (a, n) in enumerate(zip(api, node)):
            problems += _cfn_value(a, n, member, resolve, f"{where}[{index}]")
        return problems
    _same(api, node, where, problems)
    return problems


def _cfn_view_problems(result: Conversion, template: dict[str, Any], model: Any) -> list[str]:
    resolve = _cfn_resolver(template)
    resources = template["Resources"]
    problems: list[str] = []
    for output, ids in zip(result.outputs, model.workloads, strict=True):
        props = lambda logical_id: resources[logical_id]["Properties"]
        problems += cfn_differences(output.task_definition, props(ids.task_definition), mapping.TASK_DEFINITION, resolve,
                                    f"{output.name}.taskdef")
        service_props = props(ids.service)
        problems += cfn_differences(output.service, service_props, mapping.SERVICE, resolve, f"{output.name}.service",
                                    frozenset() if "cluster" in output.service else frozenset({"Cluster"}))
        if "cluster" not in output.service:
            _same(None, resolve(service_props["Cluster"]), f"{output.name}.service.cluster", problems)
        if output.scaling is None:
            assert ids.scalable_target is None and not ids.policies
            continue
        problems += cfn_differences(output.scaling["scalableTarget"], props(ids.scalable_target), mapping.SCALABLE_TARGET,
                                    resolve, f"{output.name}.scalableTarget")
        for index, (policy, policy_id) in enumerate(zip(output.scaling["scalingPolicies"], ids.policies, strict=True)):
            policy_props = props(policy_id)
            where = f"{output.name}.scalingPolicies[{index}]"
            problems += cfn_differences(policy, policy_props, mapping.SCALING_POLICY, resolve, where,
                                        frozenset({"ScalingTargetId"}))
            # The three members the policy takes from its target, through ScalingTargetId.
            target = resources[policy_props["ScalingTargetId"]["Ref"]]["Properties"]
            for key in ("ServiceNamespace", "ResourceId", "ScalableDimension"):
                _same(policy[key], resolve(target[key]), f"{where}.{key}", problems)
    return problems


@pytest.mark.parametrize("case", CASES)
def test_cloudformation_properties_carry_the_ecs_json_values(case: Path):
    result = _workloads(case)
    if result is None:
        return
    rendering = rendered(case, "cloudformation")
    template = load_template(rendering.files["template.yaml"])
    assert _cfn_view_problems(result, template, rendering.model) == []


# -- Terraform: reading HCL back -----------------------------------------------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def hcl_unescape(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        marker = text[index + 1]
        if marker in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[marker])
            index += 2
        elif marker in "uU":
            width = 4 if marker == "u" else 8
            out.append(chr(int(text[index + 2:index + 2 + width], 16)))
            index += 2 + width
        else:
            raise AssertionError(f"escape \\{marker} is not HCL")
    return "".join(out)


class HclFile:
    """A python-hcl2 parse tree, evaluated here: Terraform values, with references left to a resolver."""

    def __init__(self, text: str) -> None:
        import hcl2

        self.body = self._body(hcl2.parses_to_tree(text).children[0])

    @staticmethod
    def _trees(node) -> list:
        from lark import Tree

        return [child for child in node.children if isinstance(child, Tree) and child.data != "new_line_or_comment"]

    def _body(self, node) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        blocks: list[tuple[str, tuple[str, ...], dict]] = []
        for child in self._trees(node):
            if child.data == "attribute":
                name, expression = self._trees(child)
                assert name.children[0] not in attributes, f"attribute {name.children[0]} twice"
                attributes[str(name.children[0])] = expression
            else:
                parts = self._trees(child)
                labels = tuple(self.string(label) for label in parts[1:-1])
                blocks.append((str(parts[0].children[0]), labels, self._body(parts[-1])))
        return {"attributes": attributes, "blocks": blocks}

    def string(self, node) -> str:
        from lark import Token

        out = []
        for part in self._trees(node):
            content = part.children[0]
            if isinstance(content, Token) and content.type == "STRING_CHARS":
                out.append(hcl_unescape(str(content)))
            elif isinstance(content, Token) and content.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                out.append(hcl_unescape(str(content)[1:]))  # $${ -> ${, %%{ -> %{
            else:
                out.append(_Interpolation(self._trees(content)[0]))
        return out[0] if len(out) == 1 and isinstance(out[0], str) else out  # type: ignore[return-value]

    def evaluate(self, node, resolve) -> Any:

        kind = node.data
        if kind == "expr_term":
            inner = self._trees(node)
            return self.evaluate(inner[0], resolve)
        if kind == "int_lit":
            return int(node.children[0])
        if kind == "float_lit":
            return float(node.children[0])
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(node.children[0])]
        if kind == "unary_op":
            sign, term = node.children
            assert str(sign) == "-"
            return -self.evaluate(term, resolve)
        if kind == "string":
            value = self.string(node)
            if isinstance(value, str):
                return value
            return "".join(p if isinstance(p, str) else str(self.evaluate(p.node, resolve)) for p in value)
        if kind == "tuple":
            return [self.evaluate(item, resolve) for item in self._trees(node)]
        if kind == "object":
            out = {}
            for element in self._trees(node):
                key_node, value_node = self._trees(element)
                key_term = self._trees(key_node)[0]
                inner = self._trees(key_term)[0]
                key = str(inner.children[0]) if inner.data == "identifier" else self.string(inner)
                assert key not in out
                out[key] = self.evaluate(value_node, resolve)
            return out
        if kind == "function_call":
            name = str(self._trees(node)[0].children[0])
            arguments = [self.evaluate(a, resolve) for a in self._trees(self._trees(node)[1])]
            assert name == "jsonencode" and len(arguments) == 1, name
            return json.loads(json.dumps(arguments[0]))  # what jsonencode yields, read back
        if kind in ("get_attr_expr_term", "identifier"):
            return resolve(self._traversal(node))
        raise AssertionError(f"unexpected HCL expression {kind}")

    def _traversal(self, node) -> tuple[str, ...]:
        if node.data == "identifier":
            return (str(node.children[0]),)
        if node.data == "expr_term":
            return self._traversal(self._trees(node)[0])
        term, attribute = self._trees(node)
        return self._traversal(term) + (str(self._trees(attribute)[0].children[0]),)


class _Interpolation:
    def __init__(self, node) -> None:
        self.node = node


class TfConfig:
    """All files of one rendering, with references resolved the way Terraform would."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = {name: HclFile(text) for name, text in files.items()}
        self.variables: dict[str, dict] = {}
        self.resources: dict[tuple[str, str], dict] = {}
        for parsed in self.files.values():
            for block_type, labels, body in parsed.body["blocks"]:
                if block_type == "variable":
                    self.variables[labels[0]] = body
                elif block_type == "resource":
                    assert labels not in self.resources, labels
                    self.resources[labels] = body
        self.any = next(iter(self.files.values()))

    def value(self, node) -> Any:
        return self.any.evaluate(node, self.resolve)

    def resolve(self, path: tuple[str, ...]) -> Any:
        if path[0] == "var":
            body = self.variables[path[1]]
            default = body["attributes"].get("default")
            return UNSET.format(path[1]) if default is None else self.value(default)
        if path == ("data", "aws_region", "current", "name"):
            return STACK_REGION
        body = self.resources[path[:2]]
        if path[0] == "aws_ecs_task_definition" and path[2] == "arn":
            return self.value(body["attributes"]["family"])  # the ARN of that family's revision
        return self.value(body["attributes"][path[2]])


# -- Terraform: the checks -----------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_terraform_parses_back_and_container_definitions_are_valid_for_ecs(case: Path):
    if _workloads(case) is None:
        return
    files = rendered(case, "terraform").files
    assert list(files) == ["versions.tf", "variables.tf", "main.tf", "outputs.tf"]
    config = TfConfig(files)
    for (resource_type, label), body in config.resources.items():
        if resource_type != "aws_ecs_task_definition":
            continue
        definitions = config.value(body["attributes"]["container_definitions"])
        family = config.value(body["attributes"]["family"])
        problems = validate_operation("ecs", "RegisterTaskDefinition",
                                      {"family": family, "containerDefinitions": definitions})
        assert problems == [], f"{label}: {problems}"


def tf_differences(api: dict[str, Any], body: dict, table: dict[str, mapping.Field], config: TfConfig, where: str,
                   used: set[str] | None = None) -> list[str]:
    """``api`` against one block body; ``used`` collects the names consumed (shared with folded members)."""
    top = used is None
    used = set() if used is None else used
    problems: list[str] = []
    attributes, blocks = body["attributes"], body["blocks"]
    for key, value in api.items():
        member, path = table[key], f"{where}.{key}"
        form, name = member.tf_form, member.tf
        if form == mapping.FOLD:
            problems += tf_differences(value, body, dict(member.nested or {}), config, path, used)
            continue
        used.add(name)  # type: ignore[arg-type]
        if form in (mapping.BLOCK, mapping.BLOCKS):
            found = [b for b in blocks if b[0] == name]
            items = [value] if form == mapping.BLOCK else value
            if len(found) != len(items):
                problems.append(f"{path}: {len(found)} {name} block(s) for {len(items)} item(s)")
                continue
            for index, (item, block) in enumerate(zip(items, found)):
                problems += tf_differences(item, block[2], dict(member.nested or {}), config, f"{path}[{index}]")
            continue
        if name not in attributes:
            problems.append(f"{path}: missing as {name}")
            continue
        resolved = config.value(attributes[name])
        if form == mapping.TAG_MAP:
            expected: Any = {tag["key"]: tag["value"] for tag in value}
        elif form == mapping.ENABLED_BOOL:
            expected = value == "ENABLED"
        else:
            expected = value
        _deep_same(expected, resolved, path, problems)
    if top:
        written = set(attributes) | {b[0] for b in blocks}
        for name in written - used - {"lifecycle"}:
            problems.append(f"{where}.{name}: written but not in ecs-json")
    return problems


def _deep_same(api: Any, resolved: Any, where: str, problems: list[str]) -> None:
    if isinstance(api, dict) and isinstance(resolved, dict) and set(api) == set(resolved):
        for key in api:
            _deep_same(api[key], resolved[key], f"{where}.{key}", problems)
    elif isinstance(api, list) and isinstance(resolved, list) and len(api) == len(resolved):
        for index, (a, r) in enumerate(zip(api, resolved)):
            _deep_same(a, r, f"{where}[{index}]", problems)
    else:
        _same(api, resolved, where, problems)


def _tf_view_problems(result: Conversion, rendering: Rendering) -> list[str]:
    config = TfConfig(rendering.files)
    problems: list[str] = []
    for output, labels in zip(result.outputs, rendering.model.workloads, strict=True):
        def body(kind: str, label: str) -> dict:
            return config.resources[(mapping.RESOURCES[kind][2], label)]

        problems += tf_differences(output.task_definition, body("task_definition", labels.labels["task_definition"]),
                                   mapping.TASK_DEFINITION, config, f"{output.name}.taskdef")
        service = {"cluster": None, **output.service} if "cluster" not in output.service else output.service
        problems += tf_differences(service, body("service", labels.labels["service"]), mapping.SERVICE, config,
                                   f"{output.name}.service")
        if output.scaling is None:
            continue
        problems += tf_differences(output.scaling["scalableTarget"], body("scalable_target", labels.labels["scalable_target"]),
                                   mapping.SCALABLE_TARGET, config, f"{output.name}.scalableTarget")
        for index, (policy, label) in enumerate(zip(output.scaling["scalingPolicies"], labels.policies, strict=True)):
            problems += tf_differences(policy, body("scaling_policy", label), mapping.SCALING_POLICY, config,
                                       f"{output.name}.scalingPolicies[{index}]")
    return problems


@pytest.mark.parametrize("case", CASES)
def test_terraform_arguments_carry_the_ecs_json_values(case: Path):
    result = _workloads(case)
    if result is None:
        return
    assert _tf_view_problems(result, rendered(case, "terraform")) == []


# -- Terraform: layout as terraform fmt writes it ------------------------------------------------------

def _scan(line: str) -> tuple[int, int | None]:
    """(net bracket change, column of a top-level ``=``) of one line, strings and interpolations skipped."""
    net, equals, index, depth = 0, None, 0, 0
    while index < len(line):
        char = line[index]
        if char == '"':
            index += 1
            while line[index] != '"':
                if line[index] == "\\":
                    index += 2
                elif line.startswith(("$${", "%%{"), index):
                    index += 3
                elif line.startswith("${", index):
                    index = line.index("}", index) + 1
                else:
                    index += 1
        elif char == "#":
            break
        elif char in "{[(":
            net, depth = net + 1, depth + 1
        elif char in "}])":
            net, depth = net - 1, depth - 1
        elif char == "=" and equals is None and depth == 0 and index > 0:
            equals = index
        index += 1
    return net, equals


def fmt_problems(text: str) -> list[str]:
    """hclwrite's formatIndent and formatCells (the assign column) as a check on finished text."""
    problems = []
    if not text.endswith("\n") or text.endswith("\n\n") or "\t" in text or "\r" in text:
        problems.append("the file must end with one newline and hold no tabs or carriage returns")
    lines = text.split("\n")[:-1]
    indents: list[int] = []
    chain: list[tuple[int, str]] = []

    def close_chain() -> None:
        if chain:
            leads = [line[:line.index("=", len(line) - len(line.lstrip()))].rstrip() for _, line in chain]
            column = max(len(lead) for lead in leads) + 1
            for (number, line), lead in zip(chain, leads):
                if line.find("=", len(lead)) != column or line[column + 1:column + 2] != " " or line[column + 2:column + 3] == " ":
                    problems.append(f"line {number}: '=' not aligned at column {column + 1}: {line!r}")
            chain.clear()

    for number, line in enumerate(lines, 1):
        if line != line.rstrip():
            problems.append(f"line {number}: trailing whitespace")
        if not line.strip():
            close_chain()
            continue
        net, equals = _scan(line.strip())
        if net > 0:
            expected = 2 * len(indents)
            indents.append(net)
        elif net < 0:
            closed = -net
            while closed > 0 and indents:
                if closed >= indents[-1]:
                    closed -= indents.pop()
                else:
                    indents[-1] -= closed
                    closed = 0
            expected = 2 * len(indents)
        else:
            expected = 2 * len(indents)
        if len(line) - len(line.lstrip(" ")) != expected:
            problems.append(f"line {number}: indent {len(line) - len(line.lstrip(' '))}, expected {expected}: {line!r}")
        if equals is not None and net == 0:
            chain.append((number, line))
        else:
            close_chain()
    close_chain()
    if indents:
        problems.append("brackets left open at the end")
    return problems


@pytest.mark.parametrize("case", CASES)
def test_terraform_files_are_laid_out_as_terraform_fmt_would(case: Path):
    if _workloads(case) is None:
        return
    for name, text in rendered(case, "terraform").files.items():
        assert fmt_problems(text) == [], name


def test_the_fmt_check_sees_misalignment_and_bad_indent():
    good = 'resource "a" "b" {\n  ab  = 1\n  abc = 2\n\n  x = {\n    k = "v"\n  }\n}\n'
    assert fmt_problems(good) == []
    assert fmt_problems(good.replace("  ab  = 1", "  ab = 1"))
    assert fmt_problems(good.replace('    k = "v"', '   k = "v"'))
    assert fmt_problems(good + "\n")


# -- both formats: no placeholder survives, parameters stand for the settings --------------------------

@pytest.mark.parametrize("case", [pytest.param(p, id=p.name) for p in SAMPLE_CASES])
def test_no_placeholder_is_written_and_each_one_is_a_parameter_without_default(case: Path):
    result = _workloads(case)
    if result is None:
        return
    payload_text = json.dumps([(o.task_definition, o.service, o.scaling) for o in result.outputs])
    placeholders = set(re.findall(r"<k2ecs:[^>\"]*>", payload_text))
    template = load_template(rendered(case, "cloudformation").files["template.yaml"])
    tf = rendered(case, "terraform").files
    assert "<k2ecs:" not in json.dumps(template) and not any("<k2ecs:" in text for text in tf.values())
    without_default = [name for name, p in template.get("Parameters", {}).items() if "Default" not in p]
    tf_without_default = [name for name, body in TfConfig(tf).variables.items() if "default" not in body["attributes"]]
    # The cluster is a parameter even when ecs-json leaves it out; the region is the stack's own.
    expected = {p for p in placeholders if p != "<k2ecs:region>"}
    if "<k2ecs:cluster>" not in placeholders and any("cluster" not in o.service for o in result.outputs):
        expected.add("<k2ecs:cluster>")
    assert len(without_default) == len(tf_without_default) == len(expected), (without_default, expected)


def test_a_sample_with_every_setting_configured_needs_no_parameter_value():
    case = SAMPLES / "web-loadbalancer-hpa"
    template = load_template(rendered(case, "cloudformation").files["template.yaml"])
    assert all("Default" in p for p in template["Parameters"].values())
    assert set(template["Parameters"]) == {"Cluster", "Subnets", "SecurityGroups", "ExecutionRoleArn",
                                           "TargetGroupArnWeb8080"}


# -- findings, errors, the command ---------------------------------------------------------------------

def _deployments(count: int) -> str:
    return "".join(f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{index}}}
spec:
  selector: {{matchLabels: {{app: app{index}}}}}
  template:
    metadata: {{labels: {{app: app{index}}}}}
    spec:
      containers: [{{name: app, image: nginx}}]
""" for index in range(count))


def test_over_the_stack_quotas_is_k2e_e660_at_the_workload_that_passes_them():
    result = convert(parse_text(_deployments(170), "t.yaml"), Settings())
    findings = render("cloudformation", result).findings
    messages = {f.message.split(";")[0]: f for f in findings}
    assert [f.code for f in findings] == ["K2E-E660", "K2E-E660"]
    # 170 log groups + 2 resources per workload: the 166th workload (app165) passes 500.
    resources = messages["the CloudFormation template has 510 resources"]
    assert (resources.resource, resources.file, resources.line) == ("Deployment/app165", "t.yaml", 2 + 10 * 165)  # 10 lines a document, after its "---"
    assert messages["the CloudFormation template has 340 outputs"].resource == "Deployment/app100"
    assert render("terraform", result).findings == []
    assert render("cloudformation", convert(parse_text(_deployments(2), "t.yaml"), Settings())).findings == []


def test_too_many_parameters_is_k2e_e660_too():
    env = "".join(f"        - {{name: S{i}, valueFrom: {{secretKeyRef: {{name: s, key: k{i}}}}}}}\n" for i in range(200))
    manifest = _deployments(1).replace("      containers: [{name: app, image: nginx}]\n",
                                       "      containers:\n      - name: app\n        image: nginx\n        env:\n" + env)
    findings = render("cloudformation", convert(parse_text(manifest, "t.yaml"), Settings())).findings
    assert [(f.code, f.resource) for f in findings] == [("K2E-E660", "Deployment/app0")]
    assert "204 parameters" in findings[0].message  # 200 secrets + cluster, subnets, security groups, role


def test_a_template_over_a_megabyte_is_k2e_e660():
    big = "x" * 50_000  # an env value; each task definition stays under the 64 KiB ECS limit
    manifest = _deployments(21).replace("      containers: [{name: app, image: nginx}]\n",
                                        "      containers: [{name: app, image: nginx, env: [{name: BIG, value: " + big + "}]}]\n")
    findings = render("cloudformation", convert(parse_text(manifest, "t.yaml"), Settings())).findings
    assert [(f.code, f.resource) for f in findings] == [("K2E-E660", "Deployment/app0")]
    assert "bytes; a stack holds at most 1000000" in findings[0].message


def test_nothing_converted_means_no_template():
    result = convert(parse_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "t.yaml"), Settings())
    assert render("cloudformation", result).files == {} and render("terraform", result).files == {}


def test_a_payload_member_without_a_mapping_stops_the_rendering():
    result = conversion(SAMPLES / "worker-no-ports")
    output = result.outputs[0]
    output.task_definition["ipcMode"] = "task"  # not in converter/write/iac/mapping.py
    try:
        for fmt in ("cloudformation", "terraform"):
            with pytest.raises(OutputValidationError, match="ipcMode"):
                render(fmt, result)
    finally:
        del output.task_definition["ipcMode"]


def test_an_unescaped_template_value_is_refused():
    from converter.write.iac.templating import environment

    env = environment()
    assert env.from_string("{{ x | yaml_str }}").render(x='a"b') == '"a\\"b"'
    with pytest.raises(OutputValidationError, match="escaping filter"):
        env.from_string("x: {{ x }}").render(x="a")


def test_the_command_writes_prints_and_checks_every_format(tmp_path: Path):
    case = SAMPLES / "web-loadbalancer-hpa"
    base = ["convert", "input", "--config", "k2ecs.yaml"]
    printed = run_k2ecs(*base, "--format", "cloudformation", cwd=case)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == rendered(case, "cloudformation").files["template.yaml"]
    printed = run_k2ecs(*base, "--format", "terraform", cwd=case)
    sections = re.split(r"^# ==> (\S+) <==\n", printed.stdout, flags=re.MULTILINE)
    files = rendered(case, "terraform").files
    assert sections[0] == "" and sections[1::2] == list(files)
    assert [s.rstrip("\n") for s in sections[2::2]] == [t.rstrip("\n") for t in files.values()]
    TfConfig({"stdout.tf": printed.stdout})  # the whole stream is one configuration too
    for fmt, extra, names in (("cloudformation", ["--cfn-json"], ["report.json", "template.json"]),
                              ("terraform", [], ["main.tf", "outputs.tf", "report.json", "variables.tf", "versions.tf"]),
                              ("ecs-json", [], ["report.json", "web.scaling.json", "web.service.json", "web.taskdef.json"])):
        out = tmp_path / fmt
        written = run_k2ecs(*base, "--format", fmt, *extra, "-o", str(out), cwd=case)
        assert written.returncode == 0, written.stderr
        assert sorted(p.name for p in out.iterdir()) == names
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert set(report["outputs"][0]["files"]) <= set(names)
        assert run_k2ecs(*base, "--format", fmt, *extra, "-o", str(out), "--check", cwd=case).returncode == 0
        first = out / names[-1]
        first.write_text(first.read_text(encoding="utf-8") + " ", encoding="utf-8")
        drift = run_k2ecs(*base, "--format", fmt, *extra, "-o", str(out), "--check", cwd=case)
        assert drift.returncode == 5 and names[-1] in drift.stdout
    misuse = run_k2ecs(*base, "--cfn-json", cwd=case)
    assert misuse.returncode == 2 and "--cfn-json" in misuse.stderr


def test_the_convert_command_module_does_not_load_jinja2_until_a_template_format_is_asked_for():
    import subprocess
    import sys

    code = ("import sys; import converter.commands.convert; "
            "assert 'jinja2' not in sys.modules and 'converter.write.iac.render' not in sys.modules, 'loaded at import'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# -- every mapping row, not only those the samples reach -----------------------------------------------

RICH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: rich, namespace: shop, labels: {app: rich}}
spec:
  replicas: 2
  selector: {matchLabels: {app: rich}}
  template:
    metadata: {labels: {app: rich}}
    spec:
      shareProcessNamespace: true
      terminationGracePeriodSeconds: 30
      nodeSelector: {kubernetes.io/arch: arm64, kubernetes.io/os: linux}
      volumes:
        - {name: host, hostPath: {path: /var/data}}
        - {name: scratch, emptyDir: {}}
      containers:
        - name: app
          image: nginx:1.27
          workingDir: /srv
          stdin: true
          tty: true
          command: ["/bin/app"]
          args: ["--serve"]
          ports: [{name: http, containerPort: 8080}]
          resources:
            requests: {cpu: 250m, memory: 256Mi, ephemeral-storage: 30Gi}
            limits: {cpu: 500m, memory: 512Mi, nvidia.com/gpu: 1}
          securityContext:
            privileged: true
            runAsUser: 1000
            runAsGroup: 1000
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: {add: [NET_ADMIN], drop: [ALL]}
          volumeMounts:
            - {name: host, mountPath: /data, readOnly: true}
            - {name: scratch, mountPath: /tmp}
          livenessProbe:
            exec: {command: [cat, /tmp/ok]}
---
apiVersion: v1
kind: Service
metadata: {name: rich, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: rich}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: rich, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: rich}
  minReplicas: 2
  maxReplicas: 6
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
  behavior: {scaleUp: {selectPolicy: Disabled}}
"""
# Fargate-only members (ephemeralStorage), a mapped pull secret, and a paused workload under an HPA
# (every SuspendedState member).
RICH_FARGATE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: paused}
spec:
  replicas: 0
  selector: {matchLabels: {app: paused}}
  template:
    metadata: {labels: {app: paused}}
    spec:
      imagePullSecrets: [{name: regcred}]
      containers:
        - name: app
          image: registry.example.com/app:1.0
          resources:
            requests: {cpu: 250m, memory: 512Mi, ephemeral-storage: 30Gi}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: paused}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: paused}
  minReplicas: 2
  maxReplicas: 6
"""
# Members no input reaches today (the renderers never write them); the table names them for completeness.
NOT_WRITTEN = {("CONTAINER_DEFINITION", "portMappings.hostPort"),
               ("SCALING_POLICY", "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel")}


def _rich_conversions() -> list[Conversion]:
    ec2 = convert(parse_text(RICH, "rich.yaml"), Settings(launch_type="EC2", cluster="c1"))
    sample = SAMPLES / "named-target-ports"
    fargate = convert(load_paths([str(sample / "input")]),
                      load_config(str(sample / "k2ecs.yaml")).merged({"platform_version": "1.4.0",
                                                                      "assign_public_ip": True}))
    paused = convert(parse_text(RICH_FARGATE, "paused.yaml"), Settings(cluster="c1", image_pull_secrets={
        "regcred": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-AbCdEf"}))
    return [ec2, fargate, paused]


def _all_view_problems(result: Conversion) -> list[str]:
    problems = []
    yaml_rendering = render("cloudformation", result)
    text = yaml_rendering.files["template.yaml"]
    problems += [f"cfn-lint {finding}" for finding in cfn_lint(text)]
    problems += _cfn_view_problems(result, load_template(text), yaml_rendering.model)
    terraform = render("terraform", result)
    problems += _tf_view_problems(result, terraform)
    for name, tf_text in terraform.files.items():
        problems += [f"{name}: {p}" for p in fmt_problems(tf_text)]
    return problems


def test_rich_inputs_render_valid_and_equal_in_both_formats():
    for result in _rich_conversions():
        assert _all_view_problems(result) == []


def _rows(table: dict[str, mapping.Field], prefix: str = "") -> set[str]:
    rows = set()
    for key, member in table.items():
        rows.add(prefix + key)
        if member.nested is not None and member.nested is not mapping.CONTAINER_DEFINITION:
            rows |= _rows(dict(member.nested), f"{prefix}{key}.")
    return rows


def _paths(node: Any, prefix: str = "") -> set[str]:
    if isinstance(node, list):
        return set().union(*(_paths(item, prefix) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    paths = set()
    for key, value in node.items():
        paths.add(prefix + key)
        paths |= _paths(value, f"{prefix}{key}.")
    return paths


def test_the_samples_and_rich_inputs_exercise_every_mapping_row():
    results = [conversion(case) for case in SAMPLE_CASES] + _rich_conversions()
    written: dict[str, set[str]] = {name: set() for name in
                                    ("TASK_DEFINITION", "CONTAINER_DEFINITION", "SERVICE", "SCALABLE_TARGET", "SCALING_POLICY")}
    for result in results:
        for output in result.outputs:
            written["TASK_DEFINITION"] |= _paths(output.task_definition)
            written["CONTAINER_DEFINITION"] |= _paths(output.task_definition["containerDefinitions"])
            written["SERVICE"] |= _paths(output.service)
            if output.scaling is not None:
                written["SCALABLE_TARGET"] |= _paths(output.scaling["scalableTarget"])
                written["SCALING_POLICY"] |= _paths(output.scaling["scalingPolicies"])
    unexercised = {(name, row) for name in written for row in _rows(getattr(mapping, name)) if row not in written[name]}
    # Options keys are data (awslogs-group, ...), not rows; the container rows are checked as CONTAINER_DEFINITION.
    assert unexercised == NOT_WRITTEN
