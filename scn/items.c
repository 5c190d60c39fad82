/* items.c - the lists a scenario declares (growing arrays, a hash index of
 * names), and the prologue every directive shares: its NAME, its keys. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser_internal.h"
#include "values.h"

void *grow(parser *p, void *arr, size_t n, size_t *cap, size_t elem, const char *what,
	   uint32_t col)
{
	if (n < *cap)
		return arr;
	if (n >= SCN_MAX_ITEMS) {
		fail(p, col, "too many %s (at most %u)", what, SCN_MAX_ITEMS);
		return NULL;
	}
	size_t nc = *cap ? *cap * 2 : 8;
	if (nc > SCN_MAX_ITEMS)
		nc = SCN_MAX_ITEMS;
	void *a = realloc(arr, nc * elem);
	if (!a) {
		scn_fail_oom(p, col);
		return NULL;
	}
	*cap = nc;
	return a;
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The items of a kind are an array of structs whose `name` member is at
 * `off`; `base` is the array (it moves as it grows, so it is passed in). */
static const char *item_name(const void *base, size_t stride, size_t off, size_t i)
{
	return (const char *)base + i * stride + off;
}

size_t item_find(const parser *p, int k, const void *base, size_t stride, size_t off,
		 const char *s, size_t n)
{
	const name_index *ni = &p->idx[k];

	if (!ni->cap || n >= SCN_NAME_MAX)
		return SIZE_MAX;
	size_t mask = ni->cap - 1;
	for (size_t h = (size_t)name_hash(s, n) & mask;; h = (h + 1) & mask) {
		uint32_t v = ni->slot[h];
		if (!v)
			return SIZE_MAX;
		const char *nm = item_name(base, stride, off, v - 1);
		if (strlen(nm) == n && memcmp(nm, s, n) == 0)
			return v - 1;
	}
}

static void ni_place(name_index *ni, const char *nm, size_t i)
{
	size_t mask = ni->cap - 1;
	size_t h = (size_t)name_hash(nm, strlen(nm)) & mask;

	while (ni->slot[h])
		h = (h + 1) & mask;
	ni->slot[h] = (uint32_t)(i + 1);
}

/* Add item ni->n (the next one) to the index; items 0..ni->n-1 are in it. */
static int ni_add(parser *p, name_index *ni, const void *base, size_t stride, size_t off,
		  uint32_t col)
{
	if ((ni->n + 1) * 2 > ni->cap) {
		size_t nc = ni->cap ? ni->cap * 2 : 16;
		uint32_t *s = calloc(nc, sizeof *s);
		if (!s)
			return scn_fail_oom(p, col);
		free(ni->slot);
		ni->slot = s;
		ni->cap = nc;
		for (size_t i = 0; i < ni->n; i++)
			ni_place(ni, item_name(base, stride, off, i), i);
	}
	ni_place(ni, item_name(base, stride, off, ni->n), ni->n);
	ni->n++;
	return 0;
}

/* Declare the name given by t for `it`, the next item of d's list `base`. */
static int add_name(parser *p, const dir_spec *d, const void *base, void *it, const tok *t)
{
	char *name = (char *)it + d->name_off;

	if (tok_name(p, t, d->dir, name))
		return -1;
	size_t i = item_find(p, d->kind, base, d->elem, d->name_off, t->s, t->n);
	if (i != SIZE_MAX) {
		scn_pos first;
		memcpy(&first, (const char *)base + i * d->elem + d->pos_off, sizeof first);
		return fail(p, t->vcol, "duplicate %s name '%s' (first at line %" PRIu32 ")",
			    d->dir, name, first.line);
	}
	return ni_add(p, &p->idx[d->kind], base, d->elem, d->name_off, t->vcol);
}

int ref_item(parser *p, const tok *t, int k, const void *base, size_t stride, size_t name_off,
	     const char *what, size_t *out)
{
	shown b;
	size_t i = item_find(p, k, base, stride, name_off, t->v, t->vn);
	if (i == SIZE_MAX)
		return fail(p, t->vcol, "unknown %s '%s' (declare it with `%s` first)", what,
			    show(&b, t->v, t->vn), k == K_FANOUT ? "fanout" : what);
	*out = i;
	return 0;
}

int ref_socket(parser *p, const tok *t, uint32_t *out)
{
	size_t i;
	if (ref_item(p, t, K_SOCKET, p->f->sockets, sizeof(scn_socket), offsetof(scn_socket, name),
		     "socket", &i))
		return -1;
	*out = (uint32_t)i;
	return 0;
}

/* Match tokens [first, ntok) against d's keys: at[k] is the token giving
 * key k, or NULL. */
static int collect(parser *p, const dir_spec *d, size_t first)
{
	const tok **at = p->at;
	shown b;

	for (size_t k = 0; k < d->nkeys; k++)
		at[k] = NULL;
	for (size_t i = first; i < p->ntok; i++) {
		const tok *t = &p->toks[i];
		if (!t->has_eq || t->kn == 0)
			return fail(p, t->col, "expected key=value, got '%s' (quote a value "
				    "that has spaces)", show(&b, t->s, t->n));
		int k = -1;
		for (size_t j = 0; j < d->nkeys && k < 0; j++)
			if (eq(t->key, t->kn, d->keys[j]))
				k = (int)j;
		if (k < 0) {
			char list[256];
			size_t len = 0;
			list[0] = '\0';
			for (size_t j = 0; j < d->nkeys && len < sizeof list; j++) {
				int r = snprintf(list + len, sizeof list - len, "%s%s",
						 j ? ", " : "", d->keys[j]);
				if (r < 0)
					break;
				len += (size_t)r;
			}
			return fail(p, t->col, "unknown key '%s' for %s (expected %s)",
				    show(&b, t->key, t->kn), d->dir, list);
		}
		if (at[k])
			return fail(p, t->col, "duplicate key '%s'", d->keys[k]);
		if (t->vn == 0 && !t->quoted)
			return fail(p, t->vcol, "missing value for key '%s'", d->keys[k]);
		at[k] = t;
	}
	return 0;
}

int need_keys(parser *p, const dir_spec *d, unsigned mask)
{
	for (size_t k = 0; k < d->nkeys; k++)
		if ((mask & REQ(k)) && !p->at[k])
			return fail(p, p->toks[0].col, "missing required key '%s' for %s",
				    d->keys[k], d->dir);
	return 0;
}

int dir_keys(parser *p, const dir_spec *d, size_t first)
{
	return collect(p, d, first) || need_keys(p, d, d->required) ? -1 : 0;
}

const tok *positional(parser *p, const char *dir, const char *what, int keys)
{
	if (p->ntok < 2) {
		fail(p, p->toks[0].col, "missing %s after '%s'", what, dir);
		return NULL;
	}
	if (!keys && p->ntok > 2) {
		shown b;
		const tok *t = &p->toks[2];
		fail(p, t->col, "unexpected '%s' after %s", show(&b, t->s, t->n), dir);
		return NULL;
	}
	p->arg = p->toks[1];
	p->arg.v = p->arg.s;
	p->arg.vn = p->arg.n;
	return &p->arg;
}

/* The scn_file member at `off`, a list's array or count.  The arrays are
 * read and written as void *: every object pointer has its representation
 * on the platforms POSIX describes. */
static void *member(scn_file *f, size_t off)
{
	return (char *)f + off;
}

void *item_push(parser *p, const dir_spec *d, uint32_t col)
{
	void *arr;
	size_t n;

	memcpy(&arr, member(p->f, d->arr_off), sizeof arr);
	memcpy(&n, member(p->f, d->n_off), sizeof n);
	arr = grow(p, arr, n, &p->cap[d->kind], d->elem, d->plural, col);
	if (!arr)
		return NULL;
	memcpy(member(p->f, d->arr_off), &arr, sizeof arr);
	char *it = (char *)arr + n * d->elem;
	memset(it, 0, d->elem);
	scn_pos pos = { p->line, p->toks[0].col };
	memcpy(it + d->pos_off, &pos, sizeof pos);
	return it;
}

void *dir_item(parser *p, const dir_spec *d)
{
	char what[80];
	const tok *name = NULL;

	if (d->named) {
		int r = snprintf(what, sizeof what, "a %s name", d->dir);
		(void)r;        /* directive names are short */
		if (!(name = positional(p, d->dir, what, d->keys != NULL)))
			return NULL;
	}
	void *it = item_push(p, d, p->toks[0].col);
	if (!it)
		return NULL;
	void *base;
	memcpy(&base, member(p->f, d->arr_off), sizeof base);
	if (name && add_name(p, d, base, it, name))
		return NULL;
	if (d->keys && dir_keys(p, d, d->named ? 2 : 1))
		return NULL;
	return it;
}
