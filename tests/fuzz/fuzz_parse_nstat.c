/* fuzz_parse_nstat.c — libFuzzer harness for nstat_parse
 * (iproute2 nstat text and --json output).
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ianalyzer \
 *		tests/fuzz/fuzz_parse_nstat.c <library objects built with the same flags> \
 *		$(pkg-config --libs jansson ...) -lm -o fuzz_parse_nstat
 *	./fuzz_parse_nstat -max_total_time=60 ../shared/corpus/nstat
 *
 * Every crash it finds is kept in tests/fuzz/crashers/ (STYLE.md §11). */
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "input/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* analysis.c references the parsers weakly: keep this one linked in. */
static int (*const parser)(struct analysis *, struct input *) = nstat_parse;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analysis an;
	(void)parser;
	analysis_init(&an);
	analysis_parse_buffer(&an, "fuzz", "nstat", (const char *)data, size);
	analysis_release(&an);
	return 0;
}
