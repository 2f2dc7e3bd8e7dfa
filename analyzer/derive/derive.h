/* derive.h — after parsing: order snapshots on one timeline, and build the
 * tables rules read (listeners, processes and what each owns). */
#ifndef STUCKSCOPE_DERIVE_H
#define STUCKSCOPE_DERIVE_H

#include "model/analysis.h"

void derive_incident(struct analysis *an);
/* The listener that accepted a connection with this local address, or NULL. */
const struct listener *derive_listener_of(const struct incident *inc, const struct endpoint *local);

/* The last snapshot that lists connections (not only listeners), or NULL. */
const struct sock_snapshot *derive_last_conn_snapshot(const struct incident *inc, size_t *idx);

#endif
