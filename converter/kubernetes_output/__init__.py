"""The neutral model -> Kubernetes objects (Deployment, Service, HorizontalPodAutoscaler, ServiceAccount)."""
