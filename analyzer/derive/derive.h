/* derive.h — after parsing: order snapshots on one timeline, and build the
 * tables rules read (listeners, processes and what each owns). */
#ifndef STUCKSCOPE_DERIVE_H
#define STUCKSCOPE_DERIVE_H

#include "model/analysis.h"

void derive_incident(struct analysis *an);
/* order.c: put socket and counter snapshots in the order they were taken,
 * number their moments (one observation each), and record which order was
 * used and why (incident.sock_order, incident.counter_order). */
void derive_order(struct analysis *an);
/* The listener that accepted a connection with this local address, or NULL. */
const struct listener *derive_listener_of(const struct incident *inc, const struct endpoint *local);

/* For a client-side row (SYN-SENT, FIN-WAIT-2...) of a client on this host:
 * the listener it connects to, or NULL (a remote peer, or none listed). */
const struct listener *derive_listener_of_peer(const struct incident *inc,
					       const struct sock_row *row);
/* Are these the two ends of one connection (client row, server row)? */
bool derive_mirror(const struct sock_row *client, const struct sock_row *server);

/* The last snapshot that lists connections (not only listeners), or NULL. */
const struct sock_snapshot *derive_last_conn_snapshot(const struct incident *inc, size_t *idx);

#endif
