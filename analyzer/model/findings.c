/* findings.c — what rules use to state a finding and cite its evidence. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "rule.h"

struct finding *finding_new(struct analysis *an, const struct rule *r, enum severity sev,
			    double confidence, const char *title_fmt, ...)
{
	struct finding *f = arena_alloc(&an->arena, sizeof(*f));
	f->rule = r;
	f->severity = sev;
	f->confidence = confidence < 0 ? 0 : confidence > 1 ? 1 : confidence;
	va_list ap;
	va_start(ap, title_fmt);
	f->title = arena_vprintf(&an->arena, title_fmt, ap);
	va_end(ap);
	f->since = NAN;
	*VEC_PUSH(&an->arena, &an->findings) = f;
	return f;
}

static void push_unique(struct arena *a, void *vec_, int32_t v)
{
	VEC(int32_t) *vec = vec_;
	for (size_t i = 0; i < vec->n; i++)
		if (vec->v[i] == v)
			return;
	*VEC_PUSH(a, vec) = v;
}

void finding_pid(struct analysis *an, struct finding *f, int32_t pid)
{
	push_unique(&an->arena, &f->pids, pid);
}

void finding_tid(struct analysis *an, struct finding *f, int32_t tid)
{
	push_unique(&an->arena, &f->tids, tid);
}

static struct fact *fact_slot(struct analysis *an, struct finding *f, const char *name)
{
	for (size_t i = 0; i < f->facts.n; i++)
		if (strcmp(f->facts.v[i].name, name) == 0)
			return &f->facts.v[i];
	struct fact *x = VEC_PUSH(&an->arena, &f->facts);
	x->name = arena_strdup(&an->arena, name);
	return x;
}

void finding_fact_int(struct analysis *an, struct finding *f, const char *name, int64_t v)
{
	struct fact *x = fact_slot(an, f, name);
	x->kind = FACT_INT;
	x->i = v;
}

void finding_fact_num(struct analysis *an, struct finding *f, const char *name, double v)
{
	struct fact *x = fact_slot(an, f, name);
	x->kind = FACT_NUM;
	x->num = v;
}

void finding_fact_str(struct analysis *an, struct finding *f, const char *name, const char *v)
{
	struct fact *x = fact_slot(an, f, name);
	x->kind = FACT_STR;
	x->str = arena_strdup(&an->arena, v ? v : "");
}

void finding_fact_bool(struct analysis *an, struct finding *f, const char *name, bool v)
{
	struct fact *x = fact_slot(an, f, name);
	x->kind = FACT_BOOL;
	x->i = v;
}

const struct fact *finding_fact(const struct finding *f, const char *name)
{
	for (size_t i = 0; i < f->facts.n; i++)
		if (strcmp(f->facts.v[i].name, name) == 0)
			return &f->facts.v[i];
	return NULL;
}

void finding_evidence(struct analysis *an, struct finding *f, const struct provenance *src,
		      const char *text_fmt, ...)
{
	struct evidence *e = VEC_PUSH(&an->arena, &f->evidence);
	e->file = src && src->file ? src->file : "";
	if (src && src->line)
		e->where = arena_printf(&an->arena, "line %u", src->line);
	else if (src && src->packet)
		e->where = arena_printf(&an->arena, "packet %llu", (unsigned long long)src->packet);
	else if (src && src->sample)
		e->where = arena_printf(&an->arena, "sample %u", src->sample);
	else
		e->where = "";
	e->at = src ? src->at : NAN;
	if (text_fmt) {
		va_list ap;
		va_start(ap, text_fmt);
		e->text = arena_vprintf(&an->arena, text_fmt, ap);
		va_end(ap);
	} else {
		e->text = src && src->text ? src->text : "";
	}
}

void finding_advice(struct analysis *an, struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	f->advice = arena_vprintf(&an->arena, fmt, ap);
	va_end(ap);
}

void finding_detail(struct analysis *an, struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	f->detail = arena_vprintf(&an->arena, fmt, ap);
	va_end(ap);
}

void finding_caused_by(struct analysis *an, struct finding *f, struct finding *cause)
{
	if (!cause || cause == f)
		return;
	for (size_t i = 0; i < f->caused_by.n; i++)
		if (f->caused_by.v[i] == cause)
			return;
	*VEC_PUSH(&an->arena, &f->caused_by) = cause;
}

struct finding *analysis_find(const struct analysis *an, const char *rule_id, const char *listener)
{
	for (size_t i = 0; i < an->findings.n; i++) {
		struct finding *f = an->findings.v[i];
		if (strcmp(f->rule->id, rule_id) != 0)
			continue;
		if (listener && (!f->listener || strcmp(f->listener, listener) != 0))
			continue;
		return f;
	}
	return NULL;
}

void analysis_checked(struct analysis *an, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*VEC_PUSH(&an->arena, &an->checked) = arena_vprintf(&an->arena, fmt, ap);
	va_end(ap);
}

void analysis_note(struct analysis *an, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *n = arena_vprintf(&an->arena, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < an->notes.n; i++)
		if (strcmp(an->notes.v[i], n) == 0)
			return;
	*VEC_PUSH(&an->arena, &an->notes) = n;
}
