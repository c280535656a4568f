"""IaC parameter names depend only on what they name, never on where the value came from (issue 23 item 8).

A stack update or a Terraform plan keys its inputs by name: a target group parameter that was
``TargetGroupArnWeb80`` while the ARN was missing and ``TargetGroupArnWeb8080`` once it was configured
would be a new, undefaulted input to an existing stack.
"""

from __future__ import annotations

from converter.load.config import load_config
from converter.pipeline.convert import convert
from converter.write.iac.cloudformation import load as load_template
from converter.write.iac.render import render
from converter.load.loader import load_paths
from tests.helpers import SAMPLES

CASE = SAMPLES / "web-loadbalancer-hpa"


def _names(settings) -> tuple[set[str], set[str]]:
    result = convert(load_paths([str(CASE / "input")]), settings)
    template = load_template(render("cloudformation", result).files["template.yaml"])
    variables = render("terraform", result).files["variables.tf"]
    tf_names = {line.split('"')[1] for line in variables.splitlines() if line.startswith("variable ")}
    return set(template["Parameters"]), tf_names


def test_target_group_names_are_the_same_whether_the_arn_is_configured_or_a_placeholder():
    configured = load_config(str(CASE / "k2ecs.yaml"))
    missing = type(configured)(**{**{f: getattr(configured, f) for f in configured._record_fields},
                                  "target_groups": {}})
    cfn_configured, tf_configured = _names(configured)
    cfn_missing, tf_missing = _names(missing)
    assert "TargetGroupArnWeb8080" in cfn_configured and "target_group_arn_web_8080" in tf_configured
    assert cfn_missing == cfn_configured
    assert tf_missing == tf_configured


def test_a_missing_target_group_parameter_still_says_which_targetgroups_key_fills_it():
    configured = load_config(str(CASE / "k2ecs.yaml"))
    missing = type(configured)(**{**{f: getattr(configured, f) for f in configured._record_fields},
                                  "target_groups": {}})
    result = convert(load_paths([str(CASE / "input")]), missing)
    template = load_template(render("cloudformation", result).files["template.yaml"])
    parameter = template["Parameters"]["TargetGroupArnWeb8080"]
    assert "Default" not in parameter
    assert "targetGroups web:80" in parameter["Description"]


def test_a_workloads_log_group_label_and_its_own_labels_share_one_string():
    """Both are kept to the end of the run (one per workload at 10 MB: issue 24); the same text is one string."""
    from converter.write.iac.links import snake
    from converter.write.iac.terraform import _Builder

    builder = _Builder(keep_workloads=False)
    first = builder.snake("Team-1 web")
    assert first == snake("Team-1 web") == "team_1_web"
    assert builder.snake("team-1-web") == "team_1_web"  # another name, the same label text: made again
    again = builder.snake("team-1-web")
    assert again is builder.snake("team-1-web") and again is not first
