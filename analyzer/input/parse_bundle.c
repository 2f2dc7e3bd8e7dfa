/* parse_bundle.c — the manifest.json of a bundle written by `stuckscope
 * attach` (probes/bundle.c). The evidence files beside it are read by their
 * own parsers; the manifest adds what only the collector knew: the host and
 * kernel, the processes it attached to (ppid, name, descriptor count and
 * limit when no proc-fd/proc-limits file says so), how long the sampler kept
 * a target stopped, and everything that could NOT be collected, which becomes
 * a diagnostic and a note in the report (a gap must never look like health).
 *
 *   {"stuckscope_bundle": 1, "version": "...", "host": "...", "kernel": "...",
 *    "target_pids": [..], "ports": [..], "processes": [{pid, ppid, comm, role,
 *    fds, fd_limit, gone}], "snapshots": [{"file","at","kind"}],
 *    "failed": [{"what","why"}], "interrupted": bool, "stacks": {...}} */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsers.h"
#include "format.h"

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool jint(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

/* "dir/manifest.json" -> "dir/" + file */
static char *sibling(struct analysis *an, const char *manifest, const char *file)
{
	const char *slash = strrchr(manifest, '/');
	if (!slash)
		return arena_strdup(&an->arena, file);
	return arena_printf(&an->arena, "%.*s/%s", (int)(slash - manifest), manifest, file);
}

static void bundle_processes(struct analysis *an, struct input *in, json_t *procs)
{
	size_t i;
	json_t *o;
	json_array_foreach(procs, i, o) {
		int64_t pid, v;
		if (!json_is_object(o) || !jint(o, "pid", &pid) || pid <= 0 || pid > INT32_MAX) {
			diag_add(&an->diags, DIAG_BAD_LINE, in->display, 0, -1,
				 "processes[%zu]: no pid", i);
			continue;
		}
		struct process *p = incident_process(&an->inc, (int32_t)pid, true);
		if (jint(o, "ppid", &v) && v > 0 && p->ppid < 0)
			p->ppid = (int32_t)v;
		const char *comm = jstr(o, "comm");
		if (comm && *comm && !p->comm)
			p->comm = arena_strdup(&an->arena, comm);
		/* proc-fd / proc-limits files are the primary source; the
		 * manifest's last values fill in when they are missing */
		struct provenance src = { .file = in->display, .at = in->at };
		if (jint(o, "fds", &v) && p->fds < 0) {
			p->fds = v;
			p->fds_src = src;
			p->fds_src.text = arena_printf(&an->arena, "%lld descriptors open",
						       (long long)v);
		}
		if (jint(o, "fd_limit", &v) && p->fd_limit < 0) {
			p->fd_limit = v;
			p->limit_src = src;
		}
		if (!p->src.file)
			p->src = src;
		json_t *gone = json_object_get(o, "gone");
		if (json_is_true(gone))
			analysis_note(an, "pid %lld (%s) exited while attach was collecting",
				      (long long)pid, comm ? comm : "?");
		in->records++;
	}
}

int bundle_parse(struct analysis *an, struct input *in)
{
	json_error_t jerr;
	json_t *root = json_loadb(in->buf, in->len, 0, &jerr);
	if (!root)
		return diag_add(&an->diags, DIAG_BAD_LINE, in->display, (uint32_t)jerr.line,
				jerr.position, "manifest is not valid JSON: %s", jerr.text);
	int64_t v;
	if (!json_is_object(root) || !jint(root, "stuckscope_bundle", &v)) {
		json_decref(root);
		return diag_add(&an->diags, DIAG_UNKNOWN_FORMAT, in->display, 0, -1,
				"no \"stuckscope_bundle\" key: not a bundle manifest");
	}
	if (v != 1)
		diag_add(&an->diags, DIAG_UNKNOWN_FIELD, in->display, 0, -1,
			 "bundle format %lld (this build reads 1): read as far as understood",
			 (long long)v);
	const char *host = jstr(root, "host"), *kernel = jstr(root, "kernel");
	if (host && !an->inc.hostname)
		an->inc.hostname = arena_strdup(&an->arena, host);
	if (kernel && !an->inc.kernel)
		an->inc.kernel = arena_strdup(&an->arena, kernel);

	json_t *procs = json_object_get(root, "processes");
	if (json_is_array(procs))
		bundle_processes(an, in, procs);

	/* every snapshot the collector wrote must be here */
	json_t *snaps = json_object_get(root, "snapshots");
	size_t i, missing = 0;
	json_t *o;
	if (json_is_array(snaps)) {
		json_array_foreach(snaps, i, o) {
			const char *file = jstr(o, "file");
			if (!file || strstr(file, "..") || file[0] == '/') {
				diag_add(&an->diags, DIAG_BAD_LINE, in->display, 0, -1,
					 "snapshots[%zu]: no usable file name", i);
				continue;
			}
			struct stat st;
			if (stat(sibling(an, in->path, file), &st) != 0 && missing++ < 5)
				diag_add(&an->diags, DIAG_BAD_LINE, in->display, 0, -1,
					 "snapshot '%s' is listed but missing from the bundle", file);
		}
	}

	/* what the collector could not get: a gap in the evidence, named */
	json_t *failed = json_object_get(root, "failed");
	if (json_is_array(failed)) {
		json_array_foreach(failed, i, o) {
			const char *what = jstr(o, "what"), *why = jstr(o, "why");
			if (!what || !why)
				continue;
			diag_add(&an->diags, DIAG_NOTE, in->display, 0, -1, "attach: %s: %s", what,
				 why);
			analysis_note(an, "attach could not collect everything: %s: %s", what, why);
		}
	}
	const char *filter = jstr(root, "socket_filter");
	if (filter)
		analysis_note(an, "the bundle's socket tables hold only %s, not every socket of the "
				  "namespace", filter);
	if (json_is_true(json_object_get(root, "interrupted")))
		analysis_note(an, "attach was interrupted: the bundle holds the snapshots taken "
				  "before the interruption");
	json_t *st = json_object_get(root, "stacks");
	if (json_is_object(st)) {
		json_t *ms = json_object_get(st, "max_stop_ms");
		if (jint(st, "samples", &v) && v > 0 && json_is_number(ms))
			analysis_note(an, "attach took %lld stack samples; the longest kept a "
					  "target stopped %.1f ms", (long long)v,
				      json_number_value(ms));
	}
	char *summary = arena_printf(&an->arena, "bundle from %s (kernel %s): %zu files",
				     host ? host : "?", kernel ? kernel : "?",
				     json_is_array(snaps) ? json_array_size(snaps) : 0);
	in->summary = summary;
	if (!in->records)
		in->records = 1;
	json_decref(root);
	return 0;
}

/* the manifest of a bundle names itself: {"stuckscope_bundle": 1, ...} */
static int bundle_sniff(const struct sniff_view *v)
{
	return v->json && span_contains(v->head, "\"stuckscope_bundle\"") ? SNIFF_STRONG : 0;
}

const struct format format_bundle = {
	.name = "bundle", .cls = EV_BUNDLE, .sniff = bundle_sniff, .parse = bundle_parse,
};
