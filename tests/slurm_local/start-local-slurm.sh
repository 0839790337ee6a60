#!/usr/bin/env bash
# start-local-slurm.sh -- bring up a private, throw-away Slurm cluster on this one host.
#
# Tested on Debian 12 (bookworm) in a container, as root, no systemd,
# Debian packages slurm 22.05.8 + munge 0.5.15.
#
# Usage:
#   eval "$(start-local-slurm.sh)"          # stdout = only `export VAR=...` lines
#   srun -N2 hostname ; sbatch --wait job.sh ; ...
#   stop-local-slurm.sh                     # uses SLURM_LOCAL_DIR (or the default)
#
# Knobs (environment variables, all optional):
#   SLURM_LOCAL_DIR     everything lives here          (default /tmp/slurmtest/cluster)
#   SLURM_LOCAL_NODES   number of slurmd "nodes"       (default 1)  -> names n1..nN
#   SLURM_LOCAL_CPUS    CPUs advertised per node       (default 4; may exceed real cores)
#   SLURM_LOCAL_MEM_MB  RealMemory per node in MB      (default 2048; not enforced)
#   SLURM_LOCAL_PORT    slurmctld port; slurmd ports are PORT+1..PORT+N (default 6817)
#   SLURM_LOCAL_PREFIX  node-name prefix               (default n)
#   SLURM_LOCAL_INSTALL 1 = apt-get install the packages if missing (default 1)
#   SLURM_LOCAL_SMOKE   1 = run `srun -N<nodes> true` before returning (default 1)
#   SLURM_LOCAL_PROCTRACK  pgid (default) or linuxproc -- see NOTES.md
#   SLURM_LOCAL_EXTRA_CONF lines appended to slurm.conf before the node lines
#                          (envsetup's copy only, e.g. HealthCheckProgram=...)
#
# Multi-node on one host works because Debian builds slurmd with
# --enable-multiple-slurmd (`scontrol show config` says MULTIPLE_SLURMD = Yes):
# every node is a separate `slurmd -N nK` process listening on its own port,
# all with NodeAddr=127.0.0.1.
set -euo pipefail

DIR=${SLURM_LOCAL_DIR:-/tmp/slurmtest/cluster}
NODES=${SLURM_LOCAL_NODES:-1}
CPUS=${SLURM_LOCAL_CPUS:-4}
MEM=${SLURM_LOCAL_MEM_MB:-2048}
PORT=${SLURM_LOCAL_PORT:-6817}
PREFIX=${SLURM_LOCAL_PREFIX:-n}
INSTALL=${SLURM_LOCAL_INSTALL:-1}
SMOKE=${SLURM_LOCAL_SMOKE:-1}
PROCTRACK=${SLURM_LOCAL_PROCTRACK:-pgid}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[start-local-slurm] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (SlurmUser=root, munged and slurmd as root)"
case "$DIR" in /*/*) ;; *) die "SLURM_LOCAL_DIR must be an absolute path below a top-level dir";; esac
case "$NODES" in ''|*[!0-9]*|0) die "SLURM_LOCAL_NODES must be a positive integer";; esac

# ---------------------------------------------------------------- 1. packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v srun >/dev/null || ! command -v munged >/dev/null; then
  [ "$INSTALL" = 1 ] || die "slurm/munge not installed (set SLURM_LOCAL_INSTALL=1)"
  log "installing slurmctld slurmd slurm-client munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  # --no-install-recommends: 8 packages instead of ~43 (no hdf5/rrd/ipmi plugins)
  apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge >&2
fi

# ---------------------------------------------------------------- 2. layout
p=$(cat "$DIR/run/slurmctld.pid" 2>/dev/null || true)
if [ -n "$p" ] && kill -0 "$p" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$p/stat")" != Z ]; then
  die "a cluster already runs from $DIR (stop it with stop-local-slurm.sh)"
fi
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for ((p = PORT; p <= PORT + NODES; p++)); do
  port_busy "$p" && die "port $p on 127.0.0.1 is already in use (set SLURM_LOCAL_PORT)"
done

rm -rf "$DIR"
mkdir -p "$DIR"/{etc,state,log,run,munge-key,munge-run}
chmod 700 "$DIR/munge-key"      # munged insists the key is private
chmod 755 "$DIR/munge-run"      # socket dir must be traversable by everyone
for ((i = 1; i <= NODES; i++)); do mkdir -p "$DIR/spool/$PREFIX$i"; done

# If anything below fails, tear down what we started.
trap 'rc=$?; if [ $rc -ne 0 ]; then log "start failed (rc=$rc), cleaning up"; SLURM_LOCAL_KEEP=1 SLURM_LOCAL_DIR="$DIR" "$HERE/stop-local-slurm.sh" >&2 || true; log "logs kept in $DIR/log"; fi' EXIT

# ---------------------------------------------------------------- 3. munge
SOCK=$DIR/munge-run/munge.socket.2
if command -v mungekey >/dev/null; then
  mungekey --create --keyfile="$DIR/munge-key/munge.key" --bits=1024 >&2
else  # munge < 0.5.14 has no mungekey
  dd if=/dev/urandom of="$DIR/munge-key/munge.key" bs=1 count=1024 2>/dev/null
  chmod 600 "$DIR/munge-key/munge.key"
fi
# As root munged starts fine without --force as long as the socket dir is 755;
# --force only turns its path-permission checks into warnings (belt and braces).
munged --force \
  --socket="$SOCK" \
  --key-file="$DIR/munge-key/munge.key" \
  --pid-file="$DIR/run/munged.pid" \
  --log-file="$DIR/log/munged.log" \
  --seed-file="$DIR/munge-key/munged.seed" >&2 || die "munged failed, see $DIR/log/munged.log"
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
munge --socket="$SOCK" -n | unmunge --socket="$SOCK" >/dev/null \
  || die "munge round-trip failed, see $DIR/log/munged.log"

# ---------------------------------------------------------------- 4. slurm.conf
CONF=$DIR/etc/slurm.conf
{
  cat <<EOF
# generated by start-local-slurm.sh
ClusterName=localtest
SlurmctldHost=localhost
SlurmctldPort=$PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
# no cgroups anywhere: process-group (or /proc tree) tracking, no task binding
ProctrackType=proctrack/$PROCTRACK
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# default batch_sched_delay=3 holds sbatch jobs ~2 s before they start
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
# trust CPUs=/RealMemory= below instead of the (2-core) hardware; never drain for it
SlurmdParameters=config_overrides
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
OverTimeLimit=0
MinJobAge=30
EOF
  [ -z "${SLURM_LOCAL_EXTRA_CONF:-}" ] || printf '%s\n' "$SLURM_LOCAL_EXTRA_CONF"
  for ((i = 1; i <= NODES; i++)); do
    echo "NodeName=$PREFIX$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((PORT + i)) CPUs=$CPUS RealMemory=$MEM State=UNKNOWN"
  done
  echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
} > "$CONF"
export SLURM_CONF=$CONF

# ---------------------------------------------------------------- 5. daemons
# slurmctld/slurmd daemonise themselves and write the pid files named above.
slurmctld -c -i -f "$CONF" >&2 || die "slurmctld failed, see $DIR/log/slurmctld.log"
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
scontrol ping 2>/dev/null | grep -q UP || die "slurmctld not up, see $DIR/log/slurmctld.log"

for ((i = 1; i <= NODES; i++)); do
  slurmd -N "$PREFIX$i" -f "$CONF" >&2 || die "slurmd -N $PREFIX$i failed, see $DIR/log/slurmd-$PREFIX$i.log"
done
want=$NODES
for _ in $(seq 150); do
  idle=$(sinfo -h -N -t idle -o '%N' 2>/dev/null | sort -u | grep -c . || true)
  [ "$idle" -ge "$want" ] && break
  sleep 0.2
done
[ "$idle" -ge "$want" ] || { sinfo -N >&2 || true; die "only $idle/$want nodes idle, see $DIR/log/slurmd-*.log"; }

if [ "$SMOKE" = 1 ]; then
  srun -N"$NODES" --ntasks-per-node=1 true || die "smoke srun failed"
fi

# ---------------------------------------------------------------- 6. client env
cat > "$DIR/env.sh" <<EOF
export SLURM_CONF=$CONF
export SLURM_LOCAL_DIR=$DIR
export SLURM_LOCAL_NODES=$NODES
EOF
log "cluster up: $NODES node(s) ${PREFIX}1..${PREFIX}$NODES x $CPUS CPUs, logs in $DIR/log"
trap - EXIT
cat "$DIR/env.sh"
