"""k2ecs: convert container workloads between Kubernetes and Amazon ECS, naming every loss."""

__version__ = "0.1.0"
