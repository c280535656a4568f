"""CloudFormation and Terraform renderings of a conversion (``k2ecs convert --format``).

The ECS API payloads stay the one model: ``links`` marks the values that become parameters or references,
``mapping`` names every API member on the CloudFormation and Terraform side, and the Jinja2 templates in
templates/ lay the files out. Nothing here is imported unless a format other than ecs-json is asked for.
"""
