/* fuzz_scn.c - libFuzzer harness for the scenario parser (scn/).
 *
 * Feeds the raw bytes to scn_parse with a small fixed label list, then checks
 * what the parser promises: on success every reference is in range and the
 * AST is freed cleanly; on error the message is one "fuzz.scn:L:C: error: "
 * line and the output is empty.  A broken promise aborts, which libFuzzer
 * reports as a crash, like any sanitizer finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_file(const scn_file *f)
{
	check(f->name[0] != '\0' && f->cpus >= 1 && f->cpus <= 1024);
	check(f->fix >= SCN_FIX_NONE && f->fix <= SCN_FIX_ALL && f->jitter_pct <= 100);
	for (size_t i = 0; i < f->nsockets; i++)
		check(f->sockets[i].type == SCN_SOCK_STREAM ||
		      (f->sockets[i].frame_size % 16 == 0 && f->sockets[i].frames >= 1));
	for (size_t i = 0; i < f->nflows; i++)
		check(f->flows[i].socket < f->nsockets && f->flows[i].cpu < f->cpus);
	for (size_t i = 0; i < f->ntasks; i++) {
		const scn_task *t = &f->tasks[i];
		/* a task of spin_*, work and sleep ops needs no socket */
		check((t->socket < f->nsockets || t->socket == SCN_NO_SOCKET) && t->cpu < f->cpus &&
		      t->nops >= 1 && t->repeat >= 1);
		for (size_t j = 0; j < t->nops; j++) {
			check(t->ops[j].kind >= 0 && t->ops[j].kind < SCN_OP_COUNT);
			check(t->socket != SCN_NO_SOCKET || !scn_op_uses_socket(t->ops[j].kind));
			if (t->ops[j].kind >= SCN_OP_SPIN_LOCK)
				check(t->ops[j].arg < f->nlocks);
		}
	}
	for (size_t i = 0; i < f->nconsumers; i++)
		check(f->consumers[i].socket < f->nsockets && f->consumers[i].cpu < f->cpus &&
		      f->sockets[f->consumers[i].socket].type == SCN_SOCK_PACKET);
	for (size_t i = 0; i < f->nstalls; i++)
		check(f->stalls[i].cpu < f->cpus && f->stalls[i].nth >= 1);
	for (size_t i = 0; i < f->nirqs; i++)
		check(f->irqs[i].cpu < f->cpus && f->irqs[i].every_ns > 0);
	for (size_t i = 0; i < f->nchecks; i++)
		check((f->checks[i].reachable | f->checks[i].holds) != 0 &&
		      (f->checks[i].reachable & f->checks[i].holds) == 0);
	for (size_t i = 0; i < f->nreplay; i++)
		check(f->replay[i].kind <= SCN_STEP_TIMER &&
		      (f->replay[i].kind == SCN_STEP_TIMER || f->replay[i].n < f->cpus));
	for (size_t i = 0; i < f->nexpects; i++) {
		const scn_expect *e = &f->expects[i];
		check(e->metric >= 0 && e->metric < SCN_M_COUNT && e->op >= SCN_EQ && e->op <= SCN_GE);
		check(memchr(e->text, '\0', sizeof e->text) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"tpacket_rcv:A", "tpacket_rcv:F", "tpacket_rcv:D'", "lock_sock:A",
		"release_sock:B", "tcp_rcv:A",
	};
	const scn_labels labels = { names, sizeof names / sizeof names[0] };
	scn_file f;
	scn_error e;

	if (scn_parse("fuzz.scn", (const char *)data, size, &labels, &f, &e) == 0) {
		check_file(&f);
		scn_free(&f);
	} else {
		check(strncmp(e.msg, "fuzz.scn:", 9) == 0 && strstr(e.msg, ": error: ") != NULL);
		check(strchr(e.msg, '\n') == NULL);
		check(f.sockets == NULL && f.tasks == NULL && f.nexpects == 0);
	}
	return 0;
}
