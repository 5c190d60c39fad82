/* bench.c - see bench.h.
 *
 * What is timed: world_reset + world_run of a world built once (parsing and
 * building are not), with tracing off, `reps` times; the median is printed.
 * Each workload runs in a child process so that its peak RSS is its own.
 * Every repetition must give the same event count and metrics as the first:
 * a benchmark that is not deterministic is a bug, and says so.
 */
#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "datadir.h"
#include "opt.h"
#include "queue_bench.h"
#include "scn.h"
#include "world.h"

#define MAX_REPS 32

typedef struct bench_opts {
	int quick;
	int reps;
	const char *only;       /* comma-separated workload names, or NULL */
} bench_opts;

/* What a child reports to the parent. */
typedef struct bench_result {
	int ok;
	uint32_t cpus;
	uint64_t packets;       /* made by the flows */
	uint64_t events;        /* per run */
	uint64_t median_ns, min_ns, max_ns;
	uint64_t arena_bytes;
	long maxrss_kib;
	char err[SCN_ERR_MAX];
} bench_result;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- scenarios ---- */

static int parse_text(const char *name, const char *text, size_t len, scn_file *f, char *err,
		      size_t errlen)
{
	size_t n = world_label_table(NULL, NULL, 0);
	const char **names = calloc(n, sizeof(*names));
	if (!names) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	world_label_table(names, NULL, n);
	scn_labels labels = { names, n };
	scn_error e;
	int rc = scn_parse(name, text, len, &labels, f, &e);
	free(names);
	if (rc != 0)
		snprintf(err, errlen, "%s", e.msg);
	return rc;
}

static int load_file(const char *rel, scn_file *f, char *err, size_t errlen)
{
	char *path = datadir_file(rel);
	FILE *fp = path ? fopen(path, "rb") : NULL;
	if (!fp) {
		snprintf(err, errlen, "cannot open %s in the data directory (SIM_DATADIR)", rel);
		free(path);
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				free(path);
				fclose(fp);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
	} while (got);
	fclose(fp);
	int rc = parse_text(path, buf, len, f, err, errlen);
	free(buf);
	free(path);
	return rc;
}

/* The ring workload with `writers` receiving CPUs and a user_bit reader on
 * one more: `packets` in all, each flow one every max(1 us, writers/8 us),
 * i.e. 8 packets a microsecond in all once there are 8 writers or more. */
static int gen_ring(uint32_t writers, uint64_t packets, scn_file *f, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	uint64_t every = writers * 125u > 1000 ? writers * 125u : 1000;
	fprintf(m, "scenario bench-ring-%u-%" PRIu64 "\ncpus %u\n", writers, packets, writers + 1);
	fprintf(m, "socket cap type=packet version=v2 frames=256 frame_size=2048\n");
	for (uint32_t i = 0; i < writers; i++) {
		uint64_t count = packets / writers + (i < packets % writers);
		if (count)
			fprintf(m, "flow f%u socket=cap cpu=%u every=%" PRIu64 "ns count=%" PRIu64
				" size=64\n", i, i, every, count);
	}
	fprintf(m, "consumer rd socket=cap cpu=%u check=user_bit\n", writers);
	if (fclose(m) != 0) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = parse_text("<bench>", buf, len, f, err, errlen);
	free(buf);
	return rc;
}

/* Quick (smoke) mode: the same scenario, a hundredth of the traffic. */
static void shrink(scn_file *f)
{
	for (size_t i = 0; i < f->nflows; i++)
		f->flows[i].count = f->flows[i].count / 100 + 1;
	for (size_t i = 0; i < f->ntasks; i++)
		f->tasks[i].repeat = f->tasks[i].repeat / 100 + 1;
}

/* ---- running one workload (in the child) ---- */

static void run_scn(const scn_file *f, int reps, bench_result *r)
{
	world *w = malloc(sizeof(*w));
	if (!w) {
		snprintf(r->err, sizeof r->err, "out of memory");
		return;
	}
	if (world_build(w, f, f->fix == SCN_FIX_ALL ? SCN_FIX_NONE : f->fix, r->err, sizeof r->err) != 0) {
		free(w);
		return;
	}
	uint64_t t[MAX_REPS];
	uint64_t m0[SCN_M_COUNT];
	r->ok = 1;
	for (int i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();
		world_reset(w);
		world_run(w);
		t[i] = now_ns() - t0;
		if (i == 0) {
			r->events = w->s.g->events;
			r->packets = w->g->created;
			memcpy(m0, w->g->m, sizeof m0);
		} else if (r->events != w->s.g->events || memcmp(m0, w->g->m, sizeof m0) != 0) {
			snprintf(r->err, sizeof r->err, "run %d differs from run 1 (%" PRIu64 " events, not %"
				 PRIu64 "): not deterministic", i + 1, w->s.g->events, r->events);
			r->ok = 0;
		}
	}
	qsort(t, (size_t)reps, sizeof t[0], cmp_u64);
	r->median_ns = t[reps / 2];
	r->min_ns = t[0];
	r->max_ns = t[reps - 1];
	r->cpus = f->cpus;
	r->arena_bytes = w->s.ar.size;
	world_free(w);
	free(w);
}

typedef struct workload {
	const char *name;
	const char *file;       /* under the source tree, or NULL: generated */
	uint32_t writers;
	uint64_t packets;
} workload;

static void run_workload(const workload *wl, const bench_opts *o, bench_result *r)
{
	scn_file f;
	int rc = wl->file ? load_file(wl->file, &f, r->err, sizeof r->err)
			  : gen_ring(wl->writers, wl->packets, &f, r->err, sizeof r->err);
	if (rc != 0)
		return;
	if (o->quick && wl->file)
		shrink(&f);
	run_scn(&f, o->reps, r);
	scn_free(&f);
}

/* Run it in a child; the child's getrusage is the workload's own peak. */
static void measure(const workload *wl, const bench_opts *o, bench_result *r)
{
	memset(r, 0, sizeof(*r));
	int fd[2];
	fflush(NULL);
	if (pipe(fd) != 0) {
		run_workload(wl, o, r);
		r->maxrss_kib = -1;
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		run_workload(wl, o, r);
		r->maxrss_kib = -1;
		return;
	}
	if (pid == 0) {
		close(fd[0]);
		run_workload(wl, o, r);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		r->maxrss_kib = ru.ru_maxrss;
		ssize_t n = write(fd[1], r, sizeof(*r));
		_exit(n == (ssize_t)sizeof(*r) ? 0 : 1);
	}
	close(fd[1]);
	size_t got = 0;
	while (got < sizeof(*r)) {
		ssize_t n = read(fd[0], (char *)r + got, sizeof(*r) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd[0]);
	int status;
	waitpid(pid, &status, 0);
	if (got != sizeof(*r)) {
		memset(r, 0, sizeof(*r));
		snprintf(r->err, sizeof r->err, "the benchmark process died (status %d)", status);
	}
}

static void print_head(FILE *out)
{
	fprintf(out, "  %-16s %5s %10s %11s %7s %10s %9s %10s %8s %10s %9s\n", "workload", "cpus",
		"packets", "events", "ev/pkt", "Mevents/s", "ns/event", "ns/packet", "(best)", "peak RSS",
		"arena");
}

static int print_row(FILE *out, const char *name, const bench_result *r)
{
	if (!r->ok) {
		fprintf(out, "  %-16s FAILED: %s\n", name, r->err);
		return 1;
	}
	double s = (double)r->median_ns / 1e9;
	double pk = (double)(r->packets ? r->packets : 1);
	fprintf(out, "  %-16s %5u %10" PRIu64 " %11" PRIu64 " %7.2f %10.2f %9.1f %10.1f %8.1f %6.1f MiB %5.0f KiB\n",
		name, r->cpus, r->packets, r->events,
		r->packets ? (double)r->events / (double)r->packets : 0.0,
		(double)r->events / s / 1e6, (double)r->median_ns / (double)(r->events ? r->events : 1),
		(double)r->median_ns / pk, (double)r->min_ns / pk,
		(double)r->maxrss_kib / 1024.0, (double)r->arena_bytes / 1024.0);
	return 0;
}

static int selected(const bench_opts *o, const char *name)
{
	if (!o->only)
		return 1;
	size_t n = strlen(name);
	for (const char *p = o->only; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && strncmp(p, name, n) == 0)
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* Every workload --only may name (bench_usage lists them). */
static const char *const workloads[] = { "ring8", "ring64", "sock64", "scale-cpus",
					 "scale-packets", "queue" };

/* Each comma-separated name of --only is a workload: 0, or -1 with the
 * reason on stderr. */
static int check_only(const char *only)
{
	for (const char *p = only;;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p), k = 0;
		while (k < sizeof workloads / sizeof workloads[0] &&
		       (strlen(workloads[k]) != l || strncmp(p, workloads[k], l) != 0))
			k++;
		if (k == sizeof workloads / sizeof workloads[0]) {
			fprintf(stderr, "sim: --bench: --only: unknown workload '%.*s'\n", (int)l, p);
			return -1;
		}
		if (!e)
			return 0;
		p = e + 1;
	}
}

static const char bench_usage[] =
	"usage: sim --bench [--quick] [--reps N] [--only NAME[,NAME...]]\n"
	"  workloads: ring8 ring64 sock64 scale-cpus scale-packets queue\n"
	"  --quick   tiny sizes, one run each (smoke mode: no timing is checked)\n"
	"  --reps N  runs per workload, the median is printed (default 5, 1..32)\n";

/* Fill o from the command line; -1, or the exit status when there is
 * nothing to run (--help) or the line is wrong. */
static int parse_opts(int argc, char **argv, bench_opts *o)
{
	*o = (bench_opts){ 0, 0, NULL };
	for (int i = 1; i < argc; i++) {
		opt_arg oa;
		const char *a = opt_split(&oa, argv[i]);
		const char *v;
		if (!strcmp(argv[i], "--bench"))
			continue;       /* `sim --bench ...` passes its own flag along */
		if (!strcmp(argv[i], "--quick")) {
			o->quick = 1;
		} else if (!strcmp(a, "--reps") && (v = opt_value(&oa, argc, argv, &i)) != NULL) {
			char *end;
			long n = strtol(v, &end, 10);
			if (!*v || *end || n < 1 || n > MAX_REPS) {
				fprintf(stderr, "sim: --bench: --reps must be 1..%d, got '%s'\n", MAX_REPS, v);
				fputs(bench_usage, stderr);
				return 2;
			}
			o->reps = (int)n;
		} else if (!strcmp(a, "--only") && (v = opt_value(&oa, argc, argv, &i)) != NULL) {
			if (check_only(v) != 0) {
				fputs(bench_usage, stderr);
				return 2;
			}
			o->only = v;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(bench_usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "sim: --bench: unknown option '%s'\n", argv[i]);
			fputs(bench_usage, stderr);
			return 2;
		}
	}
	if (!o->reps)
		o->reps = o->quick ? 2 : 5;
	return -1;
}

/* Measure one workload and print its row; 1 if it failed. */
static int bench_one(const workload *wl, const char *name, const bench_opts *o)
{
	bench_result r;
	measure(wl, o, &r);
	int failed = print_row(stdout, name, &r);
	fflush(stdout);
	return failed;
}

static const workload fixed[] = {
	{ "ring8", "scenarios/bench/ring8.scn", 0, 0 },
	{ "ring64", "scenarios/bench/ring64.scn", 0, 0 },
	{ "sock64", "scenarios/bench/sock64.scn", 0, 0 },
};

/* The scenarios of scenarios/bench/, under the table's heading. */
static int run_fixed(const bench_opts *o)
{
	int failed = 0, any = 0;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		any |= selected(o, fixed[i].name);
	any |= selected(o, "scale-cpus") | selected(o, "scale-packets");
	if (any) {
		printf("sim benchmarks: wall time of world_reset + world_run, median of %d run%s (and the best), tracing off%s\n",
		       o->reps, o->reps == 1 ? "" : "s", o->quick ? " (quick: tiny sizes, not a measurement)" : "");
		print_head(stdout);
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (selected(o, fixed[i].name))
			failed += bench_one(&fixed[i], fixed[i].name, o);
	return failed;
}

static int run_scale_cpus(const bench_opts *o)
{
	static const uint32_t cpu_series[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
	int failed = 0;
	uint64_t p = o->quick ? 2000 : 1000000;
	printf("scaling in CPUs: %" PRIu64 " packets over N writers + 1 reader, 8 packets/us in all (1/us per writer below 8)\n", p);
	for (size_t i = 0; i < sizeof cpu_series / sizeof cpu_series[0]; i++) {
		if (o->quick && cpu_series[i] > 16)
			break;
		workload wl = { NULL, NULL, cpu_series[i], p };
		char name[32];
		snprintf(name, sizeof name, "ring N=%u", cpu_series[i]);
		failed += bench_one(&wl, name, o);
	}
	return failed;
}

static int run_scale_packets(const bench_opts *o)
{
	static const uint64_t pkt_series[] = { 10000, 100000, 1000000, 10000000 };
	int failed = 0;
	printf("scaling in packets: 8 writers + 1 reader, 1 packet/us each\n");
	for (size_t i = 0; i < sizeof pkt_series / sizeof pkt_series[0]; i++) {
		uint64_t p = o->quick ? pkt_series[i] / 100 : pkt_series[i];
		if (o->quick && i >= 2)
			break;
		workload wl = { NULL, NULL, 8, p };
		char name[32];
		snprintf(name, sizeof name, "ring P=%" PRIu64, p);
		failed += bench_one(&wl, name, o);
	}
	return failed;
}

int bench_main(int argc, char **argv)
{
	bench_opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	int failed = run_fixed(&o);
	if (selected(&o, "scale-cpus"))
		failed += run_scale_cpus(&o);
	if (selected(&o, "scale-packets"))
		failed += run_scale_packets(&o);
	if (selected(&o, "queue")) {
		if (queue_bench(stdout, o.quick) != 0)
			failed++;
	}
	fflush(stdout);
	return failed ? 3 : 0;
}
