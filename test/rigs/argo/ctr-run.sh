#!/usr/bin/env bash
# The pod player's container runtime: runs one container's command as a local process with the pod's volumes at
# their mount paths, in a private mount namespace and a PID namespace of its own (the player starts it as `unshare
# --mount --uts --pid --propagation private --fork bash ctr-run.sh ...`; needs root). The PID namespace is not optional:
# the container's first process is PID 1 there, as in a real container, and Argo's emissary, once its step has ended,
# forwards a signal to pid -1 (Go's os.Process.Release sets Pid to -1): kill(-1) reaches only the container's
# processes here, where without the namespace it reached every process of this machine. The "image" is this machine's root file system as a copy-on-write
# overlay whose upper layer is a tmpfs of this namespace: the container sees /usr, /etc, /root (the rig venv and
# build caches), ... and may write anywhere, but nothing it writes outside its volumes reaches the machine, and the
# mount points of its volumes exist only in the overlay. It gets its own /tmp and /run (so /var/run/argo is the
# pod's volume, never the host's) and chroot()s there.
#   ctr-run.sh ROOT TMP WORKDIR [--bind SRC DST]... -- CMD [ARG]...
# ROOT: an empty folder (stays empty outside the namespace); TMP: a folder for the container's /tmp and /run;
# SRC: a folder or file on this machine, DST: an absolute path in the container.
set -euo pipefail
root=$1 tmp=$2 workdir=$3; shift 3
mount --make-rprivate /
[ -z "${HOSTNAME:-}" ] || hostname "$HOSTNAME"   # own UTS namespace (unshare --uts): the pod's name
mkdir -p "$root" "$tmp/tmp" "$tmp/run" "$tmp/layer"
mount -t tmpfs -o mode=755 kfvs-ctr-layer "$tmp/layer"
mkdir -p "$tmp/layer/upper" "$tmp/layer/work"
mount -t overlay kfvs-ctr-root -o "lowerdir=/,upperdir=$tmp/layer/upper,workdir=$tmp/layer/work" "$root"
mount -t proc kfvs-ctr-proc "$root/proc"   # this PID namespace's processes only
for n in dev sys; do mount --rbind "/$n" "$root/$n"; done
mount --bind "$tmp/tmp" "$root/tmp"
mount --bind "$tmp/run" "$root/run"
while [ "${1:-}" = --bind ]; do
  src=$2; shift 2
  dst=$(chroot "$root" /usr/bin/realpath -m -- "$1"); shift   # e.g. /var/run/argo -> /run/argo (the container's /run)
  if [ -d "$src" ]; then mkdir -p "$root$dst"; else mkdir -p "$(dirname "$root$dst")"; touch "$root$dst"; fi
  mount --bind "$src" "$root$dst"
done
[ "${1:-}" = -- ] || { echo "ctr-run.sh: expected -- before the command" >&2; exit 2; }
shift
mkdir -p "$root$workdir"
exec chroot "$root" /usr/bin/env -C "$workdir" -- "$@"
