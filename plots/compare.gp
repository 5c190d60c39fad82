# compare.gp - the fix variants of a run side by side (metrics.tsv, run.tsv):
#   left:   what goes wrong -- overrun, corrupt, consumer_partial, lost -- and
#           what is counted instead (drops, nic_drops, backlog_drops), per
#           variant, each value written upwards above its bar so that
#           neighbours never overlap;
#   middle: spinlock round trips (acquisitions, and those that had to spin):
#           owner_map takes sk_receive_queue.lock a second time per packet;
#   right:  time spent spinning (spin_total_ns) and holding spinlocks.
#     gnuplot -c plots/compare.gp DATADIR OUT.png

if (ARGC < 2) { print "usage: gnuplot -c compare.gp DATADIR OUT.png"; exit status 2 }
D = ARG1
OUT = ARG2
png_w = 1600
png_h = 700
sd = ARG0
i = strlen(sd)
while (i > 0 && sd[i:i] ne "/") { i = i - 1 }
sd = i > 0 ? sd[1:i] : ""
load sd."common.gp"

bad = "overrun corrupt consumer_partial lost drops nic_drops backlog_drops"
nbad = words(bad)
array val[nfix * nbad]
array acq[nfix]
array cont[nfix]
array hold_ns[nfix]
array spin_ns[nfix]
vmax = 1
amax = 1
tmax = 1
do for [k = 1:nfix] {
	FIX = word(fixes, k)
	@read_run
	acq[k] = acquisitions
	cont[k] = contended
	hold_ns[k] = hold_total
	stats f_metrics using (strcol(1) eq FIX ? (spin_ns[k] = column("spin_total_ns"), 0) : 0) nooutput
	do for [m = 1:nbad] {
		stats f_metrics using (strcol(1) eq FIX ? (val[(k - 1) * nbad + m] = column(word(bad, m)), 0) : 0) nooutput
		if (val[(k - 1) * nbad + m] > vmax) { vmax = val[(k - 1) * nbad + m] }
	}
	if (acq[k] > amax) { amax = acq[k] }
	if (hold_ns[k] > tmax) { tmax = hold_ns[k] }
	if (spin_ns[k] > tmax) { tmax = spin_ns[k] }
}
# The fixes are tpacket_rcv's: without a ring, only name them.
name_fix(f) = ring_sock >= 0 ? fix_title(f) : "fix=".f

# Arrays are plotted as if read from a whitespace-separated file.
set datafile separator whitespace
unset datafile columnheaders
set multiplot layout 1,3 title (nfix > 1 ? sprintf("%s: the fix variants side by side", scn) : sprintf("%s: the run (fix=%s)", scn, word(fixes, 1))) font font_name.",15" \
	margins 0.05, 0.98, 0.16, 0.84 spacing 0.07, 0
set style fill solid 0.85 border lc rgb "#333333"
set grid ytics lc rgb "#dddddd"
set xtics nomirror scale 0
set ytics nomirror out
set key top left opaque box lc rgb "#bbbbbb" font font_name.",10"
w = 0.8 / nfix
xk(base, k) = base + (k - (nfix + 1) / 2.0) * w

# ---- left: what goes wrong, what is counted ----
set title "packets: what goes wrong (left four) and what is dropped and counted"
set xrange [0.4 : nbad + 0.6]
set yrange [0 : vmax * 1.45]
set ylabel "packets"
set xtics rotate by -30 left ()
do for [m = 1:nbad] { set xtics add (word(bad, m) m) }
set boxwidth w * 0.95 absolute
plot for [k = 1:nfix] val using ($1 > (k - 1) * nbad && $1 <= k * nbad ? xk($1 - (k - 1) * nbad, k) : NaN):2 \
		with boxes lc rgb fix_rgb(word(fixes, k)) title name_fix(word(fixes, k)), \
	for [k = 1:nfix] val using ($1 > (k - 1) * nbad && $1 <= k * nbad ? xk($1 - (k - 1) * nbad, k) : NaN):2:(sprintf("%d", $2)) \
		with labels rotate by 90 left offset 0, 0.4 font font_name.",9" notitle

# ---- middle: lock round trips ----
set title (ring_sock >= 0 ? "spinlock round trips (all locks; owner_map re-takes\nsk_receive_queue.lock to publish each frame)" : "spinlock round trips (all locks)")
set xrange [0.4 : nfix + 0.6]
set yrange [0 : amax * 1.3]
set ylabel "acquisitions"
set xtics norotate ()
do for [k = 1:nfix] { set xtics add (word(fixes, k) k) }
set boxwidth 0.6 absolute
plot acq using 1:2:(fix_rgb(word(fixes, int($1)))) with boxes lc rgb variable notitle, \
	acq using 1:2:(sprintf("%d", $2)) with labels offset 0, 0.7 font font_name.",9" notitle, \
	cont using 1:2 with boxes fs pattern 4 lc rgb "#000000" title "of which had to spin first (hatched)", \
	cont using 1:2:(sprintf("%d spun", $2)) with labels offset 0, 0.9 font font_name.",9" notitle

# ---- right: time ----
set title "time spent on spinlocks, all CPUs"
set yrange [0 : tmax / 1000.0 * 1.3]
set ylabel "us"
set boxwidth 0.35 absolute
plot hold_ns using ($1 - 0.18):($2 / 1000.0) with boxes lc rgb "#f28e2b" title "holding", \
	hold_ns using ($1 - 0.18):($2 / 1000.0):(sprintf("%.2f", $2 / 1000.0)) with labels offset 0, 0.7 font font_name.",9" notitle, \
	spin_ns using ($1 + 0.18):($2 / 1000.0) with boxes lc rgb "#e15759" title "spinning (spin_total_ns)", \
	spin_ns using ($1 + 0.18):($2 / 1000.0):(sprintf("%.2f", $2 / 1000.0)) with labels offset 0, 0.7 font font_name.",9" notitle
unset multiplot
