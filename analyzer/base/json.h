/* json.h — a small JSON writer: fixed key order is the caller's, strings
 * from the evidence are escaped (\uNNNN for controls; bytes that are not
 * UTF-8 become \u00NN so the output is always valid JSON). */
#ifndef STUCKSCOPE_BASE_JSON_H
#define STUCKSCOPE_BASE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw {
	FILE *f;
	int depth;
	bool need_comma[64];
	bool after_key;
};

void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);	/* NULL -> null */
void jw_int(struct jw *w, int64_t v);
void jw_num(struct jw *w, double v);		/* NaN -> null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_end(struct jw *w);			/* final newline */
/* escape into a FILE without the quotes */
void json_escape(FILE *f, const char *s);

#endif
