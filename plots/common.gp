# common.gp - what every sim plot shares: the PNG terminal and its font, one
# colour per CPU state and per fix variant, the TSV input, and what run.tsv
# says about the run.  Loaded by the other scripts with `load`, after they
# set D (the data directory), OUT (the PNG), png_w and png_h (pixels):
# inside a loaded file ARG1.. are not the script's arguments.  They are run as
#     gnuplot -c plots/X.gp DATADIR OUT.png [FIX]
# where DATADIR holds the files `sim --tsv DATADIR` writes (columns in
# cmd/trace_tsv.h and in each file's header line).

if (!exists("png_w")) png_w = 1280
if (!exists("png_h")) png_h = 720
font_name = "DejaVu Sans"
set terminal pngcairo size png_w, png_h font font_name.",11" noenhanced linewidth 1.2
set output OUT
set datafile separator "\t"
set datafile columnheaders
set encoding utf8

f_states = D."/cpu_states.tsv"
f_locks = D."/lock_acquisitions.tsv"
f_ring = D."/ring.tsv"
f_backlog = D."/backlog.tsv"
f_metrics = D."/metrics.tsv"
f_run = D."/run.tsv"
f_steps = D."/ring_steps.tsv"
f_socks = D."/sockets.tsv"
f_dl = D."/deadlocks.tsv"

# CPU states (cpu_states.tsv, column `state`): one colour each.
states = "task softirq hardirq spinning holding owned backlog stalled idle"
state_rgb(s) = \
	s eq "task"     ? 0x4e79a7 : \
	s eq "softirq"  ? 0x59a14f : \
	s eq "hardirq"  ? 0xedc948 : \
	s eq "spinning" ? 0xe15759 : \
	s eq "holding"  ? 0xf28e2b : \
	s eq "owned"    ? 0xb07aa1 : \
	s eq "backlog"  ? 0x76b7b2 : \
	s eq "stalled"  ? 0x2b2b2b : \
	s eq "idle"     ? 0xe6e6e6 : 0xff00ff
state_title(s) = \
	s eq "task"     ? "task (process context)" : \
	s eq "softirq"  ? "softirq (NET_RX)" : \
	s eq "hardirq"  ? "hardirq" : \
	s eq "spinning" ? "spinning on a spinlock" : \
	s eq "holding"  ? "holding a spinlock" : \
	s eq "owned"    ? "socket owned by user (lock_sock)" : \
	s eq "backlog"  ? "processing the backlog (release_sock)" : \
	s eq "stalled"  ? "stalled (NMI, irq storm, preempted vCPU)" : \
	s eq "idle"     ? "idle" : s
# Bar half-heights: busy states full, idle a thin line.
state_h(s) = s eq "idle" ? 0.05 : (s eq "spinning" || s eq "stalled") ? 0.36 : 0.30

# Fix variants: one colour each.
fix_rgb(f) = \
	f eq "none"        ? 0xd62728 : \
	f eq "in_progress" ? 0xff7f0e : \
	f eq "owner_map"   ? 0x2ca02c : 0x7f7f7f
fix_title(f) = \
	f eq "none"        ? "none (no fix: before v5.6)" : \
	f eq "in_progress" ? "in_progress (2018 RFC)" : \
	f eq "owner_map"   ? "owner_map (upstream 61fad6816fc1)" : f

# run.tsv: the variants in the data and the scenario's name.
fixes = ""
scn = "?"
stats f_run using (fixes = fixes.strcol(1)." ", scn = strcol(2), 0) nooutput
nfix = words(fixes)
if (nfix == 0) { print "no data in ".f_run; exit status 1 }

# Read run.tsv's row for variant F into cpus, end_ns, ring_sock, frames,
# stream_sock, bl_limit, acquisitions, contended, hold_total, dl_hops (the
# contexts in the deadlock's cycle, 0: none; data written before it: 0).
read_run = 'dl_hops = 0; stats f_run using (strcol(1) eq FIX ? (cpus = int($4), end_ns = $5, ring_sock = int($6), frames = int($7), stream_sock = int($8), bl_limit = $9, acquisitions = $10, contended = $11, hold_total = $12, dl_hops = (valid(13) ? int($13) : 0), 0) : 0) nooutput'

set border lw 1 lc rgb "#444444"
set grid xtics lc rgb "#dddddd" lw 1 dt 1
