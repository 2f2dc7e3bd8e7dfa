/* util.c — small look-ups several rules share. */
#include "rule.h"

bool incident_has_sockets(const struct incident *inc)
{
	return inc->sock_snaps.n > 0;
}

bool incident_has_capture(const struct incident *inc)
{
	for (size_t i = 0; i < inc->listeners.n; i++)
		if (inc->listeners.v[i]->capture)
			return true;
	return false;
}

bool incident_has_stacks(const struct incident *inc)
{
	for (size_t i = 0; i < inc->processes.n; i++)
		for (size_t t = 0; t < inc->processes.v[i]->threads.n; t++)
			if (inc->processes.v[i]->threads.v[t].samples.n)
				return true;
	return false;
}
