#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "deca-engine-error.h"
#include "deca-node-invocation.h"
#include "deca-json.h"
#include "deca-node-type.h"

G_BEGIN_DECLS

/*
 * DecaNodeBase: the shared skeleton of the built-in node types (engine/nodes/). A type
 * describes itself once in a static DecaNodeInfo (name, title, ports, the config schema as
 * JSON text) and overrides the class methods it needs; the base implements the
 * DecaNodeType interface from both. Outside engine/nodes/ nothing knows this class exists:
 * callers see DecaNodeType only.
 *
 * The helpers below (_deca_node_*) cut the boilerplate every node repeats: reading typed
 * config members with errors that name the member, returning errors, adding validation
 * problems, copying JSON deeply.
 */

/**
 * DecaNodeInfo:
 * @name: the type name used in flows ("http")
 * @title: a short human title ("HTTP request")
 * @description: one or two sentences for the palette and the inspector
 * @category: "core", "flow", "integration" or "trigger"
 * @kind: how the executor drives the node
 * @ports: (nullable): the fixed output ports, NULL-terminated; NULL means { "main" }
 * @default_port: (nullable): the port of a connection without "from_port"; NULL means the
 *   first of @ports
 * @schema: the config schema as JSON text (a JSON Schema subset, docs/nodes.md)
 *
 * Lives in static storage; the base only borrows it.
 */
typedef struct {
  const char         *name;
  const char         *title;
  const char         *description;
  const char         *category;
  DecaNodeKind        kind;
  const char * const *ports;
  const char         *default_port;
  const char         *schema;
  gboolean            replayable;  /* see deca_node_type_is_replayable() */
} DecaNodeInfo;

#define DECA_TYPE_NODE_BASE (deca_node_base_get_type ())
G_DECLARE_DERIVABLE_TYPE (DecaNodeBase, deca_node_base, DECA, NODE_BASE, GObject)

struct _DecaNodeBaseClass
{
  GObjectClass parent_class;

  /* Required: see deca_node_type_invoke(). */
  void   (*invoke)            (DecaNodeBase       *self,
                               DecaNodeInvocation *invocation);
  /* Optional: semantic checks beyond the schema. The default adds nothing. */
  void   (*check_config)      (DecaNodeBase       *self,
                               JsonObject         *config,
                               GPtrArray          *problems);
  /* Optional: ports that depend on the config. The default lists DecaNodeInfo.ports. */
  GStrv  (*list_output_ports) (DecaNodeBase       *self,
                               JsonObject         *config);
  /* Optional: the circuit-breaker key. The default is NULL (no external target). */
  char  *(*get_circuit_key)   (DecaNodeBase       *self,
                               JsonObject         *config);
};

/* Attaches @info (static storage) to @self and parses its schema. Called once, from the
 * subclass's instance init; a schema that is not a JSON object is a programming error and
 * aborts. */
void          _deca_node_base_set_info (DecaNodeBase       *self,
                                        const DecaNodeInfo *info);
const DecaNodeInfo *_deca_node_base_get_info (DecaNodeBase *self);

/* Returns @output (transfer full) on @port (NULL = default port). */
void          _deca_node_return_output (DecaNodeInvocation *invocation,
                                        JsonNode           *output,
                                        const char         *port);
/* Returns a JSON object node wrapping @output (a reference is taken) on @port. */
void          _deca_node_return_object (DecaNodeInvocation *invocation,
                                        JsonObject         *output,
                                        const char         *port);
/* Returns a new DECA_ENGINE_ERROR @code error with a printf-style message. */
void          _deca_node_return_new_error (DecaNodeInvocation *invocation,
                                           DecaEngineError     code,
                                           const char         *format,
                                           ...) G_GNUC_PRINTF (3, 4);

/* Appends a DecaValidationProblem at @pointer (relative to the config) to @problems. */
void          _deca_node_add_problem   (GPtrArray          *problems,
                                        const char         *pointer,
                                        const char         *format,
                                        ...) G_GNUC_PRINTF (3, 4);

/*
 * Typed access to config members. A member that is absent or JSON null yields the default
 * and TRUE; a member of the wrong type fails with DECA_ENGINE_ERROR_NODE_FAILED and a
 * message naming it ("'timeout' must be a number, got string"). @member may not be NULL.
 */
gboolean      _deca_node_config_get_string (JsonObject  *config,
                                            const char  *member,
                                            const char  *default_value,
                                            const char **value,
                                            GError     **error);
gboolean      _deca_node_config_get_number (JsonObject  *config,
                                            const char  *member,
                                            double       default_value,
                                            double      *value,
                                            GError     **error);
/* Accepts integers and numbers without a fractional part. */
gboolean      _deca_node_config_get_int    (JsonObject  *config,
                                            const char  *member,
                                            gint64       default_value,
                                            gint64      *value,
                                            GError     **error);
gboolean      _deca_node_config_get_bool   (JsonObject  *config,
                                            const char  *member,
                                            gboolean     default_value,
                                            gboolean    *value,
                                            GError     **error);
/* Store (transfer none) the member in @value when it is an object (an array for
 * _get_array); NULL when absent or null; fail naming the member when it is something
 * else. */
gboolean      _deca_node_config_get_object (JsonObject  *config,
                                            const char  *member,
                                            JsonObject **value,
                                            GError     **error);
gboolean      _deca_node_config_get_array  (JsonObject  *config,
                                            const char  *member,
                                            JsonArray  **value,
                                            GError     **error);
/* TRUE when @member is present and not JSON null. */
gboolean      _deca_node_config_has        (JsonObject  *config,
                                            const char  *member);

/*
 * DecaJsonIter: walks the members of a JsonObject in document order. json-glib's own
 * JsonObjectIter (1.6) walks its hash table, and the order of query parameters, form
 * fields, headers and "set" operations must be the order the flow author wrote.
 * Declare with g_auto(DecaJsonIter) iter = { 0 }; the list is freed on scope exit.
 */
typedef struct {
  JsonObject     *object;  /* a reference while iterating */
  JsonObjectIter  iter;    /* json_object_iter_init_ordered(): insertion order, without
                            * the copy of the name list json_object_get_members() makes */
} DecaJsonIter;

void          _deca_json_iter_init         (DecaJsonIter  *iter,
                                            JsonObject    *object);
gboolean      _deca_json_iter_next         (DecaJsonIter  *iter,
                                            const char   **name,
                                            JsonNode     **node);
void          _deca_json_iter_clear        (DecaJsonIter  *iter);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DecaJsonIter, _deca_json_iter_clear)

/* Returns (transfer full) an object node holding a reference on @object. */
JsonNode     *_deca_json_object_node       (JsonObject  *object);
/* Returns (transfer full) a JSON string node. */
JsonNode     *_deca_json_string_node       (const char  *text);

G_END_DECLS
