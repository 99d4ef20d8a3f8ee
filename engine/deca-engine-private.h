/* deca-engine-private.h: engine-wide internals shared by its modules; never installed. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void _deca_engine_init_i18n (void);

G_END_DECLS
