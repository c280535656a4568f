"""`k2ecs plan` / `k2ecs apply`: compare converted payloads with what exists in AWS, then change it with consent.

The only part of k2ecs that talks to AWS, and the only one that imports boto3 (inside ``session.connect``).
Layout, in the order a run goes through it:

- ``session``: clients from boto3's standard chain (AWS_ENDPOINT_URL honoured), credential redaction.
- ``preflight``: placeholders and missing network settings, refused before any call that changes anything.
- ``state``: what exists (cluster, latest ACTIVE task definition revisions, services, scaling).
- ``normalise`` and ``diff``: content comparison, pure.
- ``plan``: the per-resource plan (create / update with a field-level diff / no change / delete), pure.
- ``render``: the plan and the apply report as text, pure.
- ``executor``: runs a plan's changes in order and stops at the first failure with a partial report.
- ``wait``: polls services until they reach a steady state.
- ``pipeline``: ties the above together for the two commands.
"""
