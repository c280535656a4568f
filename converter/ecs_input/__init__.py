"""ECS input (API payloads, describe outputs, CloudFormation, k2ecs's own output) -> the neutral model."""
