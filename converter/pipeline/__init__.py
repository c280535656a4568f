"""The conversions end to end: intake, linking, batches (Kubernetes -> ECS) and reverse."""
