#!/bin/bash
# One measured run of the firmware in the Moddable simulator (host-sim/tools/moddable/README.md):
#
#   bash host-sim/tools/moddable/run.sh <export-dir> <seconds> [diagnosis | tap | update]
#
# <export-dir>: a fast-export.js export (or a plain `git archive` one: mcconfig then runs tsc per
# module). Starts the demo acquirer (npm run acquirer, the repository's working tree, 127.0.0.1
# 5683/5684), provisions /tmp/xspos-nvs (sale-provision.ts: TID 10240001, dev/demoSale 1234),
# builds manifest.json for lin/moddable_two and runs mcsim for <seconds> with
# /work/shared/tools/moddable-sim.sh, then prints the heap lines and clears /tmp/xspos-nvs.
# With "diagnosis": dev/demoDiagnosis too, and when the trace asks, the acquirer is told
# `disable 10240001` (the 83 sale, host-83 self-test and diagnosis pages of docs/memory.md).
# With "tap": the virtual PN532 listens on 127.0.0.1:$PN532_PORT with $CARD in its field
# (npm run pn532 -- --tcp), the provisioning fits the simulator's reader to it and asks for a
# contactless card sale (dev/demoTap, dev/pn532Port, the CA keys of capk/cards.json).
# With "update": the update server (update-serve.ts: a signed sim image of $UPDATE_BYTES bytes,
# newer than the build's firmwareVersion) on 127.0.0.1 (an ephemeral port); the provisioning
# names it (update/url) and asks for one update check once signed on (dev/demoUpdate): the seal,
# the download into sim/simUpdateSlots.ts's slot file, the read-back verify and the switch.
#
# SNTP: unless SNTP=off, sntp-serve.js answers on 127.0.0.1:123 and the provisioned profile names
# it (ntpServers), so the clock keeper sets the clock at boot as on a network with a time service
# (with SNTP=off the profile's servers stay the defaults, which the sandbox cannot resolve: the
# SDK's SNTP client then waits through the whole run).
# The PN532: "tap" and "update" fit the reader (the board as shipped); READER=on fits it in any
# mode (the virtual PN532 with $CARD in its field, dev/pn532Port), so the boot self-test runs the
# reader probes and the reader's objects count in every figure.
# Env: MODDABLE (default /work/moddable), SIM (default /work/shared/tools/moddable-sim.sh),
# AMOUNT (default 1234), PN532_PORT (default 4532), CARD (default
# host-sim/cards/samples/unionpay-contactless-dda.json), UPDATE_BYTES (default 131072). Output: <export-dir>/out/moddable/{build.log,trace.log,screen.png},
# <export-dir>/out/moddable/acquirer.log, <export-dir>/out/moddable/heap.txt.
set -u
export_dir=${1:?usage: run.sh <export-dir> <seconds> [diagnosis]}
secs=${2:?usage: run.sh <export-dir> <seconds> [diagnosis]}
mode=${3:-}
export_dir=$(cd "$export_dir" && pwd) || exit 2
repo=$(cd "$(dirname "$0")/../../.." && pwd)
export MODDABLE=${MODDABLE:-/work/moddable}
sim=${SIM:-/work/shared/tools/moddable-sim.sh}
amount=${AMOUNT:-1234}
tid=10240001
res=$export_dir/out/moddable
mkdir -p "$res"
fifo=$(mktemp -u /tmp/xspos-acq.XXXXXX)
acq=
watcher=
chip=
updater=
sntp=
pn532_port=${PN532_PORT:-4532}
card=${CARD:-host-sim/cards/samples/unionpay-contactless-dda.json}

cleanup() {
  [[ -n $watcher ]] && kill "$watcher" 2>/dev/null
  # the acquirer runs in its own process group (setsid): npm, sh and node under it
  [[ -n $acq ]] && kill -TERM -- "-$acq" 2>/dev/null
  [[ -n $chip ]] && kill -TERM -- "-$chip" 2>/dev/null
  [[ -n $updater ]] && kill -TERM -- "-$updater" 2>/dev/null
  [[ -n $sntp ]] && kill -TERM "$sntp" 2>/dev/null
  exec 9>&- 2>/dev/null
  rm -f "$fifo"
  rm -rf /tmp/xspos-nvs
}
trap cleanup EXIT

# wait_started <what> <log> <line> <pid>: up to 60 s for <line> in <log>; exits 1 when <pid> stops first or the line never comes.
wait_started() {
  local what=$1 log=$2 line=$3 pid=$4
  for _ in $(seq 1 120); do
    grep -q "$line" "$log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: $what stopped (see $log)"; exit 1; }
    sleep 0.5
  done
  grep -q "$line" "$log" || { echo "run.sh: $what did not start (see $log)"; exit 1; }
}

reader=${READER:-off}
[[ $mode == tap || $mode == update ]] && reader=on
ports=(5683 5684)
[[ $reader == on ]] && ports+=("$pn532_port")
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "run.sh: 127.0.0.1:$port is already taken (another acquirer?)"; exit 2; fi
done

# The acquirer reads commands (disable <TID>) from a fifo this script keeps open.
mkfifo "$fifo"
cd "$repo" || exit 2
setsid npm run acquirer -- host-sim/acquirer/demo-registry.json <"$fifo" >"$res/acquirer.log" 2>&1 &
acq=$!
exec 9>"$fifo"
wait_started "the acquirer" "$res/acquirer.log" "listening on 127.0.0.1:5684" "$acq"

provision=("$amount")
if [[ ${SNTP:-on} != off ]]; then
  node host-sim/tools/moddable/sntp-serve.js 123 >"$res/sntp.log" 2>&1 &
  sntp=$!
  wait_started "the SNTP server" "$res/sntp.log" "sntp server: listening on" "$sntp"
  provision+=(--ntp 127.0.0.1)
fi
[[ $mode == diagnosis ]] && provision+=(--diagnosis)
if [[ $reader == on ]]; then
  if [[ $mode == tap ]]; then provision+=(--tap "$pn532_port"); else provision+=(--reader "$pn532_port"); fi
  setsid npm run pn532 -- --tcp "$pn532_port" --card "$card" >"$res/pn532.log" 2>&1 &
  chip=$!
  wait_started "the virtual PN532" "$res/pn532.log" "127.0.0.1:$pn532_port" "$chip"
fi
if [[ $mode == update ]]; then
  setsid npx ts-node -P tsconfig.json --transpile-only host-sim/tools/moddable/update-serve.ts --bytes "${UPDATE_BYTES:-131072}" >"$res/update-server.log" 2>&1 &
  updater=$!
  wait_started "the update server" "$res/update-server.log" "update server: listening on" "$updater"
  url=$(sed -n 's/^update server: listening on \([^ ]*\) .*/\1/p' "$res/update-server.log" | head -1)
  [[ -n $url ]] || { echo "run.sh: no URL in $res/update-server.log"; exit 1; }
  provision+=(--update "$url")
fi
npx ts-node -P tsconfig.json --transpile-only host-sim/tools/moddable/sale-provision.ts "${provision[@]}" || exit 1

if [[ $mode == diagnosis ]]; then
  # types the disable when the trace asks for it (demoSale.ts)
  rm -f "$res/trace.log"
  ( for _ in $(seq 1 $((secs * 4 + 2400))); do
      if grep -q "disable the TID now" "$res/trace.log" 2>/dev/null; then echo "disable $tid" >&9; echo "run.sh: acquirer told: disable $tid"; break; fi
      sleep 0.25
    done ) &
  watcher=$!
fi

cd "$export_dir" || exit 2
started=$(date +%s)
bash "$sim" "$secs"
status=$?
echo "run.sh: build and run took $(( $(date +%s) - started )) s (status $status)"

grep -E "^memory|memory:|heap |demo (sale|diagnosis|activation|tap|update)|XS abort|selftest|→" "$res/trace.log" > "$res/heap.txt"
grep -E "memory|demo sale|demo diagnosis|demo tap|demo update|XS abort" "$res/trace.log"
if [[ -n $updater ]]; then
  kill -TERM -- "-$updater" 2>/dev/null
  sleep 1
  updater=
  grep -E "^update server: /" "$res/update-server.log"
fi
echo "run.sh: heap lines in $res/heap.txt; trace in $res/trace.log; acquirer log in $res/acquirer.log"
exit $status
