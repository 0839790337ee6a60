#!/usr/bin/env bash
# prolog-envsetup.sh -- a Slurm Prolog (or the lines to add to yours): a quick `envsetup doctor`
# before a job's first step on each node; an error finding fails the prolog.
#
# What Slurm does with a failed prolog (slurm.conf(5), Prolog,
# https://slurm.schedmd.com/slurm.conf.html#OPT_Prolog): "If the prolog fails (returns a non-zero
# exit code), this will result in the node being set to a DRAIN state and the job being requeued
# in a held state, unless nohold_on_prolog_fail is configured in SchedulerParameters." The node's
# reason is then Slurm's own "Prolog error"; the finding id is in the slurmd log, which records a
# failed prolog's output ("error: prolog failed: rc:1 output:envsetup-healthcheck: n2: envsetup:
# <id> ..."), and in the report <node>.json. A prolog should end "in less time than
# MessageTimeout" (10 s by default), so doctor gets ENVSETUP_PROLOG_BUDGET seconds (default 5),
# and a missing verdict (doctor too slow, crashed, not installed) never fails the prolog: it
# would drain a healthy node and hold its job.
#
# slurm.conf:
#   Prolog=/usr/local/libexec/envsetup/prolog-envsetup.sh       # this file as the prolog, or
#   Prolog=/etc/slurm/prolog.d/*                                 # a glob: copy it in there
# Or paste the block below into an existing prolog. Slurm runs prologs as root with no search
# path (https://slurm.schedmd.com/prolog_epilog.html): the paths here are absolute.
# Settings (envsetup, the Python to check, the report folder) are envsetup-healthcheck.sh's:
# its settings file, /etc/default/envsetup-healthcheck.
set -euo pipefail

# --- block to paste into an existing prolog (set the path to where the health check is) -----
ENVSETUP_HEALTHCHECK="${ENVSETUP_HEALTHCHECK:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/envsetup-healthcheck.sh}"
if [ -x "$ENVSETUP_HEALTHCHECK" ]; then
  envsetup_rc=0
  "$ENVSETUP_HEALTHCHECK" --prolog || envsetup_rc=$?
  # 1: an error finding. 3 (envsetup or its settings missing) lets the job run, like no verdict.
  [ "$envsetup_rc" != 1 ] || exit 1
fi
# ----------------------------------------------------------------------------------------------
exit 0
