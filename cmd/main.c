/* main.c - the `sim` command line: the only place that knows both the engine
 * (sim/) and the models (models/). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "bench.h"
#include "datadir.h"
#include "check.h"
#include "explore.h"
#include "merge.h"
#include "live.h"
#include "opt.h"
#include "outcap.h"
#include "plot.h"
#include "plot_window.h"
#include "report.h"
#include "scn.h"
#include "sweep.h"
#include "trace_perfetto.h"
#include "trace_tsv.h"
#include "world.h"

enum { EXIT_OK = 0, EXIT_EXPECT = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage[] =
	"usage: sim FILE.scn [--seed N] [--fix none|in_progress|owner_map|all] [--json]\n"
	"                    [--trace FILE] [--tsv DIR] [--perfetto FILE] [--plot DIR]\n"
	"                    [--plot-window T0..T1] [--quiet]\n"
	"       sim FILE.scn --explore N [--strategy random|pct] [--depth D] [-j J] [--fix F]\n"
	"                    [--shrink] [--shrink-out FILE] [--json] [--explore-expect]\n"
	"                    [--shard I/N --json]\n"
	"       sim FILE.scn --replay SEED [--fix F] [--trace FILE]\n"
	"       sim FILE.scn --check [--check-depth D] [--check-bitstate BITS] [-j J] [--fix F]\n"
	"                    [--json] [--quiet]\n"
	"       sim merge REPORT.json...\n"
	"       sim FILE.scn --sweep KEY=LO..HI[:STEP] [--fix F] [--json] [--tsv DIR] [--plot DIR]\n"
	"       sim FILE.scn --bisect KEY=LO..HI[:STEP] --until 'METRIC OP VALUE' [--fix F] [--json]\n"
	"       sim FILE.scn --live [--live-seconds S] [--json]\n"
	"       sim --bench [--quick] [--reps N] [--only WORKLOAD]\n"
	"       sim --labels | --list-scenarios | --help | --version\n";

static const char help[] =
	"sim - a deterministic discrete-event simulator of Linux kernel networking\n"
	"concurrency: CPUs with hardirq/softirq/process contexts, spinlocks, the\n"
	"socket lock (slock + owned + backlog) and the AF_PACKET TPACKET_V1/V2 RX ring.\n"
	"\n"
	"  FILE.scn         the scenario (docs/scenarios.md, or `man sim-scenario`); a\n"
	"                   relative path is tried from the current directory, then in\n"
	"                   the data directory: `sim wrap.scn` runs the shipped one\n"
	"  --seed N         override the scenario's seed\n"
	"  --fix F          run tpacket_rcv variant F: none, in_progress, owner_map, all\n"
	"  --json           print the results as one JSON object\n"
	"  --trace FILE     write every event, one per line (TIME_NS cpuN CONTEXT LABEL k=v...)\n"
	"  --tsv DIR        write the contention data for gnuplot into DIR: cpu_states.tsv,\n"
	"                   lock_acquisitions.tsv, ring.tsv, backlog.tsv, metrics.tsv, ...\n"
	"  --perfetto FILE  write a Chrome trace-event JSON file (open it in ui.perfetto.dev)\n"
	"  --plot DIR       render DIR/*.png with gnuplot (timeline per variant, spin_hist.png,\n"
	"                   compare.png) from the data cut to what they draw; with --tsv DIR\n"
	"                   as well, every row is kept\n"
	"  --plot-window T0..T1  the timelines' time window (e.g. 10us..50us); default:\n"
	"                   around each variant's first overrun, else the whole run\n"
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
	"  --explore-expect count the scenario's failed expect lines as violations too\n"
	"  --shard I/N      run only part I (from 0) of N of the runs (or of the --check\n"
	"                   search), for a batch scheduler;\n"
	"                   with --json, a report that `sim merge` joins (docs/scale.md)\n"
	"  merge REPORT...  join shards' --json reports into the one-machine report\n"
	"\n"
	"";

static const char help_check[] =
	"  --check          every interleaving of the scenario, untimed, within its bounds\n"
	"                   (its flows' packets, its tasks): which invariants can break, each\n"
	"                   with a shortest counterexample, and which hold; breadth first,\n"
	"                   each depth split over -j J threads (docs/check.md)\n"
	"  --check-depth D  search only the states within D transitions (the verdict says\n"
	"                   when that cut the search)\n"
	"  --check-memory MIB  the most memory a search may take (default: half of this\n"
	"                   machine's); past it the search stops, INCOMPLETE\n"
	"  --check-bitstate BITS  a bit array of 2^BITS bits (16..40) for the visited states\n"
	"                   instead of their 64-bit hashes (supertrace: fixed memory)\n"
	"  --check-por on|off  partial-order reduction (on, the default: a local step --\n"
	"                   one that touches only its own context's state -- is taken at\n"
	"                   once, not interleaved); off: the full search\n"
	"  --check-order bfs|dfs  breadth first (the default: shortest counterexamples,\n"
	"                   split by -j) or depth first (one thread, the path only in\n"
	"                   memory: for searches too wide for breadth first)\n"
	"  --check-audit    compare the successors of every state met twice at one depth\n"
	"                   (the state hash must miss nothing a step reads); exit 3 if not\n"
	"  --check-cex DIR  write each counterexample as DIR/FIX-INVARIANT.scn: a timed\n"
	"                   scenario (stall lines, arrival times) that a plain run\n"
	"                   follows to the same violation; `replay` lines when the clock\n"
	"                   cannot force the path\n"
	"\n";

static const char help_rest[] =

	"  --sweep KEY=LO..HI[:STEP]  plain runs over a parameter, a table of metrics per\n"
	"                   value; KEY is DIRECTIVE[.NAME].KEY (stall.for, stall.2.for,\n"
	"                   flow.small.every, socket.cap.frames, cost.tpacket_rcv:G, ...);\n"
	"                   STEP defaults to a tenth of the range; --tsv/--plot DIR write\n"
	"                   DIR/sweep.tsv (and sweep.png)\n"
	"  --bisect KEY=LO..HI[:STEP]  the smallest value where --until holds (STEP 1)\n"
	"  --until COND     with --bisect: 'METRIC OP VALUE', e.g. 'overrun>=1'\n"
	"\n"
	"  --live           run the scenario's packet rings on this kernel (AF_PACKET on lo;\n"
	"                   root: CAP_NET_RAW, CAP_NET_ADMIN) and put its figures beside the\n"
	"                   model's for this kernel's version and fix; exit 1 on a mismatch\n"
	"                   in what does not depend on timing\n"
	"  --live-seconds S stop the live senders after S seconds (default 10, at most 600)\n"
	"\n"
	"  --labels         list every label a `stall` or `cost` can name\n"
	"  --list-scenarios list the shipped scenarios, each with its first comment line\n"
	"  --bench          run the benchmarks (events/s, ns per packet, peak RSS, event queue)\n"
	"  --help, --version\n"
	"\n"
	"A value follows its option as `--seed 5` or `--seed=5`.\n"
	"\n"
	"Exit status: 0 every expectation holds, 1 an expectation failed (with\n"
	"--explore/--replay: a run violated an invariant; with --check: an invariant can\n"
	"break, or a `check` line's verdict is not the one found), 2 bad input or usage,\n"
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
					     "--shrink", "--bench", "--list-scenarios",
					     "--explore-expect", "--live", "--check" };
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
	printf("%-30s %9s %9s  %s\n", "# label", "cost", "per byte", "kernel");
	for (size_t i = 0; i < n; i++) {
		uint64_t ns = 0, ps = 0;
		world_label_cost(i, &ns, &ps);
		printf("%-30s %7" PRIu64 "ns %7" PRIu64 "ps  %s\n", names[i], ns, ps, kernel[i]);
	}
	free(names);
	free(kernel);
	return EXIT_OK;
}

/* A scenario path: as given, else in the data directory (cmd/datadir.h):
 * `scenarios/wrap.scn` or just `wrap.scn`. */
static int load(const char *path, scn_file *f, scn_error *err)
{
	char *found = datadir_scenario(path);
	int rc = scn_parse_file(found ? found : path, report_labels(), f, err);
	free(found);
	return rc;
}

/* The fix variants differ only in tpacket_rcv(), on packet sockets. */
static int has_packet_socket(const scn_file *f)
{
	for (size_t i = 0; i < f->nsockets; i++)
		if (f->sockets[i].type == SCN_SOCK_PACKET)
			return 1;
	return 0;
}

static int list_scenarios(void)
{
	if (datadir_list_scenarios() < 0) {
		fputs("sim: no shipped scenarios found (set SIM_DATADIR to the folder that holds "
		      "scenarios/ and plots/)\n", stderr);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The command line, parsed. */
typedef struct cli {
	const char *file, *trace_path, *tsv_dir, *perfetto_path, *plot_dir;
	uint64_t plot_window[2];    /* --plot-window, ns; both 0: the default */
	run_opts o;
	explore_opts xo;
	int exploring;
	sweep_opts so;          /* --sweep, --bisect, --until */
	live_opts lo;
	int live, has_live_seconds;
	int checking;           /* --check */
	check_opts co;
} cli;

#define CLI_GO (-1)     /* parsed: run; any other value is an exit status */

/* --shard I/N: 0 <= I < N <= 1000000. */
static int parse_shard(explore_opts *xo, const char *v)
{
	char buf[64];
	uint64_t i = 0, n = 0;
	const char *slash = strchr(v, '/');
	if (!slash || (size_t)(slash - v) >= sizeof buf)
		return usage_error("--shard: expected I/N (shard I of N, from 0), got '%s'", v);
	memcpy(buf, v, (size_t)(slash - v));
	buf[slash - v] = '\0';
	if (parse_u64(buf, &i) != 0 || parse_u64(slash + 1, &n) != 0 || n < 1 || n > 1000000 || i >= n)
		return usage_error("--shard: expected I/N with 0 <= I < N <= 1000000, got '%s'", v);
	xo->shard = (uint32_t)i;
	xo->shards = (uint32_t)n;
	return CLI_GO;
}

/* The longest name a --tsv or --plot directory gets after "DIR/". */
#define OUT_NAME_MAX sizeof "window-in_progress/lock_acquisitions.tsv"

/* A path option's value fits in a path with `extra` more bytes: a longer one
 * is a usage error, never cut to another file's name. */
static int path_fits(const char *opt, const char *v, size_t extra)
{
	if (strlen(v) + extra < SCN_PATH_MAX)
		return 1;
	fprintf(stderr, "sim: %s: the path is %zu bytes long; with the file names sim writes "
		"in it, at most %zu (sim --help for usage)\n", opt, strlen(v),
		SCN_PATH_MAX - 1 - extra);
	return 0;
}

/* An option of the exploration (--explore, --strategy, --depth, -j,
 * --replay, --shrink-out) with its value v. */
static int parse_explore_opt(cli *c, const char *a, const char *v)
{
	explore_opts *xo = &c->xo;
	uint64_t n = 0;
	if (!strcmp(a, "--strategy")) {
		if (!strcmp(v, "random"))
			xo->strategy = SCN_STRATEGY_RANDOM;
		else if (!strcmp(v, "pct"))
			xo->strategy = SCN_STRATEGY_PCT;
		else
			return usage_error("--strategy: unknown strategy '%s' (random, pct)", v);
	} else if (!strcmp(a, "--shrink-out")) {
		if (!path_fits(a, v, 0))
			return EXIT_USAGE;
		xo->shrink_out = v;
	} else if (!strcmp(a, "--shard")) {
		return parse_shard(xo, v);
	} else if (parse_u64(v, &n) != 0) {
		return usage_error("not a decimal number: '%s'", v);
	} else if (!strcmp(a, "--explore")) {
		if (n < 1 || n > 1000000000)
			return usage_error("--explore: runs must be 1..1000000000, got '%s'", v);
		xo->runs = n;
		c->exploring = 1;
	} else if (!strcmp(a, "--depth")) {
		if (n < 1 || n > 64)
			return usage_error("--depth: must be 1..64, got '%s'", v);
		xo->depth = (int)n;
	} else if (!strcmp(a, "--replay")) {
		xo->replay = 1;
		xo->replay_seed = n;
	} else {
		if (n < 1 || n > 256)
			return usage_error("-j: workers must be 1..256, got '%s'", v);
		xo->jobs = (uint32_t)n;
	}
	return CLI_GO;
}

/* An option of a plain run (--seed, --fix, --trace, --tsv, --perfetto,
 * --plot) with its value v. */
static int parse_run_opt(cli *c, const char *a, const char *v)
{
	int dir = !strcmp(a, "--tsv") || !strcmp(a, "--plot");
	if (strcmp(a, "--seed") && strcmp(a, "--fix") && !path_fits(a, v, dir ? OUT_NAME_MAX : 0))
		return EXIT_USAGE;
	if (!strcmp(a, "--seed")) {
		if (parse_u64(v, &c->o.seed) != 0)
			return usage_error("--seed: not a 64-bit decimal number: '%s'", v);
		c->o.has_seed = 1;
	} else if (!strcmp(a, "--fix")) {
		c->o.fix = scn_fix_parse(v);
		if (c->o.fix < 0)
			return usage_error("--fix: unknown variant '%s' (none, in_progress, owner_map, all)", v);
	} else if (!strcmp(a, "--tsv")) {
		c->tsv_dir = v;
	} else if (!strcmp(a, "--perfetto")) {
		c->perfetto_path = v;
	} else if (!strcmp(a, "--plot")) {
		c->plot_dir = v;
	} else if (!strcmp(a, "--plot-window")) {
		if (plot_window_parse(v, c->plot_window) != 0)
			return usage_error("--plot-window: not T0..T1 with units and T1 > T0 (e.g. 10us..50us): '%s'", v);
	} else {
		c->trace_path = v;
	}
	return CLI_GO;
}

/* --check-depth D, --check-bitstate BITS, --check-memory MIB, --check-por
 * off, --check-cex DIR, with value v. */
static int parse_check_opt(cli *c, const char *a, const char *v)
{
	uint64_t n = 0;
	if (!v)
		return usage_error("%s needs a value", a);
	if (!strcmp(a, "--check-cex")) {
		if (!*v)
			return usage_error("%s", "--check-cex needs a directory");
		c->co.cex_dir = v;
		c->co.has_opts = 1;
		return CLI_GO;
	}
	if (!strcmp(a, "--check-order")) {
		if (strcmp(v, "bfs") && strcmp(v, "dfs"))
			return usage_error("--check-order: 'bfs' or 'dfs', got '%s'", v);
		c->co.dfs = !strcmp(v, "dfs");
		c->co.has_opts = 1;
		return CLI_GO;
	}
	if (!strcmp(a, "--check-por")) {
		if (strcmp(v, "on") && strcmp(v, "off"))
			return usage_error("--check-por: 'on' or 'off', got '%s'", v);
		c->co.por = strcmp(v, "off") != 0;
		c->co.has_opts = 1;
		return CLI_GO;
	}
	if (parse_u64(v, &n) != 0)
		return usage_error("not a decimal number: '%s'", v);
	if (!strcmp(a, "--check-depth")) {
		if (n < 1 || n > 100000000)
			return usage_error("--check-depth: must be 1..100000000, got '%s'", v);
		c->co.depth = n;
	} else if (!strcmp(a, "--check-memory")) {
		if (n < 16 || n > (1u << 24))
			return usage_error("--check-memory: MIB must be 16..16777216, got '%s'", v);
		c->co.mem_mib = n;
	} else {
		if (n < 16 || n > 40)
			return usage_error("--check-bitstate: BITS must be 16..40 (2^BITS bits), got '%s'", v);
		c->co.bitstate = (uint32_t)n;
	}
	c->co.has_opts = 1;
	return CLI_GO;
}

static int is_one_of(const char *a, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(a, *names))
			return 1;
	return 0;
}

static const char *const explore_valued[] = { "--explore", "--strategy", "--depth", "-j", "--jobs",
					      "--replay", "--shrink-out", "--shard", NULL };
static const char *const sweep_valued[] = { "--sweep", "--bisect", "--until", NULL };
static const char *const run_valued[] = { "--seed", "--fix", "--trace", "--tsv", "--perfetto",
					  "--plot", "--plot-window", NULL };

/* argv[*i], whose name is a: an option or the scenario file. */
static int parse_one(cli *c, const char *a, const opt_arg *oa, int argc, char **argv, int *i)
{
	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		fputs(usage, stdout);
		fputs("\n", stdout);
		fputs(help, stdout);
		fputs(help_check, stdout);
		fputs(help_rest, stdout);
		return EXIT_OK;
	} else if (!strcmp(a, "--version")) {
		printf("sim %s\n", SIM_VERSION);
		return EXIT_OK;
	} else if (!strcmp(a, "--labels")) {
		return print_labels();
	} else if (!strcmp(a, "--list-scenarios")) {
		return list_scenarios();
	} else if (!strcmp(a, "--json")) {
		c->o.json = 1;
	} else if (!strcmp(a, "--quiet")) {
		c->o.quiet = 1;
	} else if (!strcmp(a, "--shrink")) {
		c->xo.shrink = 1;
	} else if (!strcmp(a, "--explore-expect")) {
		c->xo.expect = 1;
	} else if (is_one_of(a, sweep_valued)) {
		const char *v = opt_value(oa, argc, argv, i);
		if (!v)
			return usage_error("%s needs a value", a);
		if (!strcmp(a, "--until"))
			c->so.until = v;
		else if (c->so.spec)
			return usage_error("%s", "one --sweep or --bisect at a time");
		else
			c->so = (sweep_opts){ .spec = v, .bisect = !strcmp(a, "--bisect"), .until = c->so.until };
	} else if (!strcmp(a, "--live")) {
		c->live = 1;
	} else if (!strcmp(a, "--check")) {
		c->checking = 1;
	} else if (!strcmp(a, "--check-audit")) {
		c->co.audit = 1;
		c->co.has_opts = 1;
	} else if (!strcmp(a, "--check-depth") || !strcmp(a, "--check-bitstate") ||
		   !strcmp(a, "--check-memory") || !strcmp(a, "--check-order") ||
		   !strcmp(a, "--check-por") || !strcmp(a, "--check-cex")) {
		return parse_check_opt(c, a, opt_value(oa, argc, argv, i));
	} else if (!strcmp(a, "--live-seconds")) {
		const char *v = opt_value(oa, argc, argv, i);
		char *end = NULL;
		c->lo.seconds = v ? strtod(v, &end) : 0;
		if (!v || end == v || *end || !(c->lo.seconds > 0 && c->lo.seconds <= 600))
			return usage_error("--live-seconds: seconds must be more than 0, at most 600, got '%s'",
					   v ? v : "");
		c->has_live_seconds = 1;
	} else if (is_one_of(a, explore_valued) || is_one_of(a, run_valued)) {
		const char *v = opt_value(oa, argc, argv, i);
		if (!v)
			return usage_error("%s needs a value", a);
		return is_one_of(a, run_valued) ? parse_run_opt(c, a, v) : parse_explore_opt(c, a, v);
	} else if (a[0] == '-' && a[1]) {
		return usage_error("unknown option '%s'", argv[*i]);
	} else if (c->file) {
		return usage_error("more than one scenario file: '%s'", a);
	} else {
		c->file = a;
	}
	return CLI_GO;
}

/* Where a path points, malloc'd (NULL: out of memory): the path resolved
 * (realpath) as far as it exists, the rest as written -- outputs and their
 * directories need not exist yet. */
static char *resolved(const char *path)
{
	char *real = realpath(path, NULL);
	if (real || !*path)
		return real ? real : strdup(path);
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	char *rdir = dir && strcmp(dir, path) ? resolved(dir) : NULL;
	const char *base = slash ? slash + 1 : path;
	char *out = rdir && *base ? malloc(strlen(rdir) + strlen(base) + 2) : NULL;
	if (out)
		sprintf(out, "%s/%s", rdir, base);
	else if (rdir && !*base)
		out = strdup(rdir);     /* "DIR/" is DIR */
	free(dir);
	free(rdir);
	return out;
}

/* Output a collides with output b: the same file, or a file sim writes in
 * directory b (its *.tsv and *.png) when b_is_dir. */
static int collides(const char *a, const char *b, int b_is_dir)
{
	char *ra = resolved(a), *rb = resolved(b);
	int hit = 0;
	if (ra && rb && !b_is_dir) {
		hit = !strcmp(ra, rb);
	} else if (ra && rb) {
		size_t n = strlen(rb), k = strlen(ra);
		const char *ext = k > 4 ? ra + k - 4 : "";
		hit = !strncmp(ra, rb, n) && ra[n] == '/' && !strchr(ra + n + 1, '/') &&
		      (!strcmp(ext, ".tsv") || !strcmp(ext, ".png"));
	}
	free(ra);
	free(rb);
	return hit;
}

/* Two outputs that would write one file: a usage error. */
static int check_outputs(const cli *c)
{
	const char *files[3] = { c->trace_path, c->perfetto_path, c->xo.shrink_out };
	const char *fname[3] = { "--trace", "--perfetto", "--shrink-out" };
	const char *dirs[2] = { c->tsv_dir, c->plot_dir };
	const char *dname[2] = { "--tsv", "--plot" };
	for (int i = 0; i < 3; i++) {
		for (int j = i + 1; j < 3 && files[i]; j++)
			if (files[j] && collides(files[i], files[j], 0))
				return fprintf(stderr, "sim: %s and %s name one file, '%s' (sim --help for "
					       "usage)\n", fname[i], fname[j], files[i]), -1;
		for (int j = 0; j < 2 && files[i]; j++)
			if (dirs[j] && collides(files[i], dirs[j], 1))
				return fprintf(stderr, "sim: %s '%s' is a file %s writes in its directory "
					       "(*.tsv, *.png) (sim --help for usage)\n", fname[i], files[i],
					       dname[j]), -1;
	}
	return 0;
}

/* The options that go together, and gnuplot for --plot. */
static int validate_opts(const cli *c, char *gnuplot, size_t len)
{
	if (!c->file)
		return usage_error("%s", "no scenario file given");
	if (c->exploring && c->xo.replay)
		return usage_error("%s", "--explore and --replay do not go together");
	if (c->xo.shrink && !c->exploring)
		return usage_error("%s", "--shrink goes with --explore");
	if (c->xo.shards && ((!c->exploring && !c->checking) || !c->o.json))
		return usage_error("%s", "--shard goes with --explore or --check, and --json (its report is "
				   "for sim merge)");
	if (c->xo.shards && c->xo.shrink)
		return usage_error("%s", "--shard and --shrink do not go together: merge, then replay the smallest run");
	if (c->xo.expect && !c->exploring && !c->xo.replay)
		return usage_error("%s", "--explore-expect goes with --explore or --replay");
	if ((c->exploring || c->xo.replay) && (c->tsv_dir || c->perfetto_path || c->plot_dir))
		return usage_error("%s", "--tsv, --perfetto and --plot are for plain runs");
	if (c->live && (c->exploring || c->xo.replay || c->tsv_dir || c->perfetto_path ||
			c->plot_dir || c->trace_path || c->o.has_seed || c->o.fix >= 0))
		return usage_error("%s", "--live goes only with --live-seconds and --json (the kernel "
				   "picks the fix)");
	if (c->co.has_opts && !c->checking)
		return usage_error("%s", "--check-depth, --check-bitstate, --check-memory, --check-order, "
				   "--check-por, --check-audit and --check-cex go with --check");
	if (c->co.dfs && (c->xo.shards || c->co.audit))
		return usage_error("%s", "--check-order dfs goes with neither --shard nor --check-audit "
				   "(both are breadth first)");
	if (c->checking && (c->exploring || c->xo.replay || c->live || c->so.spec || c->trace_path ||
			    c->tsv_dir || c->perfetto_path || c->plot_dir || c->xo.shrink))
		return usage_error("%s", "--check goes only with --check-depth, --check-bitstate, "
				   "--check-memory, --check-order, --check-audit, "
				   "--check-por, --check-cex, --shard, -j, --fix, --seed, --json and "
				   "--quiet");
	if (c->has_live_seconds && !c->live)
		return usage_error("%s", "--live-seconds goes with --live");
	if (c->exploring && c->trace_path)
		return usage_error("%s", "--trace with --explore: trace one run with --replay SEED");
	if (c->so.spec && (c->exploring || c->xo.replay || c->trace_path || c->perfetto_path))
		return usage_error("%s", "--sweep and --bisect are plain runs: no --explore, --replay, --trace or --perfetto");
	if (c->so.spec && c->so.bisect && (c->tsv_dir || c->plot_dir))
		return usage_error("%s", "--tsv and --plot go with --sweep, not --bisect");
	if (c->so.until && !c->so.bisect)
		return usage_error("%s", "--until goes with --bisect");
	if (check_outputs(c) != 0)
		return EXIT_USAGE;
	if (c->plot_dir && plot_find_gnuplot(gnuplot, len) != 0) {
		fputs("sim: --plot needs gnuplot (Debian package gnuplot-nox)\n", stderr);
		return EXIT_USAGE;
	}
	return CLI_GO;
}

/* Fill c from the command line: CLI_GO, or the exit status when there is
 * nothing to run (--help, --version, --labels) or the line is wrong. */
static int parse_args(int argc, char **argv, cli *c, char *gnuplot, size_t len)
{
	*c = (cli){ .o = { .fix = -1 }, .xo = { .strategy = -1, .depth = -1, .jobs = 1 },
		    .co = { .por = 1 }, .lo = { .seconds = 10 } };
	for (int i = 1; i < argc; i++) {
		opt_arg oa;
		const char *a = opt_split(&oa, argv[i]);
		if (oa.value && is_flag(a))
			return usage_error("%s takes no value", a);
		int rc = parse_one(c, a, &oa, argc, argv, &i);
		if (rc != CLI_GO)
			return rc;
	}
	return validate_opts(c, gnuplot, len);
}

/* Where a plain run or a replay writes its traces: the text trace, then the
 * data sinks (TSV for --tsv and for --plot, Perfetto JSON), linked in a list
 * from c->o.trace. */
typedef struct sinks {
	trace_text tt;
	FILE *tf;
	trace_tsv *tsv[2];
	trace_perfetto *pf;
	outcap cap;             /* `limit output=`: heads the list once it is built */
	int plot_cut;           /* --plot alone: its sink cuts to the windows as it goes */
	uint64_t win[SCN_FIX_COUNT][2];
} sinks;

/* Put the output bound at the head of the sink list c->o.trace. */
static void cap_sinks(cli *c, const scn_file *f, sinks *k)
{
	if (!c->o.trace)
		return;
	outcap_init(&k->cap, f->limit_output, c->o.trace);
	outcap_watch_file(&k->cap, k->tf);
	outcap_watch_path(&k->cap, c->tsv_dir);
	outcap_watch_path(&k->cap, c->plot_dir);
	outcap_watch_path(&k->cap, c->perfetto_path);
	outcap_start(&k->cap);
	c->o.trace = &k->cap.sink;
}

static int open_text_trace(cli *c, sinks *k)
{
	if (!c->trace_path)
		return 0;
	k->tf = fopen(c->trace_path, "w");
	if (!k->tf) {
		fprintf(stderr, "sim: cannot write trace '%s': %s\n", c->trace_path, strerror(errno));
		return -1;
	}
	trace_text_init(&k->tt, k->tf);
	c->o.trace = &k->tt.sink;
	return 0;
}

/* Free the data sinks and close the text trace, unwritten (an error). */
static void drop_sinks(sinks *k)
{
	trace_tsv_free(k->tsv[0]);
	trace_tsv_free(k->tsv[1]);
	trace_perfetto_free(k->pf);
	if (k->tf)
		fclose(k->tf);
}

static int open_data_sinks(cli *c, const scn_file *f, int nvariants, sinks *k)
{
	const char *dirs[2] = { c->tsv_dir, c->plot_dir };
	trace_sink **link = k->tf ? &k->tt.sink.next : &c->o.trace;
	char msg[SCN_ERR_MAX];
	for (int j = 0; j < 2; j++) {
		if (!dirs[j] || (j == 1 && c->tsv_dir && !strcmp(c->tsv_dir, c->plot_dir)))
			continue;
		k->tsv[j] = j == 1 && k->plot_cut ? trace_tsv_open_plot(dirs[j], f, 0, msg, sizeof msg)
						 : trace_tsv_open(dirs[j], f, msg, sizeof msg);
		for (int v = 0; j == 1 && k->plot_cut && k->tsv[j] && v < SCN_FIX_COUNT; v++)
			trace_tsv_set_window(k->tsv[j], v, k->win[v][0], k->win[v][1]);
		if (!k->tsv[j]) {
			fprintf(stderr, "sim: --%s: %s\n", j ? "plot" : "tsv", msg);
			return -1;
		}
		*link = trace_tsv_sink(k->tsv[j]);
		link = &(*link)->next;
	}
	if (c->perfetto_path) {
		if (!(k->pf = trace_perfetto_open(c->perfetto_path, f, nvariants, msg, sizeof msg))) {
			fprintf(stderr, "sim: --perfetto: %s\n", msg);
			return -1;
		}
		*link = trace_perfetto_sink(k->pf);
	}
	return 0;
}

/* Run the variants into r, telling the sinks; *n becomes the number run.
 * EXIT_OK, or the exit status of the variant that could not run. */
static int run_variants(const cli *c, const scn_file *f, const int *fixes, int *n, sinks *k,
			variant_result *r)
{
	for (int i = 0; i < *n; i++) {
		char msg[SCN_ERR_MAX];
		if (k->tf)
			fprintf(k->tf, "# scenario %s fix=%s seed=%" PRIu64 "\n", f->name, scn_fix_name(fixes[i]), f->seed);
		for (int j = 0; j < 2; j++)
			if (k->tsv[j])
				trace_tsv_begin(k->tsv[j], fixes[i]);
		if (k->pf)
			trace_perfetto_begin(k->pf, i, fixes[i]);
		k->cap.fix = fixes[i];
		int err = report_run_variant(f, fixes[i], c->o.trace, &r[i], msg, sizeof msg);
		if (err) {
			fprintf(stderr, "%s\n", msg);
			*n = i;
			return err == REPORT_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
		}
		for (int j = 0; j < 2; j++)
			if (k->tsv[j])
				trace_tsv_end(k->tsv[j], r[i].m);
		if (k->pf)
			trace_perfetto_end(k->pf);
	}
	return EXIT_OK;
}

/* Finish the traces: rc, or EXIT_INTERNAL when one could not be written. */
static int close_traces(const cli *c, sinks *k, int rc)
{
	if (c->o.trace && trace_finish(c->o.trace) != 0) {
		fprintf(stderr, "sim: writing the trace output failed\n");
		rc = EXIT_INTERNAL;
	}
	outcap_report(&k->cap);
	if (k->tf && fclose(k->tf) != 0) {
		fprintf(stderr, "sim: writing trace '%s' failed\n", c->trace_path);
		rc = EXIT_INTERNAL;
	}
	k->tf = NULL;
	return rc;
}

/* One variant's first pass (plot_windows), on a thread of its own. */
typedef struct scan_job {
	const scn_file *f;
	const char *dir;
	int fix, rc;
	uint64_t win[2];
	pthread_t th;
	int started;
	char msg[SCN_ERR_MAX];
} scan_job;

static void *scan_variant(void *arg)
{
	scan_job *j = arg;
	trace_tsv *t = trace_tsv_open_plot(j->dir, j->f, 1, j->msg, sizeof j->msg);
	if (!t) {
		j->rc = EXIT_USAGE;
		return NULL;
	}
	variant_result r;
	memset(&r, 0, sizeof r);
	trace_tsv_begin(t, j->fix);
	int err = report_run_variant(j->f, j->fix, trace_tsv_sink(t), &r, j->msg, sizeof j->msg);
	if (err) {
		j->rc = err == REPORT_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
	} else {
		trace_tsv_end(t, r.m);
		trace_tsv_window(t, j->fix, &j->win[0], &j->win[1]);
	}
	report_result_free(&r);
	trace_tsv_free(t);
	return NULL;
}

/* --plot DIR alone: each variant's timeline window, from --plot-window or
 * from a first pass that writes nothing (trace_tsv.h; the variants at
 * once, each on a thread), so that the run's sink can cut its rows to it
 * as it makes them.  EXIT_OK, or a status. */
static int plot_windows(const cli *c, const scn_file *f, const int *fixes, int n, sinks *k)
{
	k->plot_cut = 1;
	for (int i = 0; i < n; i++) {
		k->win[fixes[i]][0] = c->plot_window[0];
		k->win[fixes[i]][1] = c->plot_window[1];
	}
	if (c->plot_window[1])
		return EXIT_OK;
	scan_job jobs[SCN_FIX_COUNT];
	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < n; i++) {
		jobs[i] = (scan_job){ .f = f, .dir = c->plot_dir, .fix = fixes[i] };
		if (n == 1 || pthread_create(&jobs[i].th, NULL, scan_variant, &jobs[i]) != 0)
			scan_variant(&jobs[i]);
		else
			jobs[i].started = 1;
	}
	int rc = EXIT_OK;
	for (int i = 0; i < n; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].th, NULL);
		if (jobs[i].rc && rc == EXIT_OK) {
			fprintf(stderr, "%s\n", jobs[i].msg);
			rc = jobs[i].rc;
		}
		k->win[fixes[i]][0] = jobs[i].win[0];
		k->win[fixes[i]][1] = jobs[i].win[1];
	}
	return rc;
}

/* A plain run: every variant, the report, the traces and plots. */
static int plain_run(cli *c, const scn_file *f, const char *gnuplot)
{
	sinks k = { 0 };
	int fixes[SCN_FIX_COUNT];
	int n = report_variants(f->fix, fixes);
	if (c->plot_dir && !(c->tsv_dir && !strcmp(c->tsv_dir, c->plot_dir))) {
		int prc = plot_windows(c, f, fixes, n, &k);
		if (prc != EXIT_OK)
			return prc;
	}
	if (open_text_trace(c, &k) != 0)
		return EXIT_USAGE;
	if (open_data_sinks(c, f, n, &k) != 0) {
		drop_sinks(&k);
		return EXIT_USAGE;
	}
	cap_sinks(c, f, &k);
	variant_result r[SCN_FIX_COUNT];
	memset(r, 0, sizeof r);
	int rc = run_variants(c, f, fixes, &n, &k, r);
	if (rc == EXIT_OK && report_print(stdout, f, r, n, &c->o))
		rc = EXIT_EXPECT;
	rc = close_traces(c, &k, rc);
	drop_sinks(&k);
	if (c->plot_dir && (rc == EXIT_OK || rc == EXIT_EXPECT)) {
		char msg[SCN_ERR_MAX] = "cannot write the standard output";
		if (fflush(stdout) != 0 || plot_render(gnuplot, c->plot_dir, fixes, n,
							    c->plot_window[1] ? c->plot_window : NULL,
							    k.plot_cut ? (const uint64_t (*)[2])k.win : NULL,
							    msg, sizeof msg) != 0) {
			fprintf(stderr, "sim: --plot: %s\n", msg);
			rc = EXIT_INTERNAL;
		}
	}
	for (int i = 0; i < SCN_FIX_COUNT; i++)
		report_result_free(&r[i]);
	return rc;
}

/* --explore N, or --replay SEED (with its trace). */
static int explore_run(cli *c, const scn_file *f)
{
	sinks k = { 0 };
	c->xo.quiet = c->o.quiet;
	c->xo.json = c->o.json;
	c->xo.has_seed = c->o.has_seed;
	if (c->xo.replay && open_text_trace(c, &k) != 0)
		return EXIT_USAGE;
	cap_sinks(c, f, &k);
	c->xo.trace = c->o.trace;
	int rc = explore_main(f, &c->xo, stdout);
	if (k.tf && (trace_finish(c->o.trace) != 0 || fclose(k.tf) != 0)) {
		fprintf(stderr, "sim: writing trace '%s' failed\n", c->trace_path);
		rc = EXIT_INTERNAL;
	}
	outcap_report(&k.cap);
	return rc;
}

static int sim_main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--bench"))
		return bench_main(argc, argv);      /* the benchmarks (bench/bench.c) */
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return merge_main(argc - 2, argv + 2, stdout);  /* shards' reports (cmd/merge.c) */
	cli c;
	char gnuplot[4096];
	int rc = parse_args(argc, argv, &c, gnuplot, sizeof gnuplot);
	if (rc != CLI_GO)
		return rc;
	scn_file f;
	scn_error err;
	if (load(c.file, &f, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return err.oom ? EXIT_INTERNAL : EXIT_USAGE;   /* out of memory: 3, as everywhere */
	}
	if (c.o.has_seed)
		f.seed = c.o.seed;
	if (c.o.fix >= 0)
		f.fix = c.o.fix;
	if (f.fix == SCN_FIX_ALL && !has_packet_socket(&f))
		f.fix = SCN_FIX_NONE;   /* the fixes change only tpacket_rcv(): one run */
	c.lo.json = c.o.json;
	if (c.checking) {
		c.co.json = c.o.json;
		c.co.quiet = c.o.quiet;
		c.co.jobs = c.xo.jobs;
		c.co.shard = c.xo.shard;
		c.co.shards = c.xo.shards;
		rc = check_main(&f, &c.co, stdout);
	} else if (c.live) {
		rc = live_main(&f, &c.lo);
	} else if (c.so.spec) {
		c.so.json = c.o.json;
		c.so.tsv_dir = c.tsv_dir;
		c.so.plot_dir = c.plot_dir;
		c.so.gnuplot = gnuplot;
		rc = sweep_main(&f, &c.so, stdout);
	} else if (c.exploring || c.xo.replay)
		rc = explore_run(&c, &f);
	else
		rc = plain_run(&c, &f, gnuplot);
	scn_free(&f);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = sim_main(argc, argv);
	/* Whatever ran: output that could not be written (a full disk, a closed
	 * pipe, > /dev/full) is told on stderr, exit status 3. */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "sim: writing the standard output failed: %s\n",
			strerror(errno ? errno : EIO));
		return EXIT_INTERNAL;
	}
	return rc;
}
