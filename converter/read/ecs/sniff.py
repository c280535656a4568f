"""Which way an input goes, told from its text before parsing: Kubernetes manifests or ECS payloads.

Apart from converter.read.ecs.detect (which sorts parsed ECS documents into pieces) so that
``k2ecs convert`` on Kubernetes input imports none of the ECS input modules (issue 9, start-up).
"""

from __future__ import annotations

import re

# Only spaces, tabs, "-" and "{" before the key, never a newline: each line is scanned once (linear, also on a
# file of nothing but "-" lines).
_KUBERNETES_TEXT = re.compile(r'^[ \t\-{]*"?apiVersion"?[ \t]*:', re.MULTILINE)
# Keys only ECS payloads, CloudFormation templates and k2ecs output have; apiVersion only Kubernetes has.
_ECS_TEXT = (r'"(containerDefinitions|taskDefinition|serviceName|services|ScalableTargets|ScalingPolicies|'
             r'scalableTarget|ScalableDimension|PolicyName|TargetValue|workloads|Resources|'
             r'AWSTemplateFormatVersion|essential|portMappings|memoryReservation)"\s*:|^(AWSTemplateFormatVersion|Resources)\s*:|"tool"\s*:\s*"k2ecs"')


def sniff(text: str) -> str | None:
    """"k8s" for ECS input (to be converted to Kubernetes), "ecs" for Kubernetes input, None when unclear.

    Decided on the text, before parsing, so that the file is parsed once, with the right loader.
    """
    if _KUBERNETES_TEXT.search(text):
        return "ecs"
    if re.search(_ECS_TEXT, text, re.MULTILINE):  # compiled (and cached by re) only for input that is not Kubernetes
        return "k8s"
    return None
