"""Kubernetes manifests -> the neutral model: workloads, containers, probes, Services, HPAs."""
