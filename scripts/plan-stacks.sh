#!/usr/bin/env bash
# Runs `terraform init` and `terraform plan` for every synthesized stack and writes, per stack, the binary plan
# (<stack>/tfplan), the readable plan (<stack>/plan.txt) and one summary line to plan-summary.md.
# Usage: scripts/plan-stacks.sh [CDKTF_OUT]   (default cdktf.out; run `npm run synth` first)
# Exit status: 0 when every stack planned, 1 when any failed (all stacks are still tried).
set -uo pipefail

out_dir=${1:-cdktf.out}
stacks_dir="$out_dir/stacks"
summary="$out_dir/plan-summary.md"
if [ ! -d "$stacks_dir" ]; then
  echo "plan-stacks: $stacks_dir does not exist; run npm run synth first" >&2
  exit 1
fi

tick='`'
status=0
printf '| Stack | Plan |\n| --- | --- |\n' > "$summary"
for stack in "$stacks_dir"/*/; do
  stack=${stack%/}
  name=$(basename "$stack")
  echo "::group::terraform plan $name"
  if terraform -chdir="$stack" init -input=false -no-color > "$stack/init.txt" 2>&1 \
    && terraform -chdir="$stack" plan -input=false -no-color -lock-timeout=120s -out=tfplan > "$stack/plan.txt" 2>&1; then
    line=$(grep -E '^(Plan:|No changes\.)' "$stack/plan.txt" | head -n 1)
    printf '| %s | %s |\n' "$tick$name$tick" "${line:-planned}" >> "$summary"
  else
    status=1
    printf '| %s | **failed**: see %s |\n' "$tick$name$tick" "$( [ -s "$stack/plan.txt" ] && echo plan.txt || echo init.txt )" >> "$summary"
    cat "$stack/init.txt" "$stack/plan.txt" 2>/dev/null | tail -n 40 >&2
  fi
  echo "::endgroup::"
done
cat "$summary"
exit "$status"
