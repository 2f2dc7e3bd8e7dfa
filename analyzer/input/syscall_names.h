/* syscall_names.h — system call names (as strace and ltrace -S print them)
 * to x86_64 numbers, the numbering of /proc/PID/task/TID/syscall that
 * classify.c reads (syscall_names.c). */
#ifndef STUCKSCOPE_SYSCALL_NAMES_H
#define STUCKSCOPE_SYSCALL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The number of the call named by the n bytes at p, -2 when not known (the
 * "unknown" of struct stack_sample's syscall_nr). */
int64_t syscall_nr_by_name(const char *p, size_t n);
/* Whether the name is one of the listed calls (the sniffers' test). */
bool syscall_name_known(const char *p, size_t n);

#endif
