"""What every stage shares: the Reader that tracks consumption, the neutral model, findings, codes."""
