"""Every payload checked before it is written: ECS (botocore shapes, ECS rules), Kubernetes."""
