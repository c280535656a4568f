"""Views of the canonical report for CI: markdown (job summaries, PR comments), SARIF 2.1.0 (code
scanning) and JUnit XML (test tabs). Each module has ``render(report, *, fail_on) -> str``."""
