/* fuzz_parse_stacks.c — libFuzzer harness for the offline stack readers: the
 * input goes through each of gdb_parse, pstack_parse, eu_stack_parse,
 * py_bt_parse, pyspy_parse, faulthandler_parse and proc_task_parse, as
 * analysis_parse_buffer() hands it to them (leading timestamp line
 * included), then through the diagnosis (classify.c's one-look path reads
 * what they built).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=c11 \
 *       -Ianalyzer -Irules -Iprobes tests/fuzz/fuzz_parse_stacks.c analyzer/stack_model.c \
 *       analyzer/parse_stack_{gdb,eu,py}.c analyzer/parse_proc_task.c build/libstuckscope.a \
 *       $(pkg-config --libs libpcap libunwind-ptrace libelf libdw jansson libmnl) -lm -lpthread
 *   ./a.out -max_len=65536 tests/data/stacks ../shared/corpus/stacks
 *
 * Every crash it finds is kept as a named input in tests/fuzz/crashers/ and
 * added to tests/test_parse_stacks.c. */
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "input/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *kind;
	int (*parse)(struct analysis *, struct input *);	/* also links it */
} readers[] = {
	{ "gdb", gdb_parse },
	{ "pstack", pstack_parse },
	{ "eu-stack", eu_stack_parse },
	{ "py-bt", py_bt_parse },
	{ "py-spy", pyspy_parse },
	{ "faulthandler", faulthandler_parse },
	{ "proc-task", proc_task_parse },
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
