# What one bridge call executes: a gdb script that single-steps one call
# and counts its instructions and the distinct code lines (64 bytes) and
# pages (4 KiB) they are in, per shared object and per function. Inside a
# loaded Nakama a call runs with cold caches and TLBs, so lines and pages
# touched are what it costs (this VM has no hardware counters to ask).
# Needs gdb (Debian: apt-get install gdb).
#
#   cd bridge/go && rm -f /tmp/bridge.test && go test -c -o /tmp/bridge.test .
#   BRIDGE_BENCH_MODULES=<dir with golden_module.rsmod> \
#   TRACE_START=nb_call gdb -q -batch -x ../../bench/calltrace.py \
#     --args /tmp/bridge.test -test.run X -test.bench 'EchoCall$' -test.benchtime 2000x
#
# TRACE_START: the function whose call is traced, from entry to return
# (nb_call: the Rust half; 'github.com/nakama-rs/bridge.rpcByID.(*bridge).rpc.func2':
# the whole call from the Go closure Nakama calls); TRACE_SKIP calls are
# let through first (warm-up, 500); the report goes to TRACE_OUT
# (/tmp/calltrace.txt). Remove the test binary before `go test -c`: Go
# keeps an existing one when only the static library changed.
import collections
import os

import gdb

START = os.environ.get("TRACE_START", "nb_call")
SKIP = int(os.environ.get("TRACE_SKIP", "500"))
OUT = os.environ.get("TRACE_OUT", "/tmp/calltrace.txt")

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("handle SIGURG nostop noprint pass")  # Go's preemption signal
gdb.Breakpoint("*'%s'" % START).ignore_count = SKIP
gdb.execute("run")
# Only this thread runs while stepping: otherwise Go's sysmon sees a
# goroutine running for seconds and preempts it in the middle.
gdb.execute("set scheduler-locking on")
sp = int(gdb.parse_and_eval("$rsp"))
ret = int.from_bytes(gdb.selected_inferior().read_memory(sp, 8).tobytes(), "little")

names = {}


def function(pc):
    if pc not in names:
        try:
            text = gdb.execute("info symbol %d" % pc, to_string=True)
            names[pc] = text.split(" in section")[0].rsplit(" + ", 1)[0]
        except gdb.error:
            names[pc] = "?"
    return names[pc]


pcs = []
while len(pcs) < 50000:
    pc = int(gdb.parse_and_eval("$pc"))
    if pc == ret and int(gdb.parse_and_eval("$rsp")) > sp:
        break
    pcs.append(pc)
    # The vDSO's clock retries while it is stepped: run it whole.
    if function(pc) in ("clock_gettime", "__vdso_clock_gettime"):
        gdb.execute("finish", to_string=True)
    else:
        gdb.execute("stepi", to_string=True)

objects = collections.defaultdict(list)
functions = collections.defaultdict(list)
for pc in pcs:
    obj = os.path.basename(gdb.solib_name(pc) or "executable")
    objects[obj].append(pc)
    functions[(obj, function(pc))].append(pc)


def row(pcs):
    return "%6d %5d %4d" % (len(pcs), len({p >> 6 for p in pcs}), len({p >> 12 for p in pcs}))


with open(OUT, "w") as out:
    out.write("instrs lines pages\n%s  all\n" % row(pcs))
    for obj, p in sorted(objects.items(), key=lambda kv: -len(kv[1])):
        out.write("%s  %s\n" % (row(p), obj))
    out.write("\n")
    for (obj, fn), p in sorted(functions.items(), key=lambda kv: -len(kv[1])):
        out.write("%s  %s: %s\n" % (row(p), obj, fn))
    # The call's path in order: one line per run of instructions in one
    # function (how often each function is entered, and from where).
    out.write("\nin order (instructions, object: function):\n")
    run = []
    for pc in pcs + [None]:
        if run and (pc is None or function(pc) != function(run[0])):
            obj = os.path.basename(gdb.solib_name(run[0]) or "executable")
            out.write("%6d  %s: %s\n" % (len(run), obj, function(run[0])))
            run = []
        if pc is not None:
            run.append(pc)
print("call trace written to", OUT)
gdb.execute("kill")
