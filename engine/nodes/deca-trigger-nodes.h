#pragma once

#include "deca-node-base.h"

G_BEGIN_DECLS

/*
 * DecaTriggerNode: the entry points of a flow ("webhook", "schedule", "event", "manual").
 * They differ only in their config (what the server listens for); at run time each
 * outputs the execution input. One class serves the four, told apart by name.
 */

#define DECA_TYPE_TRIGGER_NODE (deca_trigger_node_get_type ())
G_DECLARE_FINAL_TYPE (DecaTriggerNode, deca_trigger_node, DECA, TRIGGER_NODE, DecaNodeBase)

/* Returns (transfer full) (nullable) the trigger type called @name, or NULL when there is
 * no such trigger. */
DecaNodeType *deca_trigger_node_new (const char *name);

/* The names deca_trigger_node_new() accepts, NULL-terminated. */
const char * const *deca_trigger_node_list_names (void);

G_END_DECLS
