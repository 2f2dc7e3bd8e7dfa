/* fuzz_pcap.c — libFuzzer harness for the capture reader (pcap_flows.c).
 * The input goes through analysis_parse_buffer(): a pcapng magic number to
 * our block reader (pcapng.c) over the buffer, anything else to libpcap as
 * a memory FILE (fmemopen), as a capture file would be read. Seeds: every
 * corpus capture and tests/data/pcap (mergecap's multi-link-type files, a
 * big-endian section, records to skip).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ianalyzer -Irules \
 *       -DSTUCKSCOPE_VERSION='"0"' tests/fuzz/fuzz_pcap.c <analyzer/ and rules/ sources \
 *       but main.c> $(pkg-config --libs libpcap jansson ...) -lm -o build/fuzz_pcap
 *   build/fuzz_pcap -max_total_time=60 CORPUS_DIR $SHARED/corpus/pcap tests/data/pcap
 */
#include <stddef.h>
#include <stdint.h>

#include "model/analysis.h"
#include "input/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* analysis.c references the parsers weakly: keep this one linked in. */
static int (*const parser)(struct analysis *, struct input *) = pcap_parse;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)parser;
	struct analysis an;
	analysis_init(&an);
	/* the first byte picks whether a port filter is given (--port) */
	if (size && data[0] & 1)
		*VEC_PUSH(&an.arena, &an.opt.ports) = 80;
	analysis_parse_buffer(&an, "fuzz.pcap", "pcap", (const char *)data, size);
	analysis_release(&an);
	return 0;
}
