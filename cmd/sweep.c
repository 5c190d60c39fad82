/* sweep.c - parameter sweeps and bisections over plain runs; see sweep.h. */
#include "sweep.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "plot.h"
#include "report.h"
#include "set.h"

#define MAX_VALUES 10000
#define PROBES 17

/* One value's runs: each variant's metrics and failed expect lines. */
typedef struct point {
	uint64_t value;
	uint64_t m[SCN_FIX_COUNT][SCN_M_COUNT];
	uint32_t failed[SCN_FIX_COUNT];
} point;

typedef struct sweep {
	const scn_file *f;
	scn_file base;                  /* f, with a cost line for cost.LABEL */
	scn_param p;
	uint64_t lo, hi, step, n;       /* values lo + k*step <= hi, n of them */
	int fixes[SCN_FIX_COUNT], nfix;
	uint64_t runs;
	const char *spec;
} sweep;

/* "sim: --sweep SPEC: MESSAGE" from a scn_error ("...: error: MESSAGE"); 2. */
static int spec_error(const sweep *s, const char *opt, const char *msg)
{
	const char *e = strstr(msg, "error: ");
	fprintf(stderr, "sim: %s %s: %s\n", opt, s->spec, e ? e + 7 : msg);
	return 2;
}

/* KEY=LO..HI[:STEP] into s (default step: 1 to bisect, else a tenth of the
 * range).  0, or 2 told. */
static int parse_spec(sweep *s, const char *opt, int bisect)
{
	scn_error err;
	const char *eq = strchr(s->spec, '='), *dots = eq ? strstr(eq, "..") : NULL;
	char key[128];
	if (!eq || !dots || (size_t)(eq - s->spec) >= sizeof key)
		return spec_error(s, opt, "expected KEY=LO..HI[:STEP], e.g. stall.for=0..20us:1us");
	memcpy(key, s->spec, (size_t)(eq - s->spec));
	key[eq - s->spec] = '\0';
	if (scn_param_find(&s->base, key, report_labels(), &s->p, &err) != 0)
		return spec_error(s, opt, err.msg);
	const char *colon = strchr(dots + 2, ':');
	const char *hi_end = colon ? colon : dots + 2 + strlen(dots + 2);
	if (scn_param_value(&s->p, eq + 1, (size_t)(dots - eq - 1), &s->lo, &err) != 0 ||
	    scn_param_value(&s->p, dots + 2, (size_t)(hi_end - dots - 2), &s->hi, &err) != 0 ||
	    (colon && scn_param_value(&s->p, colon + 1, strlen(colon + 1), &s->step, &err) != 0))
		return spec_error(s, opt, err.msg);
	if (s->hi < s->lo)
		return spec_error(s, opt, "HI is below LO");
	if (!colon)
		s->step = bisect || s->hi - s->lo < 10 ? 1 : (s->hi - s->lo) / 10;
	if (s->step == 0)
		return spec_error(s, opt, "STEP must be above 0");
	s->n = (s->hi - s->lo) / s->step + 1;
	if (!bisect && s->n > MAX_VALUES)
		return spec_error(s, opt, "more than 10000 values: give a larger STEP");
	return 0;
}

/* The scenario with the parameter at v, held to the language's bounds by
 * writing it and parsing it again: 0, or 2 told, 3 out of memory. */
static int scenario_at(const sweep *s, const char *opt, uint64_t v, scn_file *out)
{
	scn_file g;
	if (scn_clone(&s->base, &g) != 0)
		return 3;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int bad = scn_param_set(&g, &s->p, v);
	if (m && !bad)
		scn_write(m, &g);
	scn_free(&g);
	if (!m || fclose(m) != 0) {
		free(buf);
		return 3;
	}
	scn_error err;
	char what[1024];
	snprintf(what, sizeof what, "value %" PRIu64 " out of range", v);
	int rc = bad ? -1 : scn_parse(s->f->path, buf, len, report_labels(), out, &err);
	free(buf);
	if (rc == 0)
		return 0;
	snprintf(what, sizeof what, "at %.127s=%" PRIu64 "%s: %.511s", s->p.key, v, scn_unit_name(s->p.unit),
		 bad ? "out of range" : strstr(err.msg, "error: ") ? strstr(err.msg, "error: ") + 7 : err.msg);
	return spec_error(s, opt, what);
}

/* Run every variant at value v into pt: 0, or an exit status (told). */
static int run_point(sweep *s, const char *opt, uint64_t v, point *pt)
{
	scn_file h;
	int rc = scenario_at(s, opt, v, &h);
	if (rc)
		return rc;
	pt->value = v;
	for (int i = 0; i < s->nfix && !rc; i++) {
		variant_result r;
		char msg[512];
		memset(&r, 0, sizeof r);
		int err = report_run_variant(&h, s->fixes[i], NULL, &r, msg, sizeof msg);
		report_result_free(&r);
		if (err) {
			fprintf(stderr, "%s\n", msg);
			rc = err == REPORT_ENOMEM ? 3 : 2;
			break;
		}
		s->runs++;
		memcpy(pt->m[i], r.m, sizeof r.m);
		pt->failed[i] = 0;
		for (size_t k = 0; k < h.nexpects; k++) {
			const scn_expect *e = &h.expects[k];
			if ((e->fix < 0 || e->fix == s->fixes[i]) && !report_expect_holds(e, r.m[e->metric]))
				pt->failed[i]++;
		}
	}
	scn_free(&h);
	return rc;
}

static double now_s(void)
{
	/* progress on a terminal only: never part of an output */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* done/total, rate, time left on stderr, when it is a terminal. */
static void progress(const char *what, uint64_t done, uint64_t total, double t0)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(2);
	if (!tty)
		return;
	double el = now_s() - t0, rate = el > 0 ? (double)done / el : 0;
	fprintf(stderr, "\r%s: %" PRIu64 "/%" PRIu64 " values, %.0f/s, %.0f s left   %s", what, done, total,
		rate, rate > 0 ? (double)(total - done) / rate : 0.0, done == total ? "\r\n" : "");
}

/* The metrics a sweep's table shows: not 0 somewhere, or named by an expect
 * line or by --until. */
static void used_metrics(const sweep *s, const point *pts, uint64_t n, int extra, int used[SCN_M_COUNT])
{
	memset(used, 0, SCN_M_COUNT * sizeof(*used));
	for (size_t k = 0; k < s->f->nexpects; k++)
		used[s->f->expects[k].metric] = 1;
	if (extra >= 0)
		used[extra] = 1;
	for (uint64_t k = 0; k < n; k++)
		for (int i = 0; i < s->nfix; i++)
			for (int m = 0; m < SCN_M_COUNT; m++)
				used[m] |= pts[k].m[i][m] != 0;
}

static void print_table(FILE *out, const sweep *s, const point *pts)
{
	int used[SCN_M_COUNT];
	used_metrics(s, pts, s->n, -1, used);
	char head[160];
	snprintf(head, sizeof head, "%s%s%s%s", s->p.key, *scn_unit_name(s->p.unit) ? " (" : "",
		 scn_unit_name(s->p.unit), *scn_unit_name(s->p.unit) ? ")" : "");
	int w = (int)strlen(head) > 12 ? (int)strlen(head) : 12;
	fprintf(out, "sweep %s: %s from %" PRIu64 " to %" PRIu64 " step %" PRIu64 "%s: %" PRIu64 " values x %d variant%s\n",
		s->f->name, s->p.key, s->lo, s->lo + (s->n - 1) * s->step, s->step, scn_unit_name(s->p.unit), s->n,
		s->nfix, s->nfix == 1 ? "" : "s");
	fprintf(out, "%*s  %-11s", w, head, "fix");
	for (int m = 0; m < SCN_M_COUNT; m++)
		if (used[m])
			fprintf(out, " %*s", (int)strlen(scn_metric_name(m)) > 7 ? (int)strlen(scn_metric_name(m)) : 7,
				scn_metric_name(m));
	fputs(s->f->nexpects ? "  expect\n" : "\n", out);
	for (uint64_t k = 0; k < s->n; k++)
		for (int i = 0; i < s->nfix; i++) {
			fprintf(out, "%*" PRIu64 "  %-11s", w, pts[k].value, scn_fix_name(s->fixes[i]));
			for (int m = 0; m < SCN_M_COUNT; m++)
				if (used[m])
					fprintf(out, " %*" PRIu64, (int)strlen(scn_metric_name(m)) > 7 ?
						(int)strlen(scn_metric_name(m)) : 7, pts[k].m[i][m]);
			if (s->f->nexpects)
				fprintf(out, pts[k].failed[i] ? "  FAIL (%u)" : "  ok", pts[k].failed[i]);
			fputc('\n', out);
		}
}

static void print_range_json(FILE *out, const sweep *s, const char *what)
{
	fputs("{\"scenario\": ", out);
	json_string(out, s->f->name);
	fprintf(out, ", \"%s\": {\"key\": ", what);
	json_string(out, s->p.key);
	fprintf(out, ", \"unit\": \"%s\", \"from\": %" PRIu64 ", \"to\": %" PRIu64 ", \"step\": %" PRIu64,
		scn_unit_name(s->p.unit), s->lo, s->lo + (s->n - 1) * s->step, s->step);
}

static void print_json(FILE *out, const sweep *s, const point *pts)
{
	print_range_json(out, s, "sweep");
	fputs("}, \"points\": [", out);
	for (uint64_t k = 0; k < s->n; k++) {
		fprintf(out, "%s{\"value\": %" PRIu64 ", \"variants\": [", k ? ", " : "", pts[k].value);
		for (int i = 0; i < s->nfix; i++) {
			fprintf(out, "%s{\"fix\": \"%s\", \"expect_failed\": %u, \"metrics\": {", i ? ", " : "",
				scn_fix_name(s->fixes[i]), pts[k].failed[i]);
			for (int m = 0; m < SCN_M_COUNT; m++)
				fprintf(out, "%s\"%s\": %" PRIu64, m ? ", " : "", scn_metric_name(m), pts[k].m[i][m]);
			fputs("}}", out);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
}

/* DIR/sweep.tsv: a block a variant (two blank lines apart, for gnuplot's
 * `index`), each with its header line: "fix=F KEY (UNIT)", every metric,
 * expect_failed.  0, or -1 told. */
static int write_tsv(const sweep *s, const point *pts, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/sweep.tsv", dir);
	FILE *t = fopen(path, "w");
	if (!t) {
		fprintf(stderr, "sim: cannot write %s\n", path);
		return -1;
	}
	for (int i = 0; i < s->nfix; i++) {
		fprintf(t, "%sfix=%s %s (%s)", i ? "\n\n" : "", scn_fix_name(s->fixes[i]), s->p.key,
			*scn_unit_name(s->p.unit) ? scn_unit_name(s->p.unit) : "count");
		for (int m = 0; m < SCN_M_COUNT; m++)
			fprintf(t, "\t%s", scn_metric_name(m));
		fputs("\texpect_failed\n", t);
		for (uint64_t k = 0; k < s->n; k++) {
			fprintf(t, "%" PRIu64, pts[k].value);
			for (int m = 0; m < SCN_M_COUNT; m++)
				fprintf(t, "\t%" PRIu64, pts[k].m[i][m]);
			fprintf(t, "\t%u\n", pts[k].failed[i]);
		}
	}
	if (fclose(t) != 0) {
		fprintf(stderr, "sim: writing %s failed\n", path);
		return -1;
	}
	return 0;
}

/* The data files and the picture a sweep was asked for: 0, or 3 told. */
static int write_data(const sweep *s, const sweep_opts *o, const point *pts)
{
	if (o->tsv_dir && write_tsv(s, pts, o->tsv_dir) != 0)
		return 3;
	if (!o->plot_dir)
		return 0;
	char msg[512];
	if (write_tsv(s, pts, o->plot_dir) != 0)
		return 3;
	if (plot_sweep(o->gnuplot, o->plot_dir, msg, sizeof msg) != 0) {
		fprintf(stderr, "sim: --plot: %s\n", msg);
		return 3;
	}
	return 0;
}

static int do_sweep(sweep *s, const sweep_opts *o, FILE *out)
{
	point *pts = calloc(s->n, sizeof(*pts));
	if (!pts)
		return 3;
	int rc = 0;
	double t0 = now_s();
	for (uint64_t k = 0; k < s->n && !rc; k++) {
		rc = run_point(s, "--sweep", s->lo + k * s->step, &pts[k]);
		progress("sweep", k + 1, s->n, t0);
	}
	if (!rc) {
		if (o->json)
			print_json(out, s, pts);
		else
			print_table(out, s, pts);
		rc = write_data(s, o, pts);
		for (uint64_t k = 0; k < s->n && !rc; k++)
			for (int i = 0; i < s->nfix; i++)
				if (pts[k].failed[i])
					rc = 1;
	}
	free(pts);
	return rc;
}

/* --until 'METRIC OP VALUE' (spaces optional) into e: 0, or 2 told. */
static int parse_until(const char *s, scn_expect *e)
{
	char t[128];
	size_t n = 0;
	for (const char *c = s; *c && n + 1 < sizeof t; c++)
		if (*c != ' ' && *c != '\t')
			t[n++] = *c;
	t[n] = '\0';
	size_t m = strspn(t, "abcdefghijklmnopqrstuvwxyz_");
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)(m < 63 ? m : 63), t);
	e->metric = scn_metric_parse(name);
	e->op = -1;
	for (int k = 0; k < scn_cmp_names.count; k++) {
		size_t l = strlen(scn_cmp_names.names[k]);
		if (!strncmp(t + m, scn_cmp_names.names[k], l) && (e->op < 0 || l > strlen(scn_cmp_name(e->op))))
			e->op = k;
	}
	const char *v = e->op >= 0 ? t + m + strlen(scn_cmp_name(e->op)) : "";
	char *end;
	e->value = strtoull(v, &end, 10);
	if (e->metric < 0 || e->op < 0 || !*v || *end || *v < '0' || *v > '9') {
		fprintf(stderr, "sim: --until: expected 'METRIC OP VALUE' (e.g. 'overrun>=1'; a metric of "
			"docs/metrics.md, an operator == != < <= > >=), got '%s'\n", s);
		return 2;
	}
	e->fix = -1;
	snprintf(e->text, sizeof e->text, "%s%s%" PRIu64, scn_metric_name(e->metric), scn_cmp_name(e->op), e->value);
	return 0;
}

/* One variant's bisection: the grid index where the condition first holds
 * (UINT64_MAX: nowhere), whether the probes were monotone, its points. */
typedef struct bisection {
	uint64_t at;
	int monotone;
	point below, hit;
	uint64_t probes, steps;
} bisection;

static int holds(const scn_expect *e, const point *pt, int i)
{
	return report_expect_holds(e, pt->m[i][e->metric]);
}

/* Variant i: probe PROBES evenly spaced grid values, then halve the gap
 * below the first that holds.  0, or an exit status. */
static int bisect_variant(sweep *s, const scn_expect *e, int i, bisection *b)
{
	uint64_t k = s->n < PROBES ? s->n : PROBES, first = UINT64_MAX, prev = 0;
	int rc = 0, seen_true = 0;
	point pt;
	*b = (bisection){ .at = UINT64_MAX, .monotone = 1 };
	for (uint64_t j = 0; j < k && !rc; j++) {
		uint64_t g = k == 1 ? 0 : j * (s->n - 1) / (k - 1);
		rc = run_point(s, "--bisect", s->lo + g * s->step, &pt);
		b->probes++;
		int h = !rc && holds(e, &pt, i);
		if (seen_true && !h)
			b->monotone = 0;
		if (h && first == UINT64_MAX) {
			first = g;
			b->hit = pt;
		} else if (!h && first == UINT64_MAX) {
			prev = g;
			b->below = pt;
		}
		seen_true |= h;
	}
	if (rc || first == UINT64_MAX)
		return rc;
	uint64_t lo = prev, hi = first;     /* lo does not hold (unless hi is 0), hi does */
	while (first > 0 && hi - lo > 1 && !rc) {
		uint64_t mid = lo + (hi - lo) / 2;
		rc = run_point(s, "--bisect", s->lo + mid * s->step, &pt);
		b->steps++;
		if (rc)
			break;
		if (holds(e, &pt, i)) {
			hi = mid;
			b->hit = pt;
		} else {
			lo = mid;
			b->below = pt;
		}
	}
	b->at = hi;
	return rc;
}

static void print_bisection_text(FILE *out, const sweep *s, const scn_expect *e, int i, const bisection *b)
{
	const char *u = scn_unit_name(s->p.unit), *fix = scn_fix_name(s->fixes[i]), *mn = scn_metric_name(e->metric);
	if (b->at == UINT64_MAX) {
		fprintf(out, "  fix=%s: %s holds nowhere on %" PRIu64 "..%" PRIu64 "%s (%" PRIu64 " probes)\n", fix,
			e->text, s->lo, s->lo + (s->n - 1) * s->step, u, b->probes);
	} else if (b->at == 0) {
		fprintf(out, "  fix=%s: %s holds already at %s=%" PRIu64 "%s (%s=%" PRIu64 ")\n", fix, e->text,
			s->p.key, s->lo, u, mn, b->hit.m[i][e->metric]);
	} else {
		fprintf(out, "  fix=%s: %s from %s=%" PRIu64 "%s on (%s=%" PRIu64 "); at %" PRIu64 "%s %s=%" PRIu64
			" (%" PRIu64 " probes, %" PRIu64 " bisection steps)\n", fix, e->text, s->p.key, b->hit.value, u,
			mn, b->hit.m[i][e->metric], b->below.value, u, mn, b->below.m[i][e->metric], b->probes, b->steps);
	}
	if (!b->monotone)
		fprintf(out, "  caveat (fix=%s): %s is not monotonic in %s: a probe where it held came before one where "
			"it did not, so this is the first change found, not the only one\n", fix, mn, s->p.key);
}

static void print_bisection_json(FILE *out, const sweep *s, const scn_expect *e, int i, const bisection *b)
{
	fprintf(out, "%s{\"fix\": \"%s\", ", i ? ", " : "", scn_fix_name(s->fixes[i]));
	if (b->at == UINT64_MAX)
		fputs("\"threshold\": null", out);
	else
		fprintf(out, "\"threshold\": %" PRIu64 ", \"%s\": %" PRIu64, b->hit.value, scn_metric_name(e->metric),
			b->hit.m[i][e->metric]);
	if (b->at != UINT64_MAX && b->at > 0)
		fprintf(out, ", \"below\": {\"value\": %" PRIu64 ", \"%s\": %" PRIu64 "}", b->below.value,
			scn_metric_name(e->metric), b->below.m[i][e->metric]);
	fprintf(out, ", \"monotone_probes\": %s, \"probes\": %" PRIu64 ", \"steps\": %" PRIu64 "}",
		b->monotone ? "true" : "false", b->probes, b->steps);
}

static int do_bisect(sweep *s, const sweep_opts *o, FILE *out)
{
	scn_expect e;
	if (!o->until) {
		fputs("sim: --bisect needs --until 'METRIC OP VALUE'\n", stderr);
		return 2;
	}
	if (parse_until(o->until, &e) != 0)
		return 2;
	bisection b[SCN_FIX_COUNT];
	int rc = 0;
	for (int i = 0; i < s->nfix && !rc; i++)
		rc = bisect_variant(s, &e, i, &b[i]);
	if (rc)
		return rc;
	if (o->json) {
		print_range_json(out, s, "bisect");
		fputs(", \"until\": ", out);
		json_string(out, e.text);
		fputs("}, \"variants\": [", out);
	} else {
		fprintf(out, "bisect %s: %s from %" PRIu64 " to %" PRIu64 " step %" PRIu64 "%s until %s\n", s->f->name,
			s->p.key, s->lo, s->lo + (s->n - 1) * s->step, s->step, scn_unit_name(s->p.unit), e.text);
	}
	for (int i = 0; i < s->nfix; i++) {
		if (o->json)
			print_bisection_json(out, s, &e, i, &b[i]);
		else
			print_bisection_text(out, s, &e, i, &b[i]);
		if (b[i].at == UINT64_MAX)
			rc = 1;
	}
	if (o->json)
		fputs("]}\n", out);
	return rc;
}

int sweep_main(const scn_file *f, const sweep_opts *o, FILE *out)
{
	sweep s = { .f = f, .spec = o->spec };
	if (scn_clone(f, &s.base) != 0) {
		fputs("sim: out of memory\n", stderr);
		return 3;
	}
	s.nfix = report_variants(f->fix, s.fixes);
	int rc = parse_spec(&s, o->bisect ? "--bisect" : "--sweep", o->bisect);
	if (!rc)
		rc = o->bisect ? do_bisect(&s, o, out) : do_sweep(&s, o, out);
	if (rc == 3)
		fputs("sim: out of memory or an output could not be written\n", stderr);
	scn_free(&s.base);
	return rc;
}
