/* analysis.c — one analysis run: its arena, diagnostics and incident. */
#include "analysis.h"

#include <string.h>

void analysis_init(struct analysis *an)
{
	memset(an, 0, sizeof(*an));
	arena_init(&an->arena);
	diags_init(&an->diags, &an->arena);
	incident_init(&an->inc, &an->arena);
	an->opt.format = FMT_TEXT;
	an->opt.color = -1;
	an->verdict = VERDICT_INCONCLUSIVE;
}

void analysis_release(struct analysis *an)
{
	arena_release(&an->arena);
	memset(an, 0, sizeof(*an));
}
