"""What a run says: the canonical report and its views, accepted findings, docs/MAPPING.md."""
