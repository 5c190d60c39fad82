# spin_hist.gp - how long spinlock acquisitions waited, per fix variant: a
# histogram of (acquired - wait_start) for the acquisitions that had to spin,
# one bar colour per variant.  It reads DATADIR/lock_acquisitions.tsv as
# `sim --plot` cuts it into DIR/spin/ (cmd/plot_window.h): `fix wait count`,
# one row per distinct wait, so that its cost does not grow with the run.  The key says,
# per variant, how many acquisitions there were, how many waited, and the
# total spin time (the run's spin_total_ns).
#     gnuplot -c plots/spin_hist.gp DATADIR OUT.png

if (ARGC < 2) { print "usage: gnuplot -c spin_hist.gp DATADIR OUT.png"; exit status 2 }
D = ARG1
OUT = ARG2
png_w = 1200
png_h = 700
sd = ARG0
i = strlen(sd)
while (i > 0 && sd[i:i] ne "/") { i = i - 1 }
sd = i > 0 ? sd[1:i] : ""
load sd."common.gp"

# Per variant: acquisitions and contended (run.tsv), spin time (metrics.tsv).
array acq[nfix]
array cont[nfix]
array spin_ns[nfix]
array spin_max[nfix]
total_acq = 0
do for [k = 1:nfix] {
	FIX = word(fixes, k)
	@read_run
	acq[k] = acquisitions
	cont[k] = contended
	total_acq = total_acq + acquisitions
	stats f_metrics using (strcol(1) eq FIX ? (spin_ns[k] = column("spin_total_ns"), spin_max[k] = column("spin_max_ns"), 0) : 0) nooutput
}
# The longest wait, for the bins.
maxw = 0
if (total_acq > 0) {
	stats f_locks using ($2 > maxw ? (maxw = $2, 0) : 0) nooutput
}
# A bin width of 1, 2 or 5 times a power of ten: about 20 bins.
raw = maxw > 0 ? maxw / 20.0 : 1
mag = 10 ** floor(log10(raw))
bw = raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag
nbins = int(maxw / bw) + 1
slot = bw / (nfix + 1.0)

# Count per variant and bin (one array, variant k's bins at (k-1)*nbins + 1..).
fixidx(f) = f eq word(fixes, 1) ? 1 : f eq word(fixes, 2) ? 2 : f eq word(fixes, 3) ? 3 : 0
array cnt[nfix * nbins]
do for [j = 1:nfix * nbins] { cnt[j] = 0 }
if (maxw > 0) {
	stats f_locks using ($2 > 0 && fixidx(strcol(1)) > 0 ? \
		(j = (fixidx(strcol(1)) - 1) * nbins + int($2 / bw) + 1, cnt[j] = cnt[j] + $3, 0) : 0) nooutput
}
maxc = 1
do for [j = 1:nfix * nbins] { if (cnt[j] > maxc) { maxc = cnt[j] } }

set title sprintf("%s: how long each spin_lock() spun before it got the lock", scn) font font_name.",14"
set xlabel "wait before the lock was acquired, spinning (ns)"
set ylabel "acquisitions"
set key top right opaque box lc rgb "#bbbbbb" spacing 1.3
set style fill solid 0.85 border lc rgb "#333333"
set boxwidth slot * 0.95 absolute
set grid ytics lc rgb "#dddddd"
set xrange [0 : (maxw > 0 ? nbins * bw : 100)]
set yrange [0 : maxc * 1.4]
set xtics nomirror out
set ytics nomirror out
if (maxc <= 10) { set ytics 1 }
set mxtics

key_text(k) = sprintf("fix=%s: %d of %d acquisitions spun, %d ns in all, %d ns at most", \
	word(fixes, k), cont[k], acq[k], spin_ns[k], spin_max[k])
# Bar of variant k in bin b: left edge of the bin plus k slots.
bar_x(j, k) = (j - 1 - (k - 1) * nbins) * bw + slot * k
in_k(j, k) = j > (k - 1) * nbins && j <= k * nbins
if (maxw > 0) {
	# A variant that never spun gets only its key entry (an empty series
	# would make gnuplot warn).
	cmd = ""
	do for [k = 1:nfix] {
		part = cont[k] > 0 ? \
			sprintf("cnt using (in_k($1, %d) && $2 > 0 ? bar_x($1, %d) : NaN):2 with boxes lc rgb %d title key_text(%d)", k, k, fix_rgb(word(fixes, k)), k) : \
			sprintf("keyentry with boxes lc rgb %d title key_text(%d)", fix_rgb(word(fixes, k)), k)
		cmd = cmd . (k > 1 ? ", " : "") . part
	}
	# arrays are plotted as if from a whitespace-separated file
	set datafile separator whitespace
	unset datafile columnheaders
	eval "plot " . cmd
} else {
	set label 1 "no spin_lock() had to wait: every lock was free when it was taken" at graph 0.5, 0.45 center font font_name.",13"
	# (a real series along y = 0: gnuplot needs one besides the key entries)
	plot 0 with lines lc rgb "#444444" notitle, \
		for [k = 1:nfix] keyentry with boxes lc rgb fix_rgb(word(fixes, k)) title key_text(k)
}
