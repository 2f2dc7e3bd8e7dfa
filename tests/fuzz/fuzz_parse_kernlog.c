/* fuzz_parse_kernlog.c — libFuzzer harness for kernlog_parse (dmesg,
 * kern.log, syslog, journalctl -k, RFC 5424: analyzer/input/parse_kernlog.c),
 * then the content sniffer on the same bytes (every kernel log shape is
 * tried on every line of every file).
 *
 *	make fuzz FUZZ_ONLY=fuzz_parse_kernlog FUZZ_TIME=600
 *	./build-fuzz/fuzz_parse_kernlog -max_total_time=60 tests/data/kernlog
 *
 * Every crash it finds is kept in tests/fuzz/crashers/ (STYLE.md §11). */
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "input/format.h"
#include "input/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* analysis.c references the parsers weakly: keep this one linked in. */
static int (*const parser)(struct analysis *, struct input *) = kernlog_parse;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analysis an;
	(void)parser;
	analysis_init(&an);
	analysis_parse_buffer(&an, "fuzz", "kernel-log", (const char *)data, size);
	/* the rules read what was kept: the SYN flooding port, the address */
	analysis_diagnose(&an);
	analysis_release(&an);
	(void)format_sniff((const char *)data, size);
	return 0;
}
