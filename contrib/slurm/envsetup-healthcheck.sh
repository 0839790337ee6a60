#!/usr/bin/env bash
# envsetup-healthcheck.sh -- a Slurm HealthCheckProgram: run `envsetup doctor` on this node and
# drain the node when the report has an error finding.
#
# slurm.conf (the same file on every node; docs/fleet.md has the whole recipe):
#   HealthCheckProgram=/usr/local/libexec/envsetup/envsetup-healthcheck.sh
#   HealthCheckInterval=600
#
# How slurmd runs it (slurm.conf(5), HealthCheckProgram and HealthCheckInterval,
# https://slurm.schedmd.com/slurm.conf.html#OPT_HealthCheckProgram): as root, on every node that
# is not NOT_RESPONDING, all nodes at the same time, also once when slurmd starts; it is killed
# when it runs past 60 seconds; slurmd takes no action of its own ("Any action to be taken must be
# explicitly performed by the program"), so this script drains and resumes the node itself.
# Slurm 22.05's slurmd gives it one environment variable, SLURMD_NODENAME: no PATH, no SLURM_CONF
# (seen in tests/fleet/test_slurm_integration.py's cluster). Settings therefore come from a file.
#
# What it does, each run:
#   1. runs `envsetup doctor --json --budget ENVSETUP_BUDGET --out ENVSETUP_REPORT_DIR/{host}.json`:
#      doctor finishes with what it knows within the budget and writes its report atomically
#      (temp file in the same folder, then rename) to <node>.json; with ENVSETUP_REPORT_DIR on a
#      shared file system, `envsetup fleet report DIR --max-age 30m` merges them (a node that went
#      down keeps its last report: --max-age makes one older than 30 min stale, not healthy;
#      docs/fleet.md, "Old reports"). A doctor that still runs
#      ENVSETUP_TIMEOUT seconds after it started is killed (no verdict).
#   2. doctor exit 1 (an error finding): drains the node with Reason="envsetup: <first error
#      finding id>". A node that is already drained, down or failed for another reason (an admin's,
#      Slurm's) keeps its state and reason: this script never overwrites them.
#   3. doctor exit 0: resumes the node only if this script drained it (its Reason starts with
#      "envsetup:"); a node an admin drained stays drained.
#   Anything else (doctor timed out, crashed, refused its arguments, wrote no report): no verdict,
#   the node is left as it is.
#
# Exit status (slurmd only logs it; it is for people and wrappers):
#   0  healthy: no error finding (a node this script had drained was resumed)
#   1  an error finding: the node is drained (or was left drained/down by someone else)
#   2  no verdict: doctor did not finish or wrote no readable report; the node is untouched
#   3  bad setup: the settings file, envsetup, python3 or scontrol is missing, the report folder
#      cannot be written, or an unknown argument
#
# Arguments:
#   (none)       the health check, as slurmd runs it
#   --no-drain   report and exit status only; never calls scontrol (cron, a first trial run)
#   --prolog     for prolog-envsetup.sh: --budget ENVSETUP_PROLOG_BUDGET, no scontrol, exit 1 only
#                on an error finding (a missing verdict never blocks a job); prints one line
#
# Settings: shell variables, read from the settings file ENVSETUP_HEALTHCHECK_CONF (default
# /etc/default/envsetup-healthcheck, skipped when absent; a file named explicitly must exist).
# The file is sourced by bash as root: keep it root-owned, mode 0644. A value set in the
# environment is used when the file does not set it.
#   ENVSETUP               the envsetup executable              (default: envsetup on PATH)
#   ENVSETUP_PYTHON        the interpreter whose torch to check, passed as doctor --python
#                          (default: none -- as root under slurmd no environment is active, so set
#                          it to the cluster's shared environment, e.g. /shared/envs/torch/bin/python)
#   ENVSETUP_REPORT_DIR    where <node>.json goes          (default /var/lib/envsetup/health)
#   ENVSETUP_BUDGET        doctor --budget: seconds to finish in with what is known (default 45)
#   ENVSETUP_TIMEOUT       seconds after which doctor is killed (default 55; slurmd kills this
#                          script at 60 s)
#   ENVSETUP_PROLOG_BUDGET doctor --budget under --prolog (default 5, killed 3 s later: a prolog
#                          should end within MessageTimeout, 10 s by default -- slurm.conf(5), Prolog)
#   ENVSETUP_PROMETHEUS    also write a node_exporter textfile there (doctor --prometheus; {host}
#                          is the node name), e.g. /var/lib/node_exporter/textfile/envsetup.prom
#   ENVSETUP_JSON_PYTHON   a python3 to read the report with  (default: python3 on PATH)
#   PATH                   reset here to the system directories below; extend it in the file
#   SLURM_CONF             set it in the file when slurm.conf is not where scontrol looks
set -euo pipefail

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

readonly REASON_PREFIX="envsetup:"
readonly ME="envsetup-healthcheck"

say() { printf '%s: %s\n' "$ME" "$*"; }
fail_setup() { say "$*" >&2; exit 3; }

mode=healthcheck
case "${1:-}" in
  "") ;;
  --no-drain) mode=report ;;
  --prolog) mode=prolog ;;
  *) fail_setup "unknown argument '$1': run it with no argument, --no-drain or --prolog" ;;
esac

conf="${ENVSETUP_HEALTHCHECK_CONF:-}"
if [ -n "$conf" ]; then
  [ -r "$conf" ] || fail_setup "settings file $conf (ENVSETUP_HEALTHCHECK_CONF) cannot be read: create it or unset ENVSETUP_HEALTHCHECK_CONF"
  # shellcheck source=/dev/null
  . "$conf"
elif [ -r /etc/default/envsetup-healthcheck ]; then
  # shellcheck source=/dev/null
  . /etc/default/envsetup-healthcheck
fi

ENVSETUP="${ENVSETUP:-envsetup}"
ENVSETUP_PYTHON="${ENVSETUP_PYTHON:-}"
ENVSETUP_REPORT_DIR="${ENVSETUP_REPORT_DIR:-/var/lib/envsetup/health}"
ENVSETUP_BUDGET="${ENVSETUP_BUDGET:-45}"
ENVSETUP_TIMEOUT="${ENVSETUP_TIMEOUT:-55}"
ENVSETUP_PROLOG_BUDGET="${ENVSETUP_PROLOG_BUDGET:-5}"
ENVSETUP_PROMETHEUS="${ENVSETUP_PROMETHEUS:-}"
ENVSETUP_JSON_PYTHON="${ENVSETUP_JSON_PYTHON:-python3}"
[ -z "${SLURM_CONF:-}" ] || export SLURM_CONF

seconds_ok() { [[ "$1" =~ ^[1-9][0-9]{0,3}$ ]]; }
seconds_ok "$ENVSETUP_BUDGET" || fail_setup "ENVSETUP_BUDGET=$ENVSETUP_BUDGET is not a whole number of seconds (1-9999): fix the settings file"
seconds_ok "$ENVSETUP_TIMEOUT" || fail_setup "ENVSETUP_TIMEOUT=$ENVSETUP_TIMEOUT is not a whole number of seconds (1-9999): fix the settings file"
seconds_ok "$ENVSETUP_PROLOG_BUDGET" || fail_setup "ENVSETUP_PROLOG_BUDGET=$ENVSETUP_PROLOG_BUDGET is not a whole number of seconds (1-9999): fix the settings file"
command -v "$ENVSETUP" >/dev/null || fail_setup "envsetup ($ENVSETUP) not found: set ENVSETUP to its full path in the settings file"
command -v "$ENVSETUP_JSON_PYTHON" >/dev/null || fail_setup "$ENVSETUP_JSON_PYTHON not found (it reads the report): set ENVSETUP_JSON_PYTHON in the settings file"
if [ "$mode" = healthcheck ]; then
  { command -v scontrol && command -v sinfo; } >/dev/null \
    || fail_setup "scontrol/sinfo not found on PATH ($PATH): extend PATH in the settings file"
fi

node="${SLURMD_NODENAME:-$(hostname -s)}"
[[ "$node" =~ ^[A-Za-z0-9._-]+$ ]] || fail_setup "node name '$node' has characters a file name should not: set SLURMD_NODENAME"

{ mkdir -p "$ENVSETUP_REPORT_DIR" && [ -w "$ENVSETUP_REPORT_DIR" ]; } 2>/dev/null \
  || fail_setup "report folder $ENVSETUP_REPORT_DIR cannot be written: create it or set ENVSETUP_REPORT_DIR"
report="$ENVSETUP_REPORT_DIR/$node.json"

budget=$ENVSETUP_BUDGET
limit=$ENVSETUP_TIMEOUT
if [ "$mode" = prolog ]; then
  budget=$ENVSETUP_PROLOG_BUDGET
  limit=$((ENVSETUP_PROLOG_BUDGET + 3))
fi

# doctor writes the report file itself (--out: renamed into place only when complete, so a
# reader never sees half a file); the verdict is read from what it prints, the same document,
# so a report left by an earlier run is never mistaken for this run's.
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.err"' EXIT
doctor=("$ENVSETUP" doctor --json --budget "$budget" --out "$ENVSETUP_REPORT_DIR/{host}.json")
[ -z "$ENVSETUP_PYTHON" ] || doctor+=(--python "$ENVSETUP_PYTHON")
[ -z "$ENVSETUP_PROMETHEUS" ] || doctor+=(--prometheus "$ENVSETUP_PROMETHEUS")
set +e
SLURMD_NODENAME="$node" timeout --kill-after=2 "$limit" "${doctor[@]}" >"$tmp" 2>"$tmp.err"
rc=$?
set -e
errline=$(tail -n 1 "$tmp.err" 2>/dev/null || true)
rm -f "$tmp.err"

# The first error finding's id, from the report, never from text a shell would evaluate:
# json in python, then a whitelist of the characters finding ids use.
first_error_id() {
  "$ENVSETUP_JSON_PYTHON" -c '
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    findings = doc.get("findings") or []
except (OSError, ValueError, AttributeError):
    sys.exit(2)
for finding in findings:
    if isinstance(finding, dict) and finding.get("severity") == "error":
        print(str(finding.get("id", "")))
        break
' "$1"
}

verdict=none
case "$rc" in
  0 | 1)
    if id=$(first_error_id "$tmp"); then
      if [ "$rc" = 0 ]; then
        verdict=healthy
      else
        verdict=error
        # Slurm stores the reason as given; the whitelist keeps quotes, `;` and newlines out of
        # the scontrol argument and the length within what sinfo shows.
        [[ "$id" =~ ^[a-z0-9][a-z0-9-]{0,63}$ ]] || id=error
      fi
    fi
    ;;
esac

if [ "$verdict" = none ]; then
  case "$rc" in
    124 | 137) why="doctor ran past ${limit} s and was stopped" ;;
    0 | 1) why="doctor's report is not readable JSON" ;;
    *) why="doctor exited $rc${errline:+: $errline}" ;;
  esac
  if [ "$mode" = prolog ]; then
    say "$node: no verdict ($why); the job runs" >&2
    exit 0
  fi
  say "$node: no verdict ($why); node left as it is" >&2
  exit 2
fi

if [ "$mode" = prolog ]; then
  if [ "$verdict" = error ]; then
    # slurmd logs a failed prolog's output: "error: prolog failed: rc:1 output:<this line>".
    say "$node: $REASON_PREFIX $id (report $report)"
    exit 1
  fi
  exit 0
fi

if [ "$mode" = report ]; then
  if [ "$verdict" = error ]; then
    say "$node: error finding $id (report $report)"
    exit 1
  fi
  say "$node: healthy (report $report)"
  exit 0
fi

# The node's state and reason as the controller has them: "drained|envsetup: x", "idle|none".
# sinfo prints one line per partition the node is in; they agree on both fields.
line=$(sinfo --noheader --Node --nodes="$node" --format='%T|%E' 2>/dev/null | head -n 1) || true
state="${line%%|*}"
current_reason="${line#*|}"
[ -n "$line" ] || { say "$node: the controller does not know this node (sinfo printed nothing); no verdict" >&2; exit 2; }
ours=0
[[ "$current_reason" == "$REASON_PREFIX"* ]] && ours=1

if [ "$verdict" = error ]; then
  reason="$REASON_PREFIX $id"
  if [ "$ours" = 0 ] && [[ "$state" =~ ^(drain|down|fail|maint) || ("$current_reason" != none && -n "$current_reason") ]]; then
    say "$node: error finding $id; node is $state ($current_reason), set by someone else: left as it is"
    exit 1
  fi
  if [ "$current_reason" = "$reason" ] && [[ "$state" == drain* ]]; then
    say "$node: error finding $id; already drained for it"
    exit 1
  fi
  scontrol update nodename="$node" state=drain reason="$reason" \
    || { say "$node: error finding $id, but scontrol could not drain the node" >&2; exit 1; }
  say "$node: drained: $reason (report $report)"
  exit 1
fi

if [ "$ours" = 1 ] && [[ "$state" == drain* ]]; then
  scontrol update nodename="$node" state=resume \
    || { say "$node: healthy, but scontrol could not resume the node" >&2; exit 0; }
  say "$node: healthy; resumed (was: $current_reason)"
  exit 0
fi
say "$node: healthy (report $report)"
exit 0
