"""Validated ECS payloads -> CloudFormation and Terraform (k2ecs convert --format)."""
