/* tests/unit/slab_test.c: host tests for the size-class kernel heap.
 *
 * Layer: host unit test of framework/mm/slab.c (pure logic). The page source
 * is aligned_alloc() with a page counter and a table of every run handed out,
 * so runs the heap quarantines after a corruption report can still be freed
 * at the end of a case and LeakSanitizer stays quiet. The corruption callback
 * records the report instead of panicking, which also tests that the heap
 * keeps working (and keeps its hands off the damaged object) afterwards.
 *
 * unit-sources: framework/mm/slab.c */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "mm/slab.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x9E3779B97F4A7C15ull;
}

struct run {
	void *p;
	size_t npages;
	bool live;
};

struct src {
	struct run *runs;
	size_t nruns, cap;
	size_t pages_out;  /* pages currently held by the heap */
	size_t limit;      /* max pages_out, 0 = none */
	bool defer;        /* keep freed runs mapped until src_drop() */
	size_t reports;
	const char *last_what;
	const void *last_addr;
};

static void *src_alloc(void *ctx, size_t npages)
{
	struct src *s = ctx;
	void *p;

	if (s->limit && s->pages_out + npages > s->limit)
		return NULL;
	p = aligned_alloc(4096, npages * 4096);
	if (!p)
		return NULL;
	memset(p, 0x5e, npages * 4096); /* not zero: the heap must not rely on it */
	if (s->nruns == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->runs = realloc(s->runs, s->cap * sizeof(*s->runs));
	}
	s->runs[s->nruns++] = (struct run){ p, npages, true };
	s->pages_out += npages;
	return p;
}

static void src_free(void *ctx, void *p, size_t npages)
{
	struct src *s = ctx;
	size_t i;

	for (i = 0; i < s->nruns; i++)
		if (s->runs[i].p == p && s->runs[i].live)
			break;
	if (i == s->nruns || s->runs[i].npages != npages) {
		fprintf(stderr, "slab_test: bad free_pages(%p, %zu)\n", p,
			npages);
		abort();
	}
	s->runs[i].live = false;
	s->pages_out -= npages;
	if (!s->defer) {
		free(p);
		s->runs[i] = s->runs[--s->nruns];
	}
}

static void src_corruption(void *ctx, const char *what, const void *addr)
{
	struct src *s = ctx;

	s->reports++;
	s->last_what = what;
	s->last_addr = addr;
}

static const struct slab_page_ops src_ops = {
	.alloc_pages = src_alloc,
	.free_pages = src_free,
	.corruption = src_corruption,
};

/* Free every run still around (live ones were leaked or quarantined). */
static void src_drop(struct src *s)
{
	size_t i;

	for (i = 0; i < s->nruns; i++)
		free(s->runs[i].p);
	free(s->runs);
	memset(s, 0, sizeof(*s));
}

static bool report_has(const struct src *s, const char *word)
{
	return s->last_what && strstr(s->last_what, word);
}

static void setup(struct slab_heap *h, struct src *s, bool debug)
{
	memset(s, 0, sizeof(*s));
	slab_heap_init(h, &src_ops, s, debug);
}

/* Every size from 1 to past the small limit, plus large ones: alignment,
 * usable size, writable, and all pages come back. */
static void check_sizes(bool debug)
{
	struct slab_heap h;
	struct src s;
	size_t sz;

	setup(&h, &s, debug);
	CHECK(slab_alloc(&h, 0) == NULL);
	for (sz = 1; sz < SLAB_MAX_SMALL + 300; sz++) {
		uint8_t *p = slab_alloc(&h, sz);
		size_t us;

		CHECKF(p != NULL, "size %zu", sz);
		CHECKF((uintptr_t)p % SLAB_ALIGN == 0, "size %zu misaligned", sz);
		us = slab_usable_size(&h, p);
		if (debug)
			CHECKF(us == sz, "size %zu usable %zu", sz, us);
		else
			CHECKF(us >= sz, "size %zu usable %zu", sz, us);
		memset(p, 0x11, us);
		slab_free(&h, p);
	}
	for (sz = 4000; sz < 300000; sz = sz * 3 + 7) {
		uint8_t *p = slab_alloc(&h, sz);

		CHECKF(p != NULL, "size %zu", sz);
		CHECK((uintptr_t)p % SLAB_ALIGN == 0);
		CHECK(slab_usable_size(&h, p) >= sz);
		CHECK(slab_heap_stats(&h).large_allocs == 1);
		memset(p, 0x22, slab_usable_size(&h, p));
		slab_free(&h, p);
	}
	CHECK(s.reports == 0);
	CHECK(slab_heap_stats(&h).objects_in_use == 0);
	CHECK(slab_heap_stats(&h).bytes_in_use == 0);
	slab_heap_trim(&h);
	CHECK(slab_heap_stats(&h).pages_held == 0 && s.pages_out == 0);
	src_drop(&s);
}

static void test_sizes(void)
{
	check_sizes(false);
}

static void test_sizes_debug(void)
{
	check_sizes(true);
}

/* Random alloc/free with a per-object byte pattern verified at free:
 * overlapping objects or heap metadata inside an object would show. */
static void check_stress(bool debug)
{
	enum { LIVE = 3000 };
	static struct { uint8_t *p; size_t n; uint8_t pat; } live[LIVE];
	struct slab_heap h;
	struct src s;
	unsigned nlive = 0, iter, peak_pages = 0;

	setup(&h, &s, debug);
	for (iter = 0; iter < 300000; iter++) {
		if (nlive == 0 || (nlive < LIVE && rng() % 100 < 52)) {
			uint64_t r = rng() % 1000;
			size_t n = r < 700 ? 1 + rng() % 128 :
				   r < 980 ? 1 + rng() % SLAB_MAX_SMALL :
					     1 + rng() % 40000;
			uint8_t *p = slab_alloc(&h, n);

			CHECK(p != NULL);
			CHECK((uintptr_t)p % SLAB_ALIGN == 0);
			live[nlive].p = p;
			live[nlive].n = n;
			live[nlive].pat = (uint8_t)(iter * 7 + 1);
			memset(p, live[nlive].pat, n);
			nlive++;
		} else {
			unsigned i = (unsigned)(rng() % nlive);
			size_t k;

			for (k = 0; k < live[i].n; k++)
				CHECKF(live[i].p[k] == live[i].pat,
				       "object %p byte %zu overwritten",
				       (void *)live[i].p, k);
			slab_free(&h, live[i].p);
			live[i] = live[--nlive];
		}
		if (s.pages_out > peak_pages)
			peak_pages = (unsigned)s.pages_out;
	}
	CHECK(slab_heap_stats(&h).objects_in_use == nlive);
	CHECK(slab_heap_stats(&h).pages_held == s.pages_out);
	while (nlive) {
		nlive--;
		slab_free(&h, live[nlive].p);
	}
	CHECKF(s.reports == 0, "unexpected report: %s", s.last_what);
	CHECK(slab_heap_stats(&h).objects_in_use == 0);
	CHECK(slab_heap_stats(&h).bytes_in_use == 0);
	/* Only the one cached empty slab per class may remain. */
	CHECKF(s.pages_out <= SLAB_NR_CLASSES, "%zu pages still held",
	       s.pages_out);
	slab_heap_trim(&h);
	CHECK(s.pages_out == 0 && slab_heap_stats(&h).pages_held == 0);
	CHECK(peak_pages > SLAB_NR_CLASSES);
	src_drop(&s);
}

static void test_stress(void)
{
	check_stress(false);
}

static void test_stress_debug(void)
{
	check_stress(true);
}

/* Empty slabs go back to the page source, all but one per class. */
static void test_empty_slabs_returned(void)
{
	enum { N = 2000 };
	static void *p[N];
	struct slab_heap h;
	struct src s;
	unsigned i;

	setup(&h, &s, false);
	for (i = 0; i < N; i++)
		CHECK((p[i] = slab_alloc(&h, 64)) != NULL);
	/* 62 objects of 64 bytes per page after the header. */
	CHECKF(s.pages_out == (N + 61) / 62, "%zu pages", s.pages_out);
	for (i = 0; i < N; i += 2)
		slab_free(&h, p[i]);
	CHECK(s.pages_out == (N + 61) / 62); /* every slab half full */
	for (i = 1; i < N; i += 2)
		slab_free(&h, p[i]);
	CHECK(s.pages_out == 1);
	CHECK(slab_heap_stats(&h).pages_held == 1);
	/* The cached slab is reused, not a new page. */
	CHECK((p[0] = slab_alloc(&h, 60)) != NULL);
	CHECK(s.pages_out == 1);
	slab_free(&h, p[0]);
	CHECK(slab_heap_trim(&h) == 1);
	CHECK(s.pages_out == 0);
	CHECK(s.reports == 0);
	src_drop(&s);
}

/* Allocate @n objects of @size and check they are pairwise distinct and
 * writable; then free them. Used to show the heap is still sane. */
static bool heap_sane(struct slab_heap *h, size_t size, unsigned n)
{
	void *v[64];
	unsigned i, j;
	bool ok = true;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		v[i] = slab_alloc(h, size);
		if (!v[i])
			return false;
		memset(v[i], 0x33, size);
		for (j = 0; j < i; j++)
			if (v[i] == v[j])
				ok = false;
	}
	for (i = 0; i < n; i++)
		slab_free(h, v[i]);
	return ok;
}

static void check_double_free(bool debug)
{
	struct slab_heap h;
	struct src s;
	void *a, *b, *c, *d;

	setup(&h, &s, debug);
	a = slab_alloc(&h, 40);
	b = slab_alloc(&h, 40);
	CHECK(a && b);
	slab_free(&h, a);
	CHECK(s.reports == 0);
	slab_free(&h, a);
	CHECK(s.reports == 1 && report_has(&s, "double free") &&
	      s.last_addr == a);
	/* The freelist holds `a` once: two allocations, two objects. */
	c = slab_alloc(&h, 40);
	d = slab_alloc(&h, 40);
	CHECK(c && d && c != d && c != b && d != b);
	CHECK(heap_sane(&h, 40, 64));
	slab_free(&h, b);
	slab_free(&h, c);
	slab_free(&h, d);
	CHECK(s.reports == 1);
	CHECK(slab_heap_stats(&h).objects_in_use == 0);
	src_drop(&s);
}

static void test_double_free(void)
{
	check_double_free(false);
}

static void test_double_free_debug(void)
{
	check_double_free(true);
}

static void test_overflow_debug(void)
{
	struct slab_heap h;
	struct src s;
	uint8_t *p, *q;
	size_t quar;

	setup(&h, &s, true);
	/* One byte past a request smaller than its class. */
	p = slab_alloc(&h, 50);
	CHECK(p);
	p[50] = 0;
	slab_free(&h, p);
	CHECK(s.reports == 1 && report_has(&s, "overflow") && s.last_addr == p);
	/* The object was withheld, not freed, and allocation goes on. */
	quar = slab_heap_stats(&h).quarantined;
	CHECK(quar == 1);
	/* One byte past a request that fills its class exactly. */
	q = slab_alloc(&h, 64);
	CHECK(q && q != p);
	q[64] = 'x';
	slab_free(&h, q);
	CHECK(s.reports == 2 && report_has(&s, "overflow"));
	/* Smashing the stored size word is caught too. */
	q = slab_alloc(&h, 16);
	CHECK(q);
	memset(q + 16, 0, 16);
	CHECK(slab_usable_size(&h, q) == 0 && s.reports == 3);
	slab_free(&h, q);
	CHECK(s.reports == 4 && report_has(&s, "overflow"));
	/* Past a large object. */
	q = slab_alloc(&h, 5000);
	CHECK(q);
	q[5000] = 1;
	slab_free(&h, q);
	CHECK(s.reports == 5 && report_has(&s, "overflow"));
	CHECK(heap_sane(&h, 50, 64) && heap_sane(&h, 5000, 4));
	CHECK(s.reports == 5);
	src_drop(&s);
}

static void test_write_after_free_debug(void)
{
	struct slab_heap h;
	struct src s;
	uint8_t *p, *q, *keep;

	setup(&h, &s, true);
	keep = slab_alloc(&h, 100); /* keeps the slab from being cached */
	p = slab_alloc(&h, 100);
	CHECK(keep && p);
	slab_free(&h, p);
	p[20] = 1; /* the bug: a write through a stale pointer */
	/* LIFO: the next allocation pops p, sees the poison broken, reports
	 * and hands out another object instead. */
	q = slab_alloc(&h, 100);
	CHECK(q && q != p);
	CHECK(s.reports == 1 && report_has(&s, "after free") &&
	      s.last_addr == p);
	CHECK(heap_sane(&h, 100, 64));
	slab_free(&h, q);
	slab_free(&h, keep);
	CHECK(s.reports == 1);
	src_drop(&s);
}

/* The freelist link in a free object overwritten: caught in every build. */
static void check_scribbled_freelist(bool debug)
{
	struct slab_heap h;
	struct src s;
	uint8_t *p, *q, *keep;
	uintptr_t bogus = 0x4141414141414141ull;

	setup(&h, &s, debug);
	keep = slab_alloc(&h, 32);
	p = slab_alloc(&h, 32);
	CHECK(keep && p);
	slab_free(&h, p);
	memcpy(p, &bogus, sizeof(bogus));
	q = slab_alloc(&h, 32);
	CHECK(s.reports == 1 && report_has(&s, "freelist"));
	CHECK(q && q != p && q != keep);
	/* A link pointing inside the slab but not at an object start. */
	slab_free(&h, q);
	bogus = (uintptr_t)keep + 8;
	memcpy(q, &bogus, sizeof(bogus));
	p = slab_alloc(&h, 32);
	CHECK(s.reports == 2 && report_has(&s, "freelist"));
	CHECK(p && p != q && p != keep);
	CHECK(heap_sane(&h, 32, 64));
	slab_free(&h, p);
	slab_free(&h, keep);
	CHECK(s.reports == 2);
	src_drop(&s);
}

static void test_scribbled_freelist(void)
{
	check_scribbled_freelist(false);
}

static void test_scribbled_freelist_debug(void)
{
	check_scribbled_freelist(true);
}

static void check_bad_pointers(bool debug)
{
	struct slab_heap h, other;
	struct src s;
	uint8_t *p, *big, *foreign, *theirs;
	size_t n = 0;

	setup(&h, &s, debug);
	slab_heap_init(&other, &src_ops, &s, debug);
	p = slab_alloc(&h, 64);
	big = slab_alloc(&h, 10000);
	CHECK(p && big);
	slab_free(&h, NULL); /* no-op */
	CHECK(s.reports == 0);

	slab_free(&h, p + 1);
	CHECK(s.reports == ++n && report_has(&s, "object start"));
	slab_free(&h, p + 16);
	CHECK(s.reports == ++n && report_has(&s, "object start"));
	slab_free(&h, (uint8_t *)((uintptr_t)p & ~(uintptr_t)4095));
	CHECK(s.reports == ++n);
	slab_free(&h, big + 16);
	CHECK(s.reports == ++n && report_has(&s, "large"));

	/* A page the heap never saw. */
	foreign = aligned_alloc(4096, 4096);
	memset(foreign, 0, 4096);
	slab_free(&h, foreign + 96);
	CHECK(s.reports == ++n && s.last_addr == foreign + 96);
	free(foreign);

	/* An object of another heap. */
	theirs = slab_alloc(&other, 64);
	CHECK(theirs);
	slab_free(&h, theirs);
	CHECK(s.reports == ++n);
	slab_free(&other, theirs);
	CHECK(s.reports == n);

	/* None of that disturbed the real objects. */
	CHECK(slab_heap_stats(&h).objects_in_use == 2);
	slab_free(&h, p);
	slab_free(&h, big);
	CHECK(s.reports == n);
	CHECK(heap_sane(&h, 64, 64));
	src_drop(&s);
}

static void test_bad_pointers(void)
{
	check_bad_pointers(false);
}

static void test_bad_pointers_debug(void)
{
	check_bad_pointers(true);
}

/* The header magic of a slab scribbled: frees into it and allocations from
 * it are refused, the rest of the heap carries on. */
static void check_scribbled_header(bool debug)
{
	struct slab_heap h;
	struct src s;
	uint8_t *p, *q, *r, *hdr;

	setup(&h, &s, debug);
	p = slab_alloc(&h, 128);
	q = slab_alloc(&h, 128);
	CHECK(p && q);
	hdr = (uint8_t *)((uintptr_t)p & ~(uintptr_t)4095);
	hdr[0] ^= 0xff; /* magic */
	slab_free(&h, p);
	CHECK(s.reports == 1 && report_has(&s, "header"));
	/* The damaged slab heads the partial list: allocation must skip it. */
	r = slab_alloc(&h, 128);
	CHECK(r != NULL);
	CHECK(((uintptr_t)r & ~(uintptr_t)4095) != (uintptr_t)hdr);
	CHECK(s.reports == 2 && report_has(&s, "header"));
	CHECK(heap_sane(&h, 128, 64));
	slab_free(&h, r);
	CHECK(s.reports == 2);
	src_drop(&s);
}

static void test_scribbled_header(void)
{
	check_scribbled_header(false);
}

static void test_scribbled_header_debug(void)
{
	check_scribbled_header(true);
}

/* Debug mode checksums the rest of the header as well as the magic. */
static void test_header_checksum_debug(void)
{
	struct slab_heap h;
	struct src s;
	uint8_t *p, *q;

	setup(&h, &s, true);
	p = slab_alloc(&h, 256);
	CHECK(p);
	/* Flip a bit of the checksum, leaving the magic alone. */
	q = (uint8_t *)((uintptr_t)p & ~(uintptr_t)4095);
	q[4] ^= 1; /* check field */
	slab_free(&h, p);
	CHECK(s.reports == 1 && report_has(&s, "header"));
	src_drop(&s);
}

/* Large objects: pages given back at once, and with a page source that
 * keeps freed pages mapped (like the kernel's direct map), a double free is
 * caught. */
static void test_large_double_free(void)
{
	struct slab_heap h;
	struct src s;
	uint8_t *p;

	setup(&h, &s, false);
	s.defer = true;
	p = slab_alloc(&h, 20000);
	CHECK(p);
	CHECK(s.pages_out == 5);
	slab_free(&h, p);
	CHECK(s.pages_out == 0 && s.reports == 0);
	slab_free(&h, p);
	CHECK(s.reports == 1 && report_has(&s, "given back"));
	/* Same for a small object whose empty slab was released: fill one
	 * slab of the 48-byte class, start a second, empty the first (it is
	 * cached), then empty the second (it is given back). */
	{
		static void *v[200];
		unsigned i, n = 0;
		uint8_t *last;

		do {
			v[n] = slab_alloc(&h, 48);
			CHECK(v[n]);
		} while (((uintptr_t)v[n++] & ~(uintptr_t)4095) ==
			 ((uintptr_t)v[0] & ~(uintptr_t)4095));
		last = v[--n];
		for (i = 0; i < n; i++)
			slab_free(&h, v[i]);
		CHECK(s.pages_out == 2);
		slab_free(&h, last);
		CHECK(s.pages_out == 1 && s.reports == 1);
		slab_free(&h, last);
		CHECK(s.reports == 2 && report_has(&s, "given back"));
	}
	src_drop(&s);
}

static void test_oom_and_huge(void)
{
	struct slab_heap h;
	struct src s;
	void *v[200];
	unsigned i, n = 0;

	setup(&h, &s, false);
	CHECK(slab_alloc(&h, SIZE_MAX) == NULL);
	CHECK(slab_alloc(&h, SIZE_MAX - 4096) == NULL);
	CHECK(s.pages_out == 0);
	s.limit = 3;
	while (n < 200 && (v[n] = slab_alloc(&h, 900)) != NULL)
		n++;
	CHECK(n == 12); /* three pages of four 992-byte objects */
	CHECK(slab_alloc(&h, 9000) == NULL);
	slab_free(&h, v[--n]);
	CHECK((v[n] = slab_alloc(&h, 900)) != NULL);
	n++;
	for (i = 0; i < n; i++)
		slab_free(&h, v[i]);
	slab_heap_trim(&h);
	CHECK(s.pages_out == 0 && s.reports == 0);
	src_drop(&s);
}

static void test_zalloc(void)
{
	struct slab_heap h;
	struct src s;
	uint8_t *p;
	unsigned i;

	setup(&h, &s, true);
	p = slab_zalloc(&h, 300);
	CHECK(p);
	for (i = 0; i < 300; i++)
		CHECK(p[i] == 0);
	slab_free(&h, p);
	p = slab_alloc(&h, 300); /* debug: fresh objects are poisoned */
	CHECK(p && p[0] == SLAB_POISON_ALLOC && p[299] == SLAB_POISON_ALLOC);
	slab_free(&h, p);
	CHECK(s.reports == 0);
	src_drop(&s);
}

int main(void)
{
	TEST_SUITE("slab");
	RUN(test_sizes);
	RUN(test_sizes_debug);
	RUN(test_stress);
	RUN(test_stress_debug);
	RUN(test_empty_slabs_returned);
	RUN(test_double_free);
	RUN(test_double_free_debug);
	RUN(test_overflow_debug);
	RUN(test_write_after_free_debug);
	RUN(test_scribbled_freelist);
	RUN(test_scribbled_freelist_debug);
	RUN(test_bad_pointers);
	RUN(test_bad_pointers_debug);
	RUN(test_scribbled_header);
	RUN(test_scribbled_header_debug);
	RUN(test_header_checksum_debug);
	RUN(test_large_double_free);
	RUN(test_oom_and_huge);
	RUN(test_zalloc);
	HARNESS_EXIT();
}
