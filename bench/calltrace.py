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
# TRACE_DATA=1 also counts the data pages the call reads and writes (each
# instruction's memory operands, decoded with capstone: Debian's
# python3-capstone, for gdb's Python), with the mapping each page is in.
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
DATA = os.environ.get("TRACE_DATA") == "1"
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


if DATA:
    import capstone
    from capstone import x86

    decoder = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    decoder.detail = True
    STACK_OPS = {x86.X86_INS_PUSH, x86.X86_INS_POP, x86.X86_INS_CALL, x86.X86_INS_RET}


def register(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def data_addresses(pc):
    """The addresses the instruction at pc reads or writes."""
    code = gdb.selected_inferior().read_memory(pc, 16).tobytes()
    insn = next(decoder.disasm(code, pc, 1), None)
    if insn is None or insn.id in (x86.X86_INS_LEA, x86.X86_INS_NOP):
        return []
    found = []
    for op in insn.operands:
        if op.type != x86.X86_OP_MEM:
            continue
        m, addr = op.mem, op.mem.disp
        if m.base:
            base = insn.reg_name(m.base)
            addr += pc + insn.size if base == "rip" else register(base)
        if m.index:
            addr += register(insn.reg_name(m.index)) * m.scale
        if m.segment and insn.reg_name(m.segment) == "fs":
            addr += register("fs_base")
        found.append(addr & 0xFFFFFFFFFFFFFFFF)
    if insn.id in STACK_OPS:
        found.append(register("rsp"))
    return found


pcs = []
data = []  # (address, pc)
while len(pcs) < 50000:
    pc = int(gdb.parse_and_eval("$pc"))
    if pc == ret and int(gdb.parse_and_eval("$rsp")) > sp:
        break
    pcs.append(pc)
    if DATA:
        data.extend((a, pc) for a in data_addresses(pc))
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
    if DATA:
        # Each data page, with the mapping it is in and the first function
        # that touched it.
        maps = []
        with open("/proc/%d/maps" % gdb.selected_inferior().pid) as f:
            for line in f:
                fields = line.split()
                lo, hi = (int(x, 16) for x in fields[0].split("-"))
                name = os.path.basename(fields[5]) if len(fields) > 5 else "anonymous"
                maps.append((lo, hi, "%s %s" % (name, fields[1])))

        def mapping(addr):
            return next((m for lo, hi, m in maps if lo <= addr < hi), "unmapped")

        pages = collections.OrderedDict()
        for addr, pc in data:
            pages.setdefault(addr >> 12, []).append(pc)
        out.write("\ndata: %d accesses, %d pages\n" % (len(data), len(pages)))
        by_mapping = collections.Counter(mapping(p << 12) for p in pages)
        for m, n in by_mapping.most_common():
            out.write("%4d pages  %s\n" % (n, m))
        out.write("\nin order (page, accesses, mapping, first function):\n")
        for page, at in pages.items():
            out.write("%#x %5d  %s  %s\n" % (page << 12, len(at), mapping(page << 12), function(at[0])))
print("call trace written to", OUT)
gdb.execute("kill")
