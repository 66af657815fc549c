/* tests/unit/cmdline_test.c: the kernel command-line parser.
 *
 * Layer: host unit test for framework/boot/cmdline.c: fixed cases for each
 * syntax rule and each malformed kind, a model-based random test (random
 * well-formed options must come back exactly), and a garbage fuzzer that
 * pushes a few hundred thousand random lines through the parser under ASan,
 * checking the invariants the boot code relies on.
 *
 * unit-sources: framework/boot/cmdline.c framework/lib/string.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fw/cmdline.h>
#include <fw/errno.h>

#include "harness.h"

static struct fw_cmdline cl;

static uint64_t rng_state = 0xC0FFEE1234567ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void t_empty(void)
{
	const char *k, *v;

	CHECK(fw_cmdline_parse(&cl, NULL) == 0);
	CHECK(fw_cmdline_count(&cl) == 0 && streq(fw_cmdline_raw(&cl), ""));
	CHECK(fw_cmdline_parse(&cl, "") == 0 && fw_cmdline_count(&cl) == 0);
	CHECK(fw_cmdline_parse(&cl, " \t\n\r\v\f ") == 0);
	CHECK(fw_cmdline_count(&cl) == 0);
	CHECK(fw_cmdline_warning(&cl) == NULL && fw_cmdline_warnings(&cl) == 0);
	CHECK(!fw_cmdline_has(&cl, "quiet") && !fw_cmdline_get(&cl, "x"));
	CHECK(fw_cmdline_at(&cl, 0, &k, &v) == -ENOENT);
}

static void t_basic(void)
{
	const char *k, *v;

	CHECK(fw_cmdline_parse(&cl, "console=ttyS0 quiet  init=/bin/sh "
				    "root=/dev/vda1 empty=") == 0);
	CHECK(fw_cmdline_count(&cl) == 5);
	CHECK(streq(fw_cmdline_get(&cl, "console"), "ttyS0"));
	CHECK(streq(fw_cmdline_get(&cl, "init"), "/bin/sh"));
	CHECK(streq(fw_cmdline_get(&cl, "root"), "/dev/vda1"));
	CHECK(fw_cmdline_has(&cl, "quiet") && !fw_cmdline_get(&cl, "quiet"));
	CHECK(fw_cmdline_has(&cl, "empty") &&
	      streq(fw_cmdline_get(&cl, "empty"), ""));
	CHECK(!fw_cmdline_has(&cl, "consol") && !fw_cmdline_has(&cl, ""));
	CHECK(!fw_cmdline_has(&cl, NULL) && !fw_cmdline_get(&cl, NULL));
	CHECK(fw_cmdline_at(&cl, 1, &k, &v) == 0 && streq(k, "quiet") &&
	      v == NULL);
	CHECK(fw_cmdline_at(&cl, 4, &k, &v) == 0 && streq(k, "empty") &&
	      streq(v, ""));
	CHECK(fw_cmdline_at(&cl, 5, &k, &v) == -ENOENT);
	CHECK(fw_cmdline_at(&cl, SIZE_MAX, &k, &v) == -ENOENT);
	CHECK(streq(fw_cmdline_raw(&cl), "console=ttyS0 quiet  init=/bin/sh "
					 "root=/dev/vda1 empty="));
	/* Tabs and newlines separate too, and print as spaces. */
	CHECK(fw_cmdline_parse(&cl, "a=1\tb\nc=3\r\n") == 0);
	CHECK(fw_cmdline_count(&cl) == 3 &&
	      streq(fw_cmdline_get(&cl, "c"), "3"));
	CHECK(streq(fw_cmdline_raw(&cl), "a=1 b c=3  "));
}

static void t_quotes(void)
{
	CHECK(fw_cmdline_parse(&cl, "init=\"/bin/sh -x\" \"key=a b\" "
				    "x=\"a=b\" y=a=b z=\"\" \"flag\" "
				    "w=pre\"mid dle\"post") == 0);
	CHECK(fw_cmdline_count(&cl) == 7);
	CHECK(streq(fw_cmdline_get(&cl, "init"), "/bin/sh -x"));
	CHECK(streq(fw_cmdline_get(&cl, "key"), "a b"));
	CHECK(streq(fw_cmdline_get(&cl, "x"), "a=b"));
	CHECK(streq(fw_cmdline_get(&cl, "y"), "a=b"));
	CHECK(streq(fw_cmdline_get(&cl, "z"), ""));
	CHECK(fw_cmdline_has(&cl, "flag") && !fw_cmdline_get(&cl, "flag"));
	CHECK(streq(fw_cmdline_get(&cl, "w"), "premid dlepost"));
	/* The raw line keeps the quotes: it is what was typed. */
	CHECK(!strncmp(fw_cmdline_raw(&cl), "init=\"/bin/sh -x\"", 17));
}

static void t_repeats(void)
{
	uint64_t v;

	CHECK(fw_cmdline_parse(&cl, "a=1 b a=2 c=x a=3") == 0);
	CHECK(fw_cmdline_count(&cl) == 5);
	CHECK(streq(fw_cmdline_get(&cl, "a"), "3"));
	CHECK(fw_cmdline_get_u64(&cl, "a", &v) == 0 && v == 3);
	/* Last one wins even when it is a bare flag. */
	CHECK(fw_cmdline_parse(&cl, "a=1 a") == 0);
	CHECK(fw_cmdline_has(&cl, "a") && !fw_cmdline_get(&cl, "a"));
	CHECK(fw_cmdline_parse(&cl, "a a=") == 0);
	CHECK(streq(fw_cmdline_get(&cl, "a"), ""));
}

static void t_get_u64(void)
{
	uint64_t v = 77;

	CHECK(fw_cmdline_parse(&cl, "mem=0x1000 n=42 o=010 bad=12k "
				    "flag big=18446744073709551616 e= "
				    "max=18446744073709551615") == 0);
	CHECK(fw_cmdline_get_u64(&cl, "mem", &v) == 0 && v == 4096);
	CHECK(fw_cmdline_get_u64(&cl, "n", &v) == 0 && v == 42);
	CHECK(fw_cmdline_get_u64(&cl, "o", &v) == 0 && v == 8);
	CHECK(fw_cmdline_get_u64(&cl, "max", &v) == 0 && v == UINT64_MAX);
	v = 77;
	CHECK(fw_cmdline_get_u64(&cl, "bad", &v) == -EINVAL && v == 77);
	CHECK(fw_cmdline_get_u64(&cl, "flag", &v) == -EINVAL && v == 77);
	CHECK(fw_cmdline_get_u64(&cl, "e", &v) == -EINVAL && v == 77);
	CHECK(fw_cmdline_get_u64(&cl, "big", &v) == -ERANGE && v == 77);
	CHECK(fw_cmdline_get_u64(&cl, "none", &v) == -ENOENT && v == 77);
}

/* One malformed option among good ones: it is dropped, the others kept,
 * one warning whose text names the problem. */
static void check_one_bad(const char *line, const char *bad_why,
			  size_t want_count)
{
	const char *w;

	CHECKF(fw_cmdline_parse(&cl, line) == 1, "line '%s': %d warnings", line,
	       fw_cmdline_warnings(&cl));
	CHECKF(fw_cmdline_count(&cl) == want_count, "line '%s': count %zu",
	       line, fw_cmdline_count(&cl));
	w = fw_cmdline_warning(&cl);
	CHECKF(w && strstr(w, bad_why), "line '%s': warning '%s'", line,
	       w ? w : "(none)");
	CHECK(fw_cmdline_has(&cl, "good") && fw_cmdline_has(&cl, "ok"));
}

static void t_malformed(void)
{
	check_one_bad("good =x ok", "empty name", 2);
	check_one_bad("good = ok", "empty name", 2);
	check_one_bad("good \"\" ok", "empty name", 2);
	check_one_bad("good \"=\" ok", "empty name", 2);
	check_one_bad("good \"a b\"=c ok", "space in its name", 2);
	check_one_bad("good a\"b c\"d ok", "space in its name", 2);
	check_one_bad("good bad\x01=1 ok", "non-printable", 2);
	check_one_bad("good b=\x7f ok", "non-printable", 2);
	check_one_bad("good b=caf\xc3\xa9 ok", "non-printable", 2);
	check_one_bad("good b=\"tab\there\" ok", "non-printable", 2);
	check_one_bad("good ok b=\"x y", "unterminated quote", 2);
	check_one_bad("good ok \"", "unterminated quote", 2);
	check_one_bad("good ok b=\"\"\"", "unterminated quote", 2);
	/* The raw line shows the bad bytes as '?'. */
	CHECK(fw_cmdline_parse(&cl, "a=\x01\xff") == 1);
	CHECK(streq(fw_cmdline_raw(&cl), "a=??"));
	/* Only the first problem is described; all are counted. */
	CHECK(fw_cmdline_parse(&cl, "=a ok =b \x02 x=\"") == 4);
	CHECK(strstr(fw_cmdline_warning(&cl), "'=a'") != NULL);
	CHECK(fw_cmdline_count(&cl) == 1);
	/* A clean re-parse forgets the old warnings and options. */
	CHECK(fw_cmdline_parse(&cl, "ok") == 0 && !fw_cmdline_warning(&cl));
	CHECK(fw_cmdline_count(&cl) == 1);
}

static void t_too_many(void)
{
	char line[1024];
	size_t len = 0;
	char k[8];

	for (int i = 0; i < 70; i++)
		len += (size_t)snprintf(line + len, sizeof line - len,
					"o%d=%d ", i, i);
	CHECK(fw_cmdline_parse(&cl, line) == 6);
	CHECK(fw_cmdline_count(&cl) == FW_CMDLINE_MAX_OPTS);
	CHECK(strstr(fw_cmdline_warning(&cl), "too many") &&
	      strstr(fw_cmdline_warning(&cl), "'o64=64'"));
	CHECK(streq(fw_cmdline_get(&cl, "o63"), "63"));
	CHECK(!fw_cmdline_has(&cl, "o64"));
	/* Exactly the limit is fine. */
	len = 0;
	for (int i = 0; i < FW_CMDLINE_MAX_OPTS; i++)
		len += (size_t)snprintf(line + len, sizeof line - len, "o%d ",
					i);
	CHECK(fw_cmdline_parse(&cl, line) == 0);
	snprintf(k, sizeof k, "o%d", FW_CMDLINE_MAX_OPTS - 1);
	CHECK(fw_cmdline_has(&cl, k));
}

/* A heap copy of exactly n bytes, NUL-terminated only if nul: ASan then
 * catches any read past what the parser may look at. */
static char *exact(const char *s, size_t n, bool nul)
{
	char *p = malloc(n + nul);

	memcpy(p, s, n);
	if (nul)
		p[n] = '\0';
	return p;
}

static void t_too_long(void)
{
	char big[3000];
	char *p;

	/* 1023 bytes exactly: fits, no warning. */
	memset(big, 'a', 1023);
	memcpy(big, "x=", 2);
	p = exact(big, 1023, true);
	CHECK(fw_cmdline_parse(&cl, p) == 0);
	CHECK(strlen(fw_cmdline_get(&cl, "x")) == 1021);
	free(p);

	/* 1024 bytes: the single option is cut, so it is dropped. */
	memset(big, 'a', 1024);
	memcpy(big, "x=", 2);
	p = exact(big, 1024, true);
	CHECK(fw_cmdline_parse(&cl, p) == 1);
	CHECK(fw_cmdline_count(&cl) == 0);
	CHECK(strstr(fw_cmdline_warning(&cl), "too long"));
	CHECK(strlen(fw_cmdline_raw(&cl)) == 1023);
	free(p);

	/* No NUL at all within 1024 bytes: reading stops at the bound. */
	p = exact(big, 1024, false);
	CHECK(fw_cmdline_parse(&cl, p) == 1 && fw_cmdline_count(&cl) == 0);
	free(p);

	/* Cut exactly at a space: the options before it are whole. */
	memset(big, 'a', sizeof big);
	memcpy(big, "x=1 ", 4);
	big[1023] = ' ';
	big[sizeof big - 1] = '\0';
	p = exact(big, sizeof big - 1, true);
	CHECK(fw_cmdline_parse(&cl, p) == 1);
	CHECK(fw_cmdline_count(&cl) == 2 &&
	      streq(fw_cmdline_get(&cl, "x"), "1"));
	free(p);

	/* Cut inside the second option: it is dropped, the first kept. */
	big[1023] = 'a';
	big[1000] = ' ';
	p = exact(big, sizeof big - 1, true);
	CHECK(fw_cmdline_parse(&cl, p) == 1 && fw_cmdline_count(&cl) == 2);
	CHECK(strlen(fw_cmdline_raw(&cl)) == 1023);
	CHECK(fw_cmdline_has(&cl, "x"));
	free(p);
}

/* Random well-formed lines must parse exactly as generated. */
static void t_model(void)
{
	static const char kch[] = "abcdefghijklmnopqrstuvwxyz0123456789_.-";
	static const char vch[] = "abcxyz019/:,._-+@";
	static const char *const ws[] = { " ", "  ", "\t", "\n", " \t " };
	char line[1100];
	char keys[64][16], vals[64][40];
	int kinds[64];

	for (int it = 0; it < 20000; it++) {
		size_t nopt = rnd_below(20), len = 0;

		line[0] = '\0';
		if (rnd_below(4) == 0)
			len += (size_t)snprintf(line, sizeof line, "%s",
						ws[rnd_below(5)]);
		for (size_t i = 0; i < nopt; i++) {
			size_t kl = 1 + rnd_below(10), vl = rnd_below(30);

			for (size_t j = 0; j < kl; j++)
				keys[i][j] = kch[rnd_below(sizeof kch - 1)];
			keys[i][kl] = '\0';
			for (size_t j = 0; j < vl; j++)
				vals[i][j] = vch[rnd_below(sizeof vch - 1)];
			vals[i][vl] = '\0';
			kinds[i] = (int)rnd_below(4);
			if (kinds[i] == 3 && vl > 2)
				vals[i][vl / 2] = ' '; /* needs quotes */
			switch (kinds[i]) {
			case 0: /* flag */
				len += (size_t)snprintf(line + len,
							sizeof line - len, "%s",
							keys[i]);
				break;
			case 1:
				len += (size_t)snprintf(
					line + len, sizeof line - len, "%s=%s",
					keys[i], vals[i]);
				break;
			case 2:
				len += (size_t)snprintf(
					line + len, sizeof line - len,
					"%s=\"%s\"", keys[i], vals[i]);
				break;
			default:
				len += (size_t)snprintf(
					line + len, sizeof line - len,
					"\"%s=%s\"", keys[i], vals[i]);
				break;
			}
			len += (size_t)snprintf(line + len, sizeof line - len,
						"%s", ws[rnd_below(5)]);
		}
		CHECKF(fw_cmdline_parse(&cl, line) == 0, "'%.300s': %s", line,
		       fw_cmdline_warning(&cl));
		CHECKF(fw_cmdline_count(&cl) == nopt, "%zu != %zu: '%.300s'",
		       fw_cmdline_count(&cl), nopt, line);
		for (size_t i = 0; i < nopt; i++) {
			const char *k, *v;

			CHECK(fw_cmdline_at(&cl, i, &k, &v) == 0);
			CHECKF(streq(k, keys[i]), "'%.300s' key %zu", line, i);
			if (kinds[i] == 0)
				CHECKF(v == NULL, "'%.300s' flag %zu", line, i);
			else
				CHECKF(streq(v, vals[i]),
				       "'%.300s' val %zu '%.100s'", line, i, v);
		}
	}
}

/* Invariants that must hold after parsing anything at all. */
static void check_invariants(const char *line, size_t linelen)
{
	size_t n = fw_cmdline_count(&cl);
	const char *raw = fw_cmdline_raw(&cl);
	const char *w = fw_cmdline_warning(&cl);
	int nw = fw_cmdline_warnings(&cl);
	size_t rl = strlen(raw);

	CHECK(n <= FW_CMDLINE_MAX_OPTS);
	CHECK(nw >= 0 && (nw == 0) == (w == NULL));
	CHECKF(rl == (linelen < FW_CMDLINE_MAX ? linelen : FW_CMDLINE_MAX - 1),
	       "raw length %zu for line %zu", rl, linelen);
	for (size_t i = 0; i < rl; i++)
		CHECK(raw[i] >= 0x20 && raw[i] <= 0x7e);
	if (w) {
		CHECK(strlen(w) < FW_CMDLINE_WARN_MAX);
		for (size_t i = 0; w[i]; i++)
			CHECK(w[i] >= 0x20 && w[i] <= 0x7e);
	}
	for (size_t i = 0; i < n; i++) {
		const char *k, *v;

		CHECK(fw_cmdline_at(&cl, i, &k, &v) == 0);
		CHECK(k[0] != '\0');
		for (size_t j = 0; k[j]; j++)
			CHECK(k[j] > 0x20 && k[j] <= 0x7e && k[j] != '"' &&
			      k[j] != '=');
		for (size_t j = 0; v && v[j]; j++)
			CHECK(v[j] >= 0x20 && v[j] <= 0x7e && v[j] != '"');
		/* Every key and value came from the line. */
		CHECK(strstr(raw, k) != NULL || strchr(line, '"'));
		CHECK(fw_cmdline_has(&cl, k));
		/* Lookups find the last occurrence. */
		size_t last = i;

		for (size_t j = i + 1; j < n; j++) {
			const char *k2, *v2;

			CHECK(fw_cmdline_at(&cl, j, &k2, &v2) == 0);
			if (!strcmp(k, k2))
				last = j;
		}
		if (last == i) {
			uint64_t x;
			int r = fw_cmdline_get_u64(&cl, k, &x);

			CHECK(fw_cmdline_get(&cl, k) == v);
			CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
		}
	}
}

static void t_fuzz_garbage(void)
{
	/* Alphabets from nasty to almost valid. */
	static const char *const alpha[] = {
		"ab=\" \t",
		"abc=\"  ",
		"a=\"",
		"k=v\" \n\x01\x7f\x80\xff",
	};
	char buf[1600];
	size_t seen_opts = 0, seen_warn = 0;

	for (int it = 0; it < 200000; it++) {
		size_t len;
		int mode = (int)rnd_below(8);
		char *p;

		/* Mostly short lines; some past the 1023-byte limit. */
		len = mode == 0 ? 1000 + rnd_below(600) : rnd_below(80);
		for (size_t i = 0; i < len; i++) {
			if (mode == 1) {
				buf[i] = (char)(1 + rnd_below(255));
			} else {
				const char *a = alpha[it % 4];

				buf[i] = a[rnd_below(strlen(a))];
			}
		}
		p = exact(buf, len, true);
		int r = fw_cmdline_parse(&cl, p);

		CHECK(r == fw_cmdline_warnings(&cl));
		seen_opts += fw_cmdline_count(&cl);
		seen_warn += r > 0;
		check_invariants(p, len);
		free(p);
		if (harness_case_failed) {
			printf("# fuzz case %d\n", it);
			return;
		}
	}
	/* The fuzzer must reach the option code, not just the warnings. */
	printf("# cmdline fuzz: %zu options kept, %zu lines warned\n",
	       seen_opts, seen_warn);
	CHECK(seen_opts > 100000 && seen_warn > 10000);
}

int main(void)
{
	TEST_SUITE("cmdline");
	RUN(t_empty);
	RUN(t_basic);
	RUN(t_quotes);
	RUN(t_repeats);
	RUN(t_get_u64);
	RUN(t_malformed);
	RUN(t_too_many);
	RUN(t_too_long);
	RUN(t_model);
	RUN(t_fuzz_garbage);
	HARNESS_EXIT();
}
