#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Splits a cron expression into its fields as the parser does (any run of whitespace
 * separates them). Returns (transfer full) the fields; *@n_fields their number. Shared by
 * deca-cron.c and deca-cron-describe.c, which must read fields exactly alike. */
GStrv _deca_cron_split_fields (const char *spec,
                               guint      *n_fields);

G_END_DECLS
