/* test_bundle.c — parse_bundle.c: a bundle manifest written by `stuckscope
 * attach` (probes/bundle.c), its sniffing, what it adds to the incident, the
 * failures it turns into notes, and bad manifests next to good ones. */
#include "testutil.h"

static const char GOOD[] =
	"{\n"
	"  \"stuckscope_bundle\": 1,\n"
	"  \"version\": \"0.1\",\n"
	"  \"host\": \"web-3\",\n"
	"  \"kernel\": \"6.1.0-13-amd64\",\n"
	"  \"target_pids\": [9500, 9502],\n"
	"  \"ports\": [8000],\n"
	"  \"interrupted\": true,\n"
	"  \"processes\": [\n"
	"    {\"pid\": 9500, \"ppid\": 1, \"comm\": \"python3\", \"role\": \"parent\",\n"
	"     \"fds\": 6, \"fd_limit\": 1024, \"gone\": false},\n"
	"    {\"pid\": 9502, \"ppid\": 9500, \"comm\": \"python3\", \"role\": \"worker\",\n"
	"     \"fds\": 17, \"fd_limit\": null, \"gone\": true}\n"
	"  ],\n"
	"  \"stacks\": {\"sampler\": true, \"samples\": 10, \"max_stop_ms\": 1.5},\n"
	"  \"snapshots\": [{\"file\": \"ss-01.txt\", \"at\": \"2026-11-25T18:48:27.627Z\", \"kind\": \"ss\"},\n"
	"                {\"file\": \"../etc/passwd\", \"at\": \"2026-11-25T18:48:27.627Z\", \"kind\": \"ss\"}],\n"
	"  \"failed\": [{\"what\": \"capture\", \"why\": \"pcap_activate any: permission denied\"}]\n"
	"}\n";

static bool has_note(const struct analysis *an, const char *needle)
{
	for (size_t i = 0; i < an->notes.n; i++)
		if (strstr(an->notes.v[i], needle))
			return true;
	return false;
}

static bool has_diag(const struct analysis *an, const char *needle)
{
	for (size_t i = 0; i < an->diags.list.n; i++)
		if (an->diags.list.v[i].msg && strstr(an->diags.list.v[i].msg, needle))
			return true;
	return false;
}

static void test_sniffed_as_bundle(void **state)
{
	(void)state;
	assert_string_equal(sniff_name(GOOD, strlen(GOOD)), "bundle");
	static const char nstat_json[] = "{\"kernel\": {\"TcpExtListenOverflows\": 3}}\n";
	assert_string_equal(sniff_name(nstat_json, strlen(nstat_json)), "nstat");
}

static void test_good_manifest(void **state)
{
	(void)state;
	struct analysis *an = parse_text("bundle", GOOD);
	assert_int_equal(an->inputs.v[0].status, INPUT_PARTIAL);	/* a listed file missing */
	assert_string_equal(an->inc.hostname, "web-3");
	assert_string_equal(an->inc.kernel, "6.1.0-13-amd64");
	struct process *p = incident_process(&an->inc, 9500, false);
	assert_non_null(p);
	assert_int_equal(p->fds, 6);
	assert_int_equal(p->fd_limit, 1024);
	assert_string_equal(p->comm, "python3");
	struct process *w = incident_process(&an->inc, 9502, false);
	assert_non_null(w);
	assert_int_equal(w->ppid, 9500);
	assert_int_equal(w->fds, 17);
	assert_int_equal(w->fd_limit, -1);	/* null: unknown */
	/* every failure reaches the report */
	assert_true(has_note(an, "capture: pcap_activate any: permission denied"));
	assert_true(has_diag(an, "attach: capture: pcap_activate any"));
	assert_true(has_note(an, "interrupted"));
	assert_true(has_note(an, "pid 9502 (python3) exited"));
	assert_true(has_note(an, "1.5 ms"));
	/* a name that leaves the bundle is refused, not opened */
	assert_true(has_diag(an, "snapshots[1]: no usable file name"));
	assert_true(has_diag(an, "'ss-01.txt' is listed but missing"));
	analysis_free(an);
}

static const struct bad_case {
	const char *text;
	const char *diag;
} bad_cases[] = {
	{ "{\"stuckscope_bundle\": 1, \"host\": ", "manifest is not valid JSON" },
	{ "{\"stuckscope_bundle\": \"yes\"}", "not a bundle manifest" },
	{ "[1, 2]", "not a bundle manifest" },
	{ "{\"stuckscope_bundle\": 1, \"processes\": [{\"ppid\": 3}, 7]}", "processes[0]: no pid" },
	{ "{\"stuckscope_bundle\": 2}", "bundle format 2" },
};

static void test_bad_manifests(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct analysis *an = parse_text("bundle", bad_cases[i].text);
		if (!has_diag(an, bad_cases[i].diag))
			fail_msg("case %zu: no diagnostic '%s'", i, bad_cases[i].diag);
		analysis_free(an);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniffed_as_bundle),
		cmocka_unit_test(test_good_manifest),
		cmocka_unit_test(test_bad_manifests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
