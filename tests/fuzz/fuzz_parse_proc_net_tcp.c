/* fuzz_parse_proc_net_tcp.c — libFuzzer harness for parse_proc_net_tcp.c (STYLE.md §11).
 *
 *	clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ianalyzer \
 *		tests/fuzz/fuzz_parse_proc_net_tcp.c <library objects built with the same flags> \
 *		-lm -o fuzz_parse_proc_net_tcp
 *	./fuzz_parse_proc_net_tcp -max_total_time=60 -max_len=4096 <seed dir>
 *
 * Every crash it finds is kept in tests/fuzz/crashers/ and replayed by the
 * unit tests. The buffer is not NUL-terminated, as a mapped file is not. */
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "input/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* analysis.c references the parsers weakly: keep this one linked in. */
static int (*const parser)(struct analysis *, struct input *) = proc_net_tcp_parse;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analysis an;
	(void)parser;
	analysis_init(&an);
	analysis_parse_buffer(&an, "fuzz", "proc-net-tcp", (const char *)data, size);
	analysis_release(&an);
	return 0;
}
