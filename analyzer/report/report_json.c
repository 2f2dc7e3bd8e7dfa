/* report_json.c — the JSON report, schema_version 1 (DESIGN.md "Contracts";
 * doc/report.schema.json). Keys in a fixed order, arrays sorted by a stated
 * key, no wall-clock "now": the same inputs give byte-identical output. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "base/json.h"
#include "report.h"
#include "model/rule.h"

static void write_fact(struct jw *w, const struct fact *x)
{
	jw_key(w, x->name);
	switch (x->kind) {
	case FACT_INT: jw_int(w, x->i); break;
	case FACT_NUM: jw_num(w, x->num); break;
	case FACT_STR: jw_str(w, x->str); break;
	case FACT_BOOL: jw_bool(w, x->i != 0); break;
	}
}

static void write_time(struct jw *w, double t)
{
	char buf[40];
	if (isnan(t))
		jw_null(w);
	else
		jw_str(w, time_format(t, buf, sizeof(buf)));
}

static void write_finding(struct jw *w, const struct finding *f)
{
	jw_obj(w);
	jw_key(w, "id"); jw_str(w, f->id);
	jw_key(w, "rule"); jw_str(w, f->rule->id);
	jw_key(w, "severity"); jw_str(w, severity_name(f->severity));
	jw_key(w, "confidence"); jw_num(w, round(f->confidence * 100) / 100);
	jw_key(w, "title"); jw_str(w, f->title);
	jw_key(w, "listener"); jw_str(w, f->listener);
	jw_key(w, "pids"); jw_arr(w);
	for (size_t i = 0; i < f->pids.n; i++)
		jw_int(w, f->pids.v[i]);
	jw_arr_end(w);
	jw_key(w, "tids"); jw_arr(w);
	for (size_t i = 0; i < f->tids.n; i++)
		jw_int(w, f->tids.v[i]);
	jw_arr_end(w);
	jw_key(w, "facts"); jw_obj(w);
	for (size_t i = 0; i < f->facts.n; i++)
		write_fact(w, &f->facts.v[i]);
	jw_obj_end(w);
	jw_key(w, "evidence"); jw_arr(w);
	for (size_t i = 0; i < f->evidence.n; i++) {
		const struct evidence *e = &f->evidence.v[i];
		jw_obj(w);
		jw_key(w, "file"); jw_str(w, e->file);
		jw_key(w, "where"); jw_str(w, e->where);
		jw_key(w, "text"); jw_str(w, e->text);
		jw_key(w, "at"); write_time(w, e->at);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "caused_by"); jw_arr(w);
	for (size_t i = 0; i < f->caused_by.n; i++)
		jw_str(w, f->caused_by.v[i]->id);
	jw_arr_end(w);
	jw_key(w, "contributing"); jw_bool(w, f->contributing);
	jw_key(w, "detail"); jw_str(w, f->detail);
	jw_key(w, "since"); write_time(w, f->since);
	jw_key(w, "advice"); jw_str(w, f->advice ? f->advice : "");
	jw_obj_end(w);
}

static void write_capture(struct jw *w, const struct capture_stats *c)
{
	if (!c) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_key(w, "syn_packets"); jw_int(w, (int64_t)c->syn_packets);
	jw_key(w, "syn_attempts"); jw_int(w, (int64_t)c->syn_attempts);
	jw_key(w, "syn_unanswered_packets"); jw_int(w, (int64_t)c->syn_unanswered_packets);
	jw_key(w, "attempts_never_answered"); jw_int(w, (int64_t)c->attempts_never_answered);
	jw_key(w, "syn_retransmit_intervals_s"); jw_arr(w);
	for (size_t i = 0; i < c->syn_retransmit_intervals.n; i++)
		jw_num(w, c->syn_retransmit_intervals.v[i]);
	jw_arr_end(w);
	jw_key(w, "syn_retransmit_interval_counts"); jw_arr(w);
	for (size_t i = 0; i < c->syn_retransmit_interval_counts.n; i++)
		jw_int(w, (int64_t)c->syn_retransmit_interval_counts.v[i]);
	jw_arr_end(w);
	jw_key(w, "synack_packets"); jw_int(w, (int64_t)c->synack_packets);
	jw_key(w, "synack_retransmits"); jw_int(w, (int64_t)c->synack_retransmits);
	jw_key(w, "synack_retransmits_after_ack"); jw_int(w, (int64_t)c->synack_retransmits_after_ack);
	jw_key(w, "rst_after_handshake"); jw_int(w, (int64_t)c->rst_after_handshake);
	jw_key(w, "rst_from_server"); jw_int(w, (int64_t)c->rst_from_server);
	jw_key(w, "rst_from_client"); jw_int(w, (int64_t)c->rst_from_client);
	jw_key(w, "handshakes_completed"); jw_int(w, (int64_t)c->handshakes_completed);
	jw_key(w, "requests"); jw_int(w, (int64_t)c->requests);
	jw_key(w, "requests_unanswered"); jw_int(w, (int64_t)c->requests_unanswered);
	jw_key(w, "client_fin_no_server_fin"); jw_int(w, (int64_t)c->client_fin_no_server_fin);
	jw_key(w, "requests_never_acked"); jw_int(w, (int64_t)c->requests_never_acked);
	jw_key(w, "zero_window"); jw_int(w, (int64_t)c->zero_window);
	jw_key(w, "window_probes"); jw_int(w, (int64_t)c->window_probes);
	jw_key(w, "first"); write_time(w, c->first_ts);
	jw_key(w, "last"); write_time(w, c->last_ts);
	jw_key(w, "first_unanswered"); write_time(w, c->first_unanswered_ts);
	jw_obj_end(w);
}

static void write_frame(struct jw *w, const struct frame *fr)
{
	char pc[24];
	jw_obj(w);
	jw_key(w, "function"); jw_str(w, fr->function);
	jw_key(w, "module"); jw_str(w, fr->module);
	jw_key(w, "file"); jw_str(w, fr->file);
	jw_key(w, "line");
	if (fr->line)
		jw_int(w, fr->line);
	else
		jw_null(w);
	jw_key(w, "pc");
	if (fr->pc) {
		snprintf(pc, sizeof(pc), "0x%" PRIx64, fr->pc);
		jw_str(w, pc);
	} else {
		jw_null(w);
	}
	if (fr->inlined) {
		jw_key(w, "inlined"); jw_bool(w, true);
	}
	if (fr->python) {
		jw_key(w, "python"); jw_bool(w, true);
	}
	jw_obj_end(w);
}

static void write_thread(struct jw *w, const struct thread *t)
{
	jw_obj(w);
	jw_key(w, "tid"); jw_int(w, t->tid);
	jw_key(w, "comm"); jw_str(w, t->comm);
	jw_key(w, "state"); jw_str(w, thread_state_name(t->state));
	jw_key(w, "blocked_on"); jw_str(w, blocked_on_name(t->blocked));
	jw_key(w, "wait_address");
	if (t->wait_address) {
		char buf[24];
		snprintf(buf, sizeof(buf), "0x%" PRIx64, t->wait_address);
		jw_str(w, buf);
	} else {
		jw_null(w);
	}
	jw_key(w, "lock_owner_tid");
	if (t->lock_owner_tid >= 0)
		jw_int(w, t->lock_owner_tid);
	else
		jw_null(w);
	jw_key(w, "cpu_ticks_delta");
	if (t->cpu_ticks_delta >= 0)
		jw_int(w, t->cpu_ticks_delta);
	else
		jw_null(w);
	jw_key(w, "samples"); jw_int(w, (int64_t)t->samples.n);
	/* the stack of the last sample; Python frames after native ones */
	jw_key(w, "stack"); jw_arr(w);
	if (t->samples.n) {
		const struct stack_sample *s = &t->samples.v[t->samples.n - 1];
		for (uint32_t i = 0; i < s->n_frames; i++)
			write_frame(w, &s->frames[i]);
		for (uint32_t i = 0; i < s->n_py_frames; i++)
			write_frame(w, &s->py_frames[i]);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void write_order(struct jw *w, const char *key, const struct snapshot_order *o)
{
	jw_key(w, key); jw_obj(w);
	jw_key(w, "by"); jw_str(w, order_basis_name(o->basis));
	jw_key(w, "counters_check"); jw_str(w, order_check_name(o->check));
	jw_key(w, "snapshots"); jw_int(w, o->snapshots);
	jw_key(w, "moments"); jw_int(w, o->moments);
	jw_key(w, "untimed"); jw_int(w, o->untimed);
	jw_key(w, "why"); jw_str(w, o->why);
	jw_obj_end(w);
}

static void write_watch(struct jw *w, const struct watch_trigger *t, const struct analysis *an)
{
	const struct trigger_fired *first = t->fired.n ? &t->fired.v[0] : NULL;
	jw_obj(w);
	jw_key(w, "bundle"); jw_str(w, t->bundle);
	jw_key(w, "trigger"); jw_str(w, first ? first->trigger : NULL);
	jw_key(w, "detail"); jw_str(w, first ? first->detail : NULL);
	jw_key(w, "at"); write_time(w, t->at);
	jw_key(w, "fired"); jw_arr(w);
	for (size_t i = 0; i < t->fired.n && t->fired.v; i++) {
		const struct trigger_fired *f = &t->fired.v[i];
		jw_obj(w);
		jw_key(w, "trigger"); jw_str(w, f->trigger);
		jw_key(w, "title"); jw_str(w, f->title);
		jw_key(w, "detail"); jw_str(w, f->detail);
		if (f->pid) {
			jw_key(w, "pid"); jw_int(w, f->pid);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "ring_snapshots"); jw_int(w, (int64_t)t->ring_snapshots);
	jw_key(w, "ring_seconds"); jw_num(w, round(t->ring_seconds * 1000) / 1000);
	if (an) {
		jw_key(w, "ring_files"); jw_int(w, (int64_t)t->ring_files);
		jw_key(w, "verdict"); jw_str(w, verdict_name(an->verdict));
		jw_key(w, "root_cause_rule");
		jw_str(w, an->root && an->root->rule ? an->root->rule->id : "none");
	}
	jw_obj_end(w);
}

void report_json_write_trigger(FILE *out, const struct watch_trigger *t)
{
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_key(&w, "schema_version"); jw_int(&w, 1);
	jw_key(&w, "stuckscope_watch_trigger"); jw_int(&w, 1);
	jw_key(&w, "watch"); write_watch(&w, t, NULL);
	jw_obj_end(&w);
	jw_end(&w);
}

void report_json_write(FILE *out, const struct analysis *an)
{
	const struct incident *inc = &an->inc;
	struct jw w;
	jw_init(&w, out);
	jw_obj(&w);
	jw_key(&w, "schema_version"); jw_int(&w, 1);
	jw_key(&w, "tool"); jw_obj(&w);
	jw_key(&w, "name"); jw_str(&w, "stuckscope");
	jw_key(&w, "version"); jw_str(&w, STUCKSCOPE_VERSION);
	jw_obj_end(&w);
	jw_key(&w, "verdict"); jw_str(&w, verdict_name(an->verdict));
	jw_key(&w, "root_cause"); jw_str(&w, an->root ? an->root->id : NULL);
	if (an->verdict_notes.n) {	/* only when there is one: older reports stay as they were */
		jw_key(&w, "verdict_notes"); jw_arr(&w);
		for (size_t i = 0; i < an->verdict_notes.n; i++)
			jw_str(&w, an->verdict_notes.v[i]);
		jw_arr_end(&w);
	}
	jw_key(&w, "window"); jw_obj(&w);
	jw_key(&w, "first"); write_time(&w, inc->t_first);
	jw_key(&w, "last"); write_time(&w, inc->t_last);
	jw_obj_end(&w);
	jw_key(&w, "host"); jw_obj(&w);
	jw_key(&w, "hostname"); jw_str(&w, inc->hostname);
	jw_key(&w, "kernel"); jw_str(&w, inc->kernel);
	jw_obj_end(&w);

	jw_key(&w, "findings"); jw_arr(&w);
	for (size_t i = 0; i < an->findings.n; i++)
		write_finding(&w, an->findings.v[i]);
	jw_arr_end(&w);

	jw_key(&w, "listeners"); jw_arr(&w);
	for (size_t i = 0; i < inc->listeners.n; i++) {
		const struct listener *l = inc->listeners.v[i];
		jw_obj(&w);
		jw_key(&w, "address"); jw_str(&w, l->name);
		jw_key(&w, "backlog");
		if (l->backlog >= 0)
			jw_int(&w, l->backlog);
		else
			jw_null(&w);
		jw_key(&w, "max_accept_queue");
		if (l->max_recv_q >= 0)
			jw_int(&w, l->max_recv_q);
		else
			jw_null(&w);
		jw_key(&w, "snapshots"); jw_int(&w, l->n_snapshots);
		jw_key(&w, "full_snapshots"); jw_int(&w, l->n_full_snapshots);
		jw_key(&w, "pids"); jw_arr(&w);
		for (size_t k = 0; k < l->pids.n; k++)
			jw_int(&w, l->pids.v[k]);
		jw_arr_end(&w);
		jw_key(&w, "reuseport"); jw_bool(&w, l->reuseport);
		jw_key(&w, "capture"); write_capture(&w, l->capture);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "counters"); jw_obj(&w);
	for (size_t i = 0; report_counters[i]; i++) {
		struct counter_span sp;
		if (!incident_counter_span(inc, report_counters[i], &sp))
			continue;
		jw_key(&w, report_counters[i]); jw_obj(&w);
		jw_key(&w, "first"); jw_int(&w, sp.first);
		jw_key(&w, "last"); jw_int(&w, sp.last);
		jw_key(&w, "delta"); jw_int(&w, sp.went_backwards ? 0 : sp.delta);
		jw_key(&w, "snapshots"); jw_int(&w, sp.n);
		jw_key(&w, "went_backwards"); jw_bool(&w, sp.went_backwards);
		if (sp.from_increments) {
			/* nstat runs in default mode: first is 0 (or the first run's
			 * total), last = first + the increments (model/incident.h) */
			jw_key(&w, "increments"); jw_bool(&w, true);
		}
		jw_obj_end(&w);
	}
	jw_obj_end(&w);

	jw_key(&w, "processes"); jw_arr(&w);
	for (size_t i = 0; i < inc->processes.n; i++) {
		const struct process *p = inc->processes.v[i];
		jw_obj(&w);
		jw_key(&w, "pid"); jw_int(&w, p->pid);
		jw_key(&w, "ppid");
		if (p->ppid >= 0)
			jw_int(&w, p->ppid);
		else
			jw_null(&w);
		jw_key(&w, "comm"); jw_str(&w, p->comm ? p->comm : "");
		jw_key(&w, "role"); jw_str(&w, role_name(p->role));
		jw_key(&w, "state"); jw_str(&w, proc_state_name(p->state));
		jw_key(&w, "close_wait"); jw_int(&w, p->close_wait);
		jw_key(&w, "unread_bytes"); jw_int(&w, (int64_t)p->unread_bytes);
		jw_key(&w, "fds");
		if (p->fds >= 0)
			jw_int(&w, p->fds);
		else
			jw_null(&w);
		jw_key(&w, "fd_limit");
		if (p->fd_limit >= 0)
			jw_int(&w, p->fd_limit);
		else
			jw_null(&w);
		jw_key(&w, "threads"); jw_arr(&w);
		for (size_t t = 0; t < p->threads.n; t++)
			write_thread(&w, &p->threads.v[t]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "inputs"); jw_arr(&w);
	for (size_t i = 0; i < an->inputs.n; i++) {
		const struct input *in = &an->inputs.v[i];
		jw_obj(&w);
		jw_key(&w, "path"); jw_str(&w, in->display);
		jw_key(&w, "kind"); jw_str(&w, input_kind_label(in));
		jw_key(&w, "status"); jw_str(&w, input_status_name(in->status));
		jw_key(&w, "at"); write_time(&w, in->at_src == TIME_CONTENT ||
					    in->at_src == TIME_LABEL ? in->at : NAN);
		jw_key(&w, "records"); jw_int(&w, (int64_t)in->records);
		if (in->records_skipped) {
			jw_key(&w, "records_skipped"); jw_int(&w, (int64_t)in->records_skipped);
		}
		jw_key(&w, "messages"); jw_arr(&w);
		if (in->summary && !in->fmt)
			jw_str(&w, in->summary);
		for (size_t d = 0; d < an->diags.list.n; d++) {
			const struct diag *dg = &an->diags.list.v[d];
			if (dg->input != (int)i)
				continue;
			char buf[1024];
			diag_format(dg, buf, sizeof(buf));
			jw_str(&w, buf);
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);

	jw_key(&w, "checked"); jw_arr(&w);
	for (size_t i = 0; i < an->checked.n; i++)
		jw_str(&w, an->checked.v[i]);
	jw_arr_end(&w);
	jw_key(&w, "notes"); jw_arr(&w);
	for (size_t i = 0; i < an->notes.n; i++)
		jw_str(&w, an->notes.v[i]);
	jw_arr_end(&w);
	/* present when the order needed deciding beyond the snapshots' own
	 * times (derive/order.c): by what, and why */
	if (inc->sock_order.why || inc->counter_order.why) {
		jw_key(&w, "order"); jw_obj(&w);
		write_order(&w, "sockets", &inc->sock_order);
		write_order(&w, "counters", &inc->counter_order);
		jw_obj_end(&w);
	}
	if (an->trigger) {
		jw_key(&w, "watch"); write_watch(&w, an->trigger, an);
	}
	jw_obj_end(&w);
	jw_end(&w);
}
