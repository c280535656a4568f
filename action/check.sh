#!/usr/bin/env bash
# The k2ecs step of action.yml: convert --check with the action's inputs (passed as environment variables,
# never spliced into the script, so an input cannot inject shell). Records exit-code and sarif-file as step
# outputs, and exits with k2ecs's status.
set -u
read -r -a manifests <<< "${K2ECS_MANIFESTS:-k8s/}"
args=(convert "${manifests[@]}" -o "${K2ECS_OUTPUT:-ecs/}" --check --fail-on "${K2ECS_FAIL_ON:-warning}"
      --report sarif --report-file "${K2ECS_SARIF_FILE:-k2ecs.sarif}")
if [ -n "${K2ECS_CONFIG:-}" ]; then args+=(--config "$K2ECS_CONFIG"); fi
if [ -n "${K2ECS_BASELINE:-}" ]; then args+=(--baseline "$K2ECS_BASELINE"); fi
status=0
k2ecs "${args[@]}" || status=$?
sarif="$PWD/${K2ECS_SARIF_FILE:-k2ecs.sarif}"
{
  echo "exit-code=$status"
  if [ -f "$sarif" ]; then echo "sarif-file=$sarif"; fi
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$status"
