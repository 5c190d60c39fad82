/* live_kernel.c - see live_kernel.h.  Linux only (AF_PACKET). */
#define _GNU_SOURCE
#include "live_kernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "costs.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* A reader stops once the senders are done and its ring stayed empty this long. */
#define QUIET_MS 50

typedef struct ring {
	int fd, version;
	uint8_t *map;
	size_t maplen;
	uint32_t frames, frame_size, block_size, per_block;
	uint64_t next_seq[64];          /* per flow (live_check_seq) */
	uint32_t nflows;
	live_ring_result *res;
} ring;

typedef struct worker {
	pthread_t t;
	const scn_file *f;
	ring *r;
	uint32_t index;                 /* the flow's or the consumer's */
	uint32_t cpu;
	int ifindex;
	double deadline;
	volatile int *senders_done;
	uint64_t sent;
	uint32_t idx;                   /* reader: its frame index at the end */
	int err;
} worker;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t *frame_at(const ring *r, uint32_t i)
{
	return r->map + (size_t)(i / r->per_block) * r->block_size +
	       (size_t)(i % r->per_block) * r->frame_size;
}

static uint32_t status_load(const ring *r, uint32_t i)
{
	uint8_t *h = frame_at(r, i);
	if (r->version == TPACKET_V1)
		return (uint32_t)__atomic_load_n(&((struct tpacket_hdr *)(void *)h)->tp_status,
						 __ATOMIC_ACQUIRE);
	return __atomic_load_n(&((struct tpacket2_hdr *)(void *)h)->tp_status, __ATOMIC_ACQUIRE);
}

static void status_kernel(const ring *r, uint32_t i)
{
	uint8_t *h = frame_at(r, i);
	if (r->version == TPACKET_V1)
		__atomic_store_n(&((struct tpacket_hdr *)(void *)h)->tp_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
	else
		__atomic_store_n(&((struct tpacket2_hdr *)(void *)h)->tp_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
}

/* Check frame i (published, status st) and count it. */
static void take_frame(ring *r, uint32_t i, uint32_t st)
{
	const uint8_t *h = frame_at(r, i);
	live_ring_result *res = r->res;
	uint32_t len, snap, mac;
	const struct sockaddr_ll *sll;
	if (r->version == TPACKET_V1) {
		const struct tpacket_hdr *t = (const void *)h;
		len = t->tp_len, snap = t->tp_snaplen, mac = t->tp_mac;
		sll = (const void *)(h + TPACKET_ALIGN(sizeof(struct tpacket_hdr)));
	} else {
		const struct tpacket2_hdr *t = (const void *)h;
		len = t->tp_len, snap = t->tp_snaplen, mac = t->tp_mac;
		sll = (const void *)(h + TPACKET_ALIGN(sizeof(struct tpacket2_hdr)));
	}
	res->published++;
	res->status_set |= st < 31 ? 1u << st : 1u << 31;
	res->losing += (st & TP_STATUS_LOSING) != 0;
	res->mac_other += mac != TPACKET_MACOFF;
	res->outgoing += sll->sll_pkttype == PACKET_OUTGOING;
	res->snap_min = snap < res->snap_min ? snap : res->snap_min;
	res->snap_max = snap > res->snap_max ? snap : res->snap_max;
	live_pkt p;
	int v = mac >= r->frame_size || snap > r->frame_size - mac
			? LV_LEN : live_check(h + mac, len, snap, r->frame_size - mac, &p);
	if (v == LV_OK)
		v = live_check_seq(r->next_seq, r->nflows, &p, &res->holes);
	res->verdict[v]++;
}

static void stats_read(ring *r)
{
	struct tpacket_stats st;
	socklen_t len = sizeof st;
	if (getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
		r->res->tp_packets += st.tp_packets;
		r->res->tp_drops += st.tp_drops;
		r->res->stats_reads++;
	}
}

static void pin(uint32_t cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

static void *sender_main(void *arg)
{
	worker *w = arg;
	const scn_flow *fl = &w->f->flows[w->index];
	uint16_t etype = (uint16_t)(LIVE_ETHERTYPE + fl->socket);
	pin(w->cpu);
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	uint8_t *buf = malloc(fl->size);
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(etype),
				  .sll_ifindex = w->ifindex, .sll_halen = ETH_ALEN };
	for (uint64_t seq = 0; fd >= 0 && buf && seq < fl->count; seq++) {
		if (!(seq & 255) && now_s() > w->deadline)
			break;
		live_build(buf, fl->size, etype, w->index, seq);
		ssize_t n;
		while ((n = sendto(fd, buf, fl->size, 0, (struct sockaddr *)&to, sizeof to)) < 0 &&
		       (errno == ENOBUFS || errno == EAGAIN || errno == EINTR))
			sched_yield();
		if (n != (ssize_t)fl->size) {
			w->err = errno;
			break;
		}
		w->sent++;
	}
	if (fd < 0 || !buf)
		w->err = errno ? errno : ENOMEM;
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int ready(int check, uint32_t st)
{
	return check == SCN_CHECK_USER_BIT ? (st & TP_STATUS_USER) != 0 : st != TP_STATUS_KERNEL;
}

static void *reader_main(void *arg)
{
	worker *w = arg;
	const scn_consumer *c = &w->f->consumers[w->index];
	ring *r = w->r;
	uint32_t idx = 0;
	uint64_t since = 0;
	pin(w->cpu);
	for (;;) {
		uint32_t st = status_load(r, idx);
		if (ready(c->check, st)) {
			take_frame(r, idx, st);
			r->res->read++;
			status_kernel(r, idx);
			idx = idx + 1 == r->frames ? 0 : idx + 1;
			if (c->stats_every && ++since >= c->stats_every) {
				stats_read(r);
				since = 0;
			}
			continue;
		}
		int done = __atomic_load_n(w->senders_done, __ATOMIC_ACQUIRE);
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		if (poll(&pfd, 1, done ? QUIET_MS : 10) == 0 && done)
			break;
		if (now_s() > w->deadline + 2)
			break;
	}
	w->idx = idx;
	return NULL;
}

/* A TPACKET_V1/V2 ring as the scenario's socket says, bound to lo with its
 * ethertype.  Blocks of a page (or of one frame, rounded up to pages, when
 * frames are bigger): tpacket_req needs tp_block_size a multiple of
 * PAGE_SIZE and tp_frame_nr = frames per block * tp_block_nr. */
static int ring_open(ring *r, const scn_socket *so, uint16_t etype, int ifindex)
{
	long page = sysconf(_SC_PAGESIZE);
	r->frames = so->frames;
	r->frame_size = so->frame_size;
	r->version = so->version == 1 ? TPACKET_V1 : TPACKET_V2;
	r->block_size = (uint32_t)(((so->frame_size + page - 1) / page) * page);
	r->per_block = r->block_size / so->frame_size;
	if (r->frames % r->per_block) {
		fprintf(stderr, "sim: --live: socket '%s': %u frames of %u B do not fill whole %u B "
			"blocks (PACKET_RX_RING needs frames a multiple of %u)\n", so->name,
			so->frames, so->frame_size, r->block_size, r->per_block);
		return 2;
	}
	struct tpacket_req req = { r->block_size, r->frames / r->per_block, r->frame_size, r->frames };
	int one = 1, v = r->version;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(etype),
				   .sll_ifindex = ifindex };
	r->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (r->fd < 0)
		return errno == EPERM || errno == EACCES ? -1 : 3;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req))
		return 3;
	setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one); /* from 4.20 */
	r->maplen = (size_t)req.tp_block_size * req.tp_block_nr;
	r->map = mmap(NULL, r->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return 3;
	}
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof sll))
		return 3;
	stats_read(r);                      /* start from zero: the read clears them */
	memset(r->res, 0, sizeof *r->res);
	r->res->snap_min = UINT32_MAX;
	return 0;
}

static void ring_close(ring *r)
{
	if (r->map)
		munmap(r->map, r->maplen);
	if (r->fd >= 0)
		close(r->fd);
}

/* What cannot run live: a message and 2. */
static int live_refuses(const scn_file *f)
{
	size_t npacket = 0;
	for (size_t i = 0; i < f->nsockets; i++) {
		if (f->sockets[i].type != SCN_SOCK_PACKET) {
			fprintf(stderr, "sim: --live: socket '%s' is a stream socket: only packet "
				"sockets run live\n", f->sockets[i].name);
			return 2;
		}
		npacket++;
	}
	if (npacket > LIVE_MAX_SOCKETS || f->nflows > 64) {
		fprintf(stderr, "sim: --live: at most %d packet sockets and 64 flows\n",
			LIVE_MAX_SOCKETS);
		return 2;
	}
	for (size_t i = 0; i < f->nflows; i++)
		if (f->flows[i].size < LIVE_HDR || f->flows[i].size > 65536 + ETH_HLEN) {
			fprintf(stderr, "sim: --live: flow '%s': size %u: live packets are %u..%u B "
				"(a header of %u B, lo's MTU 65536)\n", f->flows[i].name,
				f->flows[i].size, LIVE_HDR, 65536 + ETH_HLEN, LIVE_HDR);
			return 2;
		}
	if (f->ntasks) {
		fprintf(stderr, "sim: --live: task '%s': task programs do not run live\n",
			f->tasks[0].name);
		return 2;
	}
	if (f->nstalls || f->nirqs)
		fprintf(stderr, "sim: --live: the scenario's stalls and irqs are not reproduced "
			"live; the model runs without them too\n");
	return 0;
}

static int no_privilege(void)
{
	fprintf(stderr, "sim: --live needs CAP_NET_RAW and CAP_NET_ADMIN (run it as root): "
		"socket(AF_PACKET): %s\n", strerror(EPERM));
	return 2;
}

/* Flows whose CPU this machine does not have are skipped, with a message. */
static void skip_missing_cpus(const scn_file *f, live_kernel *k)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof set, &set);
	for (size_t i = 0; i < f->nflows; i++) {
		uint32_t cpu = f->flows[i].cpu;
		k->flow_skipped[i] = cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &set);
		if (k->flow_skipped[i])
			fprintf(stderr, "sim: --live: flow '%s': cpu%u does not exist here (or is not "
				"ours): skipped, in the model too\n", f->flows[i].name, cpu);
	}
	for (size_t i = 0; i < f->nconsumers; i++)
		if (f->consumers[i].cpu >= CPU_SETSIZE || !CPU_ISSET(f->consumers[i].cpu, &set))
			fprintf(stderr, "sim: --live: consumer '%s': cpu%u does not exist here: its "
				"reader runs unpinned\n", f->consumers[i].name, f->consumers[i].cpu);
}

/* After the readers: the frames still published, in ring order from where
 * its reader stopped (frame 0 without one); then the last statistics read. */
static void final_scan(ring *r, uint32_t from)
{
	for (uint32_t k = 0; k < r->frames; k++) {
		uint32_t i = (from + k) % r->frames;
		uint32_t st = status_load(r, i);
		if (st & TP_STATUS_USER)
			take_frame(r, i, st);
	}
	stats_read(r);
}

static int start(worker *w, void *(*fn)(void *))
{
	return pthread_create(&w->t, NULL, fn, w) ? 3 : 0;
}

/* Start the readers, then the senders; wait for them; say the senders are
 * done; wait for the readers.  Returns 0 or 3. */
static int run_threads(const scn_file *f, ring *rings, live_kernel *k, worker *snd, worker *rd,
		       double deadline, int ifindex)
{
	volatile int done = 0;
	int rc = 0;
	size_t nr = 0, ns = 0;
	for (; nr < f->nconsumers; nr++) {
		rd[nr] = (worker){ .f = f, .r = &rings[f->consumers[nr].socket], .index = (uint32_t)nr,
				   .cpu = f->consumers[nr].cpu, .deadline = deadline,
				   .senders_done = &done };
		if ((rc = start(&rd[nr], reader_main)) != 0)
			break;
	}
	for (size_t i = 0; i < f->nflows && !rc; i++) {
		if (k->flow_skipped[i] || !f->flows[i].count)
			continue;
		snd[ns] = (worker){ .f = f, .index = (uint32_t)i, .cpu = f->flows[i].cpu,
				    .ifindex = ifindex, .deadline = deadline };
		rc = start(&snd[ns], sender_main);
		ns += !rc;
	}
	for (size_t i = 0; i < ns; i++) {
		pthread_join(snd[i].t, NULL);
		k->flow_sent[snd[i].index] = snd[i].sent;
		rings[f->flows[snd[i].index].socket].res->sent += snd[i].sent;
		k->timed_out |= snd[i].sent < f->flows[snd[i].index].count && !snd[i].err;
		if (snd[i].err) {
			fprintf(stderr, "sim: --live: flow '%s': sendto: %s\n",
				f->flows[snd[i].index].name, strerror(snd[i].err));
			rc = 3;
		}
	}
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	for (size_t i = 0; i < nr; i++)
		pthread_join(rd[i].t, NULL);
	return rc;
}

int live_kernel_run(const scn_file *f, double seconds, live_kernel *k)
{
	memset(k, 0, sizeof *k);
	int rc = live_refuses(f);
	if (rc)
		return rc;
	int ifindex = (int)if_nametoindex("lo");
	ring rings[LIVE_MAX_SOCKETS] = { { .fd = -1 }, { .fd = -1 } };
	k->flow_sent = calloc(f->nflows + 1, sizeof *k->flow_sent);
	k->flow_skipped = calloc(f->nflows + 1, sizeof *k->flow_skipped);
	worker *snd = calloc(f->nflows + 1, sizeof *snd), *rd = calloc(f->nconsumers + 1, sizeof *rd);
	if (!ifindex || !k->flow_sent || !k->flow_skipped || !snd || !rd)
		rc = 3;
	for (size_t i = 0; i < f->nsockets && !rc; i++) {
		rings[i].res = &k->ring[i];
		rings[i].nflows = (uint32_t)f->nflows;
		rc = ring_open(&rings[i], &f->sockets[i], (uint16_t)(LIVE_ETHERTYPE + i), ifindex);
	}
	if (rc == -1)
		rc = no_privilege();
	if (!rc) {
		skip_missing_cpus(f, k);
		rc = run_threads(f, rings, k, snd, rd, now_s() + seconds, ifindex);
	}
	for (size_t i = 0; i < f->nsockets && !rc; i++) {
		uint32_t from = 0;
		for (size_t c = 0; c < f->nconsumers; c++)
			if (f->consumers[c].socket == i)
				from = rd[c].idx;
		final_scan(&rings[i], from);
	}
	if (rc == 3)
		fprintf(stderr, "sim: --live: %s\n", strerror(errno));
	for (size_t i = 0; i < f->nsockets; i++)
		ring_close(&rings[i]);
	free(snd);
	free(rd);
	return rc;
}

void live_kernel_free(live_kernel *k)
{
	free(k->flow_sent);
	free(k->flow_skipped);
}

void live_status_text(uint32_t set, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (uint32_t v = 0; v < 32 && n < len; v++)
		if (set & (1u << v))
			n += v == 31 ? (size_t)snprintf(buf + n, len - n, "%sother", n ? "," : "")
				     : (size_t)snprintf(buf + n, len - n, "%s0x%x", n ? "," : "", v);
}
