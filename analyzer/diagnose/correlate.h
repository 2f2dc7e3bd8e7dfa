/* correlate.h — link findings into one causal chain, pick the root cause,
 * decide the verdict, number the findings in chain order. */
#ifndef STUCKSCOPE_DIAGNOSE_CORRELATE_H
#define STUCKSCOPE_DIAGNOSE_CORRELATE_H

#include "model/analysis.h"

void correlate(struct analysis *an);

#endif
