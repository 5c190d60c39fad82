/* main.c - the `sim` command line: the only place that knows both the engine
 * (sim/) and the models (models/). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "bench.h"
#include "explore.h"
#include "opt.h"
#include "plot.h"
#include "report.h"
#include "scn.h"
#include "trace_perfetto.h"
#include "trace_tsv.h"
#include "world.h"

enum { EXIT_OK = 0, EXIT_EXPECT = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage[] =
	"usage: sim FILE.scn [--seed N] [--fix none|in_progress|owner_map|all] [--json]\n"
	"                    [--trace FILE] [--tsv DIR] [--perfetto FILE] [--plot DIR] [--quiet]\n"
	"       sim FILE.scn --explore N [--strategy random|pct] [--depth D] [-j J] [--fix F]\n"
	"                    [--shrink] [--shrink-out FILE] [--json]\n"
	"       sim FILE.scn --replay SEED [--fix F] [--trace FILE]\n"
	"       sim --bench [--quick] [--reps N] [--only WORKLOAD]\n"
	"       sim --labels | --help | --version\n";

static const char help[] =
	"sim - a deterministic discrete-event simulator of Linux kernel networking\n"
	"concurrency: CPUs with hardirq/softirq/process contexts, spinlocks, the\n"
	"socket lock (slock + owned + backlog) and the AF_PACKET TPACKET_V1/V2 RX ring.\n"
	"\n"
	"  FILE.scn         the scenario (see SCENARIOS.md); a relative path is tried\n"
	"                   from the current directory, then from the source tree\n"
	"  --seed N         override the scenario's seed\n"
	"  --fix F          run tpacket_rcv variant F: none, in_progress, owner_map, all\n"
	"  --json           print the results as one JSON object\n"
	"  --trace FILE     write every event, one per line (TIME_NS cpuN CONTEXT LABEL k=v...)\n"
	"  --tsv DIR        write the contention data for gnuplot into DIR: cpu_states.tsv,\n"
	"                   lock_acquisitions.tsv, ring.tsv, backlog.tsv, metrics.tsv, ...\n"
	"  --perfetto FILE  write a Chrome trace-event JSON file (open it in ui.perfetto.dev)\n"
	"  --plot DIR       write the TSV data into DIR and render DIR/*.png with gnuplot\n"
	"                   (timeline per variant, spin_hist.png, compare.png)\n"
	"  --quiet          print only failed expectations\n"
	"\n"
	"  --explore N      run N runs perturbed from the seed (random stalls after labelled\n"
	"                   steps, extra hardirqs, cost jitter, random lock hand-off; bounds\n"
	"                   from the scenario's `explore` line); report which invariants broke\n"
	"  --strategy S     random (stall each step with a small probability) or pct (stall\n"
	"                   at exactly D change points, probabilistic concurrency testing)\n"
	"  --depth D        stalls per run: the expected number (random) or exactly D (pct)\n"
	"  -j J, --jobs J   worker threads; the report is the same for every J\n"
	"  --shrink         minimise the smallest failing run into a standalone scenario\n"
	"  --shrink-out F   where to write it (default NAME-FIX-shrunk.scn here)\n"
	"  --replay SEED    rerun one run of an exploration exactly (its report and trace)\n"
	"\n"
	"  --labels         list every label a `stall` or `cost` can name\n"
	"  --bench          run the benchmarks (events/s, ns per packet, peak RSS, event queue)\n"
	"  --help, --version\n"
	"\n"
	"A value follows its option as `--seed 5` or `--seed=5`.\n"
	"\n"
	"Exit status: 0 every expectation holds, 1 an expectation failed (with\n"
	"--explore/--replay: a run violated an invariant), 2 bad input or usage,\n"
	"3 internal error.\n";

/* One line on stderr, exit status 2. */
static int usage_error(const char *fmt, const char *arg)
{
	fputs("sim: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (sim --help for usage)\n", stderr);
	return EXIT_USAGE;
}

/* The options that take no value. */
static int is_flag(const char *a)
{
	static const char *const flags[] = { "--help", "--version", "--labels", "--json", "--quiet",
					     "--shrink", "--bench" };
	for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
		if (!strcmp(a, flags[k]))
			return 1;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	if (!*s)
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int print_labels(void)
{
	size_t n = world_label_table(NULL, NULL, 0);
	const char **names = calloc(n, sizeof(*names));
	const char **kernel = calloc(n, sizeof(*kernel));
	if (!names || !kernel)
		return EXIT_INTERNAL;
	world_label_table(names, kernel, n);
	for (size_t i = 0; i < n; i++)
		printf("%-30s %s\n", names[i], kernel[i]);
	free(names);
	free(kernel);
	return EXIT_OK;
}

/* A scenario path: as given, else relative to the source tree. */
static int load(const char *path, scn_file *f, scn_error *err)
{
	FILE *probe = fopen(path, "rb");
	if (!probe && path[0] != '/' && errno == ENOENT) {
		char alt[4096];
		snprintf(alt, sizeof alt, "%s/%s", SIM_SOURCE_DIR, path);
		FILE *p2 = fopen(alt, "rb");
		if (p2) {
			fclose(p2);
			return scn_parse_file(alt, report_labels(), f, err);
		}
	}
	if (probe)
		fclose(probe);
	return scn_parse_file(path, report_labels(), f, err);
}

int main(int argc, char **argv)
{
	const char *file = NULL, *trace_path = NULL, *tsv_dir = NULL, *perfetto_path = NULL,
		   *plot_dir = NULL;
	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench_main(argc, argv);      /* the benchmarks (bench/bench.c) */
	run_opts o = { .fix = -1 };
	explore_opts xo = { .strategy = -1, .depth = -1, .jobs = 1 };
	int exploring = 0;
	for (int i = 1; i < argc; i++) {
		opt_arg oa;
		const char *a = opt_split(&oa, argv[i]);
		if (oa.value && is_flag(a))
			return usage_error("%s takes no value", a);
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			fputs("\n", stdout);
			fputs(help, stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--version")) {
			printf("sim %s\n", SIM_VERSION);
			return EXIT_OK;
		} else if (!strcmp(a, "--labels")) {
			return print_labels();
		} else if (!strcmp(a, "--json")) {
			o.json = 1;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--shrink")) {
			xo.shrink = 1;
		} else if (!strcmp(a, "--explore") || !strcmp(a, "--strategy") || !strcmp(a, "--depth") ||
			   !strcmp(a, "-j") || !strcmp(a, "--jobs") || !strcmp(a, "--replay") ||
			   !strcmp(a, "--shrink-out")) {
			const char *v = opt_value(&oa, argc, argv, &i);
			if (!v)
				return usage_error("%s needs a value", a);
			uint64_t n = 0;
			if (!strcmp(a, "--strategy")) {
				if (!strcmp(v, "random"))
					xo.strategy = SCN_STRATEGY_RANDOM;
				else if (!strcmp(v, "pct"))
					xo.strategy = SCN_STRATEGY_PCT;
				else
					return usage_error("--strategy: unknown strategy '%s' (random, pct)", v);
			} else if (!strcmp(a, "--shrink-out")) {
				xo.shrink_out = v;
			} else if (parse_u64(v, &n) != 0) {
				return usage_error("not a decimal number: '%s'", v);
			} else if (!strcmp(a, "--explore")) {
				if (n < 1 || n > 1000000000)
					return usage_error("--explore: runs must be 1..1000000000, got '%s'", v);
				xo.runs = n;
				exploring = 1;
			} else if (!strcmp(a, "--depth")) {
				if (n < 1 || n > 64)
					return usage_error("--depth: must be 1..64, got '%s'", v);
				xo.depth = (int)n;
			} else if (!strcmp(a, "--replay")) {
				xo.replay = 1;
				xo.replay_seed = n;
			} else {
				if (n < 1 || n > 256)
					return usage_error("-j: workers must be 1..256, got '%s'", v);
				xo.jobs = (uint32_t)n;
			}
		} else if (!strcmp(a, "--seed") || !strcmp(a, "--fix") || !strcmp(a, "--trace") ||
			   !strcmp(a, "--tsv") || !strcmp(a, "--perfetto") || !strcmp(a, "--plot")) {
			const char *v = opt_value(&oa, argc, argv, &i);
			if (!v)
				return usage_error("%s needs a value", a);
			if (!strcmp(a, "--seed")) {
				if (parse_u64(v, &o.seed) != 0)
					return usage_error("--seed: not a 64-bit decimal number: '%s'", v);
				o.has_seed = 1;
			} else if (!strcmp(a, "--fix")) {
				o.fix = scn_fix_parse(v);
				if (o.fix < 0)
					return usage_error("--fix: unknown variant '%s' (none, in_progress, owner_map, all)", v);
			} else if (!strcmp(a, "--tsv")) {
				tsv_dir = v;
			} else if (!strcmp(a, "--perfetto")) {
				perfetto_path = v;
			} else if (!strcmp(a, "--plot")) {
				plot_dir = v;
			} else {
				trace_path = v;
			}
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", argv[i]);
		} else if (file) {
			return usage_error("more than one scenario file: '%s'", a);
		} else {
			file = a;
		}
	}
	if (!file)
		return usage_error("%s", "no scenario file given");
	if (exploring && xo.replay)
		return usage_error("%s", "--explore and --replay do not go together");
	if (xo.shrink && !exploring)
		return usage_error("%s", "--shrink goes with --explore");
	if ((exploring || xo.replay) && (tsv_dir || perfetto_path || plot_dir))
		return usage_error("%s", "--tsv, --perfetto and --plot are for plain runs");
	if (exploring && trace_path)
		return usage_error("%s", "--trace with --explore: trace one run with --replay SEED");
	char gnuplot[4096];
	if (plot_dir && plot_find_gnuplot(gnuplot, sizeof gnuplot) != 0) {
		fputs("sim: --plot needs gnuplot (Debian package gnuplot-nox)\n", stderr);
		return EXIT_USAGE;
	}

	scn_file f;
	scn_error err;
	if (load(file, &f, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return EXIT_USAGE;
	}
	if (o.has_seed)
		f.seed = o.seed;
	if (o.fix >= 0)
		f.fix = o.fix;

	if (exploring) {
		xo.quiet = o.quiet;
		xo.json = o.json;
		int rc = explore_main(&f, &xo, stdout);
		scn_free(&f);
		return fflush(stdout) == 0 ? rc : EXIT_INTERNAL;
	}

	trace_text tt;
	FILE *tf = NULL;
	if (trace_path) {
		tf = fopen(trace_path, "w");
		if (!tf) {
			fprintf(stderr, "sim: cannot write trace '%s': %s\n", trace_path, strerror(errno));
			scn_free(&f);
			return EXIT_USAGE;
		}
		trace_text_init(&tt, tf);
		o.trace = &tt.sink;
	}

	if (xo.replay) {
		xo.quiet = o.quiet;
		xo.json = o.json;
		xo.trace = o.trace;
		int rc = explore_main(&f, &xo, stdout);
		if (tf && (trace_finish(o.trace) != 0 || fclose(tf) != 0)) {
			fprintf(stderr, "sim: writing trace '%s' failed\n", trace_path);
			rc = EXIT_INTERNAL;
		}
		scn_free(&f);
		return fflush(stdout) == 0 ? rc : EXIT_INTERNAL;
	}

	int fixes[SCN_FIX_COUNT];
	int n = report_variants(f.fix, fixes);

	/* The data sinks: TSV for --tsv and for --plot, Perfetto JSON.  They
	 * follow the text sink in the list. */
	trace_tsv *tsv[2] = { NULL, NULL };
	trace_perfetto *pf = NULL;
	const char *tsv_dirs[2] = { tsv_dir, plot_dir };
	trace_sink **link = tf ? &tt.sink.next : &o.trace;
	for (int k = 0; k < 2; k++) {
		char msg[512];
		if (!tsv_dirs[k] || (k == 1 && tsv_dir && !strcmp(tsv_dir, plot_dir)))
			continue;
		if (!(tsv[k] = trace_tsv_open(tsv_dirs[k], &f, msg, sizeof msg))) {
			fprintf(stderr, "sim: --%s: %s\n", k ? "plot" : "tsv", msg);
			trace_tsv_free(tsv[0]);
			if (tf)
				fclose(tf);
			scn_free(&f);
			return EXIT_USAGE;
		}
		*link = trace_tsv_sink(tsv[k]);
		link = &(*link)->next;
	}
	if (perfetto_path) {
		char msg[512];
		if (!(pf = trace_perfetto_open(perfetto_path, &f, n, msg, sizeof msg))) {
			fprintf(stderr, "sim: --perfetto: %s\n", msg);
			trace_tsv_free(tsv[0]);
			trace_tsv_free(tsv[1]);
			if (tf)
				fclose(tf);
			scn_free(&f);
			return EXIT_USAGE;
		}
		*link = trace_perfetto_sink(pf);
	}

	variant_result r[SCN_FIX_COUNT];
	memset(r, 0, sizeof r);
	int rc = EXIT_OK;
	for (int i = 0; i < n; i++) {
		char msg[512];
		if (tf)
			fprintf(tf, "# scenario %s fix=%s seed=%" PRIu64 "\n", f.name, scn_fix_name(fixes[i]), f.seed);
		for (int k = 0; k < 2; k++)
			if (tsv[k])
				trace_tsv_begin(tsv[k], fixes[i]);
		if (pf)
			trace_perfetto_begin(pf, i, fixes[i]);
		int failed = report_run_variant(&f, fixes[i], o.trace, &r[i], msg, sizeof msg);
		for (int k = 0; k < 2 && !failed; k++)
			if (tsv[k])
				trace_tsv_end(tsv[k], r[i].m);
		if (pf && !failed)
			trace_perfetto_end(pf);
		if (failed) {
			fprintf(stderr, "%s\n", msg);
			rc = strstr(msg, "error: out of memory") ? EXIT_INTERNAL : EXIT_USAGE;
			n = i;
			break;
		}
	}
	if (rc == EXIT_OK) {
		int failed = report_print(stdout, &f, r, n, &o);
		if (failed)
			rc = EXIT_EXPECT;
	}
	if (o.trace && trace_finish(o.trace) != 0) {
		fprintf(stderr, "sim: writing the trace output failed\n");
		rc = EXIT_INTERNAL;
	}
	if (tf && fclose(tf) != 0) {
		fprintf(stderr, "sim: writing trace '%s' failed\n", trace_path);
		rc = EXIT_INTERNAL;
	}
	trace_tsv_free(tsv[0]);
	trace_tsv_free(tsv[1]);
	trace_perfetto_free(pf);
	if (plot_dir && (rc == EXIT_OK || rc == EXIT_EXPECT)) {
		char msg[512] = "cannot write the standard output";
		if (fflush(stdout) != 0 || plot_render(gnuplot, plot_dir, fixes, n, msg, sizeof msg) != 0) {
			fprintf(stderr, "sim: --plot: %s\n", msg);
			rc = EXIT_INTERNAL;
		}
	}
	for (int i = 0; i < SCN_FIX_COUNT; i++)
		free(r[i].stories);
	scn_free(&f);
	if (fflush(stdout) != 0)
		return EXIT_INTERNAL;
	return rc;
}
