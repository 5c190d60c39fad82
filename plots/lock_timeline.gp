# lock_timeline.gp - what each CPU does over time, for one fix variant: a
# Gantt chart (one row per CPU, a bar per interval of cpu_states.tsv,
# coloured by state, the holding and spinning bars by lock) over the ring
# occupancy (ring.tsv) -- or the backlog length (backlog.tsv) when the run has no packet ring -- on the same time
# axis.  Claims of ring frames are marked with the frame number, overruns in
# red, drops with a cross.  One ring panel per packet socket (sockets.tsv):
# a fanout group's members each get theirs; a TPACKET_V3 ring is drawn in
# blocks (free, being filled, closed and with user space, the queue frozen).
#     gnuplot -c plots/lock_timeline.gp DATADIR OUT.png [FIX [T0 T1]]
# FIX defaults to the first variant in DATADIR/run.tsv; T0, T1 (ns) the time
# window drawn, default the whole run.  `sim --plot` passes a DATADIR cut to
# that window and merged below a pixel (cmd/plot_window.h).

if (ARGC < 2) { print "usage: gnuplot -c lock_timeline.gp DATADIR OUT.png [FIX]"; exit status 2 }
D = ARG1
OUT = ARG2
FIX = ARGC >= 3 ? ARG3 : ""
png_w = 1600
png_h = 1000
sd = ARG0
i = strlen(sd)
while (i > 0 && sd[i:i] ne "/") { i = i - 1 }
sd = i > 0 ? sd[1:i] : ""
load sd."common.gp"

if (strlen(FIX) == 0) FIX = word(fixes, 1)
cpus = 0
@read_run
if (cpus == 0) { print "lock_timeline.gp: no variant '".FIX."' in ".f_run; exit status 1 }
# An empty run (end_ns 0) still gets a time axis.
end_us = end_ns > 0 ? end_ns / 1000.0 : 0.001
t0_us = 0
if (ARGC >= 5) { t0_us = ARG4 / 1000.0; end_us = ARG5 / 1000.0 }
span_us = end_us - t0_us
has_ring = ring_sock >= 0
has_backlog = !has_ring && stream_sock >= 0
lower = has_ring || has_backlog

# (gnuplot functions take an argument; these ignore theirs)
sel(f) = strcol(1) eq FIX
# How many claims: label each with its frame only when they stay readable;
# which frame each packet claimed (its step C), to say where a CPU froze.
nclaims = 0
maxpkt = -1
if (has_ring) {
	stats f_steps using (sel(0) && strcol(8) eq "C" ? (nclaims = nclaims + 1, maxpkt = ($7 > maxpkt ? $7 : maxpkt), 0) : 0) nooutput
}
label_claims = nclaims > 0 && nclaims <= 300
npkt = int(maxpkt) + 2
array pkt_frame[npkt]
array pkt_claim[npkt]
do for [k = 1:npkt] { pkt_frame[k] = -1; pkt_claim[k] = -1 }
if (nclaims > 0) {
	stats f_steps using (sel(0) && strcol(8) eq "C" ? (pkt_frame[int($7) + 1] = int($6), pkt_claim[int($7) + 1] = $2, 0) : 0) nooutput
}
# A slow writer: its publish (J) comes long after its claim (C).
slow_j(p, t) = p eq "-" ? 0 : int(p) + 1 > npkt ? 0 : pkt_claim[int(p) + 1] < 0 ? 0 : \
	(t - pkt_claim[int(p) + 1]) / 1000.0 > 0.05 * span_us
frame_of(p) = p eq "-" ? "" : int(p) + 1 > npkt ? "" : pkt_frame[int(p) + 1] < 0 ? "" : \
	sprintf(" of frame %d", pkt_frame[int(p) + 1])

# The backlog's peaks, to scale its panel (stats obeys the axis ranges:
# done before any is set).
bs(f) = sel(0) && int($3) == stream_sock
bl_pkts = 1
bl_bytes = 1
if (has_backlog) {
	stats f_backlog using (bs(0) ? (bl_pkts = $4 > bl_pkts ? $4 : bl_pkts, bl_bytes = $5 + $7 > bl_bytes ? $5 + $7 : bl_bytes, 0) : 0) nooutput
}
if (bl_limit > bl_bytes) { bl_bytes = bl_limit }

# The packet rings, one panel each (at most 8).
nsock = 0
array sk_id[8]
array sk_units[8]
sk_names = ""
sk_vers = ""
if (has_ring) {
	stats f_socks using (strcol(1) eq FIX && nsock < 8 ? (nsock = nsock + 1, sk_id[nsock] = int($2), sk_units[nsock] = int($5), sk_names = sk_names.strcol(3)." ", sk_vers = sk_vers.strcol(4)." ", 0) : 0) nooutput
}


set multiplot layout 2,1 title sprintf("%s, fix=%s: what each CPU does (time in us%s)", scn, FIX, \
	t0_us > 0 || end_us < end_ns / 1000.0 ? sprintf(", %g..%g of %g", t0_us, end_us, end_ns / 1000.0) : "") font font_name.",15"
L = 0.07
R = 0.92
set lmargin at screen L
set rmargin at screen R
set xrange [t0_us:end_us + span_us * 0.005]
set mxtics

# ---- the locks: a colour each ----
# The holding and spinning bars take the colour of their lock (cpu_states.tsv
# column `lock`), from a small palette in the order the locks first appear
# (cycled past eight); spinning is paler, with a thin core in common.gp's
# spinning red (not the deadlock mark's dark red).  The key names each lock.
lock_names = " "
if (cpus > 0) {
	stats f_states using (sel(0) && (strcol(5) eq "holding" || strcol(5) eq "spinning") && \
		strstrt(lock_names, " ".strcol(6)." ") == 0 ? (lock_names = lock_names.strcol(6)." ", 0) : 0) nooutput
}
nlocks = words(lock_names)
array lock_pal[8] = [0xf28e2b, 0x9c2f8f, 0x17becf, 0x8c564b, 0xbcbd22, 0x393b79, 0xe377c2, 0x6b6b6b]
lock_idx(n) = words(lock_names[1:strstrt(lock_names, " ".n." ")])
lock_rgb(n) = strstrt(lock_names, " ".n." ") > 0 ? lock_pal[lock_idx(n) % 8 + 1] : state_rgb("holding")
# a colour 45% of the way to white
pale(c) = (int((c >> 16 & 255) * 0.55 + 255 * 0.45) << 16) + (int((c >> 8 & 255) * 0.55 + 255 * 0.45) << 8) + \
	int((c & 255) * 0.55 + 255 * 0.45)
bar_rgb(st, l) = st eq "holding" ? lock_rgb(l) : st eq "spinning" ? pale(lock_rgb(l)) : state_rgb(st)
key_states = "task softirq hardirq owned backlog stalled idle"

# ---- the deadlock: a marker and a label on each CPU of its cycle ----
# deadlocks.tsv has a row per context in the wait-for cycle (hop 0..n-1,
# each waiting for the next); a CPU's label lists its contexts.  Read only
# when run.tsv says there is one (stats warns on a file without data).
dl_t = -1
dl_chain = ""
array dl_text[cpus]
array dl_ctx[16]
do for [c = 1:cpus] { dl_text[c] = "" }
if (dl_hops > 0) {
	stats f_dl using (strcol(1) eq FIX ? (dl_t = $2 / 1000.0, dl_chain = strcol(8), dl_ctx[int($5) + 1] = strcol(4), 0) : 0) nooutput
	# hop k waits for hop k+1 (the last for the first): "-" means it cannot run under it
	dl_what(k, w) = w eq "-" ? "cannot run under ".dl_ctx[(k + 1) % dl_hops + 1] : w
	stats f_dl using (strcol(1) eq FIX ? (c = int($3) + 1, dl_text[c] = dl_text[c].(strlen(dl_text[c]) > 0 ? "; " : "").strcol(4)." ".dl_what(int($5), strcol(7)), 0) : 0) nooutput
}
if (dl_t >= 0) {
	# the whole chain, between the key and the chart
	set label 1000 sprintf("deadlock at %g us: %s", dl_t, dl_chain) at screen 0.5, 0.852 center \
		tc rgb "#8b0000" font font_name.",11" front
	set style textbox 1 opaque fc rgb "#ffffff" border lc rgb "#8b0000" margins 2, 1
	dl_right = dl_t > t0_us + 0.5 * span_us
	do for [c = 1:cpus] {
		if (strlen(dl_text[c]) > 0) {
			if (dl_right) {
				set label 1000 + c "deadlock: ".dl_text[c] at dl_t, c - 1 - 0.42 right offset -1.2, 0 \
					boxed bs 1 tc rgb "#8b0000" font font_name.",10" front
			} else {
				set label 1000 + c "deadlock: ".dl_text[c] at dl_t, c - 1 - 0.42 left offset 1.2, 0 \
					boxed bs 1 tc rgb "#8b0000" font font_name.",10" front
			}
			set label 1100 + c "" at dl_t, c - 1 point pt 6 ps 3.5 lw 2.5 lc rgb "#8b0000" front
			set arrow 1100 + c from dl_t, c - 1 - 0.38 to dl_t, c - 1 + 0.38 nohead lw 2.5 lc rgb "#8b0000" front
		}
	}
}

# ---- the Gantt chart ----
if (lower) {
	set tmargin at screen 0.84
	set bmargin at screen 0.37
	set format x ""
	unset xlabel
} else {
	set tmargin at screen 0.84
	set bmargin at screen 0.08
	set xlabel "time (us)"
}
set yrange [cpus - 0.5 : -0.72]
set ytics nomirror scale 0
set ytics ()
do for [c = 0:cpus - 1] { set ytics add (sprintf("cpu%d", c) c) }
set ylabel "CPU"
set key outside top center horizontal maxrows 3 width 1 samplen 1.5 spacing 1.1 font font_name.",10"
set style fill solid 1.0 noborder

# Each bar reaches a hair past its end, so that neighbours leave no seam.
eps = span_us / 3000.0
x0(s, e) = (s + e) / 2000.0 + eps / 2
dx(s, e) = (e - s) / 2000.0 + eps / 2
long(s, e) = (e - s) / 1000.0 > 0.06 * span_us
bar_text(st, lab, pkt, s, e) = \
	st eq "stalled" ? sprintf("stalled %.1f us%s", (e - s) / 1000.0, lab eq "-" ? "" : \
		sprintf(" after %s%s%s", lab, frame_of(pkt), pkt eq "-" ? "" : " (pkt ".pkt.")")) : \
	st eq "owned" ? "owned by user: BH queues to the backlog" : \
	st eq "backlog" ? "release_sock: sk_backlog_rcv, packet by packet" : \
	st eq "spinning" ? "spinning" : ""
drop_label(l) = l eq "tpacket_rcv:drop" || l eq "tcp_rcv:backlog_drop"
# gnuplot 5.4 crashes on a `with labels` element none of whose rows is valid
# when the file has one data row (a run of one CPU interval).  Its labels go
# through lx() and lt(): rows left out are NaN, but the file's first row is
# kept, off the x range and without text, so one row is always valid.
lx(ok, x) = ok ? x : (column(0) == 0 ? -1 : NaN)
lt(ok, s) = ok ? s : ""
# gnuplot warns about a file without data lines: without ring steps, read
# cpu_states.tsv instead, whose column 8 never says "C", "J" or "overrun".
f_marks = nclaims > 0 ? f_steps : f_states

plot \
	for [k = 1:words(key_states)] keyentry with boxes fc rgb state_rgb(word(key_states, k)) title state_title(word(key_states, k)), \
	for [k = 1:nlocks] keyentry with boxes fc rgb lock_pal[(k - 1) % 8 + 1] title "holding ".word(lock_names, k), \
	keyentry with boxes fc rgb pale(lock_pal[1]) title (nlocks > 0 ? "spinning on a lock: its colour, paler, red core" : ""), \
	f_states using (sel(0) ? x0($2, $3) : NaN):4:(dx($2, $3)):(state_h(strcol(5))):(bar_rgb(strcol(5), strcol(6))) \
		with boxxyerror lc rgb variable notitle, \
	f_states using (sel(0) && strcol(5) eq "spinning" ? x0($2, $3) : NaN):4:(dx($2, $3)):(0.05) \
		with boxxyerror lc rgb state_rgb("spinning") notitle, \
	f_states using (lx(sel(0) && long($2, $3) && strlen(bar_text(strcol(5), strcol(7), strcol(8), $2, $3)) > 0, x0($2, $3))):4:(bar_text(strcol(5), strcol(7), strcol(8), $2, $3)) \
		with labels tc rgb "white" font font_name.",10" notitle, \
	f_marks using (lx(sel(0) && label_claims && strcol(8) eq "C", $2 / 1000.0)):($3 - 0.52):(lt(sel(0) && label_claims, strcol(6))) \
		with labels tc rgb "#1f3b73" font font_name.",8" notitle, \
	f_states using (sel(0) && drop_label(strcol(7)) ? $2 / 1000.0 : NaN):($4 + 0.45) \
		with points pt 2 ps 0.6 lc rgb "#000000" title "drop (counted)", \
	f_marks using (sel(0) && strcol(8) eq "overrun" ? $2 / 1000.0 : NaN):3 \
		with points pt 7 ps 1.6 lc rgb "#d00000" title (has_ring ? "overrun: a frame claimed while another writer owns it" : ""), \
	f_marks using (lx(sel(0) && strcol(8) eq "J" && slow_j(strcol(7), $2) && $2 / 1000.0 < t0_us + 0.7 * span_us, $2 / 1000.0)):($3 - 0.52):(lt(strcol(8) eq "J", sprintf("J: frame %s published", strcol(6)))) \
		with labels left offset 0.3,0 tc rgb "#1f3b73" font font_name.",8" notitle, \
	f_marks using (lx(sel(0) && strcol(8) eq "J" && slow_j(strcol(7), $2) && $2 / 1000.0 >= t0_us + 0.7 * span_us, $2 / 1000.0)):($3 - 0.52):(lt(strcol(8) eq "J", sprintf("frame %s published: J", strcol(6)))) \
		with labels right offset -0.3,0 tc rgb "#1f3b73" font font_name.",8" notitle, \
	keyentry with labels tc rgb "#1f3b73" title (label_claims ? "0, 1, ... above a bar: the ring frame claimed (step C)" : ""), \
	keyentry with points pt 6 ps 1.5 lw 2.5 lc rgb "#8b0000" title (dl_t >= 0 ? "deadlock: the CPUs of its wait-for cycle" : "")

if (!lower) { unset multiplot; exit }
unset label
unset arrow

# ---- the counter below ----
unset key
set key inside top right horizontal samplen 1.5 font font_name.",10" opaque box lc rgb "#bbbbbb"
set tmargin at screen 0.33
set bmargin at screen 0.07
set format x "%g"
set xlabel "time (us)"
set ytics auto
set ytics mirror scale 1
unset y2tics
if (has_ring) {
	PH = 0.26 / nsock
	do for [k = 1:nsock] {
	set tmargin at screen 0.33 - (k - 1) * PH
	set bmargin at screen 0.33 - k * PH + (k < nsock ? 0.015 : 0)
	if (k < nsock) { set format x ""; unset xlabel } else { set format x "%g"; set xlabel "time (us)" }
	if (k > 1) { unset key }
	frames = sk_units[k]
	sid = sk_id[k]
	v3 = word(sk_vers, k) eq "v3"
	set ylabel (nsock > 1 ? word(sk_names, k).": " : "").(v3 ? "blocks" : "frames")
	set yrange [0 : frames * 1.45]
	set ytics 0, (frames > 16 ? int(frames / 8) : 1), frames
	rs(f) = sel(0) && int($3) == sid
	# another ring's rows keep this ring's last value: the steps stay whole
	mine(f) = int($3) == sid
	l1 = frames
	l2 = 0
	l3 = 0
	plot \
		f_ring using (sel(0) ? $2 / 1000.0 : NaN):(mine(0) ? (l1 = $4 + $5 + $6) : l1) \
			with fillsteps fc rgb "#e6e6e6" title "free (TP_STATUS_KERNEL)", \
		'' using (sel(0) ? $2 / 1000.0 : NaN):(mine(0) ? (l2 = $5 + $6) : l2) \
			with fillsteps fc rgb "#4e79a7" title (v3 ? "closed, with user space (TP_STATUS_USER)" : "published (TP_STATUS_USER), unread"), \
		'' using (sel(0) ? $2 / 1000.0 : NaN):(mine(0) ? (l3 = $5) : l3) \
			with fillsteps fc rgb "#f28e2b" title (v3 ? "the open block, being filled" : "claimed, being written (between C and J)"), \
		'' using (rs(0) && strcol(7) eq "drop" ? $2 / 1000.0 : NaN):(frames * 1.08) \
			with points pt 2 ps 0.6 lc rgb "#000000" title "drop", \
		'' using (rs(0) && strcol(7) eq "frozen" ? $2 / 1000.0 : NaN):(frames * 1.2) \
			with points pt 5 ps 0.5 lc rgb "#59a14f" title (v3 ? "queue frozen (prb_freeze_queue)" : ""), \
		'' using (rs(0) && strcol(7) eq "overrun" ? $2 / 1000.0 : NaN):(0):(0):(frames * 1.08) \
			with vectors nohead lw 2 lc rgb "#d00000" title "overrun"
	}
} else {
	set ylabel "packets in the backlog"
	set y2label "sk_backlog.len (KiB)"
	set y2tics
	# head room for the key
	set yrange [0 : bl_pkts * 1.5]
	set y2range [0 : bl_bytes / 1024.0 * 1.5]
	plot \
		f_backlog using (bs(0) ? $2 / 1000.0 : NaN):4 \
			with fillsteps fc rgb "#76b7b2" title "backlog (packets)", \
		'' using (bs(0) ? $2 / 1000.0 : NaN):($5 / 1024.0) axes x1y2 \
			with steps lw 2 lc rgb "#b07aa1" title "sk_backlog.len (KiB, reset after the loop)", \
		'' using (bs(0) ? $2 / 1000.0 : NaN):(($5 + $7) / 1024.0) axes x1y2 \
			with steps lw 1 dt 3 lc rgb "#b07aa1" title "+ sk_rmem_alloc: what sk_add_backlog weighs", \
		'' using (bs(0) && strcol(6) eq "drop" ? $2 / 1000.0 : NaN):4 \
			with points pt 2 ps 1 lc rgb "#000000" title "backlog drop", \
		(bl_limit > 0 ? bl_limit / 1024.0 : NaN) axes x1y2 with lines dt 2 lc rgb "#555555" \
			title sprintf("sk_add_backlog limit = %d KiB", bl_limit / 1024)
}
unset multiplot
