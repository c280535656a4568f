"""The neutral model -> Kubernetes Deployment, Service, HPA and ServiceAccount."""
