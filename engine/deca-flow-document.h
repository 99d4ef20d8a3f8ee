#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "deca-flow.h"
#include "deca-flow-connection-item.h"
#include "deca-flow-node-item.h"
#include "deca-node-registry.h"

G_BEGIN_DECLS

/*
 * DecaFlowDocument: the editable model of one flow (docs/flow-document.md).
 *
 * The studio's canvas draws it and never changes a flow any other way: every edit is a
 * method here, recorded as an undoable command. Nodes and connections are GListModels of
 * stable items (DecaFlowNodeItem, DecaFlowConnectionItem). The document keeps every member
 * it does not know, at every level, so that to_json() gives back what was loaded.
 *
 * Edits that can be refused (a bad id, a cycle) return FALSE with DECA_ENGINE_ERROR_INVALID
 * (or _NOT_FOUND for an id that is not a node) and a message for a person, and change
 * nothing. Validation problems of the current state are computed on first read after an
 * edit; notify::problems says when to read them again.
 */

#define DECA_TYPE_FLOW_DOCUMENT (deca_flow_document_get_type ())
G_DECLARE_FINAL_TYPE (DecaFlowDocument, deca_flow_document, DECA, FLOW_DOCUMENT, GObject)

/* An empty flow with a new random id and the name "Untitled flow". @registry is
 * referenced; it gives node types their schemas and ports. */
DecaFlowDocument *deca_flow_document_new            (DecaNodeRegistry *registry);
/* Loads flow text (@length -1 when NUL-terminated). Fails with DECA_ENGINE_ERROR_PARSE
 * ("line L, column C: ..." for bad JSON) when the text is not a flow whose nodes and
 * connections can be edited: an object with a "nodes" array of objects with unique string
 * ids and string types, and connections (if any) between those nodes. Everything else,
 * even what the validator refuses, loads and shows up as problems. */
DecaFlowDocument *deca_flow_document_new_from_data  (DecaNodeRegistry *registry,
                                                     const char       *data,
                                                     gssize            length,
                                                     GError          **error);
/* The same for a loaded DecaFlow; its document is copied, not shared. */
DecaFlowDocument *deca_flow_document_new_from_flow  (DecaNodeRegistry *registry,
                                                     DecaFlow         *flow,
                                                     GError          **error);

/* Returns (transfer full) the flow document, a copy the caller may change. */
JsonNode   *deca_flow_document_to_json          (DecaFlowDocument *self);
/* Returns (transfer full) the document as indented JSON text. */
char       *deca_flow_document_to_data          (DecaFlowDocument *self,
                                                 gsize            *length);
/* Returns (transfer full) the document as indented text for a new flow (the studio's
 * "Duplicate"): a fresh random id, @new_name, every other member kept. */
char       *deca_flow_document_dup_as_new       (DecaFlowDocument *self,
                                                 const char       *new_name);
/* Returns (transfer full) a DecaFlow of the current state, for running it; NULL with
 * DECA_ENGINE_ERROR_PARSE when deca_flow_new_from_json() refuses it. */
DecaFlow   *deca_flow_document_to_flow          (DecaFlowDocument *self,
                                                 GError          **error);

DecaNodeRegistry *deca_flow_document_get_registry (DecaFlowDocument *self);
const char *deca_flow_document_get_id           (DecaFlowDocument *self);
const char *deca_flow_document_get_name         (DecaFlowDocument *self);
/* Returns (transfer full) a copy of "settings"; an empty object when there are none. */
JsonObject *deca_flow_document_get_settings     (DecaFlowDocument *self);
/* Returns (nullable) the flow's "description" when it is a string. */
const char *deca_flow_document_get_description  (DecaFlowDocument *self);
/* Returns (transfer full) a deep copy of "triggers"; an empty array when there are none
 * (or the member is not an array, which is a problem). */
JsonArray  *deca_flow_document_get_triggers     (DecaFlowDocument *self);
/* Returns (transfer none) the GListModel of DecaFlowNodeItem, in document order. */
GListModel *deca_flow_document_get_nodes        (DecaFlowDocument *self);
/* Returns (transfer none) the GListModel of DecaFlowConnectionItem, in document order. */
GListModel *deca_flow_document_get_connections  (DecaFlowDocument *self);
/* Returns (transfer none) (nullable) the node with @id. */
DecaFlowNodeItem *deca_flow_document_lookup_node (DecaFlowDocument *self,
                                                  const char       *id);
/* Returns (transfer none) (element-type DecaValidationProblem) every validation problem
 * of the current state, as deca_validate_flow_json() reports them. */
GPtrArray  *deca_flow_document_get_problems     (DecaFlowDocument *self);

/* The grid moves snap to; 0 (the default) means no snapping. Not an edit. */
double      deca_flow_document_get_grid_size    (DecaFlowDocument *self);
void        deca_flow_document_set_grid_size    (DecaFlowDocument *self,
                                                 double            grid_size);

/* ---- edits: each one undoable ---------------------------------------------------------- */

/* Adds a node of @type at (@x, @y) with an id made from the type ("http", "http-2", ...)
 * and a config holding the schema's "default"s. Returns (transfer none) its item, NULL
 * with DECA_ENGINE_ERROR_NOT_FOUND when the registry has no such type. */
DecaFlowNodeItem *deca_flow_document_add_node   (DecaFlowDocument  *self,
                                                 const char        *type,
                                                 double             x,
                                                 double             y,
                                                 GError           **error);
/* Removes the nodes named in @ids (NULL-terminated) and every connection touching them.
 * Ids that are not nodes are ignored. Returns FALSE when nothing was removed. */
gboolean    deca_flow_document_remove_nodes     (DecaFlowDocument   *self,
                                                 const char * const *ids);
/* Moves the nodes by (@dx, @dy), snapping each to the grid when grid-size is set. Within
 * a group, a move of the same nodes as the group's previous edit merges into it. */
gboolean    deca_flow_document_move_nodes       (DecaFlowDocument   *self,
                                                 const char * const *ids,
                                                 double              dx,
                                                 double              dy);
/* Sets a node's position (undoable, merges like a move). */
gboolean    deca_flow_document_set_node_position (DecaFlowDocument *self,
                                                  const char       *id,
                                                  double            x,
                                                  double            y);
/* Renames a node, updating its connections and rewriting the references to it in every
 * config and condition ({{old.x}} becomes {{new.x}}). Refuses an id the validator would
 * refuse (syntax, reserved) and one another node has. */
gboolean    deca_flow_document_rename_node      (DecaFlowDocument  *self,
                                                 const char        *id,
                                                 const char        *new_id,
                                                 GError           **error);
/* Replaces a node's config with a copy of @config. */
gboolean    deca_flow_document_set_node_config  (DecaFlowDocument  *self,
                                                 const char        *id,
                                                 JsonObject        *config,
                                                 GError           **error);
/* Sets one member of a node's config to a copy of @value, or removes it when @value is
 * NULL. @field is a member name ("url") or a JSON pointer into the config
 * ("/headers/Accept"), whose missing intermediate objects are created. */
gboolean    deca_flow_document_set_node_field   (DecaFlowDocument  *self,
                                                 const char        *id,
                                                 const char        *field,
                                                 JsonNode          *value,
                                                 GError           **error);
/* Sets (a copy of) or, with NULL, removes a node's "retry" object. */
gboolean    deca_flow_document_set_node_retry   (DecaFlowDocument  *self,
                                                 const char        *id,
                                                 JsonObject        *retry,
                                                 GError           **error);
/* Sets a node's "timeout" in seconds; 0 removes it. */
gboolean    deca_flow_document_set_node_timeout (DecaFlowDocument  *self,
                                                 const char        *id,
                                                 double             timeout,
                                                 GError           **error);
void        deca_flow_document_set_name         (DecaFlowDocument *self,
                                                 const char       *name);
/* Replaces "settings" with a copy of @settings; NULL removes the member. */
void        deca_flow_document_set_settings     (DecaFlowDocument *self,
                                                 JsonObject       *settings);
/* Sets "description"; NULL or "" removes the member (or the "description" property). */
void        deca_flow_document_set_description  (DecaFlowDocument *self,
                                                 const char       *description);
/* Replaces "triggers" with a copy of @triggers; NULL removes the member. The triggers are
 * not checked: what the validator refuses shows up in the problems. Returns FALSE when
 * the document already holds exactly that (nothing is recorded). */
gboolean    deca_flow_document_set_triggers     (DecaFlowDocument *self,
                                                 JsonArray        *triggers);

/* Connects @from to @to. @from_port NULL is the source type's default port, @to_port NULL
 * is "main", @condition NULL is always; @on_error makes a fallback connection (from the
 * "error" port). Refuses a self-loop, a port the source does not have, a duplicate of an
 * existing connection, and a cycle, except a connection from a node in a loop's body back
 * to that loop. Returns (transfer none) the new item. */
DecaFlowConnectionItem *deca_flow_document_connect (DecaFlowDocument  *self,
                                                    const char        *from,
                                                    const char        *from_port,
                                                    const char        *to,
                                                    const char        *to_port,
                                                    const char        *condition,
                                                    gboolean           on_error,
                                                    GError           **error);
/* Removes @connection (an item of the connections list). */
gboolean    deca_flow_document_disconnect       (DecaFlowDocument       *self,
                                                 DecaFlowConnectionItem *connection);
/* Removes the connection at @position. */
gboolean    deca_flow_document_disconnect_at    (DecaFlowDocument *self,
                                                 guint             position);
/* Sets or, with NULL or "", removes the condition of @connection. */
gboolean    deca_flow_document_set_connection_condition (DecaFlowDocument       *self,
                                                         DecaFlowConnectionItem *connection,
                                                         const char             *condition);

/* ---- clipboard --------------------------------------------------------------------------- */

/* Returns (transfer full) a flow fragment as JSON text: {"nodes": [...], "connections":
 * [...]} with the nodes named in @ids (document order) and the connections between them. */
char       *deca_flow_document_copy_nodes       (DecaFlowDocument   *self,
                                                 const char * const *ids);
/* Adds the nodes of a fragment, offset by (@dx, @dy), as one undoable edit. Nodes get
 * fresh ids where theirs are taken, and the pasted connections and the references between
 * pasted nodes follow. Returns (transfer full) the new ids, in fragment order; NULL with
 * DECA_ENGINE_ERROR_PARSE and nothing changed when @text is not a fragment. */
GStrv       deca_flow_document_paste            (DecaFlowDocument  *self,
                                                 const char        *text,
                                                 double             dx,
                                                 double             dy,
                                                 GError           **error);

/* ---- history ------------------------------------------------------------------------------ */

/* Edits between begin_group() and end_group() are one undo step, labelled @label (NULL:
 * the first edit's label). Groups nest; the outermost one counts. */
void        deca_flow_document_begin_group      (DecaFlowDocument *self,
                                                 const char       *label);
void        deca_flow_document_end_group        (DecaFlowDocument *self);
gboolean    deca_flow_document_can_undo         (DecaFlowDocument *self);
gboolean    deca_flow_document_can_redo         (DecaFlowDocument *self);
/* Returns (nullable) the label of the step undo()/redo() would take ("Move 3 nodes"). */
const char *deca_flow_document_get_undo_label   (DecaFlowDocument *self);
const char *deca_flow_document_get_redo_label   (DecaFlowDocument *self);
/* Return FALSE when there is nothing to undo/redo (or a group is open). */
gboolean    deca_flow_document_undo             (DecaFlowDocument *self);
gboolean    deca_flow_document_redo             (DecaFlowDocument *self);
void        deca_flow_document_clear_history    (DecaFlowDocument *self);
/* TRUE when the document differs from its state at the last mark_saved() (or load). */
gboolean    deca_flow_document_get_modified     (DecaFlowDocument *self);
void        deca_flow_document_mark_saved       (DecaFlowDocument *self);

/* TRUE when @id is a node id the validator accepts (syntax, not reserved). */
gboolean    deca_flow_node_id_is_valid          (const char *id);

G_END_DECLS
