/* plot_window.c - see plot_window.h. */
#include "plot_window.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COLS 16
#define NSOCK 256

typedef struct row {
	char *line;             /* the line, tabs cut to NULs */
	char *c[COLS];
	int n;
} row;

/* Split a TSV line (newline removed) into columns, in place. */
static void split(char *line, row *r)
{
	r->line = line;
	r->n = 0;
	line[strcspn(line, "\n")] = '\0';
	for (char *p = line; r->n < COLS;) {
		r->c[r->n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
}

static uint64_t num(const row *r, int i) { return i < r->n ? strtoull(r->c[i], NULL, 10) : 0; }

static void put(FILE *o, const row *r)
{
	for (int i = 0; i < r->n; i++)
		fprintf(o, "%s%s", i ? "\t" : "", r->c[i]);
	fputc('\n', o);
}

typedef struct io {
	FILE *in, *out;
	char *buf;
	size_t cap;
} io;

/* Open DIR/NAME to read and OUTDIR/NAME to write, copying the header line. */
static int io_open(io *f, const char *dir, const char *outdir, const char *name, char *err,
		   size_t errlen)
{
	char p[4096], q[4096];
	*f = (io){ 0 };
	if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p ||
	    (size_t)snprintf(q, sizeof q, "%s/%s", outdir, name) >= sizeof q) {
		snprintf(err, errlen, "path too long for %s", name);
		return -1;
	}
	f->in = fopen(p, "r");
	if (!f->in) {
		snprintf(err, errlen, "cannot read %s: %s", p, strerror(errno));
		return -1;
	}
	f->out = fopen(q, "w");
	if (!f->out) {
		snprintf(err, errlen, "cannot write %s: %s", q, strerror(errno));
		fclose(f->in);
		return -1;
	}
	if (getline(&f->buf, &f->cap, f->in) > 0)
		fputs(f->buf, f->out);
	return 0;
}

static int io_close(io *f, char *err, size_t errlen)
{
	free(f->buf);
	fclose(f->in);
	if (fclose(f->out) != 0) {
		snprintf(err, errlen, "writing the plot's data: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int copy_file(const char *dir, const char *outdir, const char *name, char *err, size_t errlen)
{
	io f;
	if (io_open(&f, dir, outdir, name, err, errlen) != 0)
		return -1;
	while (getline(&f.buf, &f.cap, f.in) > 0)
		fputs(f.buf, f.out);
	return io_close(&f, err, errlen);
}

/* ---- cpu_states: clip and merge below a pixel ---- */

typedef struct bucket {
	uint64_t start, end, best;  /* best: the longest piece's length */
	char state[32], lock[96], label[64];
	int used;
	uint64_t drop_px;           /* pixel of the last drop mark + 1, or 0 */
} bucket;

static void flush(FILE *o, const char *fix, uint32_t cpu, bucket *b)
{
	if (b->used)
		fprintf(o, "%s\t%" PRIu64 "\t%" PRIu64 "\t%u\t%s\t%s\t%s\t-\n", fix, b->start, b->end, cpu,
			b->state, b->lock, b->label);
	b->used = 0;
}

/* dst = src, cut to n - 1 bytes (snprintf's result, cheaper). */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	if (l >= n)
		l = n - 1;
	memcpy(dst, src, l);
	dst[l] = '\0';
}

static void add(bucket *b, const char *state, const char *lock, const char *label, uint64_t s,
		uint64_t e)
{
	if (!b->used) {
		b->start = s;
		b->best = 0;
		b->used = 1;
	}
	b->end = e;
	if (e - s >= b->best) {
		b->best = e - s;
		copy_str(b->state, sizeof b->state, state);
		copy_str(b->lock, sizeof b->lock, lock);
		copy_str(b->label, sizeof b->label, label);
	}
}

/* The window's cut: the state of each file's transform (plot_window.h). */
typedef struct pend {
	uint64_t px;            /* pixel of the row kept, or UINT64_MAX */
	uint64_t drop_px;
	uint64_t time;          /* the row kept: its time, values and event */
	int64_t v[3];
	char ev[24];
} pend;

struct plot_cut {
	const char *fix;
	uint64_t t0, t1, px;
	FILE *out[PC_KINDS];
	bucket *b;              /* cpu_states: per CPU */
	size_t nb;
	uint32_t marks;         /* ring_steps: C/J marks written */
	pend p[2][NSOCK];       /* ring, backlog: per socket */
	int oom;
};

/* pkt: the packet (-1: none, written "-"), or with pkt_s its text as read */
static void cut_state(plot_cut *c, uint64_t s, uint64_t e, uint32_t cpu, const char *state,
		      const char *lock, const char *label, int64_t pktn, const char *pkt_s)
{
	char pkt_b[24];
	const char *pkt = pkt_s;
	FILE *o = c->out[PC_STATES];
	uint64_t t0 = c->t0, t1 = c->t1, px = c->px;
	if (e <= t0 || s >= t1 || c->oom)
		return;
	if (cpu >= c->nb) {
		bucket *nbk = realloc(c->b, ((size_t)cpu + 1) * sizeof *c->b);
		if (!nbk) {
			c->oom = 1;
			return;
		}
		memset(nbk + c->nb, 0, ((size_t)cpu + 1 - c->nb) * sizeof *c->b);
		c->b = nbk;
		c->nb = (size_t)cpu + 1;
	}
	s = s < t0 ? t0 : s;
	e = e > t1 ? t1 : e;
	bucket *k = &c->b[cpu];
	if (k->used && s < k->end)
		flush(o, c->fix, cpu, k);       /* out of order: never merge back */
	if (!pkt) {     /* only rows that are written need it */
		pkt = pkt_b;
		if ((e - s >= px || (strlen(label) >= 4 && !strcmp(label + strlen(label) - 4, "drop"))))
			snprintf(pkt_b, sizeof pkt_b, pktn < 0 ? "-" : "%" PRId64, pktn);
	}
	if (e - s >= px) {
		flush(o, c->fix, cpu, k);
		fprintf(o, "%s\t%" PRIu64 "\t%" PRIu64 "\t%u\t%s\t%s\t%s\t%s\n", c->fix, s, e, cpu, state,
			lock, label, pkt);
		return;
	}
	/* a drop (tpacket_rcv:drop, tcp_rcv:backlog_drop) keeps its mark:
	 * an empty interval at its start, one a pixel */
	size_t ll = strlen(label);
	if (ll >= 4 && !strcmp(label + ll - 4, "drop") && k->drop_px != (s - t0) / px + 1) {
		k->drop_px = (s - t0) / px + 1;
		fprintf(o, "%s\t%" PRIu64 "\t%" PRIu64 "\t%u\t%s\t%s\t%s\t%s\n", c->fix, s, s, cpu, state,
			lock, label, pkt);
	}
	add(k, state, lock, label, s, e);
	if (k->end - k->start >= px)
		flush(o, c->fix, cpu, k);
}

void plot_cut_state(plot_cut *c, uint64_t s, uint64_t e, uint32_t cpu, const char *state,
		    const char *lock, const char *label, int64_t pkt)
{
	cut_state(c, s, e, cpu, state, lock, label, pkt, NULL);
}

static void state_row(plot_cut *c, row *r)
{
	if (r->n >= 8)
		cut_state(c, num(r, 1), num(r, 2), (uint32_t)num(r, 3), r->c[4], r->c[5], r->c[6], 0,
			  r->c[7]);
}

/* ---- ring_steps: marks inside the window ---- */

/* Is a ring_steps row at t of step `step` drawn?  (Counts the C/J marks.) */
static int step_kept(plot_cut *c, uint64_t t, const char *step)
{
	if (t < c->t0 || t > c->t1)
		return 0;
	int over = strcmp(step, "overrun") == 0;
	int cj = strcmp(step, "C") == 0 || strcmp(step, "J") == 0;
	return over || (cj && c->marks++ < PLOT_MARKS);
}

static void step_row(plot_cut *c, const row *r)
{
	if (r->n >= 8 && step_kept(c, num(r, 1), r->c[7]))
		put(c->out[PC_STEPS], r);
}

int plot_cut_step_kept(plot_cut *c, uint64_t t, const char *step) { return step_kept(c, t, step); }

void plot_cut_step(plot_cut *c, const char *line)
{
	fputs(line, c->out[PC_STEPS]);
}

/* ---- ring, backlog: a counter row per pixel and socket ---- */

/* A ring.tsv row (fix time sock kernel writing user event) or a
 * backlog.tsv row (fix time sock pkts bytes event rmem), as the sink
 * writes them. */
static void put_counter(FILE *o, int kind, const char *fix, uint64_t time, uint64_t so,
			const int64_t v[3], const char *ev)
{
	if (kind == PC_RING)
		fprintf(o, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%s\n", fix,
			time, so, v[0], v[1], v[2], ev);
	else
		fprintf(o, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t%" PRId64 "\t%s\t%" PRId64 "\n", fix,
			time, so, v[0], v[1], ev, v[2]);
}

void plot_cut_counter(plot_cut *c, int kind, uint64_t t, uint64_t so, const int64_t v[3],
		      const char *ev)
{
	FILE *o = c->out[kind];
	pend *p = c->p[kind == PC_RING ? 0 : 1];
	uint64_t t0 = c->t0;
	if (t > c->t1 || so >= NSOCK)
		return;
	uint64_t px = t < t0 ? 0 : (t - t0) / c->px + 1;       /* 0: before the window */
	int drop = strcmp(ev, "drop") == 0;
	if (strcmp(ev, "overrun") == 0 || (drop && p[so].drop_px != px)) {
		if (px && drop)
			p[so].drop_px = px;
		if (px)
			put_counter(o, kind, c->fix, t, so, v, ev);
		return;
	}
	if (p[so].px != UINT64_MAX && p[so].px != px)
		put_counter(o, kind, c->fix, p[so].time, so, p[so].v, p[so].ev);
	/* the value in force at t0 starts the step */
	p[so].time = px == 0 ? t0 : t;
	memcpy(p[so].v, v, sizeof p[so].v);
	copy_str(p[so].ev, sizeof p[so].ev, ev);
	p[so].px = px;
}

static void counter_row(plot_cut *c, int kind, row *r)
{
	if (r->n < 7)
		return;
	int ring = kind == PC_RING;
	int64_t v[3] = { strtoll(r->c[3], NULL, 10), strtoll(r->c[4], NULL, 10),
			 strtoll(r->c[ring ? 5 : 6], NULL, 10) };
	plot_cut_counter(c, kind, num(r, 1), num(r, 2), v, r->c[ring ? 6 : 5]);
}

/* ---- the cut, fed row by row ---- */

static const char *const cut_file[PC_KINDS] = {
	"cpu_states.tsv", "ring_steps.tsv", "ring.tsv", "backlog.tsv",
};

plot_cut *plot_cut_open(const char *outdir, const char *fix, uint64_t t0, uint64_t t1,
			const char *const headers[PC_KINDS], char *err, size_t errlen)
{
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
		return NULL;
	}
	plot_cut *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fix = fix;
	c->t0 = t0;
	c->t1 = t1;
	c->px = (t1 - t0) / PLOT_PX + 1;
	for (int j = 0; j < 2; j++)
		for (size_t i = 0; i < NSOCK; i++)
			c->p[j][i] = (pend){ .px = UINT64_MAX, .drop_px = UINT64_MAX };
	for (int k = 0; k < PC_KINDS; k++) {
		char q[4096];
		if ((size_t)snprintf(q, sizeof q, "%s/%s", outdir, cut_file[k]) >= sizeof q ||
		    !(c->out[k] = fopen(q, "w"))) {
			snprintf(err, errlen, "cannot write %s/%s: %s", outdir, cut_file[k], strerror(errno));
			plot_cut_close(c, NULL, 0);
			return NULL;
		}
		fprintf(c->out[k], "%s\n", headers[k]);
	}
	return c;
}

void plot_cut_row(plot_cut *c, int kind, char *line)
{
	row r;
	split(line, &r);
	if (strcmp(r.c[0], c->fix) != 0)
		return;
	if (kind == PC_STATES)
		state_row(c, &r);
	else if (kind == PC_STEPS)
		step_row(c, &r);
	else
		counter_row(c, kind, &r);
}

int plot_cut_close(plot_cut *c, char *err, size_t errlen)
{
	int bad = c->oom;
	for (size_t i = 0; c->out[PC_STATES] && i < c->nb; i++)
		flush(c->out[PC_STATES], c->fix, (uint32_t)i, &c->b[i]);
	for (int j = 0; j < 2; j++)
		for (size_t i = 0; c->out[PC_RING + j] && i < NSOCK; i++)
			if (c->p[j][i].px != UINT64_MAX)
				put_counter(c->out[PC_RING + j], PC_RING + j, c->fix, c->p[j][i].time, i,
					    c->p[j][i].v, c->p[j][i].ev);
	for (int k = 0; k < PC_KINDS; k++)
		if (c->out[k] && fclose(c->out[k]) != 0)
			bad = 1;
	free(c->b);
	free(c);
	if (bad && err)
		snprintf(err, errlen, "writing the plot's data: out of memory or a write error");
	return bad ? -1 : 0;
}

/* Every row of DIR's files into the cut. */
static int cut_files(const char *dir, const char *outdir, const char *fix, uint64_t t0, uint64_t t1,
		     char *err, size_t errlen)
{
	FILE *in[PC_KINDS] = { 0 };
	char *hdr[PC_KINDS] = { 0 }, *buf = NULL;
	size_t cap[PC_KINDS] = { 0 }, bcap = 0;
	int rc = 0;
	for (int k = 0; k < PC_KINDS && !rc; k++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, cut_file[k]);
		in[k] = fopen(p, "r");
		if (!in[k] || getline(&hdr[k], &cap[k], in[k]) <= 0) {
			snprintf(err, errlen, "cannot read %s: %s", p, in[k] ? "empty" : strerror(errno));
			rc = -1;
		} else {
			hdr[k][strcspn(hdr[k], "\n")] = '\0';
		}
	}
	plot_cut *c = rc ? NULL : plot_cut_open(outdir, fix, t0, t1, (const char *const *)hdr, err, errlen);
	if (!rc && !c)
		rc = -1;
	for (int k = 0; k < PC_KINDS && c; k++)
		while (getline(&buf, &bcap, in[k]) > 0)
			plot_cut_row(c, k, buf);
	if (c && plot_cut_close(c, err, errlen) != 0)
		rc = -1;
	for (int k = 0; k < PC_KINDS; k++) {
		if (in[k])
			fclose(in[k]);
		free(hdr[k]);
	}
	free(buf);
	return rc;
}

/* ---- the window ---- */

static int default_window(const char *dir, const char *fix, uint64_t *t0, uint64_t *t1, char *err,
			  size_t errlen)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/run.tsv", dir);
	FILE *in = fopen(p, "r");
	if (!in) {
		snprintf(err, errlen, "cannot read %s: %s", p, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t cap = 0;
	uint64_t end = 0;
	row r;
	while (getline(&buf, &cap, in) > 0) {
		split(buf, &r);
		if (strcmp(r.c[0], fix) == 0)
			end = num(&r, 4);
	}
	fclose(in);
	uint64_t first = UINT64_MAX;
	snprintf(p, sizeof p, "%s/ring_steps.tsv", dir);
	in = fopen(p, "r");
	while (in && first == UINT64_MAX && getline(&buf, &cap, in) > 0) {
		split(buf, &r);
		if (r.n >= 8 && strcmp(r.c[0], fix) == 0 && strcmp(r.c[7], "overrun") == 0)
			first = num(&r, 1);
	}
	if (in)
		fclose(in);
	free(buf);
	plot_default_window(end, first, t0, t1);
	return 0;
}

void plot_default_window(uint64_t end, uint64_t first, uint64_t *t0, uint64_t *t1)
{
	*t0 = 0;
	*t1 = end ? end : 1;
	if (first != UINT64_MAX && end > PLOT_BEFORE_NS + PLOT_AFTER_NS) {
		*t0 = first > PLOT_BEFORE_NS ? first - PLOT_BEFORE_NS : 0;
		*t1 = *t0 + PLOT_BEFORE_NS + PLOT_AFTER_NS;
		if (*t1 > end) {
			*t1 = end;
			*t0 = end - PLOT_BEFORE_NS - PLOT_AFTER_NS;
		}
	}
}

int plot_window_write(const char *dir, const char *fix, const char *outdir, uint64_t *t0,
		      uint64_t *t1, char *err, size_t errlen)
{
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
		return -1;
	}
	if (*t0 == 0 && *t1 == 0 && default_window(dir, fix, t0, t1, err, errlen) != 0)
		return -1;
	if (*t1 <= *t0)
		*t1 = *t0 + 1;
	if (cut_files(dir, outdir, fix, *t0, *t1, err, errlen) != 0)
		return -1;
	return plot_window_copies(dir, outdir, err, errlen);
}

int plot_window_copies(const char *dir, const char *outdir, char *err, size_t errlen)
{
	if (copy_file(dir, outdir, "run.tsv", err, errlen) != 0 ||
	    copy_file(dir, outdir, "metrics.tsv", err, errlen) != 0 ||
	    copy_file(dir, outdir, "sockets.tsv", err, errlen) != 0 ||
	    copy_file(dir, outdir, "deadlocks.tsv", err, errlen) != 0)
		return -1;
	return 0;
}

/* "12us" -> 12000; 0 or -1. */
static int parse_time(const char *s, const char *end, uint64_t *ns)
{
	static const struct { const char *u; uint64_t mul; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
	};
	uint64_t v = 0;
	const char *p = s;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -1;
	size_t n = (size_t)(end - p);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (n == strlen(units[i].u) && !memcmp(p, units[i].u, n) && v <= UINT64_MAX / units[i].mul) {
			*ns = v * units[i].mul;
			return 0;
		}
	return -1;
}

int plot_window_parse(const char *s, uint64_t w[2])
{
	const char *dots = strstr(s, "..");
	if (!dots || parse_time(s, dots, &w[0]) != 0 || parse_time(dots + 2, dots + 2 + strlen(dots + 2), &w[1]) != 0)
		return -1;
	return w[1] > w[0] ? 0 : -1;
}

/* ---- spin waits: counted per distinct wait ---- */

typedef struct wait_row {
	char fix[24];
	uint64_t wait, count;
} wait_row;

struct plot_waits {
	wait_row *w;            /* open addressing on (fix, wait); cap a power of two */
	size_t n, cap;
};

static int wait_cmp(const void *a, const void *b)
{
	const wait_row *x = a, *y = b;
	int c = strcmp(x->fix, y->fix);
	return c ? c : x->wait < y->wait ? -1 : x->wait > y->wait;
}

plot_waits *plot_waits_new(void) { return calloc(1, sizeof(plot_waits)); }

static size_t wslot(const plot_waits *p, const char *fix, uint64_t wait)
{
	uint64_t h = wait * 0x9e3779b97f4a7c15ull;
	for (const char *c = fix; *c; c++)
		h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
	size_t i = (size_t)(h >> 20) & (p->cap - 1);
	while (p->w[i].fix[0] && (p->w[i].wait != wait || strcmp(p->w[i].fix, fix)))
		i = (i + 1) & (p->cap - 1);
	return i;
}

int plot_waits_add(plot_waits *p, const char *fix, uint64_t wait)
{
	if ((p->n + 1) * 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		wait_row *old = p->w;
		size_t ocap = p->cap;
		p->w = calloc(cap, sizeof *p->w);
		if (!p->w) {
			p->w = old;
			return -1;
		}
		p->cap = cap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].fix[0])
				p->w[wslot(p, old[i].fix, old[i].wait)] = old[i];
		free(old);
	}
	wait_row *r = &p->w[wslot(p, fix, wait)];
	if (!r->fix[0]) {
		snprintf(r->fix, sizeof r->fix, "%s", fix[0] ? fix : "?");
		r->wait = wait;
		p->n++;
	}
	r->count++;
	return 0;
}

int plot_waits_finish(plot_waits *p, const char *dir, const char *outdir, char *err, size_t errlen)
{
	char q[4096];
	int rc = 0;
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
		rc = -1;
	}
	size_t n = 0;
	for (size_t i = 0; !rc && i < p->cap; i++)
		if (p->w[i].fix[0])
			p->w[n++] = p->w[i];
	if (n)          /* qsort's array may not be NULL, even for no rows */
		qsort(p->w, n, sizeof *p->w, wait_cmp);
	snprintf(q, sizeof q, "%s/lock_acquisitions.tsv", outdir);
	FILE *o = rc ? NULL : fopen(q, "w");
	if (!rc && !o) {
		snprintf(err, errlen, "cannot write %s: %s", q, strerror(errno));
		rc = -1;
	}
	if (o) {
		fputs("fix\twait\tcount\n", o);
		for (size_t i = 0; i < n; i++)
			fprintf(o, "%s\t%" PRIu64 "\t%" PRIu64 "\n", p->w[i].fix, p->w[i].wait, p->w[i].count);
		if (fclose(o) != 0) {
			snprintf(err, errlen, "writing the plot's data: %s", strerror(errno));
			rc = -1;
		}
	}
	free(p->w);
	free(p);
	if (rc || copy_file(dir, outdir, "run.tsv", err, errlen) != 0)
		return -1;
	return copy_file(dir, outdir, "metrics.tsv", err, errlen);
}

int plot_waits_write(const char *dir, const char *outdir, char *err, size_t errlen)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/lock_acquisitions.tsv", dir);
	FILE *in = fopen(p, "r");
	if (!in) {
		snprintf(err, errlen, "cannot read %s: %s", p, strerror(errno));
		return -1;
	}
	plot_waits *w = plot_waits_new();
	char *buf = NULL;
	size_t cap = 0;
	int first = 1, bad = !w;
	row r;
	while (!bad && getline(&buf, &cap, in) > 0) {
		if (first) {    /* the header */
			first = 0;
			continue;
		}
		split(buf, &r);
		if (r.n < 7)
			continue;
		uint64_t a = num(&r, 5), ws = num(&r, 4);
		bad = plot_waits_add(w, r.c[0], a > ws ? a - ws : 0) != 0;
	}
	free(buf);
	fclose(in);
	if (bad) {
		if (w) {
			free(w->w);
			free(w);
		}
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return plot_waits_finish(w, dir, outdir, err, errlen);
}
