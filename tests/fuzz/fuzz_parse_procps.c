/* fuzz_parse_procps.c — libFuzzer harness for the process tables: ps and top
 * (parse_procps.c), ls -l /proc/PID/fd and /proc/PID/limits
 * (parse_proc_pid.c), each as analysis_parse_buffer() hands the input to
 * it, then the diagnosis (classify.c reads their states, ticks and
 * wchans).
 *
 *   make fuzz; seeds in tests/fuzz/SEEDS; replayed by tests/fuzz/regress.sh.
 *
 * Every crash it finds is kept as tests/fuzz/crashers/procps-* and replayed
 * by tests/test_parse_procps.c. */
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "input/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *kind;
	int (*parse)(struct analysis *, struct input *);	/* also links it */
} readers[] = {
	{ "ps", procps_parse },
	{ "top", procps_parse },
	{ "proc-fd", proc_fd_parse },
	{ "proc-limits", proc_limits_parse },
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
