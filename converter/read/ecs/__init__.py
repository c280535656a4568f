"""ECS payloads, describe output, CloudFormation and k2ecs's own output -> the neutral model."""
