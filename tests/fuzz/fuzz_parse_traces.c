/* fuzz_parse_traces.c — libFuzzer harness for the tracer readers: the input
 * goes through strace_parse (as "strace" and as "strace-c": one parser, two
 * names) and ltrace_parse, as analysis_parse_buffer() hands it to them, and
 * then through the diagnosis (classify.c and the rules read what they made:
 * samples, failure loops).
 *
 *   make fuzz   (clang, -fsanitize=fuzzer,address,undefined); seeds in
 *   tests/fuzz/SEEDS; replayed under gcc ASan by tests/fuzz/regress.sh.
 *
 * Every crash it finds is kept as tests/fuzz/crashers/strace-* or ltrace-*
 * and replayed by tests/test_parse_strace.c. */
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "input/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *kind;
	int (*parse)(struct analysis *, struct input *);	/* also links it */
} readers[] = {
	{ "strace", strace_parse },
	{ "strace-c", strace_parse },
	{ "ltrace", ltrace_parse },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		struct analysis an;
		analysis_init(&an);
		analysis_parse_buffer(&an, "fuzz-1234.txt", readers[i].kind, (const char *)data, size);
		analysis_diagnose(&an);
		analysis_release(&an);
	}
	return 0;
}
