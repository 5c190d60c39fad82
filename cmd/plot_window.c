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

/* The next row of variant `fix`; 0 at the end. */
static int next(io *f, const char *fix, row *r)
{
	while (getline(&f->buf, &f->cap, f->in) > 0) {
		split(f->buf, r);
		if (strcmp(r->c[0], fix) == 0)
			return 1;
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

static void add(bucket *b, const row *r, uint64_t s, uint64_t e)
{
	if (!b->used) {
		b->start = s;
		b->best = 0;
		b->used = 1;
	}
	b->end = e;
	if (e - s >= b->best) {
		b->best = e - s;
		snprintf(b->state, sizeof b->state, "%s", r->c[4]);
		snprintf(b->lock, sizeof b->lock, "%s", r->c[5]);
		snprintf(b->label, sizeof b->label, "%s", r->c[6]);
	}
}

static int states(const char *dir, const char *out, const char *fix, uint64_t t0, uint64_t t1,
		  char *err, size_t errlen)
{
	io f;
	if (io_open(&f, dir, out, "cpu_states.tsv", err, errlen) != 0)
		return -1;
	uint64_t px = (t1 - t0) / PLOT_PX + 1;
	size_t nb = 0;
	bucket *b = NULL;
	row r;
	while (next(&f, fix, &r)) {
		if (r.n < 8)
			continue;
		uint64_t s = num(&r, 1), e = num(&r, 2);
		uint32_t cpu = (uint32_t)num(&r, 3);
		if (e <= t0 || s >= t1)
			continue;
		if (cpu >= nb) {
			bucket *nbk = realloc(b, (cpu + 1) * sizeof *b);
			if (!nbk) {
				free(b);
				io_close(&f, err, errlen);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			memset(nbk + nb, 0, (cpu + 1 - nb) * sizeof *b);
			b = nbk;
			nb = cpu + 1;
		}
		s = s < t0 ? t0 : s;
		e = e > t1 ? t1 : e;
		bucket *k = &b[cpu];
		if (k->used && s < k->end)
			flush(f.out, fix, cpu, k);      /* out of order: never merge back */
		if (e - s >= px) {
			flush(f.out, fix, cpu, k);
			fprintf(f.out, "%s\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%s\t%s\t%s\n", fix, s, e,
				r.c[3], r.c[4], r.c[5], r.c[6], r.c[7]);
			continue;
		}
		/* a drop (tpacket_rcv:drop, tcp_rcv:backlog_drop) keeps its mark:
		 * an empty interval at its start, one a pixel */
		size_t ll = strlen(r.c[6]);
		if (ll >= 4 && !strcmp(r.c[6] + ll - 4, "drop") && k->drop_px != (s - t0) / px + 1) {
			k->drop_px = (s - t0) / px + 1;
			fprintf(f.out, "%s\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%s\t%s\t%s\n", fix, s, s,
				r.c[3], r.c[4], r.c[5], r.c[6], r.c[7]);
		}
		add(k, &r, s, e);
		if (k->end - k->start >= px)
			flush(f.out, fix, cpu, k);
	}
	for (size_t c = 0; c < nb; c++)
		flush(f.out, fix, (uint32_t)c, &b[c]);
	free(b);
	return io_close(&f, err, errlen);
}

/* ---- ring_steps: marks inside the window ---- */

static int steps(const char *dir, const char *out, const char *fix, uint64_t t0, uint64_t t1,
		 char *err, size_t errlen)
{
	io f;
	if (io_open(&f, dir, out, "ring_steps.tsv", err, errlen) != 0)
		return -1;
	uint32_t marks = 0;
	row r;
	while (next(&f, fix, &r)) {
		uint64_t t = num(&r, 1);
		if (r.n < 8 || t < t0 || t > t1)
			continue;
		int over = strcmp(r.c[7], "overrun") == 0;
		int cj = strcmp(r.c[7], "C") == 0 || strcmp(r.c[7], "J") == 0;
		if (over || (cj && marks++ < PLOT_MARKS))
			put(f.out, &r);
	}
	return io_close(&f, err, errlen);
}

/* ---- ring, backlog: a counter row per pixel and socket ---- */

typedef struct pend {
	char line[256];
	uint64_t px;            /* pixel of the row kept, or UINT64_MAX */
	uint64_t drop_px;
} pend;

static void hold(pend *p, const row *r, uint64_t px)
{
	size_t n = 0;
	for (int i = 0; i < r->n && n < sizeof p->line; i++)
		n += (size_t)snprintf(p->line + n, sizeof p->line - n, "%s%s", i ? "\t" : "", r->c[i]);
	p->px = px;
}

static int counters(const char *dir, const char *out, const char *name, int event_col,
		    const char *fix, uint64_t t0, uint64_t t1, char *err, size_t errlen)
{
	io f;
	if (io_open(&f, dir, out, name, err, errlen) != 0)
		return -1;
	uint64_t pxw = (t1 - t0) / PLOT_PX + 1;
	static pend p[NSOCK];
	for (size_t i = 0; i < NSOCK; i++)
		p[i] = (pend){ "", UINT64_MAX, UINT64_MAX };
	row r;
	while (next(&f, fix, &r)) {
		uint64_t t = num(&r, 1), so = num(&r, 2);
		if (r.n <= event_col || t > t1 || so >= NSOCK)
			continue;
		const char *ev = r.c[event_col];
		uint64_t px = t < t0 ? 0 : (t - t0) / pxw + 1;   /* 0: before the window */
		if (strcmp(ev, "overrun") == 0 || (strcmp(ev, "drop") == 0 && p[so].drop_px != px)) {
			if (px && strcmp(ev, "drop") == 0)
				p[so].drop_px = px;
			if (px)
				put(f.out, &r);
			continue;
		}
		if (p[so].px != UINT64_MAX && p[so].px != px)
			fprintf(f.out, "%s\n", p[so].line);
		char t0s[24];
		if (px == 0) {  /* the value in force at t0 starts the step */
			snprintf(t0s, sizeof t0s, "%" PRIu64, t0);
			r.c[1] = t0s;
		}
		hold(&p[so], &r, px);
	}
	for (size_t i = 0; i < NSOCK; i++)
		if (p[i].px != UINT64_MAX)
			fprintf(f.out, "%s\n", p[i].line);
	return io_close(&f, err, errlen);
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
	return 0;
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
	if (states(dir, outdir, fix, *t0, *t1, err, errlen) != 0 ||
	    steps(dir, outdir, fix, *t0, *t1, err, errlen) != 0 ||
	    counters(dir, outdir, "ring.tsv", 6, fix, *t0, *t1, err, errlen) != 0 ||
	    counters(dir, outdir, "backlog.tsv", 5, fix, *t0, *t1, err, errlen) != 0 ||
	    copy_file(dir, outdir, "run.tsv", err, errlen) != 0 ||
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
	uint64_t wait;
} wait_row;

static int wait_cmp(const void *a, const void *b)
{
	const wait_row *x = a, *y = b;
	int c = strcmp(x->fix, y->fix);
	return c ? c : x->wait < y->wait ? -1 : x->wait > y->wait;
}

static int put_waits(FILE *o, wait_row *w, size_t n)
{
	if (n)          /* qsort's array may not be NULL, even for no rows */
		qsort(w, n, sizeof *w, wait_cmp);
	fputs("fix\twait\tcount\n", o);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && w[j].wait == w[i].wait && !strcmp(w[j].fix, w[i].fix); j++)
			;
		fprintf(o, "%s\t%" PRIu64 "\t%zu\n", w[i].fix, w[i].wait, j - i);
	}
	return 0;
}

int plot_waits_write(const char *dir, const char *outdir, char *err, size_t errlen)
{
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
		return -1;
	}
	io f;
	if (io_open(&f, dir, outdir, "lock_acquisitions.tsv", err, errlen) != 0)
		return -1;
	wait_row *w = NULL;
	size_t n = 0, cap = 0;
	row r;
	while (getline(&f.buf, &f.cap, f.in) > 0) {
		split(f.buf, &r);
		if (r.n < 7)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			wait_row *nw = realloc(w, cap * sizeof *w);
			if (!nw) {
				free(w);
				io_close(&f, err, errlen);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			w = nw;
		}
		snprintf(w[n].fix, sizeof w[n].fix, "%s", r.c[0]);
		uint64_t a = num(&r, 5), ws = num(&r, 4);
		w[n++].wait = a > ws ? a - ws : 0;
	}
	/* the cut file holds the counted waits, not the acquisitions */
	rewind(f.out);
	if (ftruncate(fileno(f.out), 0) != 0) {
		free(w);
		io_close(&f, err, errlen);
		snprintf(err, errlen, "writing the plot's data: %s", strerror(errno));
		return -1;
	}
	put_waits(f.out, w, n);
	free(w);
	if (io_close(&f, err, errlen) != 0 || copy_file(dir, outdir, "run.tsv", err, errlen) != 0)
		return -1;
	return copy_file(dir, outdir, "metrics.tsv", err, errlen);
}
