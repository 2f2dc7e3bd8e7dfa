/* diagnose.c — the pipeline after the inputs are read (DESIGN.md "one
 * pipeline"): derive the listener and process tables, classify every thread
 * and worker, run every rule, correlate their findings. */
#include "model/analysis.h"

#include "correlate.h"
#include "derive/classify.h"
#include "derive/derive.h"
#include "rules/rule.h"

void analysis_diagnose(struct analysis *an)
{
	derive_incident(an);
	classify_processes(an);
	for (size_t i = 0; rules[i]; i++)
		rules[i]->run(an, rules[i]);
	correlate(an);
}
