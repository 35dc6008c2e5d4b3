#!/usr/bin/env bash
# A single-node Slurm (slurmctld + slurmd on this host, munge for authentication) for tests,
# as root, with every state, spool, log and key file under DIR. Needs Debian's slurm-wlm and
# munge. Usage:
#   scripts/slurm-single-node.sh start DIR   # writes DIR/slurm.conf, starts the daemons, waits
#                                            # until the node is idle; then: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-single-node.sh stop DIR    # stops the daemons it started
set -euo pipefail
cmd=${1:?start or stop}
dir=$(realpath -m "${2:?state folder}")
conf=$dir/slurm.conf

stop() {
  for p in slurmd slurmctld munged; do
    f=$dir/$p.pid
    if [ -f "$f" ]; then
      pid=$(cat "$f")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$f"
    fi
  done
}

case $cmd in
start)
  command -v slurmctld >/dev/null || { echo "slurmctld not found: apt-get install slurm-wlm munge" >&2; exit 2; }
  mkdir -p "$dir"/{state,spool,log,munge}
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
  key=$dir/munge/munge.key
  [ -f "$key" ] || { head -c 1024 /dev/urandom > "$key"; chmod 400 "$key"; }
  socket=$dir/munge/munge.socket
  munged --force --key-file="$key" --socket="$socket" --pid-file="$dir/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed"
  cat > "$conf" <<CONF
# Written by scripts/slurm-single-node.sh: one node, every file under $dir.
ClusterName=dwmtj-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MaxArraySize=100001
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$conf
  slurmctld -f "$conf"
  slurmd -f "$conf"
  for _ in $(seq 150); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    case $state in
      idle*) echo "slurm up on $host ($cpus CPUs): export SLURM_CONF=$conf"; exit 0 ;;
      down*|drain*) scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
    sleep 0.2
  done
  echo "slurm did not come up; logs in $dir/log" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  stop
  exit 1
  ;;
stop) stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
