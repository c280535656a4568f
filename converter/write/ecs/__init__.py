"""The neutral model -> ECS API payloads: task definition, service, Application Auto Scaling."""
