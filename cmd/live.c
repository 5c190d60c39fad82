/* live.c - see live.h. */
#include "live.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "consumer.h"
#include "json.h"
#include "live_kernel.h"
#include "packet_ring.h"
#include "world.h"

int live_kernel_fix(const char *release, uint32_t *kernel)
{
	unsigned maj = 0, min = 0, sub = 0;
	if (sscanf(release, "%u.%u.%u", &maj, &min, &sub) < 2 || maj < 3 || maj > 9 || min > 999)
		return -1;
	*kernel = SCN_KERNEL(maj, min);
	/* 61fad6816fc1 ("net/packet: tpacket_rcv: avoid a producer race
	 * condition"), v5.6, and its stable backports */
	int fixed = *kernel >= SCN_KERNEL(5, 6) || (*kernel == SCN_KERNEL(5, 4) && sub >= 29) ||
		    (*kernel == SCN_KERNEL(4, 19) && sub >= 114) ||
		    (*kernel == SCN_KERNEL(4, 14) && sub >= 175);
	return fixed ? SCN_FIX_OWNER_MAP : SCN_FIX_NONE;
}

/* The model's figures for one ring. */
typedef struct model_ring {
	uint64_t sent, published, read, drops, tp_packets, losing, not_intact;
	uint32_t status_set, snaplen;
} model_ring;

/* What the model counted for socket s after its run. */
static void model_figures(world *w, uint32_t s, const uint64_t *sent, model_ring *m)
{
	const scn_file *f = w->scn;
	const ring_state *r = &w->ring[s];
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < f->nflows; i++)
		if (f->flows[i].socket == s) {
			m->sent += sent[i];
			m->snaplen = ring_snaplen(w, s, f->flows[i].size);
		}
	/* the last statistics read, as live: what is left in the counters */
	m->drops = r->tp_drops;
	m->tp_packets = r->tp_packets + r->tp_drops;
	m->published = r->tp_packets;
	for (size_t c = 0; c < f->nconsumers; c++) {
		if (f->consumers[c].socket != s)
			continue;
		const consumer_state *cs = &w->cons[c];
		m->drops += cs->stats_drops;
		m->tp_packets += cs->stats_packets;
		m->published += cs->stats_packets - cs->stats_drops;
		m->losing += cs->losing;
		m->status_set |= cs->losing ? 1u << (TP_STATUS_USER | TP_STATUS_LOSING) : 0;
	}
	uint64_t read_losing = m->losing, left = 0;
	const ring_frame *fr = ring_frames(w, s);
	for (uint32_t i = 0; i < f->sockets[s].frames; i++) {
		if (!(fr[i].status & TP_STATUS_USER))
			continue;
		left++;
		m->status_set |= fr[i].status < 31 ? 1u << fr[i].status : 1u << 31;
		m->losing += (fr[i].status & TP_STATUS_LOSING) != 0;
	}
	m->read = m->published - left;
	m->status_set |= m->read > read_losing ? 1u << TP_STATUS_USER : 0;
	m->not_intact = w->g->m[SCN_M_CORRUPT] + w->g->m[SCN_M_CONSUMER_PARTIAL] +
			w->g->m[SCN_M_LOST];
}

/* The model run: the scenario as it ran live (flows' counts as sent, no
 * stalls, irqs or tasks), with this kernel's version and fix. */
static world *model_run(const scn_file *src, const live_kernel *k, uint32_t kernel, int fix,
			scn_file *f)
{
	char err[512];
	if (scn_clone(src, f))
		return NULL;
	f->kernel = kernel;
	f->has_kernel = 1;
	f->fix = fix;
	f->nstalls = f->nirqs = f->nexpects = 0;   /* arrays of plain data: scn_free frees them */
	for (size_t i = 0; i < f->nflows; i++)
		f->flows[i].count = k->flow_sent[i];
	world *w = world_new(f, fix, err, sizeof err);
	if (!w) {
		fprintf(stderr, "sim: --live: the model: %s\n", err);
		return NULL;
	}
	world_run(w);
	return w;
}

/* One row of the table. */
typedef struct row {
	const char *name;
	char k[48], m[48];
	int judged, match;
} row;

enum { MAX_ROWS = 16 };

static void add(row *r, size_t *n, const char *name, uint64_t k, uint64_t m, int judged)
{
	row *x = &r[(*n)++];
	x->name = name;
	snprintf(x->k, sizeof x->k, "%" PRIu64, k);
	snprintf(x->m, sizeof x->m, "%" PRIu64, m);
	x->judged = judged;
	x->match = k == m;
}

static void add_text(row *r, size_t *n, const char *name, const char *k, const char *m, int judged)
{
	row *x = &r[(*n)++];
	x->name = name;
	snprintf(x->k, sizeof x->k, "%s", k);
	snprintf(x->m, sizeof x->m, "%s", m);
	x->judged = judged;
	x->match = !strcmp(k, m);
}

/* The rows of ring s: judged first, then the timing-dependent ones. */
static size_t ring_rows(const live_ring_result *k, const model_ring *m, int has_reader, row *r)
{
	size_t n = 0;
	uint64_t bad = 0;
	for (int v = LV_OK + 1; v < LV_COUNT; v++)
		bad += k->verdict[v];
	add(r, &n, "sent", k->sent, m->sent, 1);
	add(r, &n, "published + tp_drops", k->published + k->tp_drops, m->published + m->drops, 1);
	add(r, &n, "tp_packets (PACKET_STATISTICS)", k->tp_packets, m->tp_packets, 1);
	add(r, &n, "frames not intact", bad, m->not_intact, 1);
	add(r, &n, "frames with tp_mac != 66", k->mac_other, 0, 1);
	char ks[48], ms[48];
	if (k->snap_min == k->snap_max || !k->published)
		snprintf(ks, sizeof ks, "%u", k->published ? k->snap_min : m->snaplen);
	else
		snprintf(ks, sizeof ks, "%u..%u", k->snap_min, k->snap_max);
	snprintf(ms, sizeof ms, "%u", m->snaplen);
	add_text(r, &n, "tp_snaplen", ks, ms, 1);
	add(r, &n, "outgoing copies seen", k->outgoing, 0, 1);
	/* every packet missing from a sender's sequence is a counted drop */
	add(r, &n, "holes not in tp_drops", k->holes > k->tp_drops ? k->holes - k->tp_drops : 0, 0, 1);
	add(r, &n, "published", k->published, m->published, !has_reader);
	add(r, &n, "tp_drops", k->tp_drops, m->drops, !has_reader);
	live_status_text(k->status_set, ks, sizeof ks);
	live_status_text(m->status_set, ms, sizeof ms);
	add_text(r, &n, "status values", ks, ms, !has_reader);
	add(r, &n, "frames with TP_STATUS_LOSING", k->losing, m->losing, !has_reader);
	if (has_reader)
		add(r, &n, "frames read", k->read, m->read, 0);
	snprintf(ks, sizeof ks, "%" PRIu64, k->holes);
	add_text(r, &n, "holes in the senders' sequences", ks, "-", 0);
	return n;
}

typedef struct live_ctx {
	const scn_file *f;
	const char *release;
	uint32_t kernel;
	int fix;
	const live_kernel *k;
	world *w;
} live_ctx;

static int has_reader(const scn_file *f, uint32_t s)
{
	for (size_t c = 0; c < f->nconsumers; c++)
		if (f->consumers[c].socket == s)
			return 1;
	return 0;
}

static void print_head(const live_ctx *x)
{
	const scn_file *f = x->f;
	printf("scenario %s  (%s), live on lo\n", f->name, f->path);
	printf("kernel   %s: %s; the model: kernel %u.%u, fix %s\n", x->release,
	       x->fix == SCN_FIX_OWNER_MAP ? "has the owner_map fix (v5.6; 5.4.29, 4.19.114, 4.14.175)"
					   : "has no owner_map fix (before v5.6 and its backports)",
	       x->kernel / 1000, x->kernel % 1000, scn_fix_name(x->fix));
	for (size_t i = 0; i < f->nflows; i++)
		printf("  flow   %-10s cpu%u -> %s: %" PRIu64 " of %" PRIu64 " x %u B sent%s\n",
		       f->flows[i].name, f->flows[i].cpu, f->sockets[f->flows[i].socket].name,
		       x->k->flow_sent[i], f->flows[i].count, f->flows[i].size,
		       x->k->flow_skipped[i] ? " (skipped: no such CPU)" : "");
	if (x->k->timed_out)
		printf("  (the deadline, --live-seconds, stopped a sender: the model sends as many)\n");
}

static void print_rows(const scn_file *f, uint32_t s, const row *r, size_t n)
{
	const scn_socket *so = &f->sockets[s];
	printf("\nsocket %s: TPACKET_V%d, %u frames of %u B, ethertype 0x%04x, %s\n", so->name,
	       so->version, so->frames, so->frame_size, LIVE_ETHERTYPE + s,
	       has_reader(f, s) ? "read by its consumer" : "no reader");
	printf("  %-34s %14s %14s\n", "", "kernel", "model");
	for (size_t i = 0; i < n; i++)
		printf("  %-34s %14s %14s   %s\n", r[i].name, r[i].k, r[i].m,
		       !r[i].judged ? "(timing: shown, not judged)" : r[i].match ? "ok" : "MISMATCH");
}

static void json_rows(const row *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"row\": ", i ? ", " : "");
		json_string(stdout, r[i].name);
		printf(", \"kernel\": ");
		json_string(stdout, r[i].k);
		printf(", \"model\": ");
		json_string(stdout, r[i].m);
		printf(", \"judged\": %s, \"match\": %s}", r[i].judged ? "true" : "false",
		       r[i].match ? "true" : "false");
	}
}

/* Every ring's rows, as text or JSON; returns the mismatches. */
static int report(const live_ctx *x, int json)
{
	const scn_file *f = x->f;
	int bad = 0;
	if (json) {
		printf("{\"scenario\": ");
		json_string(stdout, f->name);
		printf(", \"file\": ");
		json_string(stdout, f->path);
		printf(", \"mode\": \"live\", \"kernel\": ");
		json_string(stdout, x->release);
		printf(", \"model\": {\"kernel\": \"%u.%u\", \"fix\": \"%s\"}, \"sockets\": [",
		       x->kernel / 1000, x->kernel % 1000, scn_fix_name(x->fix));
	} else {
		print_head(x);
	}
	for (uint32_t s = 0; s < f->nsockets; s++) {
		model_ring m;
		row r[MAX_ROWS];
		model_figures(x->w, s, x->k->flow_sent, &m);
		size_t n = ring_rows(&x->k->ring[s], &m, has_reader(f, s), r);
		for (size_t i = 0; i < n; i++)
			bad += r[i].judged && !r[i].match;
		if (json) {
			printf("%s{\"name\": ", s ? ", " : "");
			json_string(stdout, f->sockets[s].name);
			printf(", \"rows\": [");
			json_rows(r, n);
			printf("]}");
		} else {
			print_rows(f, s, r, n);
		}
	}
	if (json)
		printf("], \"mismatches\": %d}\n", bad);
	else
		printf("\n%s\n", bad ? "MISMATCH: the kernel and the model differ on a judged row"
				     : "ok: every judged row matches");
	return bad;
}

int live_main(const scn_file *f, const live_opts *o)
{
	struct utsname u;
	live_ctx x = { .f = f };
	if (uname(&u) || (x.fix = live_kernel_fix(u.release, &x.kernel)) < 0) {
		fprintf(stderr, "sim: --live: cannot tell this kernel's version\n");
		return 2;
	}
	x.release = u.release;
	live_kernel k;
	int rc = live_kernel_run(f, o->seconds, &k);
	scn_file mf;
	memset(&mf, 0, sizeof mf);
	if (!rc) {
		x.k = &k;
		x.w = model_run(f, &k, x.kernel, x.fix, &mf);
		rc = x.w ? (report(&x, o->json) ? 1 : 0) : 3;
	}
	if (x.w)
		world_delete(x.w);
	scn_free(&mf);
	live_kernel_free(&k);
	return rc;
}
